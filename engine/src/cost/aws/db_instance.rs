//! `aws_db_instance`: an RDS database instance.
//!
//! **Components.** Instance hours (`rds`, by engine, class, Single-AZ or Multi-AZ); storage (GB;
//! gp2, gp3, io1, io2, magnetic); provisioned IOPS (io1/io2); gp3 IOPS and throughput (MiB/s)
//! above the baseline (3,000 IOPS / 125 MiB/s below 400 GB, 12,000 / 500 from 400 GB); magnetic
//! I/O requests (1M requests, from usage); backup storage beyond the free allowance (GB, from
//! usage); RDS Extended Support, listed unpriced, when `engine_version` is a major version past
//! its end of standard support (MySQL 5.7 and 8.0; PostgreSQL 11, 12 and 13).
//!
//! **Attributes.** `engine`, `engine_version`, `instance_class`, `multi_az`, `storage_type`,
//! `allocated_storage`, `iops`, `storage_throughput`.
//!
//! **Usage keys.** `additional_backup_storage_gb`, `monthly_standard_io_requests`,
//! `reserved_instance_type` / `reserved_instance_term` (make the hours unpriced).
//!
//! **Defaults.** Single-AZ. `storage_type` not set: io1 if `iops` is set, else gp2.
//!
//! **Not priced.** Engines other than `mysql` and `postgres` (unpriced), reserved instances,
//! io1/io2 without `iops` (unknown until apply), a replica or snapshot restore without `engine`
//! (its engine is not in the plan); RDS Extended Support (per vCPU-hour; its prices are not in
//! the catalog, so the item says so rather than leaving it out); Performance Insights.

use rust_decimal::Decimal;

use super::reserved;
use crate::cost::{dec, unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_db_instance",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["rds", "rds_storage"],
    references: &[],
    cost,
    source: include_str!("db_instance.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let engine = match engine_key(attrs) {
        Ok(e) => e,
        Err(item) => return vec![item],
    };
    let multi_az = attrs.bool("multi_az").known().unwrap_or(false);
    let (deployment, label) = if multi_az {
        ("multi-az", "Multi-AZ")
    } else {
        ("single-az", "Single-AZ")
    };
    let mut items = vec![match attrs.str("instance_class") {
        Field::Known(class) => match reserved(ctx) {
            Some(reason) => LineItem::unpriced(
                format!("Database instance (reserved, {label}, {class})"),
                "hours",
                None,
                reason,
            ),
            None => ctx.hourly(
                format!("Database instance (on-demand, {label}, {class})"),
                Decimal::ONE,
                "rds",
                &format!("{engine}:{class}"),
                deployment,
            ),
        },
        _ => unknown_item("Database instance", "hours", "the instance class"),
    }];
    let iops = attrs.num("iops").known().filter(|i| !i.is_zero());
    let (st_key, st_label, note) = match storage_type(attrs, iops) {
        Ok(t) => t,
        Err(item) => {
            items.push(item);
            return items;
        }
    };
    let storage = Storage {
        engine,
        key: st_key,
        product: format!("{engine}:{deployment}:{st_key}"),
        size: attrs.num("allocated_storage").known(),
        iops,
    };
    items.push(match storage.size {
        Some(gb) => ctx
            .fixed(
                format!("Storage ({st_label})"),
                "GB",
                gb,
                "rds_storage",
                &storage.product,
                "storage",
            )
            .with_note(note),
        None => unknown_item("Storage", "GB", "allocated_storage"),
    });
    items.extend(performance(&storage, attrs, ctx));
    items.extend(extended_support(engine, attrs));
    items.push(ctx.usage_item(
        "Additional backup storage",
        "GB",
        &["additional_backup_storage_gb"],
        Decimal::ONE,
        "rds_storage",
        &format!("{engine}:any:backup"),
        "backup_storage_beyond_free",
    ));
    items
}

/// End of RDS standard support of each major version that is now billed as Extended Support (AWS's
/// RDS release calendars, checked 2026-12).
const EXTENDED_SUPPORT: &[(&str, &str, &str)] = &[
    ("mysql", "5.7", "2024-02-29"),
    ("mysql", "8.0", "2026-07-31"),
    ("postgres", "11", "2024-02-29"),
    ("postgres", "12", "2025-02-28"),
    ("postgres", "13", "2026-02-28"),
];

/// RDS Extended Support, unpriced with its reason, when the engine version's major version is
/// past its end of standard support. Nothing when the version is not known.
fn extended_support(engine: &str, attrs: &Attrs<'_>) -> Option<LineItem> {
    let version = attrs.str("engine_version").known()?;
    let (_, major, ended) = EXTENDED_SUPPORT.iter().find(|(e, major, _)| {
        *e == engine
            && (version == *major
                || version
                    .strip_prefix(major)
                    .is_some_and(|rest| rest.starts_with('.')))
    })?;
    Some(LineItem::unpriced(
        format!("Extended Support ({engine} {major})"),
        "vCPU-hours",
        None,
        format!(
            "{engine} {major} is past RDS standard support (ended {ended}): AWS bills Extended Support per vCPU-hour, and those prices are not in the catalog"
        ),
    ))
}

