//! Correctness oracle: costfix's per-resource monthly costs against infracost's goldens for the same
//! inputs (`fixtures/corpus/infracost`). Every difference must be explained in `EXPLAINED` (a price
//! change, a component costfix does not model, or a different assumption); an explanation that no
//! longer matches a difference fails too, so the table cannot rot. Goldens whose inputs costfix
//! cannot drive are listed in `SKIPPED` with the reason, and every golden file in the fixtures must
//! be in one list or the other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

mod support {
    pub mod tf_plan;
}

use costfix_engine::estimate::{estimate, Options};
use costfix_engine::pricing::usage::Usage;
use costfix_engine::{parse_document, Catalog, InputFile};
use rust_decimal::Decimal;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/corpus/infracost")
}

/// A golden that costfix can drive: the golden file, the plan or state, the usage file.
struct Case {
    golden: &'static str,
    input: &'static str,
    usage: Option<&'static str>,
    /// `--region`, for a state (which has no provider configuration); infracost defaults to us-east-1.
    region: Option<&'static str>,
}

/// infracost's per-resource-type goldens are produced from a `.tf` file (`<t>_test.tf`, with
/// `<t>_test.usage.yml` when present). Each is driven from the real plan committed next to it,
/// `plan.json` (`scripts/golden-plans.sh`: Terraform 1.11.4, hashicorp/aws 5.100.0, offline); where
/// Terraform could not plan the file offline, `plan.skipped` says why and `support::tf_plan` stands
/// in for `terraform plan`. A case with neither fails.
const TF_CASES: &[&str] = &[
    "api_gateway_rest_api_test",
    "api_gateway_stage_test",
    "apigatewayv2_api_test",
    "autoscaling_group_test",
    "cloudformation_stack_test",
    "cloudfront_function_test",
    "cloudtrail_test",
    "cloudwatch_event_bus_test",
    "cloudwatch_log_group_test",
    "config_config_rule_test",
    "config_organization_custom_rule_test",
    "data_transfer_test",
    "db_instance_test",
    "dms_test",
    "docdb_cluster_instance_test",
    "dx_connection_test",
    "dx_gateway_association_test",
    "dynamodb_table_china_test",
    "dynamodb_table_test",
    "ebs_snapshot_copy_test",
    "ebs_volume_test",
    "ec2_client_vpn_network_association_test",
    "ec2_traffic_mirror_session_test",
    "ec2_transit_gateway_peering_attachment_test",
    "ec2_transit_gateway_vpc_attachment_test",
    "ecr_repository_test",
    "ecs_service_test",
    "efs_file_system_test",
    "eip_test",
    "eks_fargate_profile_test",
    "eks_node_group_test",
    "elastic_beanstalk_environment_test",
    "elasticache_cluster_test",
    "elasticsearch_domain_test",
    "fsx_openzfs_file_system_test",
    "fsx_windows_file_system_test",
    "global_accelerator_test",
    "glue_catalog_database_test",
    "glue_crawler_test",
    "glue_job_test",
    "grafana_workspace_test",
    "instance_test",
    "kinesis_firehose_delivery_stream_test",
    "kinesis_stream_test",
    "kinesisanalytics_application_test",
    "kinesisanalyticsv2_application_snapshot_test",
    "kinesisanalyticsv2_application_test",
    "kms_external_key_test",
    "lambda_function_china_test",
    "lambda_function_test",
    "lb_test",
    "lightsail_instance_test",
    "msk_cluster_test",
    "nat_gateway_test",
    "neptune_cluster_snapshot_test",
    "neptune_cluster_test",
    "opensearch_domain_test",
    "rds_cluster_test",
    "redshift_cluster_test",
    "route53_record_test",
    "route53_resolver_endpoint_test",
    "route53_zone_test",
    "s3_bucket_analytics_configuration_test",
    "s3_bucket_inventory_test",
    "s3_bucket_test",
    "sfn_state_machine_test",
    "sns_topic_test",
    "sqs_queue_test",
    "ssm_activation_test",
    "ssm_parameter_test",
    "vpn_connection_test",
    "waf_web_acl_test",
    "wafv2_web_acl_test",
];

const T: &str = "cmd/infracost/testdata";

const CASES: &[Case] = &[
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_plan_json/breakdown_terraform_plan_json.golden", input: "cmd/infracost/testdata/example_plan.json", usage: Some("cmd/infracost/testdata/example_usage.yml"), region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_usage_file/breakdown_terraform_usage_file.golden", input: "cmd/infracost/testdata/example_plan.json", usage: Some("cmd/infracost/testdata/example_usage.yml"), region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_v0_14/breakdown_terraform_v0_14.golden", input: "cmd/infracost/testdata/terraform_v0.14_plan.json", usage: None, region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_use_state_v0_12/breakdown_terraform_use_state_v0_12.golden", input: "cmd/infracost/testdata/terraform_v0.12_state.json", usage: None, region: Some("us-east-1") },
    Case { golden: "cmd/infracost/testdata/instance_with_attachment_before_deploy/instance_with_attachment_before_deploy.golden", input: "cmd/infracost/testdata/instance_with_attachment_before_deploy.json", usage: None, region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_with_target/breakdown_with_target.golden", input: "cmd/infracost/testdata/plan_with_target.json", usage: None, region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_sync_usage_file/breakdown_terraform_sync_usage_file.golden", input: "cmd/infracost/testdata/breakdown_terraform_sync_usage_file/sync_usage_file.json", usage: Some("cmd/infracost/testdata/breakdown_terraform_sync_usage_file/infracost-usage.yml"), region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_with_policy_data_upload_plan_json/breakdown_with_policy_data_upload_plan_json.golden", input: "cmd/infracost/testdata/breakdown_with_policy_data_upload_plan_json/plan.json", usage: None, region: None },
];

