//! `aws_redshift_cluster`: a provisioned Amazon Redshift cluster.
//!
//! **Components.** Node hours × the number of nodes (`redshift`, on-demand, by node type: DC2 and
//! RA3); concurrency scaling beyond the free credits (from usage: the seconds each node of the
//! scaling cluster runs, billed per second at the cluster's on-demand node rate). Listed as
//! unpriced when usage gives them, having no catalog price: RA3 managed storage (GB-month),
//! Redshift Spectrum (TB scanned), backup storage beyond the free allowance (GB-month).
//!
//! **Attributes.** `node_type`, `cluster_type`, `number_of_nodes`.
//!
//! **Usage keys.** `excess_concurrency_scaling_secs`, `managed_storage_gb`,
//! `spectrum_data_scanned_tb`, `backup_storage_gb`, `reserved_instance_type` /
//! `reserved_instance_term` (make the hours unpriced).
//!
//! **Defaults.** One node for a `single-node` cluster or when `number_of_nodes` is not set.
//!
//! **Not priced.** Reserved nodes; retired node types (DS2, DC1: not in the catalog); RA3 managed
//! storage, Spectrum and backup storage (unpriced); data transfer. Redshift Serverless compute is
//! its own type (`aws_redshiftserverless_workgroup`).

use rust_decimal::Decimal;

use super::reserved;
use crate::cost::{dec, unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_redshift_cluster",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["redshift"],
    references: &[],
    cost,
    source: include_str!("redshift_cluster.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let node_type = match attrs.str("node_type") {
        Field::Known(t) => t,
        _ => return vec![unknown_item("Cluster usage", "hours", "the node type")],
    };
    let single = attrs.str("cluster_type").known().as_deref() == Some("single-node");
    let nodes = if single {
        Decimal::ONE
    } else {
        match attrs.num("number_of_nodes") {
            Field::Known(n) => n,
            Field::Missing => Decimal::ONE,
            Field::Unknown => {
                return vec![unknown_item("Cluster usage", "hours", "number_of_nodes")]
            }
        }
    };
    let product = format!("redshift:{node_type}");
    let mut items = vec![match reserved(ctx) {
        Some(reason) => LineItem::unpriced(
            format!("Cluster usage (reserved, {node_type})"),
            "hours",
            Some(HOURS_PER_MONTH * nodes),
            reason,
        ),
        None => ctx.hourly(
            format!("Cluster usage (on-demand, {node_type})"),
            nodes,
            "redshift",
            &product,
            "node",
        ),
    }];
    let usage = |key: &str| ctx.usage.and_then(|u| u.num(&[key]));
    // Concurrency scaling runs a cluster of the same size, billed per second at the on-demand rate.
    let scaling = usage("excess_concurrency_scaling_secs").map(|s| s * nodes / dec(3600));
    items.push(ctx.usage_qty(
        format!("Concurrency scaling ({node_type})"),
        "node-hours",
        scaling,
        "redshift",
        &product,
        "node",
    ));
    for (key, name, unit, what) in [
        (
            "managed_storage_gb",
            "Managed storage",
            "GB",
            "RA3 managed storage",
        ),
        (
            "spectrum_data_scanned_tb",
            "Spectrum",
            "TB",
            "Redshift Spectrum",
        ),
        (
            "backup_storage_gb",
            "Backup storage",
            "GB",
            "Redshift backup storage",
        ),
    ] {
        if let Some(q) = usage(key) {
            items.push(LineItem::unpriced(
                name,
                unit,
                Some(q),
                format!("{what} prices are not in the catalog"),
            ));
        }
    }
    items
}