/// The catalog's engine key, or the item saying why the instance cannot be priced.
fn engine_key(attrs: &Attrs<'_>) -> Result<&'static str, LineItem> {
    let engine =
        match attrs.str("engine") {
            Field::Known(e) => e,
            Field::Unknown => return Err(unknown_item("Database instance", "hours", "the engine")),
            // A read replica or a snapshot restore takes its engine from the source.
            Field::Missing => return Err(LineItem::unpriced(
                "Database instance",
                "hours",
                None,
                "engine is not set (replica or snapshot restore): its engine is not in the plan"
                    .into(),
            )),
        };
    match engine.as_ref() {
        "mysql" => Ok("mysql"),
        "postgres" => Ok("postgres"),
        other => Err(LineItem::unpriced(
            format!("Database instance ({other})"),
            "hours",
            None,
            format!("the catalog has MySQL and PostgreSQL prices only, not `{other}`"),
        )),
    }
}

/// The storage type's catalog key and label, with a note when it is the default; or the item
/// saying the type is unknown.
fn storage_type(
    attrs: &Attrs<'_>,
    iops: Option<Decimal>,
) -> Result<(&'static str, &'static str, Option<String>), LineItem> {
    let (storage_type, note) = match attrs.str("storage_type") {
        Field::Known(t) => (t.to_string(), None),
        Field::Unknown | Field::Missing => {
            let t = if iops.is_some() { "io1" } else { "gp2" };
            (
                t.to_string(),
                Some(format!("storage_type not set: assumed {t}")),
            )
        }
    };
    let (key, label) = match storage_type.as_str() {
        "gp2" => ("gp2", "general purpose SSD, gp2"),
        "gp3" => ("gp3", "general purpose SSD, gp3"),
        "io1" => ("io1", "provisioned IOPS SSD, io1"),
        "io2" => ("io2", "provisioned IOPS SSD, io2"),
        "standard" => ("magnetic", "magnetic"),
        other => {
            return Err(LineItem::unpriced(
                format!("Storage ({other})"),
                "GB",
                None,
                format!("unknown RDS storage type `{other}`"),
            ))
        }
    };
    Ok((key, label, note))
}

/// The instance's storage, as the catalog keys it.
struct Storage {
    engine: &'static str,
    /// `gp2`, `gp3`, `io1`, `io2`, `magnetic`.
    key: &'static str,
    /// `ENGINE:DEPLOYMENT:TYPE`.
    product: String,
    size: Option<Decimal>,
    iops: Option<Decimal>,
}

/// Provisioned IOPS (io1, io2), gp3 IOPS and throughput above the baseline, magnetic I/O.
fn performance(s: &Storage, attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    match s.key {
        "io1" | "io2" => items.push(match s.iops {
            Some(i) => ctx.fixed(
                "Provisioned IOPS",
                "IOPS",
                i,
                "rds_storage",
                &s.product,
                "provisioned_iops",
            ),
            None => unknown_item("Provisioned IOPS", "IOPS", "iops"),
        }),
        "gp3" => {
            // gp3 includes 3,000 IOPS and 125 MiB/s below 400 GB, 12,000 IOPS and 500 MiB/s from 400 GB.
            let large = s.size.is_some_and(|s| s >= dec(400));
            let (base_iops, base_tp) = if large {
                (dec(12000), dec(500))
            } else {
                (dec(3000), dec(125))
            };
            if let Some(i) = s.iops.filter(|i| *i > base_iops) {
                items.push(ctx.fixed(
                    "Provisioned IOPS (above baseline)",
                    "IOPS",
                    i - base_iops,
                    "rds_storage",
                    &s.product,
                    "provisioned_iops_above_baseline",
                ));
            }
            let throughput = attrs.num("storage_throughput").known();
            if let Some(t) = throughput.filter(|t| *t > base_tp) {
                items.push(ctx.fixed(
                    "Provisioned throughput (above baseline)",
                    "MiBps",
                    t - base_tp,
                    "rds_storage",
                    &s.product,
                    "provisioned_throughput_above_baseline",
                ));
            }
        }
        "magnetic" => items.push(
            ctx.usage_item(
                "I/O requests",
                "1M requests",
                &["monthly_standard_io_requests"],
                Decimal::ONE,
                "rds_storage",
                &format!("{}:any:magnetic", s.engine),
                "io_requests",
            )
            .with_note(Some("priced per request".into())),
        ),
        _ => {}
    }
    items
}
