//! `aws_db_instance`: an RDS database instance.
//!
//! **Components.** Instance hours (`rds`, by engine, licence model, class, Single-AZ or Multi-AZ:
//! MySQL and PostgreSQL from `aws-rds.csv`, MariaDB, Oracle and SQL Server from `aws-nodes.csv`);
//! storage (GB; gp2, gp3, io1, io2, magnetic); provisioned IOPS (io1/io2); gp3 IOPS and
//! throughput (MiB/s) above the baseline (3,000 IOPS / 125 MiB/s below 400 GB, 12,000 / 500 from
//! 400 GB); magnetic I/O requests (1M requests, from usage); backup storage beyond the free
//! allowance (GB, from usage); RDS Extended Support, listed unpriced, when `engine_version` is a
//! major version past its end of standard support (MySQL 5.7 and 8.0; PostgreSQL 11, 12 and 13).
//!
//! **Attributes.** `engine`, `engine_version`, `license_model`, `instance_class`, `multi_az`,
//! `storage_type`, `allocated_storage`, `iops`, `storage_throughput`.
//!
//! **Usage keys.** `additional_backup_storage_gb`, `monthly_standard_io_requests`,
//! `reserved_instance_type` / `reserved_instance_term` (make the hours unpriced).
//!
//! **Defaults.** Single-AZ. `storage_type` not set: io1 if `iops` is set, else gp2. The licence
//! model each engine has only: licence included for SQL Server (`sqlserver-ex`, `-web`, `-se`,
//! `-ee`), bring-your-own-licence for Oracle Enterprise Edition (`oracle-ee`, `oracle-ee-cdb`).
//! Oracle Standard Edition 2 (`oracle-se2`, `oracle-se2-cdb`) has both, priced by `license_model`.
//!
//! **Not priced.** Storage, IOPS, throughput, I/O and backup storage of MariaDB, Oracle and SQL
//! Server instances (unpriced: the catalog's RDS storage prices are MySQL's and PostgreSQL's);
//! Oracle SE2 without a known `license_model` (AWS documents no default); the retired Oracle SE and
//! SE One editions, Db2 and RDS Custom engines, and Aurora engines (priced on
//! `aws_rds_cluster_instance`) (unpriced); reserved instances; io1/io2 without
//! `iops` (unknown until apply); a replica or snapshot restore without `engine` (its engine is
//! not in the plan); RDS Extended Support (per vCPU-hour; its prices are not in the catalog, so
//! the item says so rather than leaving it out); Performance Insights.

use rust_decimal::Decimal;

use super::reserved;
use crate::cost::{dec, join_notes, unknown_item, Cloud, Ctx, ItemStatus, LineItem, PricedType};
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
            None => ctx
                .hourly(
                    format!("Database instance (on-demand, {label}, {class})"),
                    Decimal::ONE,
                    "rds",
                    &format!("{}:{class}", engine.product),
                    deployment,
                )
                .with_note(engine.note.clone()),
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
    // The engine the storage prices are keyed by (MySQL's and PostgreSQL's only).
    let storage_engine = engine.storage.unwrap_or(engine.name);
    let storage = Storage {
        engine: storage_engine,
        key: st_key,
        product: format!("{storage_engine}:{deployment}:{st_key}"),
        size: attrs.num("allocated_storage").known(),
        iops,
    };
    let mut storage_items = vec![match storage.size {
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
    }];
    storage_items.extend(performance(&storage, attrs, ctx));
    let mut backup = ctx.usage_item(
        "Additional backup storage",
        "GB",
        &["additional_backup_storage_gb"],
        Decimal::ONE,
        "rds_storage",
        &format!("{storage_engine}:any:backup"),
        "backup_storage_beyond_free",
    );
    if engine.storage.is_none() {
        let reason = format!(
            "the catalog's RDS storage prices are MySQL's and PostgreSQL's, not {}'s",
            engine.label
        );
        storage_items = storage_items
            .into_iter()
            .map(|i| without_price(i, &reason))
            .collect();
        backup = without_price(backup, &reason);
    }
    items.extend(storage_items);
    items.extend(extended_support(engine.name, attrs));
    items.push(backup);
    items
}

/// The item unpriced for `reason`: a missing catalog price's reason replaced by it, another note
/// (an assumption, an unknown value) kept before it.
fn without_price(item: LineItem, reason: &str) -> LineItem {
    let missing_price = item.status == ItemStatus::Unpriced
        && item
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("no price for "));
    let note = if missing_price {
        reason.to_string()
    } else {
        join_notes(item.note, reason)
    };
    LineItem::unpriced(item.name, &item.unit, item.quantity, note)
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

/// How the catalog keys an instance's engine.
struct Engine {
    /// `engine` as the plan gives it (the key of `EXTENDED_SUPPORT`).
    name: &'static str,
    /// For people: `MariaDB`, `Oracle SE2`, `SQL Server Express`.
    label: &'static str,
    /// `rds` product before the class: `mysql`, `mariadb`, `oracle-se2:license-included`.
    product: String,
    /// The engine of its storage prices, when the catalog has them.
    storage: Option<&'static str>,
    /// The licence model assumed, said in the instance item.
    note: Option<String>,
}

