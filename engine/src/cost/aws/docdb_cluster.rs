//! `aws_docdb_cluster`: a DocumentDB cluster's storage, I/O and backups.
//!
//! **Components.** Storage (GB-month, from usage; `docdb` `storage`, or `storage_io_optimized` for
//! an I/O-Optimized cluster); I/O requests (1M requests, from usage; standard storage only,
//! `io_requests`); backup storage beyond the free allowance (GB-month, from usage,
//! `backup_storage`).
//!
//! **Attributes.** `storage_type` (`iopt1` is I/O-Optimized).
//!
//! **Usage keys.** `data_storage_gb`, `monthly_io_requests`, `backup_storage_gb` (beyond the free
//! backup storage, which equals the cluster's storage).
//!
//! **Defaults.** Standard storage.
//!
//! **Not priced.** The instances (`aws_docdb_cluster_instance`); DocumentDB Elastic Clusters
//! (`aws_docdb_elastic_cluster`); data transfer.

use rust_decimal::Decimal;

use super::docdb::io_optimized;
use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_docdb_cluster",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["docdb"],
    references: &[],
    cost,
    source: include_str!("docdb_cluster.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let (iopt, note) = io_optimized(attrs);
    let (label, product) = if iopt {
        ("Storage (I/O-Optimized)", "storage_io_optimized")
    } else {
        ("Storage", "storage")
    };
    let mut items = vec![ctx
        .usage_item(
            label,
            "GB",
            &["data_storage_gb"],
            Decimal::ONE,
            "docdb",
            product,
            "",
        )
        .with_note(note)];
    if !iopt {
        items.push(ctx.usage_item(
            "I/O requests",
            "1M requests",
            &["monthly_io_requests"],
            Decimal::new(1, 6),
            "docdb",
            "io_requests",
            "",
        ));
    }
    items.push(ctx.usage_item(
        "Backup storage",
        "GB",
        &["backup_storage_gb"],
        Decimal::ONE,
        "docdb",
        "backup_storage",
        "",
    ));
    items
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::{cost_values, ItemStatus};
    use crate::pricing::usage::Usage;
    use crate::Catalog;

    fn items(values: serde_json::Value, usage: &str) -> Vec<(String, Option<Decimal>, ItemStatus)> {
        let address = "aws_docdb_cluster.main".parse().unwrap();
        let usage = Usage::parse(std::path::Path::new("usage.yml"), usage).unwrap();
        let cost = cost_values(
            &address,
            "aws_docdb_cluster",
            &values,
            &json!({}),
            None,
            "us-east-1",
            &Catalog::embedded(),
            &usage,
        );
        cost.items
            .into_iter()
            .map(|i| (i.name, i.monthly, i.status))
            .collect()
    }

    #[test]
    fn storage_io_and_backups_from_usage() {
        let usage = "version: 0.1\nresource_usage:\n  aws_docdb_cluster.main:\n    data_storage_gb: 1000\n    monthly_io_requests: 10000000\n    backup_storage_gb: 200\n";
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        let p = ItemStatus::Priced;
        // us-east-1: $0.10 a GB-month, $0.20 per 1M requests, $0.021 a backup GB-month.
        assert_eq!(
            items(json!({"storage_type": "standard"}), usage),
            [
                ("Storage".to_string(), d("100"), p),
                ("I/O requests".to_string(), d("2"), p),
                ("Backup storage".to_string(), d("4.2"), p),
            ]
        );
        // I/O-Optimized: $0.30 a GB-month and no I/O charge.
        assert_eq!(
            items(json!({"storage_type": "iopt1"}), usage),
            [
                ("Storage (I/O-Optimized)".to_string(), d("300"), p),
                ("Backup storage".to_string(), d("4.2"), p),
            ]
        );
        let none = items(json!({}), "version: 0.1\n");
        assert!(
            none.iter().all(|i| i.2 == ItemStatus::UsageBased),
            "{none:?}"
        );
    }
}