/// Goldens costfix cannot drive yet, and why.
const SKIPPED: &[(&str, &str)] = &[
    ("cmd/infracost/testdata/diff_terraform_plan_json/diff_terraform_plan_json.golden", "same plan and usage as breakdown_terraform_usage_file, in infracost's diff layout (whole dollars only); covered by that case"),
    ("cmd/infracost/testdata/breakdown_with_policy_data_upload_plan_json/breakdown_with_policy_data_upload_plan_json-upload.golden", "infracost's cloud upload requests, not costs"),
    ("cmd/infracost/testdata/breakdown_terraform_sync_usage_file/infracost-usage.yml.golden", "a usage file infracost writes, not costs"),
    ("cmd/infracost/testdata/breakdown_terraform_directory_with_default_var_files/breakdown_terraform_directory_with_default_var_files.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/breakdown_with_default_tags/breakdown_with_default_tags.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/breakdown_with_dynamic_iterator/breakdown_with_dynamic_iterator.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/breakdown_with_multiple_providers/breakdown_with_multiple_providers.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/breakdown_with_nested_foreach/breakdown_with_nested_foreach.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/hclmodule_for_each/hclmodule_for_each.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/hclmodule_output_counts/hclmodule_output_counts.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/hclmulti_var_files/hclmulti_var_files.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/rds_cluster_china_test/rds_cluster_china_test.golden", "cn-north-1, priced in CNY: China regions are outside the catalog (USD list prices of five regions); infracost prices nothing there either (usage-based and 'not found', total 0)"),
];

// Why costfix and infracost differ. Each reason is a price the catalog does not have (costfix then
// lists the component as unpriced instead of guessing), a component not modelled yet, or a
// different reading of the inputs.
const RESERVED: &str = "the usage file makes it a reservation: infracost prices reserved hours, costfix leaves them unpriced (no reserved prices in the catalog); everything else agrees";
const MONITORING: &str = "EC2 detailed monitoring (launch configurations enable it by default) is listed as unpriced: the catalog has no CloudWatch metric prices";
const CPU_CREDITS: &str = "CPU credits from the usage file are listed as unpriced: the catalog has no burstable-credit prices";
const EBS_OPTIMIZED: &str =
    "the EBS-optimized hourly fee of this older family is listed as unpriced: not in the catalog";
const TENANCY: &str = "dedicated or host tenancy: costfix leaves the hours unpriced (shared-tenancy prices only); infracost prices dedicated hours and drops host-tenancy instances";
const WINDOWS: &str =
    "the usage file says Windows: the catalog has Linux prices only, so the hours are unpriced";
const AURORA_ENGINE: &str = "an Aurora engine on aws_db_instance: costfix prices Aurora instances as aws_rds_cluster_instance (an Aurora instance belongs to a cluster) and leaves this one unpriced";
const ENGINE_STORAGE: &str = "the instance hours agree (aws-nodes.csv's rds rows); storage is unpriced: allocated_storage is not set (unknown until apply in a real plan; infracost assumes 20 GB), and the catalog's RDS storage and backup storage prices are MySQL's and PostgreSQL's only";
const ORACLE_SE2_LICENSE: &str = "license_model is not set: RDS for Oracle SE2 is license-included or bring-your-own-license and AWS documents no default, so costfix leaves the hours unpriced (infracost assumes license included, the catalog's same $0.30 an hour); storage has no catalog price for Oracle either";
const ORACLE_RETIRED: &str = "oracle-se and oracle-se1 are retired Oracle editions: the catalog has Oracle SE2 and EE prices only, so the instance is unpriced";
const EXTENDED_SUPPORT: &str = "RDS Extended Support (engine versions past standard support) is not modelled: no prices in the catalog";
const ALLOCATED_STORAGE: &str = "allocated_storage is not set: in a real plan it is unknown until apply, so costfix leaves storage unpriced; infracost assumes 20 GB";
const IO1_MINIMUMS: &str = "io1 storage below AWS's minimums (100 GB, 1,000 IOPS) or without iops: AWS raises or rejects these at apply; costfix prices what is configured and leaves unset IOPS unpriced, infracost prices the minimums";
const PERFORMANCE_INSIGHTS: &str = "Performance Insights is not modelled: no prices in the catalog";
const REPLICA: &str = "a read replica takes its engine from its source, which its own attributes do not give: unpriced";
const EIP: &str = "AWS has billed every public IPv4 address since 2024-02-01, attached or not: costfix prices every EIP, infracost only unattached ones";
const MIN_SIZE_ZERO: &str = "min_size 0 and no desired_capacity: AWS starts the group with 0 instances; infracost assumes 1";
const MIXED: &str = "mixed instances policies are not priced yet: unpriced";
const MODULE: &str = "a registry module call: the test's plan builder does not expand modules, so the resource is not in the plan";
const EC2_HOST: &str = "aws_ec2_host has no cost model yet";
const DDB_AUTOSCALING: &str = "infracost sizes capacity from aws_appautoscaling_target and usage; costfix prices the table's configured read/write capacity";
const DDB_REPLICA: &str = "global-table replicas: the catalog has replicated-write prices for us-west-1 only, so the us-east-2 replica (and on-demand replicated writes) are unpriced";
const S3: &str = "S3 prices other than Standard requests and the storage classes' storage are not in the catalog (Select, lifecycle, retrieval requests, early delete): listed as unpriced";
const LOCAL_REF: &str = "the launch template is named through a local value; a plan's configuration does not record what a local refers to, so its volumes are not found";
const MERGED_DEVICES: &str = "the instance's block device overrides the template's of the same device name; costfix does not merge them and prices the instance's own device (gp2, no IOPS)";
const DB_RESERVED: &str = "the usage file makes it a reserved instance: costfix leaves it unpriced (no reserved prices in the catalog)";
const AURORA_SERVERLESS_V1: &str = "Aurora Serverless v1 capacity (engine_mode serverless) is listed as unpriced: the catalog has no Serverless v1 ACU price (infracost: $0.06 an ACU-hour); storage, I/O and backup storage agree";
const AURORA_SERVERLESS_V1_EXPORT: &str = "Aurora Serverless v1 capacity and snapshot export to S3 are listed as unpriced: the catalog has neither price (infracost: $0.06 an ACU-hour, $0.01 a GB); storage, I/O and backup storage agree";
const AURORA_EXPORT: &str = "Aurora snapshot export to S3 is listed as unpriced: not in the catalog (infracost: $0.01 a GB); storage, I/O, backup storage and backtrack agree";
const OUTSIDE_REGIONS: &str = "the region (us-east-2) is outside the catalog's five regions: costfix lists the items as unpriced rather than borrow another region's prices";
const DOCDB_STORAGE: &str = "AWS bills DocumentDB storage and I/O per cluster: costfix prices them on aws_docdb_cluster (from its usage), infracost on each instance from the instance's usage; the instance hours agree";
const DOCDB_STORAGE_CREDITS: &str = "AWS bills DocumentDB storage and I/O per cluster: costfix prices them on aws_docdb_cluster, infracost on each instance; and the CPU credits from usage are unpriced (no burstable-credit prices in the catalog); the instance hours agree";
const EBS_PER_NODE: &str = "an OpenSearch domain's ebs_options volume is per data node (AWS attaches one to each): costfix prices instance_count volumes (and their IOPS and throughput), infracost one volume; the node hours agree";
const EBS_PER_NODE_ULTRAWARM: &str = "an OpenSearch domain's ebs_options volume is per data node: costfix prices instance_count volumes, infracost one; and UltraWarm nodes are unpriced (no UltraWarm prices in the catalog); the data and master node hours agree";
const MSK_AUTOSCALING: &str = "storage autoscaling: both size each broker's storage from the aws_appautoscaling_target (its usage capacity, else min_capacity), but this target's min_capacity (123 GB) is below the configured volume_size (1000 GB): MSK storage only grows, so costfix keeps 1000 GB a broker, infracost prices 123; the broker hours agree";
const REDSHIFT_DS2: &str = "ds2 nodes are retired and not in the catalog (DC2 and RA3 only): the node hours, and the concurrency scaling priced at their rate, are unpriced; Spectrum and backup storage have no catalog price either";
const REDSHIFT_MANAGED_STORAGE: &str = "RA3 managed storage from usage is listed as unpriced: the catalog has no Redshift managed storage price (infracost: $0.024 a GB-month); the node hours agree";
const DB_DYNAMO_REGION: &str = "the catalog has DynamoDB prices for us-east-2 only; costfix leaves this us-east-1 table's capacity unpriced rather than borrow another region's price";
const ECS_CLUSTER_STRATEGY: &str = "the service sets neither launch_type nor a capacity provider strategy, and its cluster's aws_ecs_cluster_capacity_providers lists FARGATE but sets no default_capacity_provider_strategy: where the tasks run is not known from the plan, so costfix leaves them unpriced; infracost assumes Fargate";
const ECS_TASK_SET: &str = "the service names no task definition: an aws_ecs_task_set that refers to the service gives it, which costfix does not read, so the tasks are unpriced";
const FARGATE_PODS: &str = "a Fargate profile runs no pods by itself: costfix prices pod vCPU and GB hours from usage (usage-based without it); infracost assumes one 1 vCPU, 1 GB pod all month";
const KINESIS_RETENTION: &str = "AWS bills a provisioned stream's extended retention per shard hour when retention_period is over 24 hours (the catalog's unit): costfix prices it from retention_period (24 here, so nothing); infracost multiplies a GB usage figure by the shard-hour price";
const US_EAST_2: &str = "the catalog has no us-east-2 prices for this service: costfix leaves it unpriced rather than borrow another region's price";
const SNS_FREE_TIER: &str = "infracost takes SNS's free tier (1M requests, 100k HTTP and 1k email notifications a month) off every topic; costfix prices list prices (the free tier is per account, not per topic)";
const SNS_SMS: &str = "SMS prices depend on the destination country and are not in the catalog: costfix leaves SMS notifications unpriced and does not use the usage file's sms_notification_price";

