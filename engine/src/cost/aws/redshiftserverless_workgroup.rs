//! `aws_redshiftserverless_workgroup`: an Amazon Redshift Serverless workgroup.
//!
//! **Components.** Compute (RPU-hours, `redshift` `serverless_rpu_hour`): the hours the workgroup
//! runs queries a month, from usage, × its `base_capacity` in RPUs.
//!
//! **Attributes.** `base_capacity` (RPUs).
//!
//! **Usage keys.** `monthly_compute_hours` (hours a month the workgroup is computing: Redshift
//! Serverless bills compute only while queries run, per second with a 60-second minimum).
//!
//! **Defaults.** `base_capacity` 128 RPUs (AWS's default) when not configured. Without usage the
//! compute is usage-based, with its price per RPU-hour.
//!
//! **Not priced.** Compute above the base capacity when the workgroup scales up (to `max_capacity`,
//! or under a price-performance target): the usage gives hours at base capacity; Redshift managed
//! storage (billed to the namespace; not in the catalog); snapshots and recovery points beyond the
//! free ones; Spectrum; serverless reservations; data transfer.

use crate::cost::{dec, unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_redshiftserverless_workgroup",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["redshift"],
    references: &[],
    cost,
    source: include_str!("redshiftserverless_workgroup.rs"),
};

/// AWS's base capacity of a workgroup that does not set one.
const DEFAULT_BASE_CAPACITY: i64 = 128;

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let (rpus, note) = match attrs.num("base_capacity") {
        Field::Known(n) => (n, None),
        // Optional and computed: unknown in a plan when it is not configured.
        Field::Unknown if ctx.configured("base_capacity") == Some(true) => {
            return vec![unknown_item("Compute", "RPU-hours", "base_capacity")];
        }
        Field::Missing | Field::Unknown => (
            dec(DEFAULT_BASE_CAPACITY),
            Some(format!(
                "base_capacity not set: assumed {DEFAULT_BASE_CAPACITY} RPUs"
            )),
        ),
    };
    let rpu_hours = ctx
        .usage
        .and_then(|u| u.num(&["monthly_compute_hours"]))
        .map(|h| h * rpus);
    vec![ctx
        .usage_qty(
            format!("Compute ({rpus} RPUs)"),
            "RPU-hours",
            rpu_hours,
            "redshift",
            "serverless_rpu_hour",
            "",
        )
        .with_note(note)]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::{cost_values, ItemStatus, LineItem};
    use crate::pricing::usage::Usage;
    use crate::Catalog;

    fn item(values: serde_json::Value, unknown: serde_json::Value, usage: &str) -> LineItem {
        let address = "aws_redshiftserverless_workgroup.w".parse().unwrap();
        let usage = Usage::parse(std::path::Path::new("usage.yml"), usage).unwrap();
        let mut items = cost_values(
            &address,
            "aws_redshiftserverless_workgroup",
            &values,
            &unknown,
            None,
            "us-east-1",
            &Catalog::embedded(),
            &usage,
        )
        .items;
        assert_eq!(items.len(), 1, "{items:?}");
        items.remove(0)
    }

    #[test]
    fn rpu_hours_from_usage_at_base_capacity() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        let usage = "version: 0.1\nresource_usage:\n  aws_redshiftserverless_workgroup.w:\n    monthly_compute_hours: 100\n";
        // aws-services.csv, us-east-1: serverless_rpu_hour 0.375. 100 h × 32 RPUs = 3,200
        // RPU-hours × 0.375 = 1,200.
        let set = item(
            json!({"workgroup_name": "w", "base_capacity": 32}),
            json!({}),
            usage,
        );
        assert_eq!(set.name, "Compute (32 RPUs)");
        assert_eq!((set.quantity, set.monthly), (d("3200"), d("1200")));
        assert!(set.from_usage);
        // Not configured, so unknown in the plan: AWS's 128 RPUs, 100 × 128 × 0.375 = 4,800.
        let default = item(
            json!({"workgroup_name": "w"}),
            json!({"base_capacity": true}),
            usage,
        );
        assert_eq!(default.monthly, d("4800"));
        assert_eq!(
            default.note.as_deref(),
            Some("base_capacity not set: assumed 128 RPUs")
        );
        // Without usage: usage-based at its unit price.
        let none = item(
            json!({"workgroup_name": "w", "base_capacity": 8}),
            json!({}),
            "version: 0.1\n",
        );
        assert_eq!(none.status, ItemStatus::UsageBased);
        assert_eq!(none.unit_price, d("0.375"));
    }
}
