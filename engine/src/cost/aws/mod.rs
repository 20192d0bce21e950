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
#[cfg(test)]
mod test_plan;
mod tiers;

// The priced types, one file each. Adding one is its file, its `mod` line here and its line in
// `REGISTRY` (a type left out of the registry is dead code, which the build refuses).
mod api_gateway_rest_api;
mod api_gateway_stage;
mod apigatewayv2_api;
mod autoscaling_group;
mod backup_vault;
mod cloudfront_distribution;
mod cloudwatch_composite_alarm;
mod cloudwatch_log_group;
mod cloudwatch_metric_alarm;
mod db_instance;
mod docdb_cluster;
mod docdb_cluster_instance;
mod dx_gateway_association;
mod dynamodb_table;
mod ebs_snapshot;
mod ebs_snapshot_copy;
mod ebs_volume;
mod ec2_client_vpn_endpoint;
mod ec2_client_vpn_network_association;
mod ec2_transit_gateway_connect;
mod ec2_transit_gateway_peering_attachment;
mod ec2_transit_gateway_vpc_attachment;
mod ecr_repository;
mod ecs_service;
mod efs_file_system;
mod eip;
mod eks_cluster;
mod eks_fargate_profile;
mod eks_node_group;
mod elasticache_cluster;
mod elasticache_replication_group;
mod elasticache_serverless_cache;
mod elb;
mod instance;
mod kinesis_stream;
mod kinesis_stream_consumer;
mod kms_external_key;
mod kms_key;
mod kms_replica_external_key;
mod kms_replica_key;
mod lambda_function;
mod lambda_provisioned_concurrency_config;
mod lb;
mod mq_broker;
mod msk_cluster;
mod msk_serverless_cluster;
mod mskconnect_connector;
mod nat_gateway;
mod opensearch_domain;
mod rds_cluster;
mod rds_cluster_instance;
mod redshift_cluster;
mod redshiftserverless_workgroup;
mod route53_health_check;
mod route53_record;
mod route53_resolver_endpoint;
mod route53_zone;
mod s3_bucket;
mod s3_bucket_intelligent_tiering_configuration;
mod secretsmanager_secret;
mod sfn_state_machine;
mod sns_topic;
mod sqs_queue;
mod vpc_endpoint;
mod vpn_connection;

/// Every priced resource type, in the order of the table in `docs/cost-model.md`.
pub const REGISTRY: &[&PricedType] = &[
    &instance::TYPE,
    &autoscaling_group::TYPE,
    &eks_node_group::TYPE,
    &eks_cluster::TYPE,
    &ebs_volume::TYPE,
    &db_instance::TYPE,
    &elasticache_cluster::TYPE,
    &elasticache_replication_group::TYPE,
    &elasticache_serverless_cache::TYPE,
    &dynamodb_table::TYPE,
    &nat_gateway::TYPE,
    &eip::TYPE,
    &lb::TYPE,
    &lambda_function::TYPE,
    &lambda_provisioned_concurrency_config::TYPE,
    &cloudwatch_log_group::TYPE,
    &s3_bucket::TYPE,
    &kms_key::TYPE,
    &kms_external_key::TYPE,
    &kms_replica_key::TYPE,
    &kms_replica_external_key::TYPE,
    &ecr_repository::TYPE,
    &sqs_queue::TYPE,
    &efs_file_system::TYPE,
    &sfn_state_machine::TYPE,
    &api_gateway_rest_api::TYPE,
    &apigatewayv2_api::TYPE,
    &vpn_connection::TYPE,
    &ec2_transit_gateway_vpc_attachment::TYPE,
    &ec2_transit_gateway_peering_attachment::TYPE,
    &ec2_transit_gateway_connect::TYPE,
    &dx_gateway_association::TYPE,
    &route53_zone::TYPE,
    &route53_record::TYPE,
    &route53_resolver_endpoint::TYPE,
    &route53_health_check::TYPE,
    &vpc_endpoint::TYPE,
    &secretsmanager_secret::TYPE,
    &elb::TYPE,
    &sns_topic::TYPE,
    &cloudwatch_metric_alarm::TYPE,
    &cloudwatch_composite_alarm::TYPE,
    &eks_fargate_profile::TYPE,
    &ecs_service::TYPE,
    &kinesis_stream::TYPE,
    &kinesis_stream_consumer::TYPE,
    &ec2_client_vpn_endpoint::TYPE,
    &ec2_client_vpn_network_association::TYPE,
    &backup_vault::TYPE,
    &cloudfront_distribution::TYPE,
    &api_gateway_stage::TYPE,
    &ebs_snapshot::TYPE,
    &ebs_snapshot_copy::TYPE,
    &rds_cluster_instance::TYPE,
    &rds_cluster::TYPE,
    &docdb_cluster_instance::TYPE,
    &docdb_cluster::TYPE,
    &opensearch_domain::TYPE,
    &msk_cluster::TYPE,
    &redshift_cluster::TYPE,
    &mq_broker::TYPE,
    &msk_serverless_cluster::TYPE,
    &mskconnect_connector::TYPE,
    &redshiftserverless_workgroup::TYPE,
    &s3_bucket_intelligent_tiering_configuration::TYPE,
];

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