// Types with no cost model yet: costfix lists them as "no cost model yet" (never $0). Each reason
// names the prices the catalog lacks; `engine/data/aws/*.csv` and `../shared/pricing` were searched
// for the service.
const NM_CLOUDFORMATION_STACK: &str = "no cost model yet for aws_cloudformation_stack: the catalog has no prices for CloudFormation (third-party resource handler operations and their duration; ../shared/pricing has none)";
const NM_CLOUDFRONT_FUNCTION: &str = "no cost model yet for aws_cloudfront_function: the catalog's CloudFront prices are HTTP and HTTPS requests only, with no CloudFront Functions invocation price (../shared/pricing has none)";
const NM_CLOUDTRAIL: &str = "no cost model yet for aws_cloudtrail: the catalog has no prices for CloudTrail (management, data and Insights events; ../shared/pricing has none)";
const NM_CLOUDWATCH_EVENT_BUS: &str = "no cost model yet for aws_cloudwatch_event_bus: the catalog has no prices for EventBridge events (its CloudWatch rows are alarms, metrics and API requests; ../shared/pricing has none)";
const NM_CONFIG_RULE: &str = "no cost model yet for aws_config_config_rule: the catalog has no prices for AWS Config rule evaluations (../shared/pricing has none)";
const NM_CONFIG_ORG_CUSTOM_RULE: &str = "no cost model yet for aws_config_organization_custom_rule: the catalog has no prices for AWS Config rule evaluations (../shared/pricing has none)";
const NM_DATA_TRANSFER: &str = "aws_data_transfer is not a Terraform resource type but infracost's usage-file-only entry: data_transfer_test.tf declares no resources, so the real plan has none and costfix, which prices the plan's resources, has nothing to price (the catalog's data-transfer prices are for resources' own usage)";
const NM_DMS: &str = "no cost model yet for aws_dms_replication_instance: the catalog has no prices for Database Migration Service (replication instance hours, storage; ../shared/pricing has none)";
const NM_DX_CONNECTION: &str = "no cost model yet for aws_dx_connection: the catalog has no Direct Connect port-hour or data-transfer-out prices (its only Direct Connect row is a transit gateway's DX gateway attachment hour; ../shared/pricing has no more)";
const NM_TRAFFIC_MIRROR: &str = "no cost model yet for aws_ec2_traffic_mirror_session: the catalog has no prices for VPC Traffic Mirroring session hours (../shared/pricing has none)";
const NM_BEANSTALK: &str = "no cost model yet for aws_elastic_beanstalk_environment: Elastic Beanstalk itself is free, and what the environment costs is the instances, load balancer, database and log group it creates from its setting blocks, which costfix does not read (infracost prices them as sub-resources)";
const NM_FSX_OPENZFS: &str = "no cost model yet for aws_fsx_openzfs_file_system: the catalog has no prices for Amazon FSx (storage, throughput, IOPS, backups; ../shared/pricing has none)";
const NM_FSX_WINDOWS: &str = "no cost model yet for aws_fsx_windows_file_system: the catalog has no prices for Amazon FSx (storage, throughput, backups; ../shared/pricing has none)";
const NM_GLOBAL_ACCELERATOR: &str = "no cost model yet for aws_globalaccelerator_accelerator: the catalog has no prices for Global Accelerator (fixed hourly fee, premium data transfer; ../shared/pricing has none)";
const NM_GLUE_CATALOG_DATABASE: &str = "no cost model yet for aws_glue_catalog_database: the catalog has no prices for AWS Glue (Data Catalog storage and requests; ../shared/pricing has none)";
const NM_GLUE_CRAWLER: &str = "no cost model yet for aws_glue_crawler: the catalog has no prices for AWS Glue (crawler DPU hours; ../shared/pricing has none)";
const NM_GLUE_JOB: &str = "no cost model yet for aws_glue_job: the catalog has no prices for AWS Glue (job DPU hours; ../shared/pricing has none)";
const NM_GRAFANA: &str = "no cost model yet for aws_grafana_workspace: the catalog has no prices for Amazon Managed Grafana (editor and viewer licenses; ../shared/pricing has none)";
const NM_FIREHOSE: &str = "no cost model yet for aws_kinesis_firehose_delivery_stream: the catalog's Kinesis prices are Data Streams only, with no Data Firehose ingestion, format conversion or VPC delivery prices (../shared/pricing has none); the golden's region, eu-west-2, is outside the catalog too";
const NM_KINESIS_ANALYTICS: &str = "no cost model yet for aws_kinesis_analytics_application: the catalog has no prices for Kinesis Data Analytics (KPU hours; ../shared/pricing has none); the golden's region, eu-west-2, is outside the catalog too";
const NM_KINESISANALYTICSV2: &str = "no cost model yet for aws_kinesisanalyticsv2_application: the catalog has no prices for Managed Service for Apache Flink (KPU hours, running application storage; ../shared/pricing has none); the golden's region, eu-west-2, is outside the catalog too";
const NM_KINESISANALYTICSV2_SNAPSHOT: &str = "no cost model yet for aws_kinesisanalyticsv2_application_snapshot: the catalog has no prices for Managed Service for Apache Flink backups (../shared/pricing has none); the golden's region, eu-west-2, is outside the catalog too";
const NM_LIGHTSAIL: &str = "no cost model yet for aws_lightsail_instance: the catalog has no prices for Lightsail bundles (../shared/pricing has none)";
const NM_NEPTUNE_CLUSTER: &str = "no cost model yet for aws_neptune_cluster: the catalog has no prices for Neptune (storage, I/O, backup storage; ../shared/pricing has none); the golden's region, eu-west-2, is outside the catalog too";
const NM_NEPTUNE_SNAPSHOT: &str = "no cost model yet for aws_neptune_cluster_snapshot: the catalog has no prices for Neptune backup storage (../shared/pricing has none); the golden's region, eu-west-2, is outside the catalog too";
const NM_S3_ANALYTICS: &str = "no cost model yet for aws_s3_bucket_analytics_configuration: the catalog's S3 prices are storage, requests, retrieval and lifecycle transitions, with no Storage Class Analysis (objects monitored) price (../shared/pricing has none)";
const NM_S3_INVENTORY: &str = "no cost model yet for aws_s3_bucket_inventory: the catalog's S3 prices are storage, requests, retrieval and lifecycle transitions, with no S3 Inventory (objects listed) price (../shared/pricing has none)";
const NM_SSM_ACTIVATION: &str = "no cost model yet for aws_ssm_activation: the catalog has no prices for Systems Manager advanced on-premises instances (../shared/pricing has none)";
const NM_SSM_PARAMETER: &str = "no cost model yet for aws_ssm_parameter: the catalog has no prices for Parameter Store advanced parameters or API interactions (../shared/pricing has none)";
const NM_WAF: &str = "no cost model yet for aws_waf_web_acl: the catalog has no prices for AWS WAF Classic (web ACLs, rules, requests; ../shared/pricing has none)";
const NM_WAFV2: &str = "no cost model yet for aws_wafv2_web_acl: the catalog has no prices for AWS WAF (web ACLs, rules, rule groups, requests; ../shared/pricing has none)";
const CN_NORTH_1: &str = "the region (cn-north-1) is outside the catalog: AWS China prices are in CNY (the golden's figures are yuan), and the catalog has USD prices of five regions only, so costfix lists the items as unpriced";
const EU_WEST_2: &str = "the region (eu-west-2) is outside the catalog's five regions: costfix lists the items as unpriced rather than borrow another region's prices";

