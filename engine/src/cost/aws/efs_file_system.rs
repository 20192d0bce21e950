//! `aws_efs_file_system`: an EFS file system.
//!
//! **Components.** Storage (GB-month; `efs` `standard_storage`, or `one_zone_storage` for a One Zone
//! file system); with a `lifecycle_policy` that moves files to Infrequent Access, IA storage
//! (`standard_ia_storage` / `one_zone_ia_storage`) and IA read and write requests (GB,
//! `ia_read_requests`, `ia_write_requests`); with provisioned throughput, the MiB/s above what the
//! storage includes (50 KiB/s per GB stored), per month (`provisioned_throughput`). All from usage
//! but the provisioned throughput, as in infracost.
//!
//! **Attributes.** `availability_zone_name` (set: One Zone), `lifecycle_policy`
//! (`transition_to_ia`), `throughput_mode`, `provisioned_throughput_in_mibps`.
//!
//! **Usage keys.** `storage_gb`, `infrequent_access_storage_gb`,
//! `monthly_infrequent_access_read_gb`, `monthly_infrequent_access_write_gb`.
//!
//! **Defaults.** Bursting throughput; no storage without usage (usage-based).
//!
//! **Not priced.** Elastic throughput reads and writes; Archive storage; backups (`aws_backup_*`);
//! data transfer.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_efs_file_system",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["efs"],
    references: &[],
    cost,
    source: include_str!("efs_file_system.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let one_zone = attrs.str("availability_zone_name").known().is_some();
    let (zone, storage, ia_storage) = if one_zone {
        ("one zone", "one_zone_storage", "one_zone_ia_storage")
    } else {
        ("standard", "standard_storage", "standard_ia_storage")
    };
    let storage_gb = ctx.usage.as_ref().and_then(|u| u.num(&["storage_gb"]));
    let mut items = vec![ctx.usage_qty(
        format!("Storage ({zone})"),
        "GB",
        storage_gb,
        "efs",
        storage,
        "",
    )];
    let to_ia = attrs
        .blocks("lifecycle_policy")
        .iter()
        .any(|p| p.str("transition_to_ia").known().is_some());
    if to_ia {
        items.extend([
            ctx.usage_item(
                format!("Storage ({zone}, infrequent access)"),
                "GB",
                &["infrequent_access_storage_gb"],
                Decimal::ONE,
                "efs",
                ia_storage,
                "",
            ),
            ctx.usage_item(
                "Read requests (infrequent access)",
                "GB",
                &["monthly_infrequent_access_read_gb"],
                Decimal::ONE,
                "efs",
                "ia_read_requests",
                "",
            ),
            ctx.usage_item(
                "Write requests (infrequent access)",
                "GB",
                &["monthly_infrequent_access_write_gb"],
                Decimal::ONE,
                "efs",
                "ia_write_requests",
                "",
            ),
        ]);
    }
    let provisioned = attrs.str("throughput_mode").known().as_deref() == Some("provisioned");
    if let Some(mibps) = attrs
        .num("provisioned_throughput_in_mibps")
        .known()
        .filter(|_| provisioned)
    {
        // The storage includes 50 KiB/s per GB of bursting throughput.
        let included = storage_gb.unwrap_or_default() * Decimal::new(5, 2);
        let billed = (mibps - included).max(Decimal::ZERO);
        items.push(ctx.fixed(
            "Provisioned throughput",
            "MBps",
            billed,
            "efs",
            "provisioned_throughput",
            "",
        ));
    }
    items
}
