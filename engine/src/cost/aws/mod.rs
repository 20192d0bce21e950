//! AWS: one file per priced resource type, each with its `TYPE`, plus helpers that several share.

use super::{Ctx, PricedType};

// Helpers shared by several types.
mod aurora;
mod docdb;
mod ebs;
mod ec2;
mod elasticache;
pub(crate) mod free;
mod launch_template;

/// Declares each priced type's module and lists its `TYPE` in [`REGISTRY`]: adding a priced type
/// is its file plus one line in the list below.
macro_rules! priced_types {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every priced resource type, in the order of the table in `docs/cost-model.md`.
        pub const REGISTRY: &[&PricedType] = &[$(&$module::TYPE),*];
    };
}

mod tiers;

priced_types! {
    instance,
    autoscaling_group,
    eks_node_group,
    eks_cluster,
    ebs_volume,
    db_instance,
    elasticache_cluster,
    elasticache_replication_group,
    dynamodb_table,
    nat_gateway,
    eip,
    lb,
    lambda_function,
    cloudwatch_log_group,
    s3_bucket,
    kms_key,
    kms_external_key,
    ecr_repository,
    sqs_queue,
    efs_file_system,
    sfn_state_machine,
    api_gateway_rest_api,
    apigatewayv2_api,
    vpn_connection,
    ec2_transit_gateway_vpc_attachment,
    ec2_transit_gateway_peering_attachment,
    route53_zone,
    route53_record,
    route53_resolver_endpoint,
    vpc_endpoint,
    secretsmanager_secret,
    elb,
    sns_topic,
    cloudwatch_metric_alarm,
    eks_fargate_profile,
    ecs_service,
    kinesis_stream,
    ec2_client_vpn_endpoint,
    ec2_client_vpn_network_association,
    backup_vault,
    cloudfront_distribution,
    api_gateway_stage,
    ebs_snapshot,
    rds_cluster_instance,
    rds_cluster,
    docdb_cluster_instance,
    docdb_cluster,
    opensearch_domain,
    msk_cluster,
    redshift_cluster,
    mq_broker,
}

/// The reason an item is unpriced when usage says it runs on a reservation.
fn reserved(ctx: &Ctx<'_, '_>) -> Option<String> {
    let u = ctx.usage?;
    let kind = u
        .str("reserved_instance_type")
        .or_else(|| u.str("reserved_instance_term"))?;
    Some(format!(
        "usage says it is reserved ({kind}); reserved prices are not in the catalog"
    ))
}
