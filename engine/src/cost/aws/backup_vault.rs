//! `aws_backup_vault`: an AWS Backup vault, priced for what it stores.
//!
//! **Components.** From usage: EFS backup storage, warm and cold (GB-month; `backup`
//! `warm_storage`, `cold_storage`); EFS restores, warm and cold (GB; `restore_warm`,
//! `restore_cold`) and item-level restores (requests; `item_level_restore`); DynamoDB backup
//! storage (GB-month, `dynamodb_warm_storage`) and restores (GB, `dynamodb_restore_warm`); EBS
//! snapshots (GB-month; `ebs` `snapshot` `storage`).
//!
//! **Attributes.** None.
//!
//! **Usage keys.** `monthly_efs_warm_backup_gb`, `monthly_efs_cold_backup_gb`,
//! `monthly_efs_warm_restore_gb`, `monthly_efs_cold_restore_gb`,
//! `monthly_efs_item_restore_requests`, `monthly_dynamodb_backup_gb`,
//! `monthly_dynamodb_restore_gb`, `monthly_ebs_snapshot_gb`; `monthly_rds_snapshot_gb`,
//! `monthly_aurora_snapshot_gb`, `monthly_fsx_windows_backup_gb`, `monthly_fsx_lustre_backup_gb`
//! (unpriced).
//!
//! **Defaults.** None: without usage every component is usage-based.
//!
//! **Not priced.** RDS and Aurora snapshots (the catalog's backup prices are per database engine,
//! which a vault does not name) and FSx backups (no FSx prices): unpriced when usage gives them;
//! cross-region copies; the vault itself (free).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_backup_vault",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["backup", "ebs"],
    references: &[],
    cost,
    source: include_str!("backup_vault.rs"),
};

/// (item name, unit, usage key, service, product, dimension)
#[rustfmt::skip]
const PRICED: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("EFS backup (warm)", "GB", "monthly_efs_warm_backup_gb", "backup", "warm_storage", ""),
    ("EFS backup (cold)", "GB", "monthly_efs_cold_backup_gb", "backup", "cold_storage", ""),
    ("EFS restore (warm)", "GB", "monthly_efs_warm_restore_gb", "backup", "restore_warm", ""),
    ("EFS restore (cold)", "GB", "monthly_efs_cold_restore_gb", "backup", "restore_cold", ""),
    ("EFS restore (item-level)", "requests", "monthly_efs_item_restore_requests", "backup", "item_level_restore", ""),
    ("EBS snapshot", "GB", "monthly_ebs_snapshot_gb", "ebs", "snapshot", "storage"),
    ("DynamoDB backup", "GB", "monthly_dynamodb_backup_gb", "backup", "dynamodb_warm_storage", ""),
    ("DynamoDB restore", "GB", "monthly_dynamodb_restore_gb", "backup", "dynamodb_restore_warm", ""),
];

/// (item name, usage key, why it is unpriced)
#[rustfmt::skip]
const UNPRICED: &[(&str, &str, &str)] = &[
    ("RDS snapshot", "monthly_rds_snapshot_gb", "RDS backup prices in the catalog are per database engine, and a vault does not name one"),
    ("Aurora snapshot", "monthly_aurora_snapshot_gb", "Aurora backup prices in the catalog are per database engine, and a vault does not name one"),
    ("FSx for Windows backup", "monthly_fsx_windows_backup_gb", "FSx prices are not in the catalog"),
    ("FSx for Lustre backup", "monthly_fsx_lustre_backup_gb", "FSx prices are not in the catalog"),
];

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items: Vec<LineItem> = PRICED
        .iter()
        .map(|(name, unit, key, service, product, dim)| {
            ctx.usage_item(*name, unit, &[key], Decimal::ONE, service, product, dim)
        })
        .collect();
    for (name, key, why) in UNPRICED {
        let gb = ctx.usage.as_ref().and_then(|u| u.num(&[key]));
        if let Some(gb) = gb.filter(|g| *g > Decimal::ZERO) {
            items.push(LineItem::unpriced(*name, "GB", Some(gb), (*why).into()));
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::cost::{cost_values, ItemStatus};
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    /// eu-west-1: 1,000 GB of warm EFS backups × $0.05 + 100 GB of DynamoDB backups × $0.11 +
    /// 200 GB of EBS snapshots × $0.05 = $71; RDS snapshots are unpriced.
    #[test]
    fn storage_from_usage() {
        let addr: Address = "aws_backup_vault.v".parse().unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            "version: 0.1\nresource_usage:\n  aws_backup_vault.v:\n    monthly_efs_warm_backup_gb: 1000\n    monthly_dynamodb_backup_gb: 100\n    monthly_ebs_snapshot_gb: 200\n    monthly_rds_snapshot_gb: 50\n",
        )
        .unwrap();
        let cost = cost_values(
            &addr,
            "aws_backup_vault",
            &serde_json::json!({}),
            &serde_json::json!({}),
            None,
            "eu-west-1",
            &Catalog::embedded(),
            &usage,
        );
        assert_eq!(cost.monthly(), Decimal::from(71));
        let rds = cost
            .items
            .iter()
            .find(|i| i.name == "RDS snapshot")
            .unwrap();
        assert_eq!(rds.status, ItemStatus::Unpriced);
    }
}
