//! Resources priced from the resources that refer to them (`Ctx::referrers`), on real plans made
//! by Terraform 1.11.4 with the AWS provider 5.100.0 (`fixtures/refs`, `fixtures/attached-volume`)
//! and a state in the provider's shape (`fixtures/states/attached-volume.tfstate`).

use std::path::{Path, PathBuf};

use costfix_engine::cost::{ItemStatus, LineItem};
use costfix_engine::estimate::{estimate, Estimate, Options};
use costfix_engine::pricing::usage::Usage;
use costfix_engine::{parse_document, Catalog, InputFile};
use rust_decimal::Decimal;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
}

fn run(input: &str, usage: Option<&str>) -> Estimate {
    let file = InputFile::read(&fixture(input)).unwrap();
    let (doc, _) = parse_document(&file).unwrap();
    let usage = usage.map_or_else(Usage::default, |u| Usage::load(&fixture(u)).unwrap());
    let opts = Options {
        region: Some("us-east-1".into()),
    };
    estimate(&doc, input, None, &Catalog::embedded(), &usage, &opts)
}

fn items<'e>(est: &'e Estimate, address: &str) -> &'e [LineItem] {
    let r = est
        .resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("{address} is not in the estimate"));
    r.after.as_ref().expect("an after side").items.as_slice()
}