/// (golden file stem, address, or a prefix ending in `*`, why they differ); the first entry that
/// matches an address applies. An entry that no longer matches any difference fails the test, so
/// the table cannot rot.
const EXPLAINED: &[(&str, &str, &str)] = &[
    (
        "breakdown_terraform_plan_json",
        "aws_instance.zero_cost_instance",
        RESERVED,
    ),
    (
        "breakdown_terraform_usage_file",
        "aws_instance.zero_cost_instance",
        RESERVED,
    ),
    (
        "breakdown_terraform_v0_14",
        "module.db.module.db_*",
        EXTENDED_SUPPORT,
    ),
    (
        "breakdown_terraform_use_state_v0_12",
        "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]",
        EXTENDED_SUPPORT,
    ),
    (
        "breakdown_with_policy_data_upload_plan_json",
        "aws_dynamodb_table.autoscale_dynamodb_table",
        DB_DYNAMO_REGION,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_min_size_zero",
        MIN_SIZE_ZERO,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lt_min_size_zero",
        MIN_SIZE_ZERO,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_basic",
        MONITORING,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_min_size*",
        MONITORING,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_usage",
        MONITORING,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lt_monitoring",
        MONITORING,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.test_count[*",
        MONITORING,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_cpu_credits",
        CPU_CREDITS,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lt_cpu_credits",
        CPU_CREDITS,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_ebs_optimized",
        EBS_OPTIMIZED,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lt_ebs_optimized",
        EBS_OPTIMIZED,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_reserved",
        RESERVED,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_tenancy_*",
        TENANCY,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lt_tenancy_*",
        TENANCY,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_lc_windows",
        WINDOWS,
    ),
    (
        "autoscaling_group_test",
        "aws_autoscaling_group.asg_mixed_instance_*",
        MIXED,
    ),
    ("autoscaling_group_test", "module.asg-lt.*", MODULE),
    ("db_instance_test", "aws_db_instance.aurora*", AURORA_ENGINE),
    (
        "db_instance_test",
        "aws_db_instance.mariadb",
        ENGINE_STORAGE,
    ),
    (
        "db_instance_test",
        "aws_db_instance.oracle-ee*",
        ENGINE_STORAGE,
    ),
    (
        "db_instance_test",
        "aws_db_instance.oracle-se2*",
        ORACLE_SE2_LICENSE,
    ),
    (
        "db_instance_test",
        "aws_db_instance.oracle-se*",
        ORACLE_RETIRED,
    ),
    (
        "db_instance_test",
        "aws_db_instance.sqlserver-*",
        ENGINE_STORAGE,
    ),
    (
        "db_instance_test",
        "aws_db_instance.extended_support[*",
        EXTENDED_SUPPORT,
    ),
    (
        "db_instance_test",
        "aws_db_instance.mysql",
        ALLOCATED_STORAGE,
    ),
    (
        "db_instance_test",
        "aws_db_instance.mysql-default",
        ALLOCATED_STORAGE,
    ),
    (
        "db_instance_test",
        "aws_db_instance.postgres",
        ALLOCATED_STORAGE,
    ),
    (
        "db_instance_test",
        "aws_db_instance.mysql-default-iops",
        IO1_MINIMUMS,
    ),
    (
        "db_instance_test",
        "aws_db_instance.mysql-iops",
        IO1_MINIMUMS,
    ),
    (
        "db_instance_test",
        "aws_db_instance.mysql-iops-below-min",
        IO1_MINIMUMS,
    ),
    (
        "db_instance_test",
        "aws_db_instance.mysql-performance-insights*",
        PERFORMANCE_INSIGHTS,
    ),
    ("db_instance_test", "aws_db_instance.mysql-replica", REPLICA),
    (
        "db_instance_test",
        "aws_db_instance.mysql-1yr-*",
        DB_RESERVED,
    ),
    (
        "db_instance_test",
        "aws_db_instance.postgres-3yr-*",
        DB_RESERVED,
    ),
    (
        "dynamodb_table_test",
        "aws_dynamodb_table.autoscale_dynamodb_table*",
        DDB_AUTOSCALING,
    ),
    (
        "dynamodb_table_test",
        "aws_dynamodb_table.my_dynamodb_table*",
        DDB_REPLICA,
    ),
    (
        "docdb_cluster_instance_test",
        "aws_docdb_cluster_instance.large",
        DOCDB_STORAGE,
    ),
    (
        "docdb_cluster_instance_test",
        "aws_docdb_cluster_instance.medium",
        DOCDB_STORAGE_CREDITS,
    ),
    (
        "docdb_cluster_instance_test",
        "aws_docdb_cluster_instance.dbue2",
        OUTSIDE_REGIONS,
    ),
    (
        "docdb_cluster_instance_test",
        "aws_docdb_cluster_instance.largeue2",
        OUTSIDE_REGIONS,
    ),
    (
        "docdb_cluster_instance_test",
        "aws_docdb_cluster_instance.mediumue2",
        OUTSIDE_REGIONS,
    ),
    ("eip_test", "aws_eip.eip*", EIP),
    (
        "rds_cluster_test",
        "aws_rds_cluster.my_sql_serverless",
        AURORA_SERVERLESS_V1,
    ),
    (
        "rds_cluster_test",
        "aws_rds_cluster.postgres_serverless",
        AURORA_SERVERLESS_V1,
    ),
    (
        "rds_cluster_test",
        "aws_rds_cluster.postgres_serverlessWithBackup",
        AURORA_SERVERLESS_V1,
    ),
    (
        "rds_cluster_test",
        "aws_rds_cluster.postgres_serverlessWithExport",
        AURORA_SERVERLESS_V1_EXPORT,
    ),
    (
        "rds_cluster_test",
        "aws_rds_cluster.mysql_backtrack",
        AURORA_EXPORT,
    ),
    (
        "eks_node_group_test",
        "aws_eks_node_group.example_with_launch_template",
        CPU_CREDITS,
    ),
    (
        "eks_node_group_test",
        "aws_eks_node_group.example_with_launch_template_with_prefix",
        LOCAL_REF,
    ),
    (
        "eks_node_group_test",
        "aws_eks_node_group.reserved",
        RESERVED,
    ),
    ("eks_node_group_test", "aws_eks_node_group.windows", WINDOWS),
    (
        "elasticache_cluster_test",
        "aws_elasticache_cluster.redis_reserved_*",
        DB_RESERVED,
    ),
    (
        "elasticsearch_domain_test",
        "aws_elasticsearch_domain.gp2",
        EBS_PER_NODE_ULTRAWARM,
    ),
    (
        "elasticsearch_domain_test",
        "aws_elasticsearch_domain.gp3",
        EBS_PER_NODE_ULTRAWARM,
    ),
    (
        "elasticsearch_domain_test",
        "aws_elasticsearch_domain.gp3_throughput[\"above_3TB_paid_mul\"]",
        EBS_PER_NODE,
    ),
    (
        "elasticsearch_domain_test",
        "aws_elasticsearch_domain.gp3_throughput[\"below_min_storage_mul_paid\"]",
        EBS_PER_NODE,
    ),
    (
        "elasticsearch_domain_test",
        "aws_elasticsearch_domain.io1",
        EBS_PER_NODE,
    ),
    (
        "elasticsearch_domain_test",
        "aws_elasticsearch_domain.std",
        EBS_PER_NODE,
    ),
    (
        "msk_cluster_test",
        "aws_msk_cluster.cluster-autoscaling",
        MSK_AUTOSCALING,
    ),
    ("instance_test", "aws_ec2_host.mac", EC2_HOST),
    ("instance_test", "aws_instance.std_*", RESERVED),
    ("instance_test", "aws_instance.cnvr_*", RESERVED),
    (
        "instance_test",
        "aws_instance.instance1_detailedMonitoring",
        MONITORING,
    ),
    (
        "instance_test",
        "aws_instance.instance_detailedMonitoring_withMonthlyHours",
        MONITORING,
    ),
    (
        "instance_test",
        "aws_instance.instance2_ebsOptimized",
        EBS_OPTIMIZED,
    ),
    (
        "instance_test",
        "aws_instance.instance_ebsOptimized_withMonthlyHours",
        EBS_OPTIMIZED,
    ),
    (
        "instance_test",
        "aws_instance.instance_withLaunchTemplateBy*",
        TENANCY,
    ),
    (
        "instance_test",
        "aws_instance.instance_withLaunchTemplateOverride",
        MERGED_DEVICES,
    ),
    (
        "instance_test",
        "aws_instance.t2_unlimited_cpuCredits",
        CPU_CREDITS,
    ),
    (
        "instance_test",
        "aws_instance.t3_unlimited_cpuCredits",
        CPU_CREDITS,
    ),
    (
        "instance_test",
        "aws_instance.instance1_hostTenancy",
        TENANCY,
    ),
    (
        "ecs_service_test",
        "aws_ecs_service.ecs_fargate1",
        ECS_CLUSTER_STRATEGY,
    ),
    (
        "ecs_service_test",
        "aws_ecs_service.ecs_fargate3",
        ECS_CLUSTER_STRATEGY,
    ),
    (
        "ecs_service_test",
        "aws_ecs_service.ecs_fargate4",
        ECS_CLUSTER_STRATEGY,
    ),
    ("ecs_service_test", "aws_ecs_service.task_set", ECS_TASK_SET),
    (
        "eks_fargate_profile_test",
        "aws_eks_fargate_profile.example",
        FARGATE_PODS,
    ),
    (
        "kinesis_stream_test",
        "aws_kinesis_stream.use2_*",
        US_EAST_2,
    ),
    (
        "kinesis_stream_test",
        "aws_kinesis_stream.test_stream_provisioned_with_usage",
        KINESIS_RETENTION,
    ),
    (
        "sns_topic_test",
        "aws_sns_topic.sns_topic_customSmsPrice",
        SNS_SMS,
    ),
    (
        "sns_topic_test",
        "aws_sns_topic.sns_topic_withChargedSubscribers",
        SNS_FREE_TIER,
    ),
    (
        "sns_topic_test",
        "aws_sns_topic.sns_topic_withFreeNotifications",
        SNS_FREE_TIER,
    ),
    (
        "sns_topic_test",
        "aws_sns_topic.sns_topic_withUsage",
        SNS_FREE_TIER,
    ),
    (
        "opensearch_domain_test",
        "aws_opensearch_domain.gp2",
        EBS_PER_NODE_ULTRAWARM,
    ),
    (
        "opensearch_domain_test",
        "aws_opensearch_domain.io1",
        EBS_PER_NODE,
    ),
    (
        "opensearch_domain_test",
        "aws_opensearch_domain.std",
        EBS_PER_NODE,
    ),
    (
        "redshift_cluster_test",
        "aws_redshift_cluster.ca_withUsage",
        REDSHIFT_DS2,
    ),
    (
        "redshift_cluster_test",
        "aws_redshift_cluster.manageda_withUsage",
        REDSHIFT_MANAGED_STORAGE,
    ),
    ("s3_bucket_test", "aws_s3_bucket.bucket_withUsage", S3),
    (
        "cloudformation_stack_test",
        "aws_cloudformation_stack.*",
        NM_CLOUDFORMATION_STACK,
    ),
    (
        "cloudfront_function_test",
        "aws_cloudfront_function.*",
        NM_CLOUDFRONT_FUNCTION,
    ),
    ("cloudtrail_test", "aws_cloudtrail.*", NM_CLOUDTRAIL),
    (
        "cloudwatch_event_bus_test",
        "aws_cloudwatch_event_bus.*",
        NM_CLOUDWATCH_EVENT_BUS,
    ),
    (
        "config_config_rule_test",
        "aws_config_config_rule.*",
        NM_CONFIG_RULE,
    ),
    (
        "config_organization_custom_rule_test",
        "aws_config_organization_custom_rule.*",
        NM_CONFIG_ORG_CUSTOM_RULE,
    ),
    (
        "data_transfer_test",
        "aws_data_transfer.*",
        NM_DATA_TRANSFER,
    ),
    ("dms_test", "aws_dms_replication_instance.*", NM_DMS),
    (
        "dx_connection_test",
        "aws_dx_connection.*",
        NM_DX_CONNECTION,
    ),
    (
        "dynamodb_table_china_test",
        "aws_dynamodb_table.*",
        CN_NORTH_1,
    ),
    (
        "ec2_traffic_mirror_session_test",
        "aws_ec2_traffic_mirror_session.*",
        NM_TRAFFIC_MIRROR,
    ),
    (
        "elastic_beanstalk_environment_test",
        "aws_elastic_beanstalk_environment.*",
        NM_BEANSTALK,
    ),
    (
        "fsx_openzfs_file_system_test",
        "aws_fsx_openzfs_file_system.*",
        NM_FSX_OPENZFS,
    ),
    (
        "fsx_windows_file_system_test",
        "aws_fsx_windows_file_system.*",
        NM_FSX_WINDOWS,
    ),
    (
        "global_accelerator_test",
        "aws_globalaccelerator_accelerator.*",
        NM_GLOBAL_ACCELERATOR,
    ),
    (
        "glue_catalog_database_test",
        "aws_glue_catalog_database.*",
        NM_GLUE_CATALOG_DATABASE,
    ),
    ("glue_crawler_test", "aws_glue_crawler.*", NM_GLUE_CRAWLER),
    ("glue_job_test", "aws_glue_job.*", NM_GLUE_JOB),
    (
        "grafana_workspace_test",
        "aws_grafana_workspace.*",
        NM_GRAFANA,
    ),
    (
        "kinesis_firehose_delivery_stream_test",
        "aws_elasticsearch_domain.test_cluster",
        EU_WEST_2,
    ),
    (
        "kinesis_firehose_delivery_stream_test",
        "aws_kinesis_firehose_delivery_stream.*",
        NM_FIREHOSE,
    ),
    (
        "kinesisanalytics_application_test",
        "aws_kinesis_analytics_application.*",
        NM_KINESIS_ANALYTICS,
    ),
    (
        "kinesisanalyticsv2_application_snapshot_test",
        "aws_kinesisanalyticsv2_application_snapshot.*",
        NM_KINESISANALYTICSV2_SNAPSHOT,
    ),
    (
        "kinesisanalyticsv2_application_snapshot_test",
        "aws_kinesisanalyticsv2_application.*",
        NM_KINESISANALYTICSV2,
    ),
    (
        "kinesisanalyticsv2_application_test",
        "aws_kinesisanalyticsv2_application.*",
        NM_KINESISANALYTICSV2,
    ),
    (
        "lambda_function_china_test",
        "aws_lambda_function.*",
        CN_NORTH_1,
    ),
    (
        "lightsail_instance_test",
        "aws_lightsail_instance.*",
        NM_LIGHTSAIL,
    ),
    (
        "neptune_cluster_snapshot_test",
        "aws_neptune_cluster_snapshot.*",
        NM_NEPTUNE_SNAPSHOT,
    ),
    (
        "neptune_cluster_test",
        "aws_neptune_cluster.*",
        NM_NEPTUNE_CLUSTER,
    ),
    (
        "s3_bucket_analytics_configuration_test",
        "aws_s3_bucket_analytics_configuration.*",
        NM_S3_ANALYTICS,
    ),
    (
        "s3_bucket_inventory_test",
        "aws_s3_bucket_inventory.*",
        NM_S3_INVENTORY,
    ),
    (
        "ssm_activation_test",
        "aws_ssm_activation.*",
        NM_SSM_ACTIVATION,
    ),
    (
        "ssm_parameter_test",
        "aws_ssm_parameter.*",
        NM_SSM_PARAMETER,
    ),
    ("waf_web_acl_test", "aws_waf_web_acl.*", NM_WAF),
    ("wafv2_web_acl_test", "aws_wafv2_web_acl.*", NM_WAFV2),
];

/// The plan a resource-type golden is driven from.
enum TfPlan {
    /// `plan.json`, made by a real `terraform plan` (`scripts/golden-plans.sh`).
    Real(Vec<u8>),
    /// Terraform could not plan the `.tf` offline (the first line of `plan.skipped` after its
    /// header, naming the error); the stand-in's plan of it instead.
    StandIn(String, String),
}

/// `plan.json` next to the golden when there is one; else the stand-in, but only where
/// `plan.skipped` says why Terraform could not plan the file: a case with neither fails, so a new
/// golden cannot silently use the stand-in.
fn tf_case_plan(dir: &str, t: &str) -> TfPlan {
    let dir = fixtures().join(dir);
    if let Ok(bytes) = std::fs::read(dir.join("plan.json")) {
        return TfPlan::Real(bytes);
    }
    let Ok(skipped) = std::fs::read_to_string(dir.join("plan.skipped")) else {
        panic!(
            "{t}: neither plan.json nor plan.skipped next to the golden; run scripts/golden-plans.sh {t}"
        );
    };
    let why = skipped
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Error"))
        .unwrap_or_else(|| panic!("{t}: plan.skipped does not say which error Terraform gave"));
    let tf = std::fs::read_to_string(dir.join(format!("{t}.tf"))).unwrap();
    TfPlan::StandIn(why.to_string(), support::tf_plan::plan_from_tf(&tf))
}

// Where costfix is wrong on a real plan: reported to the cost model's owners, not explained. Each
// entry fails the test once costfix agrees (or differs for another reason), so it is removed with
// the fix.

/// (golden file stem, address or prefix ending in `*`, the bug): differences a real plan shows
/// that are costfix's fault, matched only where no `EXPLAINED` entry applies.
const REAL_PLAN_BUGS: &[(&str, &str, &str)] = &[];

/// One comparison: (golden file, input file, input bytes, usage file, region).
type Run<'a> = (String, String, Vec<u8>, Option<String>, Option<&'a str>);

