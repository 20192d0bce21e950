//! `aws_msk_serverless_cluster`: an Amazon MSK Serverless cluster.
//!
//! **Components.** Cluster hours (730 a month, `msk` `serverless_cluster_hour`); partition hours
//! (partitions × 730, `serverless_partition_hour`), storage (GB-month, `serverless_storage`), data
//! in and data out (GB, `serverless_data_in`, `serverless_data_out`), all four from usage.
//!
//! **Attributes.** None: every serverless cluster is priced the same; what it costs beyond its
//! hours is usage.
//!
//! **Usage keys.** `partitions` (partitions the cluster holds all month), `storage_gb` (GB stored, a
//! monthly average), `monthly_data_in_gb`, `monthly_data_out_gb`.
//!
//! **Defaults.** None: without usage the partitions, storage and data are usage-based.
//!
//! **Not priced.** Data transfer between Availability Zones and out of AWS. The catalog's storage
//! price comes from a feed key named "Storage-hours" without a unit; it is AWS's documented
//! GB-month rate (a single source, see `engine/data/aws/SOURCES.md`).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_msk_serverless_cluster",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["msk"],
    references: &[],
    cost,
    source: include_str!("msk_serverless_cluster.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let partition_hours = ctx
        .usage
        .and_then(|u| u.num(&["partitions"]))
        .map(|p| p * HOURS_PER_MONTH);
    vec![
        ctx.hourly(
            "Serverless cluster",
            Decimal::ONE,
            "msk",
            "serverless_cluster_hour",
            "",
        ),
        ctx.usage_qty(
            "Partitions",
            "partition-hours",
            partition_hours,
            "msk",
            "serverless_partition_hour",
            "",
        ),
        ctx.usage_item(
            "Storage",
            "GB",
            &["storage_gb"],
            Decimal::ONE,
            "msk",
            "serverless_storage",
            "",
        ),
        ctx.usage_item(
            "Data in",
            "GB",
            &["monthly_data_in_gb"],
            Decimal::ONE,
            "msk",
            "serverless_data_in",
            "",
        ),
        ctx.usage_item(
            "Data out",
            "GB",
            &["monthly_data_out_gb"],
            Decimal::ONE,
            "msk",
            "serverless_data_out",
            "",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::{cost_values, ItemStatus};
    use crate::pricing::usage::Usage;
    use crate::Catalog;

    fn items(usage: &str, region: &str) -> Vec<(String, Option<Decimal>, ItemStatus)> {
        let address = "aws_msk_serverless_cluster.c".parse().unwrap();
        let usage = Usage::parse(std::path::Path::new("usage.yml"), usage).unwrap();
        cost_values(
            &address,
            "aws_msk_serverless_cluster",
            &json!({"cluster_name": "c"}),
            &json!({}),
            None,
            region,
            &Catalog::embedded(),
            &usage,
        )
        .items
        .into_iter()
        .map(|i| (i.name, i.monthly, i.status))
        .collect()
    }

    #[test]
    fn cluster_hours_and_usage() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        let p = ItemStatus::Priced;
        // aws-services.csv, us-east-1: serverless_cluster_hour 0.75, serverless_partition_hour
        // 0.0015, serverless_storage 0.1 a GB-month, serverless_data_in 0.1 and _out 0.05 a GB.
        // 730 × 0.75 = 547.5; 20 partitions × 730 h × 0.0015 = 21.9; 500 GB × 0.1 = 50;
        // 1,000 GB in × 0.1 = 100; 2,000 GB out × 0.05 = 100.
        let usage = "version: 0.1\nresource_usage:\n  aws_msk_serverless_cluster.c:\n    partitions: 20\n    storage_gb: 500\n    monthly_data_in_gb: 1000\n    monthly_data_out_gb: 2000\n";
        assert_eq!(
            items(usage, "us-east-1"),
            [
                ("Serverless cluster".into(), d("547.5"), p),
                ("Partitions".into(), d("21.9"), p),
                ("Storage".into(), d("50"), p),
                ("Data in".into(), d("100"), p),
                ("Data out".into(), d("100"), p),
            ]
        );
        // eu-west-1 has its own prices (0.8625 an hour): 730 × 0.8625 = 629.625; without usage the
        // rest is usage-based.
        let eu = items("version: 0.1\n", "eu-west-1");
        assert_eq!(eu[0], ("Serverless cluster".into(), d("629.625"), p));
        assert!(eu[1..].iter().all(|i| i.2 == ItemStatus::UsageBased));
    }
}
