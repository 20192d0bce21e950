//! `aws_msk_cluster`: an Amazon MSK (Managed Streaming for Apache Kafka) provisioned cluster.
//!
//! **Components.** Broker hours × `number_of_broker_nodes` (`msk`, by instance type: standard
//! `kafka.*` brokers, or Express `express.*` brokers); for standard brokers, the EBS storage of each
//! broker (GB-month, `storage`) and its provisioned storage throughput when enabled (MiB/s-month,
//! `provisioned_storage_throughput`).
//!
//! **Attributes.** `number_of_broker_nodes`, `broker_node_group_info` (`instance_type`,
//! `storage_info.ebs_storage_info`: `volume_size`, `provisioned_throughput`; or the older
//! `ebs_volume_size`); the storage autoscaling `aws_appautoscaling_target` whose `resource_id`
//! refers to the cluster (`service_namespace` `kafka`, `scalable_dimension`
//! `kafka:broker-storage:VolumeSize`): its `min_capacity`.
//!
//! **Usage keys.** An autoscaling target's own `capacity` (the expected GB per broker).
//!
//! **Defaults.** With a storage autoscaling target, each broker's storage is the target's usage
//! `capacity`, else its `min_capacity` (as infracost reads it), but never less than the configured
//! `volume_size` (MSK storage only grows). Without one, a standard broker's storage without a
//! known `volume_size` is unpriced.
//!
//! **Not priced.** Storage that autoscaling adds beyond the target's capacity; tiered storage;
//! Express brokers' data written and stored (no catalog price); data transfer. MSK Serverless and
//! MSK Connect are their own types (`aws_msk_serverless_cluster`, `aws_mskconnect_connector`).

use rust_decimal::Decimal;

use crate::cost::{
    autoscaling_targets, scaled_capacity, unknown_item, Cloud, Ctx, LineItem, PricedType, Referrer,
};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_msk_cluster",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["msk"],
    references: &[],
    cost,
    source: include_str!("msk_cluster.rs"),
};

/// The autoscaling targets of a cluster: a literal `resource_id` is its ARN.
const TARGETS: Referrer = autoscaling_targets(&["arn"]);

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let Some(brokers) = attrs.num("number_of_broker_nodes").known() else {
        return vec![unknown_item(
            "Broker instances",
            "hours",
            "number_of_broker_nodes",
        )];
    };
    let group = attrs.blocks("broker_node_group_info").into_iter().next();
    let instance_type = group
        .as_ref()
        .map_or(Field::Missing, |g| g.str("instance_type"));
    let Field::Known(instance_type) = instance_type else {
        return vec![unknown_item(
            "Broker instances",
            "hours",
            "the instance type",
        )];
    };
    let express = instance_type.starts_with("express.");
    let engine = if express { "kafka-express" } else { "kafka" };
    let mut items = vec![ctx.hourly(
        format!("Instance ({instance_type})"),
        brokers,
        "msk",
        &format!("{engine}:{instance_type}"),
        "provisioned",
    )];
    if express {
        // Express brokers have no EBS volumes: storage is billed per GB written and stored.
        return items;
    }
    let ebs = group.as_ref().and_then(|g| {
        g.blocks("storage_info")
            .into_iter()
            .next()?
            .blocks("ebs_storage_info")
            .into_iter()
            .next()
    });
    let size = ebs
        .as_ref()
        .map_or(Field::Missing, |e| e.num("volume_size"));
    let size = match size {
        Field::Missing => group
            .as_ref()
            .map_or(Field::Missing, |g| g.num("ebs_volume_size")),
        known_or_unknown => known_or_unknown,
    };
    let scaled = scaled_capacity(ctx, &TARGETS, "kafka", "kafka:broker-storage:VolumeSize");
    items.push(match (size, scaled) {
        (Field::Known(gb), None) => ctx.fixed("Storage", "GB", gb * brokers, "msk", "storage", ""),
        (size, Some(s)) => {
            let (gb, note) = match size {
                Field::Known(gb) if gb > s.capacity => (
                    gb,
                    format!(
                        "autoscaling: {}, below the volume_size {gb} (storage only grows)",
                        s.note
                    ),
                ),
                _ => (s.capacity, format!("autoscaling: {}", s.note)),
            };
            let mut item = ctx
                .fixed("Storage", "GB", gb * brokers, "msk", "storage", "")
                .with_note(Some(note));
            item.from_usage = s.from_usage && gb == s.capacity && item.monthly.is_some();
            item
        }
        _ => unknown_item("Storage", "GB", "volume_size"),
    });
    let throughput = ebs.as_ref().and_then(|e| {
        let p = e.blocks("provisioned_throughput").into_iter().next()?;
        if p.bool("enabled").known() != Some(true) {
            return None;
        }
        p.num("volume_throughput").known()
    });
    if let Some(mibps) = throughput.filter(|t| *t > Decimal::ZERO) {
        items.push(ctx.fixed(
            "Provisioned storage throughput",
            "MiBps",
            mibps * brokers,
            "msk",
            "provisioned_storage_throughput",
            "",
        ));
    }
    items
}