fn explains(pattern: &str, addr: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => addr.starts_with(prefix),
        None => pattern == addr,
    }
}

/// Per-resource monthly totals of an infracost golden (table or JSON layout).
fn parse_golden(text: &str) -> BTreeMap<String, Decimal> {
    if text.trim_start().starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
        let v = de.next().unwrap().unwrap();
        let mut out = BTreeMap::new();
        for p in v["projects"].as_array().unwrap() {
            for r in p["breakdown"]["resources"].as_array().unwrap() {
                let cost = r["monthlyCost"]
                    .as_str()
                    .map_or(Decimal::ZERO, |s| Decimal::from_str(s).unwrap());
                out.insert(r["name"].as_str().unwrap().to_string(), cost);
            }
        }
        return out;
    }
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with(" OVERALL TOTAL")
            || line.starts_with(" Name ")
            || !line.starts_with(' ')
        {
            if line.starts_with(" OVERALL TOTAL") {
                current = None;
            }
            continue;
        }
        let body = line.trim_end();
        if body.trim().is_empty() {
            continue;
        }
        let first = body.trim_start().chars().next().unwrap();
        if !matches!(first, '├' | '└' | '│') {
            let name = body.trim().to_string();
            out.insert(name.clone(), Decimal::ZERO);
            current = Some(name);
            continue;
        }
        // A component: the cost is the last `$…` token, or the amount before `元` (not a "per unit"
        // usage price).
        if body.contains("Monthly cost depends on usage") {
            continue;
        }
        let Some(cur) = &current else { continue };
        let trimmed = body.trim_end_matches('*').trim_end();
        // China regions' goldens are in CNY, the amount before a `元`.
        let amount = match trimmed.strip_suffix('元') {
            Some(rest) => rest.split_whitespace().last(),
            None => trimmed.rfind('$').map(|pos| &trimmed[pos + 1..]),
        };
        if let Some(amount) = amount {
            if let Ok(d) = Decimal::from_str(amount.replace(',', "").trim()) {
                *out.get_mut(cur).unwrap() += d;
            }
        }
    }
    out
}

