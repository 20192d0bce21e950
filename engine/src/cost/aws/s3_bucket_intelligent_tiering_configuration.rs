//! `aws_s3_bucket_intelligent_tiering_configuration`: the archive tiers of a bucket's S3
//! Intelligent-Tiering objects (all of them, or those a prefix or tags select).
//!
//! **Components.** Monitoring and automation of the objects it covers (1k objects a month, `s3`
//! `intelligent_tiering_monitoring`, from usage).
//!
//! **Attributes.** None: what it costs is the objects it covers, which are usage.
//!
//! **Usage keys.** `monitored_objects` (objects of 128 KB or more in the Intelligent-Tiering class
//! that the configuration covers; smaller objects are not monitored nor charged).
//!
//! **Defaults.** None: without usage the monitoring is usage-based, with its price per 1k objects.
//!
//! **Not priced.** The storage in each tier, Intelligent-Tiering's included; that is the bucket's
//! (`aws_s3_bucket`, `intelligent_tiering.*_storage_gb` in its usage). AWS bills monitoring for
//! every monitored Intelligent-Tiering object, with or without this configuration and whether it is
//! `Enabled` or `Disabled`: give the objects here or in the bucket's
//! `intelligent_tiering.monitored_objects`, not both, or they are counted twice.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_s3_bucket_intelligent_tiering_configuration",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["s3"],
    references: &[],
    cost,
    source: include_str!("s3_bucket_intelligent_tiering_configuration.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.usage_item(
        "Monitoring and automation",
        "1k objects",
        &["monitored_objects"],
        Decimal::new(1, 3),
        "s3",
        "intelligent_tiering_monitoring",
        "",
    )]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::{cost_values, ItemStatus, LineItem};
    use crate::pricing::usage::Usage;
    use crate::Catalog;

    fn item(usage: &str, region: &str) -> LineItem {
        let address = "aws_s3_bucket_intelligent_tiering_configuration.c"
            .parse()
            .unwrap();
        let usage = Usage::parse(std::path::Path::new("usage.yml"), usage).unwrap();
        let mut items = cost_values(
            &address,
            "aws_s3_bucket_intelligent_tiering_configuration",
            &json!({"bucket": "b", "name": "all", "status": "Enabled", "tiering": [{"access_tier": "ARCHIVE_ACCESS", "days": 90}]}),
            &json!({}),
            None,
            region,
            &Catalog::embedded(),
            &usage,
        )
        .items;
        assert_eq!(items.len(), 1, "{items:?}");
        items.remove(0)
    }

    #[test]
    fn monitoring_per_thousand_objects_from_usage() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        // aws-services.csv, ap-southeast-1: intelligent_tiering_monitoring 0.0025 per 1k objects.
        // 4,000,000 objects = 4,000 × 0.0025 = 10.
        let usage = "version: 0.1\nresource_usage:\n  aws_s3_bucket_intelligent_tiering_configuration.c:\n    monitored_objects: 4000000\n";
        let i = item(usage, "ap-southeast-1");
        assert_eq!((i.quantity, i.monthly), (d("4000"), d("10")));
        assert_eq!(i.status, ItemStatus::Priced);
        let none = item("version: 0.1\n", "us-east-1");
        assert_eq!(none.status, ItemStatus::UsageBased);
        assert_eq!(none.unit_price, d("0.0025"));
        // Outside the catalog's regions: unpriced with the reason, never borrowed.
        assert_eq!(item(usage, "eu-west-2").status, ItemStatus::Unpriced);
    }
}
