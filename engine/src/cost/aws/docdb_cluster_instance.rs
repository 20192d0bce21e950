//! `aws_docdb_cluster_instance`: an instance of a DocumentDB cluster.
//!
//! **Components.** Instance hours (`docdb`, by instance class, at the standard or I/O-Optimized
//! price of its cluster's storage configuration); listed as unpriced when usage gives them, having
//! no catalog price: CPU credits (vCPU-hours) of db.t3 and db.t4g classes.
//!
//! **Attributes.** `instance_class`, `cluster_identifier` (the cluster's `storage_type`: `iopt1` is
//! I/O-Optimized).
//!
//! **Usage keys.** `monthly_cpu_credit_hrs`, `vcpu_count`, `reserved_instance_type` /
//! `reserved_instance_term` (make the hours unpriced).
//!
//! **Defaults.** Standard storage when the cluster does not set `storage_type` or is not in the
//! plan.
//!
//! **Not priced.** Storage, I/O and backups: AWS bills them per cluster, so they are priced on
//! `aws_docdb_cluster` (infracost prices storage and I/O on each instance, from the instance's
//! usage); reserved instances; Performance Insights.

use rust_decimal::Decimal;

use super::docdb::{io_optimized, CLUSTER};
use super::reserved;
use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_docdb_cluster_instance",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["docdb"],
    references: &[&CLUSTER],
    cost,
    source: include_str!("docdb_cluster_instance.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let class = match attrs.str("instance_class") {
        Field::Known(c) => c,
        _ => {
            return vec![unknown_item(
                "Database instance",
                "hours",
                "the instance class",
            )]
        }
    };
    let (iopt, note) = match ctx.referenced(&CLUSTER) {
        Some(c) => io_optimized(&c),
        None => (
            false,
            Some("its cluster is not in the plan: assumed standard storage".into()),
        ),
    };
    let (label, deployment) = if iopt {
        ("I/O-Optimized, ", "docdb-io-optimized")
    } else {
        ("", "docdb-standard")
    };
    let mut items = vec![match reserved(ctx) {
        Some(reason) => LineItem::unpriced(
            format!("Database instance (reserved, {label}{class})"),
            "hours",
            Some(HOURS_PER_MONTH),
            reason,
        ),
        None => ctx
            .hourly(
                format!("Database instance (on-demand, {label}{class})"),
                Decimal::ONE,
                "docdb",
                &format!("docdb:{class}"),
                deployment,
            )
            .with_note(note),
    }];
    let burstable = class.starts_with("db.t3.") || class.starts_with("db.t4g.");
    let credit_hours = ctx
        .usage
        .and_then(|u| u.num(&["monthly_cpu_credit_hrs"]))
        .filter(|h| !h.is_zero());
    if let (true, Some(hours)) = (burstable, credit_hours) {
        let vcpus = ctx
            .usage
            .and_then(|u| u.num(&["vcpu_count"]))
            .unwrap_or(Decimal::ONE);
        items.push(LineItem::unpriced(
            "CPU credits",
            "vCPU-hours",
            Some(hours * vcpus),
            "burstable CPU credit prices are not in the catalog".into(),
        ));
    }
    items
}
