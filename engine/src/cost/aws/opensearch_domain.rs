//! `aws_opensearch_domain` and `aws_elasticsearch_domain`: an OpenSearch Service (formerly
//! Elasticsearch Service) domain.
//!
//! **Components.** Data node hours × `instance_count` (`opensearch`, on-demand, by instance type;
//! an Elasticsearch type `x.elasticsearch` is the same node as `x.search`); dedicated master node
//! hours × `dedicated_master_count`; with `ebs_options`, the EBS volume of each data node: storage
//! (GB-month; `storage_gp2`, `storage_gp3`, `storage_io1`, `storage_magnetic`), io1 provisioned
//! IOPS (`io1_iops`) and gp3 throughput above the volume's baseline (`gp3_throughput_above_baseline`,
//! MiB/s-month: 125 MiB/s up to 170 GB, else 250 MiB/s for each started 3,000 GB, at most 1,000).
//! Listed as unpriced, having no catalog price: UltraWarm nodes (hours × `warm_count`), gp3 IOPS
//! above 3,000.
//!
//! **Attributes.** `cluster_config` (`instance_type`, `instance_count`, `dedicated_master_enabled`,
//! `dedicated_master_type`, `dedicated_master_count`, `warm_enabled`, `warm_type`, `warm_count`),
//! `ebs_options` (`ebs_enabled`, `volume_type`, `volume_size`, `iops`, `throughput`).
//!
//! **Usage keys.** None.
//!
//! **Defaults.** One data node of `m3.medium.search` (the provider's default type); three dedicated
//! master nodes when enabled without a count; a gp2 volume when `volume_type` is not set.
//!
//! **Not priced.** Reserved instances; UltraWarm and cold storage (managed storage per GB);
//! OpenSearch Serverless (`aws_opensearchserverless_*`); automated snapshots (free) and manual
//! snapshots (S3); data transfer. infracost prices one EBS volume per domain; AWS attaches one per
//! data node, and so does costfix.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::cost::{dec, join_notes, unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_opensearch_domain",
    aliases: &["aws_elasticsearch_domain"],
    cloud: Cloud::Aws,
    services: &["opensearch"],
    references: &[],
    cost,
    source: include_str!("opensearch_domain.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let cluster = attrs.blocks("cluster_config").into_iter().next();
    let get_str = |key: &str| {
        cluster
            .as_ref()
            .map_or(Field::Missing, |c| c.str(key).map(Cow::into_owned))
    };
    let get_num = |key: &str| cluster.as_ref().map_or(Field::Missing, |c| c.num(key));
    let get_bool = |key: &str| {
        cluster
            .as_ref()
            .and_then(|c| c.bool(key).known())
            .unwrap_or(false)
    };

    let (data_type, note) = match get_str("instance_type") {
        Field::Missing => (
            Field::Known("m3.medium.search".to_string()),
            Some("instance_type not set: assumed m3.medium.search".to_string()),
        ),
        other => (other, None),
    };
    let data_nodes = get_num("instance_count").known().unwrap_or(Decimal::ONE);
    let mut items = vec![nodes("Instance", data_type, data_nodes, ctx).with_note(note)];
    items.extend(ebs(attrs, data_nodes, ctx));
    if get_bool("dedicated_master_enabled") {
        let (count, note) = match get_num("dedicated_master_count").known() {
            Some(n) => (n, None),
            None => (
                dec(3),
                Some("dedicated_master_count not set: assumed 3".to_string()),
            ),
        };
        items.push(
            nodes(
                "Dedicated master",
                get_str("dedicated_master_type"),
                count,
                ctx,
            )
            .with_note(note),
        );
    }
    let warm_count = get_num("warm_count").known().unwrap_or_default();
    if get_bool("warm_enabled") && !warm_count.is_zero() {
        let warm_type = get_str("warm_type").known().unwrap_or_default();
        items.push(LineItem::unpriced(
            format!("UltraWarm instance (on-demand, {warm_type})"),
            "hours",
            Some(HOURS_PER_MONTH * warm_count),
            "UltraWarm node prices are not in the catalog".into(),
        ));
    }
    items
}