/// The RDS engines the catalog prices: `engine` as Terraform spells it, label, the catalog's engine
/// (a container database, `-cdb`, is priced as its edition).
const ENGINES: &[(&str, &str, &str)] = &[
    ("mysql", "MySQL", "mysql"),
    ("postgres", "PostgreSQL", "postgres"),
    ("mariadb", "MariaDB", "mariadb"),
    ("oracle-se2", "Oracle SE2", "oracle-se2"),
    ("oracle-se2-cdb", "Oracle SE2", "oracle-se2"),
    ("oracle-ee", "Oracle EE", "oracle-ee"),
    ("oracle-ee-cdb", "Oracle EE", "oracle-ee"),
    ("sqlserver-ex", "SQL Server Express", "sqlserver-ex"),
    ("sqlserver-web", "SQL Server Web", "sqlserver-web"),
    ("sqlserver-se", "SQL Server Standard", "sqlserver-se"),
    ("sqlserver-ee", "SQL Server Enterprise", "sqlserver-ee"),
];

const LICENSE_INCLUDED: &str = "license-included";
const BYOL: &str = "bring-your-own-license";

/// The catalog's engine key, or the item saying why the instance cannot be priced.
fn engine_key(attrs: &Attrs<'_>) -> Result<Engine, LineItem> {
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
    let unpriced = |reason: String| {
        Err(LineItem::unpriced(
            format!("Database instance ({engine})"),
            "hours",
            None,
            reason,
        ))
    };
    let Some(&(name, label, catalog)) = ENGINES.iter().find(|(e, _, _)| *e == engine.as_ref())
    else {
        return match engine.as_ref() {
            "aurora" | "aurora-mysql" | "aurora-postgresql" => unpriced(format!(
                "`{engine}` is an Aurora engine: Aurora instances are priced as `aws_rds_cluster_instance`, the catalog's Aurora prices are not read here"
            )),
            "oracle-se" | "oracle-se1" => unpriced(format!(
                "`{engine}` is a retired Oracle edition (Standard Edition, Standard Edition One): the catalog has Oracle SE2 and EE prices only"
            )),
            other => unpriced(format!(
                "the catalog has RDS prices for MySQL, PostgreSQL, MariaDB, Oracle SE2 and EE and SQL Server, not `{other}`"
            )),
        };
    };
    let license = attrs.str("license_model");
    let (license, note) = match catalog {
        "mysql" | "postgres" | "mariadb" => (None, None),
        // SQL Server on RDS is licence-included only; Oracle EE is bring-your-own-licence only.
        _ => {
            let only = if catalog.starts_with("sqlserver-") {
                Some(LICENSE_INCLUDED)
            } else if catalog == "oracle-ee" {
                Some(BYOL)
            } else {
                None
            };
            match (only, license) {
                (Some(only), Field::Known(l)) if l != only => {
                    return unpriced(format!(
                        "{label} is offered with license_model `{only}` only, not `{l}`"
                    ))
                }
                (Some(only), Field::Known(_)) => (Some(only), None),
                (Some(only), _) => (
                    Some(only),
                    Some(format!("license_model not set: {only}, the only one {label} has")),
                ),
                (None, Field::Known(l)) if l == LICENSE_INCLUDED || l == BYOL => {
                    (Some(if l == BYOL { BYOL } else { LICENSE_INCLUDED }), None)
                }
                (None, Field::Known(l)) => {
                    return unpriced(format!(
                        "unknown license_model `{l}` for {label} (`{LICENSE_INCLUDED}` or `{BYOL}`)"
                    ))
                }
                (None, _) => {
                    return unpriced(format!(
                        "license_model is not known: {label} is priced `{LICENSE_INCLUDED}` or `{BYOL}`, and AWS documents no default"
                    ))
                }
            }
        }
    };
    Ok(Engine {
        name,
        label,
        product: match license {
            Some(l) => format!("{catalog}:{l}"),
            None => catalog.to_string(),
        },
        storage: matches!(catalog, "mysql" | "postgres").then_some(catalog),
        note,
    })
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

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::{json, Value};

    use crate::cost::{cost_values, ItemStatus, LineItem};
    use crate::pricing::usage::Usage;
    use crate::Catalog;

    fn items(values: Value, region: &str) -> Vec<LineItem> {
        let address = "aws_db_instance.db".parse().unwrap();
        cost_values(
            &address,
            "aws_db_instance",
            &values,
            &json!({}),
            None,
            region,
            &Catalog::embedded(),
            &Usage::default(),
        )
        .items
    }

    fn d(s: &str) -> Option<Decimal> {
        Some(s.parse().unwrap())
    }

    /// The instance item's (name, monthly, status, note).
    fn instance(
        values: Value,
        region: &str,
    ) -> (String, Option<Decimal>, ItemStatus, Option<String>) {
        let i = items(values, region).remove(0);
        (i.name, i.monthly, i.status, i.note)
    }

    #[test]
    fn mariadb_oracle_and_sql_server_hours_from_the_nodes_rows() {
        let p = ItemStatus::Priced;
        // aws-nodes.csv, us-east-1 single-az db.t3.large: mariadb no-license 0.136 (730 h: 99.28).
        let mariadb = items(
            json!({"engine": "mariadb", "instance_class": "db.t3.large", "allocated_storage": 20, "storage_type": "gp2"}),
            "us-east-1",
        );
        assert_eq!(mariadb[0].monthly, d("99.28"));
        // Storage and backup storage: the catalog's storage prices are MySQL's and PostgreSQL's.
        assert_eq!(mariadb.len(), 3, "{mariadb:?}");
        for i in &mariadb[1..] {
            assert_eq!(i.status, ItemStatus::Unpriced, "{i:?}");
            assert_eq!(
                i.note.as_deref(),
                Some(
                    "the catalog's RDS storage prices are MySQL's and PostgreSQL's, not MariaDB's"
                )
            );
        }
        assert_eq!(mariadb[1].quantity, d("20"));
        // eu-west-1's own row: multi-az db.r6g.large 0.474 × 730 = 346.02.
        assert_eq!(
            instance(
                json!({"engine": "mariadb", "instance_class": "db.r6g.large", "multi_az": true}),
                "eu-west-1"
            )
            .1,
            d("346.02")
        );
        // Oracle SE2 by license_model: license-included multi-az db.m5.large 0.876 (639.48), BYOL
        // single-az 0.171 (124.83); not known: unpriced, AWS documents no default.
        let se2 = |license: Value, multi_az: bool| {
            instance(
                json!({"engine": "oracle-se2", "instance_class": "db.m5.large", "license_model": license, "multi_az": multi_az}),
                "us-east-1",
            )
        };
        assert_eq!(se2(json!("license-included"), true).1, d("639.48"));
        assert_eq!(se2(json!("bring-your-own-license"), false).1, d("124.83"));
        let unknown = se2(Value::Null, false);
        assert_eq!(unknown.2, ItemStatus::Unpriced);
        assert!(unknown.3.unwrap().contains("AWS documents no default"));
        // Oracle EE is BYOL only: 0.171 × 730 = 124.83, said in the note; licence included is
        // refused.
        assert_eq!(
            instance(
                json!({"engine": "oracle-ee-cdb", "instance_class": "db.m5.large"}),
                "us-east-1"
            ),
            (
                "Database instance (on-demand, Single-AZ, db.m5.large)".into(),
                d("124.83"),
                p,
                Some(
                    "license_model not set: bring-your-own-license, the only one Oracle EE has"
                        .into()
                )
            )
        );
        assert_eq!(
            instance(
                json!({"engine": "oracle-ee", "instance_class": "db.m5.large", "license_model": "license-included"}),
                "us-east-1"
            )
            .2,
            ItemStatus::Unpriced
        );
        // SQL Server, licence included: sqlserver-se multi-az db.m5.xlarge 2.448 × 730 = 1,787.04.
        let se = instance(
            json!({"engine": "sqlserver-se", "instance_class": "db.m5.xlarge", "multi_az": true, "license_model": "license-included"}),
            "us-east-1",
        );
        assert_eq!((se.1, se.2, se.3), (d("1787.04"), p, None));
        // Express has no Multi-AZ row: unpriced with the key looked for, never borrowed.
        let ex = instance(
            json!({"engine": "sqlserver-ex", "instance_class": "db.t3.large", "multi_az": true}),
            "us-east-1",
        );
        assert_eq!(ex.2, ItemStatus::Unpriced);
        assert!(ex
            .3
            .unwrap()
            .starts_with("no price for rds sqlserver-ex:license-included:db.t3.large (multi-az)"));
        // Retired editions and other engines stay unpriced with their reason.
        for engine in ["oracle-se1", "aurora-mysql", "db2-se", "custom-oracle-ee"] {
            let i = instance(
                json!({"engine": engine, "instance_class": "db.m5.large"}),
                "us-east-1",
            );
            assert_eq!(i.2, ItemStatus::Unpriced, "{engine}");
        }
    }

    #[test]
    fn mysql_is_priced_as_before() {
        // aws-rds.csv and aws-rds-storage.csv, us-east-1: db.t3.large 0.136, gp2 0.115 a GB-month.
        let mysql = items(
            json!({"engine": "mysql", "instance_class": "db.t3.large", "allocated_storage": 20, "storage_type": "gp2"}),
            "us-east-1",
        );
        let got: Vec<_> = mysql.iter().map(|i| (i.monthly, i.status)).collect();
        assert_eq!(
            got,
            [
                (d("99.28"), ItemStatus::Priced),
                (d("2.3"), ItemStatus::Priced),
                (None, ItemStatus::UsageBased),
            ]
        );
    }
}
