//! `aws_rds_cluster`: an Aurora DB cluster's storage, I/O and backups.
//!
//! **Components.** Storage (GB-month, from usage; `aurora` `storage_standard`, or
//! `storage_io_optimized` for an I/O-Optimized cluster); I/O requests (1M requests, from usage;
//! Aurora Standard only, `io_requests`: the read and write requests per second, all month); backup
//! storage beyond the free allowance when `backup_retention_period` is over one day (GB, from usage;
//! `backup_storage_mysql` / `backup_storage_postgresql`): one snapshot of the given size per
//! retained day but the first, as infracost counts it; for Aurora MySQL with Backtrack (a
//! `backtrack_window`, or the window in usage), change records stored (1M change records:
//! statements per hour × change records per statement × window hours × 730,
//! `backtrack_change_records`). Listed as unpriced, having no catalog price: Aurora Serverless v1
//! capacity (ACU-hours, `engine_mode = "serverless"`), and snapshot export to S3 when usage gives
//! its size.
//!
//! **Attributes.** `engine`, `engine_mode`, `storage_type` (`aurora-iopt1` is I/O-Optimized),
//! `backup_retention_period`, `backtrack_window`.
//!
//! **Usage keys.** `storage_gb`, `read_requests_per_sec`, `write_requests_per_sec`,
//! `backup_snapshot_size_gb`, `average_statements_per_hr`, `change_records_per_statement`,
//! `backtrack_window_hrs`, `capacity_units_per_hr` (Serverless v1), `snapshot_export_size_gb`.
//!
//! **Defaults.** Aurora Standard storage; a backup retention of one day (no billed backups); no
//! Backtrack.
//!
//! **Not priced.** The instances (`aws_rds_cluster_instance`, where Serverless v2 capacity is
//! priced); Aurora Serverless v1 and snapshot export (unpriced); global database replicated writes;
//! Multi-AZ DB clusters of the `mysql` and `postgres` engines (unpriced); data transfer.

use rust_decimal::Decimal;

use super::aurora::{self, Engine, Storage};
use crate::cost::{dec, Cloud, Ctx, LineItem, PricedType};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_rds_cluster",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["aurora"],
    references: &[],
    cost,
    source: include_str!("rds_cluster.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let engine = match aurora::engine(attrs.str("engine").map(|e| e.into_owned()), "Storage", "GB")
    {
        Ok(e) => e,
        Err(item) => return vec![item],
    };
    let usage = |key: &str| ctx.usage.and_then(|u| u.num(&[key]));
    let serverless_v1 = attrs.str("engine_mode").known().as_deref() == Some("serverless");
    let mut items = Vec::new();
    if serverless_v1 {
        items.push(LineItem::unpriced(
            "Aurora Serverless v1",
            "ACU-hours",
            usage("capacity_units_per_hr").map(|acu| acu * HOURS_PER_MONTH),
            "Aurora Serverless v1 capacity prices are not in the catalog".into(),
        ));
    }
    let (storage, note) = Storage::of(attrs);
    let (label, product) = match storage {
        Storage::Standard => ("Storage", "storage_standard"),
        Storage::IoOptimized => ("Storage (I/O-Optimized)", "storage_io_optimized"),
    };
    items.push(
        ctx.usage_qty(label, "GB", usage("storage_gb"), "aurora", product, "")
            .with_note(note),
    );
    if storage == Storage::Standard {
        let (reads, writes) = (
            usage("read_requests_per_sec"),
            usage("write_requests_per_sec"),
        );
        let per_month = (reads.is_some() || writes.is_some()).then(|| {
            (reads.unwrap_or_default() + writes.unwrap_or_default()) * HOURS_PER_MONTH * dec(3600)
                / dec(1_000_000)
        });
        items.push(ctx.usage_qty(
            "I/O requests",
            "1M requests",
            per_month,
            "aurora",
            "io_requests",
            "",
        ));
    }
    let retention = attrs
        .num("backup_retention_period")
        .known()
        .unwrap_or(Decimal::ONE);
    if retention > Decimal::ONE {
        let billed = usage("backup_snapshot_size_gb").map(|gb| gb * (retention - Decimal::ONE));
        items.push(ctx.usage_qty(
            "Backup storage",
            "GB",
            billed,
            "aurora",
            &format!("backup_storage_{}", engine.suffix()),
            "",
        ));
    }
    if engine == Engine::Mysql && !serverless_v1 {
        items.extend(backtrack(attrs, ctx));
    }
    if let Some(gb) = usage("snapshot_export_size_gb") {
        items.push(LineItem::unpriced(
            "Snapshot export",
            "GB",
            Some(gb),
            "Aurora snapshot export prices are not in the catalog".into(),
        ));
    }
    items
}

/// Backtrack change records, when the cluster keeps a backtrack window (its `backtrack_window` in
/// seconds, or `backtrack_window_hrs` in usage).
fn backtrack(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Option<LineItem> {
    let usage = |key: &str| ctx.usage.and_then(|u| u.num(&[key]));
    let window_hours = usage("backtrack_window_hrs").or_else(|| {
        attrs
            .num("backtrack_window")
            .known()
            .filter(|s| !s.is_zero())
            .map(|s| s / dec(3600))
    })?;
    let records = match (
        usage("average_statements_per_hr"),
        usage("change_records_per_statement"),
    ) {
        (Some(statements), Some(per_statement)) => {
            Some(statements * per_statement * window_hours * HOURS_PER_MONTH / dec(1_000_000))
        }
        _ => None,
    };
    Some(ctx.usage_qty(
        "Backtrack",
        "1M change-records",
        records,
        "aurora",
        "backtrack_change_records",
        "",
    ))
}