/// `count` nodes of an instance type, all month.
fn nodes(role: &str, instance_type: Field<String>, count: Decimal, ctx: &Ctx<'_, '_>) -> LineItem {
    match instance_type {
        Field::Known(t) => {
            // Elasticsearch's `x.elasticsearch` is OpenSearch's `x.search`.
            let node = match t.strip_suffix(".elasticsearch") {
                Some(base) => format!("{base}.search"),
                None => t.clone(),
            };
            ctx.hourly(
                format!("{role} (on-demand, {t})"),
                count,
                "opensearch",
                &format!("opensearch:{node}"),
                "node",
            )
        }
        _ => unknown_item(role, "hours", "the instance type"),
    }
}

/// The EBS volume of each of the `data_nodes` data nodes.
fn ebs(attrs: &Attrs<'_>, data_nodes: Decimal, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let Some(ebs) = attrs.blocks("ebs_options").into_iter().next() else {
        return Vec::new();
    };
    if ebs.bool("ebs_enabled").known() != Some(true) {
        return Vec::new();
    }
    let (volume_type, note) = match ebs.str("volume_type") {
        Field::Known(t) => (t.into_owned(), None),
        _ => (
            "gp2".to_string(),
            Some("volume_type not set: assumed gp2".to_string()),
        ),
    };
    let product = match volume_type.as_str() {
        "gp2" => "storage_gp2",
        "gp3" => "storage_gp3",
        "io1" => "storage_io1",
        "standard" => "storage_magnetic",
        other => {
            return vec![LineItem::unpriced(
                format!("Storage ({other})"),
                "GB",
                None,
                format!("unknown OpenSearch EBS volume type `{other}`"),
            )]
        }
    };
    let Some(size) = ebs.num("volume_size").known() else {
        return vec![unknown_item(
            &format!("Storage ({volume_type})"),
            "GB",
            "volume_size",
        )];
    };
    let note = if data_nodes == Decimal::ONE {
        note
    } else {
        Some(join_notes(
            note,
            &format!("{size} GB on each of {data_nodes} data nodes"),
        ))
    };
    let mut items = vec![ctx
        .fixed(
            format!("Storage ({volume_type})"),
            "GB",
            size * data_nodes,
            "opensearch",
            product,
            "",
        )
        .with_note(note)];
    match volume_type.as_str() {
        "io1" => items.push(match ebs.num("iops").known() {
            Some(iops) => ctx.fixed(
                "Storage IOPS (io1)",
                "IOPS",
                iops * data_nodes,
                "opensearch",
                "io1_iops",
                "",
            ),
            None => unknown_item("Storage IOPS (io1)", "IOPS", "iops"),
        }),
        "gp3" => {
            if let Some(t) = ebs.num("throughput").known() {
                let paid = (t - included_throughput(size)).max(Decimal::ZERO);
                if !paid.is_zero() {
                    items.push(ctx.fixed(
                        "Throughput (gp3, above baseline)",
                        "MiBps",
                        paid * data_nodes,
                        "opensearch",
                        "gp3_throughput_above_baseline",
                        "",
                    ));
                }
            }
            if let Some(iops) = ebs.num("iops").known().filter(|i| *i > dec(3000)) {
                items.push(LineItem::unpriced(
                    "Provisioned IOPS (gp3, above 3,000)",
                    "IOPS",
                    Some((iops - dec(3000)) * data_nodes),
                    "the gp3 IOPS an OpenSearch volume includes depend on its size in ways not modelled"
                        .into(),
                ));
            }
        }
        _ => {}
    }
    items
}

/// The throughput (MiB/s) a gp3 volume of `size` GB includes: 125 MiB/s up to 170 GB, else 250 MiB/s
/// for each started 3,000 GB, at most 1,000 MiB/s.
fn included_throughput(size: Decimal) -> Decimal {
    if size <= dec(170) {
        dec(125)
    } else {
        ((size / dec(3000)).ceil() * dec(250)).min(dec(1000))
    }
}