fn all_goldens(dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_goldens(&p, out);
        } else if p.extension().is_some_and(|x| x == "golden") {
            out.push(
                p.strip_prefix(fixtures())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
}

#[test]
fn every_golden_is_driven_or_skipped_with_a_reason() {
    let mut goldens = Vec::new();
    all_goldens(&fixtures(), &mut goldens);
    goldens.sort();
    let tf: Vec<String> = TF_CASES
        .iter()
        .map(|t| format!("internal/providers/terraform/aws/testdata/{t}/{t}.golden"))
        .collect();
    let known: Vec<&str> = CASES
        .iter()
        .map(|c| c.golden)
        .chain(SKIPPED.iter().map(|s| s.0))
        .chain(tf.iter().map(String::as_str))
        .collect();
    for g in &goldens {
        assert!(
            known.contains(&g.as_str()),
            "golden {g} is neither a case nor skipped with a reason"
        );
    }
    for k in &known {
        assert!(
            goldens.iter().any(|g| g == k),
            "listed golden {k} does not exist"
        );
    }
    let _ = T;
}

#[test]
fn costs_match_infracost_goldens() {
    let catalog = Catalog::embedded();
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let mut used_explanations = vec![false; EXPLAINED.len()];
    let mut used_bugs = vec![false; REAL_PLAN_BUGS.len()];
    let (mut compared, mut matched) = (0, 0);
    let mut runs: Vec<Run<'_>> = CASES
        .iter()
        .map(|c| {
            let bytes = std::fs::read(fixtures().join(c.input)).unwrap();
            (
                c.golden.to_string(),
                c.input.to_string(),
                bytes,
                c.usage.map(str::to_owned),
                c.region,
            )
        })
        .collect();
    let (mut real_plans, mut stand_ins) = (Vec::new(), Vec::new());
    for t in TF_CASES {
        let dir = format!("internal/providers/terraform/aws/testdata/{t}");
        let usage = format!("{dir}/{t}.usage.yml");
        let usage = fixtures().join(&usage).exists().then_some(usage);
        let (input, plan) = match tf_case_plan(&dir, t) {
            TfPlan::Real(bytes) => {
                real_plans.push(*t);
                (format!("{dir}/plan.json"), bytes)
            }
            TfPlan::StandIn(why, plan) => {
                stand_ins.push((*t, why));
                // To look at a stand-in plan: COSTFIX_GOLDEN_PLANS=DIR cargo test --test golden
                if let Some(dir) = std::env::var_os("COSTFIX_GOLDEN_PLANS") {
                    std::fs::write(Path::new(&dir).join(format!("{t}.json")), &plan).unwrap();
                }
                (format!("{dir}/{t}.tf"), plan.into_bytes())
            }
        };
        runs.push((format!("{dir}/{t}.golden"), input, plan, usage, None));
    }
    for (golden_path, input, bytes, usage, region) in &runs {
        let stem = Path::new(golden_path)
            .file_stem()
            .unwrap()
            .to_str()
            .unwrap();
        let golden = parse_golden(&std::fs::read_to_string(fixtures().join(golden_path)).unwrap());
        assert!(
            !golden.is_empty(),
            "{stem}: parsed no resources from the golden"
        );
        let file = InputFile::from_bytes(Path::new(input), bytes.clone()).unwrap();
        let (doc, _) = parse_document(&file).unwrap();
        let usage = match usage {
            Some(u) => Usage::load(&fixtures().join(u)).unwrap(),
            None => Usage::default(),
        };
        let opts = Options {
            region: region.map(str::to_owned),
        };
        let est = estimate(&doc, input, None, &catalog, &usage, &opts);
        let ours: BTreeMap<&str, Decimal> = est
            .resources
            .iter()
            .filter(|r| r.after.is_some())
            .map(|r| (r.address.as_str(), r.after_monthly()))
            .collect();
        // Every golden resource, and every resource costfix prices above zero that the golden lacks.
        let mut addrs: Vec<&str> = golden.keys().map(String::as_str).collect();
        addrs.extend(
            ours.iter()
                .filter(|(a, v)| !v.is_zero() && !golden.contains_key(**a))
                .map(|(a, _)| *a),
        );
        for addr in addrs {
            compared += 1;
            let g = golden.get(addr).copied();
            let o = ours.get(addr).copied();
            let agree = match (g, o) {
                (Some(g), Some(o)) => (g - o).abs() <= Decimal::new(2, 2),
                (Some(g), None) => g.is_zero(),
                (None, _) => false,
            };
            let explained = EXPLAINED
                .iter()
                .position(|e| e.0 == stem && explains(e.1, addr));
            let fmt = |d: Option<Decimal>| d.map_or("-".to_string(), |d| d.round_dp(2).to_string());
            let has_unpriced = est.resources.iter().any(|r| {
                r.address == addr
                    && r.after.as_ref().is_some_and(|a| {
                        a.items
                            .iter()
                            .any(|i| i.status == costfix_engine::cost::ItemStatus::Unpriced)
                    })
            });
            match (agree, explained) {
                (true, None) => {
                    matched += 1;
                    report.push(format!("  ok        {stem}  {addr}  costfix {}  infracost {}", fmt(o), fmt(g)));
                }
                // Totals can agree while a component differs (a reserved instance priced at $0 by
                // infracost, unpriced by costfix): explained only while costfix reports it unpriced.
                (true, Some(i)) if !has_unpriced && !EXPLAINED[i].1.ends_with('*') => failures.push(format!(
                    "{stem} {addr}: costfix now agrees with the golden; remove its entry from EXPLAINED"
                )),
                (true, Some(i)) if !has_unpriced => {
                    matched += 1;
                    let _ = i;
                    report.push(format!("  ok        {stem}  {addr}  costfix {}  infracost {}", fmt(o), fmt(g)));
                }
                (_, Some(i)) => {
                    used_explanations[i] = true;
                    report.push(format!(
                        "  explained {stem}  {addr}  costfix {}  infracost {}: {}",
                        fmt(o),
                        fmt(g),
                        EXPLAINED[i].2
                    ));
                }
                (false, None) => match REAL_PLAN_BUGS
                    .iter()
                    .position(|e| e.0 == stem && explains(e.1, addr))
                {
                    Some(i) => {
                        used_bugs[i] = true;
                        report.push(format!(
                            "  bug       {stem}  {addr}  costfix {}  infracost {}: {}",
                            fmt(o),
                            fmt(g),
                            REAL_PLAN_BUGS[i].2
                        ));
                    }
                    None => failures.push(format!(
                        "{stem} {addr}: costfix {} vs infracost {}, and no explanation",
                        fmt(o),
                        fmt(g)
                    )),
                },
            }
        }
    }
    for (i, used) in used_explanations.iter().enumerate() {
        if !used {
            failures.push(format!(
                "EXPLAINED entry for {} {} was not needed",
                EXPLAINED[i].0, EXPLAINED[i].1
            ));
        }
    }
    for (i, used) in used_bugs.iter().enumerate() {
        if !used {
            failures.push(format!(
                "REAL_PLAN_BUGS entry for {} {} was not needed (fixed?): remove it",
                REAL_PLAN_BUGS[i].0, REAL_PLAN_BUGS[i].1
            ));
        }
    }
    let bugs = used_bugs.iter().filter(|u| **u).count();
    eprintln!(
        "golden comparison: {compared} resources compared, {matched} agree within $0.02, {} explained, {bugs} costfix bugs on real plans; {} resource-type goldens from real plans, {} from the stand-in",
        compared - matched - bugs,
        real_plans.len(),
        stand_ins.len()
    );
    for l in &report {
        eprintln!("{l}");
    }
    for (t, why) in &stand_ins {
        eprintln!("  stand-in  {t}: {why}");
    }
    for (g, why) in SKIPPED {
        eprintln!("  skipped   {g}: {why}");
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n")
    );
    assert!(
        matched >= 20,
        "only {matched} resources agree; the comparison is not testing much"
    );
}