fn monthly(est: &Estimate, address: &str) -> Decimal {
    items(est, address).iter().filter_map(|i| i.monthly).sum()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// An autoscaling target sets the shards or the replicas per shard of a replication group: its
/// usage `capacity`, else its `min_capacity`. cache.m5.large is $0.156 an hour in us-east-1.
#[test]
fn elasticache_replication_groups_take_their_autoscaling_targets_capacity() {
    let est = run("plans/refs.json", Some("refs/usage.yml"));
    let nodes = |address: &str| {
        let i = &items(&est, address)[0];
        assert_eq!(
            i.name, "ElastiCache (on-demand, cache.m5.large)",
            "{address}"
        );
        assert_eq!(i.unit_price, Some(dec("0.156")), "{address}");
        (
            i.quantity.unwrap() / Decimal::from(730),
            i.from_usage,
            i.note.clone(),
        )
    };
    let rg = "aws_elasticache_replication_group";
    // 3 shards (min_capacity) × (1 replica + 1).
    assert_eq!(
        nodes(&format!("{rg}.shards")),
        (
            Decimal::from(6),
            false,
            Some("autoscaling: elasticache:replication-group:NodeGroups 3 from aws_appautoscaling_target.shards (min_capacity)".into())
        )
    );
    // 2 shards × (3 replicas from the usage file's capacity + 1).
    assert_eq!(
        nodes(&format!("{rg}.replicas")),
        (
            Decimal::from(8),
            true,
            Some("autoscaling: elasticache:replication-group:Replicas 3 from aws_appautoscaling_target.replicas (capacity in the usage file)".into())
        )
    );
    // A literal resource_id names the group: 4 shards × 1.
    assert_eq!(nodes(&format!("{rg}.literal")).0, Decimal::from(4));
    // No elasticache target (the dynamodb one beside it scales a table): 2 × 2.
    assert_eq!(
        nodes(&format!("{rg}.plain")),
        (Decimal::from(4), false, None)
    );
    assert_eq!(monthly(&est, &format!("{rg}.shards")), dec("683.28"));
}

/// A storage autoscaling target sizes each broker's storage from its `min_capacity` (500 GB here,
/// over the configured 100): 3 brokers × 500 GB at $0.10 a GB-month.
#[test]
fn msk_storage_comes_from_its_autoscaling_target() {
    let est = run("plans/refs.json", None);
    let storage = items(&est, "aws_msk_cluster.autoscaled")
        .iter()
        .find(|i| i.name == "Storage")
        .unwrap();
    assert_eq!(storage.quantity, Some(Decimal::from(1500)));
    assert_eq!(storage.monthly, Some(Decimal::from(150)));
    assert_eq!(
        storage.note.as_deref(),
        Some("autoscaling: kafka:broker-storage:VolumeSize 500 from aws_appautoscaling_target.msk_storage (min_capacity)")
    );
}

/// A service without a launch type or a strategy of its own runs as its cluster's default
/// capacity provider strategy says (the `aws_ecs_cluster_capacity_providers` that refers to the
/// cluster): 2 tasks of 1 vCPU and 2 GB on Fargate, 730 hours a month.
#[test]
fn ecs_services_take_their_clusters_default_strategy() {
    let est = run("plans/refs.json", None);
    let fargate = items(&est, "aws_ecs_service.fargate");
    let got: Vec<_> = fargate
        .iter()
        .map(|i| (i.name.as_str(), i.quantity.unwrap(), i.note.as_deref()))
        .collect();
    let note = Some("Fargate: the cluster's default capacity provider strategy, from aws_ecs_cluster_capacity_providers.fargate");
    assert_eq!(
        got,
        [
            ("Per GB per hour", Decimal::from(2920), note),
            ("Per vCPU per hour", Decimal::from(1460), note)
        ]
    );
    // 2920 GB-hours × $0.004445 + 1460 vCPU-hours × $0.04048.
    assert_eq!(monthly(&est, "aws_ecs_service.fargate"), dec("72.0802"));
    let unpriced = |address: &str| {
        let i = items(&est, address);
        assert_eq!(i.len(), 1, "{address}: {i:?}");
        assert_eq!(i[0].status, ItemStatus::Unpriced, "{address}");
        i[0].note.clone().unwrap()
    };
    assert!(
        unpriced("aws_ecs_service.spot").starts_with("capacity provider strategy FARGATE_SPOT (the cluster's default capacity provider strategy, from aws_ecs_cluster_capacity_providers.spot): FARGATE_SPOT prices are not in the catalog"),
    );
    assert!(unpriced("aws_ecs_service.no_default").contains("the cluster's capacity providers (aws_ecs_cluster_capacity_providers.no_default) set no default_capacity_provider_strategy"));
    // Its own launch type wins: EC2, priced as the cluster's instances.
    assert!(items(&est, "aws_ecs_service.ec2_on_fargate_cluster").is_empty());
}

/// A FIFO topic's notifications are its requests times the subscriptions that refer to it:
/// 2M requests of 64 KB to 3 subscriptions are 6M notifications ($0.01 a million) and 384 GB of
/// payload ($0.001 a GB), besides the 2M publish requests ($0.30) and their 128 GB ($0.017).
#[test]
fn sns_fifo_notifications_count_the_topics_subscriptions() {
    let est = run("plans/refs.json", Some("refs/usage.yml"));
    let got = |address: &str| -> Vec<(String, Option<Decimal>, ItemStatus)> {
        items(&est, address)
            .iter()
            .map(|i| (i.name.clone(), i.quantity, i.status))
            .collect()
    };
    let priced = ItemStatus::Priced;
    let q = |n: i64| Some(Decimal::from(n));
    assert_eq!(
        got("aws_sns_topic.orders"),
        [
            ("FIFO Publish API requests".into(), q(2), priced),
            ("FIFO Publish API payload".into(), q(128), priced),
            ("FIFO notifications".into(), q(6), priced),
            ("FIFO notification payload".into(), q(384), priced),
        ]
    );
    assert_eq!(monthly(&est, "aws_sns_topic.orders"), dec("3.22"));
    assert_eq!(
        items(&est, "aws_sns_topic.orders")[2].note.as_deref(),
        Some("3 aws_sns_topic_subscription resource(s) refer to the topic")
    );
    // No subscription in the plan: the notifications stay usage-based.
    let unsubscribed = got("aws_sns_topic.unsubscribed");
    assert_eq!(unsubscribed[2].2, ItemStatus::UsageBased);
    assert_eq!(unsubscribed[3].2, ItemStatus::UsageBased);
}

/// `(group, name, monthly)` of each block device item of a resource.
fn devices(est: &Estimate, address: &str) -> Vec<(Option<String>, String, Option<Decimal>)> {
    items(est, address)
        .iter()
        .filter(|i| i.group.is_some())
        .map(|i| (i.group.clone(), i.name.clone(), i.monthly))
        .collect()
}

/// After apply, the provider lists a volume attached with aws_volume_attachment in the instance's
/// `ebs_block_device`: it is priced once, as the aws_ebs_volume (500 GB gp3 at $0.08), and the
/// instance's device says why it is left out. The instance's own devices are priced on it.
#[test]
fn an_attached_volume_in_a_state_is_priced_once() {
    let est = run("states/attached-volume.tfstate", None);
    let gp3 = |gb: i64| Some(Decimal::from(gb) * dec("0.08"));
    let s = |v: &str| v.to_string();
    assert_eq!(monthly(&est, "aws_ebs_volume.data"), dec("40"));
    assert_eq!(
        devices(&est, "aws_instance.app"),
        [
            (
                Some(s("root_block_device")),
                s("Storage (general purpose SSD, gp3)"),
                gp3(20)
            ),
            (
                Some(s("ebs_block_device[0]")),
                s("Storage (attached volume)"),
                Some(Decimal::ZERO)
            ),
            (
                Some(s("ebs_block_device[1]")),
                s("Storage (general purpose SSD, gp3)"),
                gp3(50)
            ),
        ]
    );
    let note = |address: &str| {
        items(&est, address)
            .iter()
            .find(|i| i.name == "Storage (attached volume)")
            .and_then(|i| i.note.clone())
            .unwrap()
    };
    assert_eq!(
        note("aws_instance.app"),
        "not priced here: vol-0d0000000000000a1 is aws_ebs_volume.data, priced there"
    );
    // The volume itself is not in this state, only its attachment: still not the instance's.
    assert_eq!(
        note("aws_instance.legacy"),
        "not priced here: vol-0d0000000000000b1 is attached by aws_volume_attachment.legacy, so it is an aws_ebs_volume priced as its own resource (not in this input)"
    );
    assert_eq!(
        devices(&est, "aws_instance.legacy")[1].2,
        Some(Decimal::ZERO)
    );
    // Nothing is counted twice: instance hours (m5.large, $0.096) + root + own device + volume.
    let total: Decimal = ["aws_instance.app", "aws_ebs_volume.data"]
        .iter()
        .map(|a| monthly(&est, a))
        .sum();
    assert_eq!(
        total,
        Decimal::from(730) * dec("0.096") + dec("1.6") + dec("4") + dec("40")
    );
}

/// A real plan where the instance, the volume and the attachment are all created: the
/// attachment's volume is not in the instance's planned `ebs_block_device` (its volume id is
/// unknown until apply anyway), so it is priced once there too.
#[test]
fn an_attached_volume_in_a_plan_is_priced_once() {
    let est = run("plans/attached-volume.json", None);
    assert_eq!(monthly(&est, "aws_ebs_volume.data"), dec("40"));
    let names: Vec<_> = devices(&est, "aws_instance.app")
        .into_iter()
        .map(|d| (d.0.unwrap(), d.2))
        .collect();
    assert_eq!(
        names,
        [
            ("root_block_device".to_string(), Some(dec("1.6"))),
            ("ebs_block_device[0]".to_string(), Some(dec("4"))),
        ]
    );
}
