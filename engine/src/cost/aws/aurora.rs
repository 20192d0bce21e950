//! Aurora engines and storage configurations, shared by `aws_rds_cluster` and
//! `aws_rds_cluster_instance`.

use crate::cost::{unknown_item, Ctx, LineItem, Reference};
use crate::terraform::values::{Attrs, Field};

/// An instance's `cluster_identifier` reference to its `aws_rds_cluster` (by configuration
/// reference only: a cluster is named by `cluster_identifier`, not `name`).
pub(super) const CLUSTER: Reference = Reference {
    attribute: "cluster_identifier",
    target: "aws_rds_cluster",
    name_at: &[],
};

/// An Aurora engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Engine {
    Mysql,
    Postgresql,
}

impl Engine {
    /// The catalog's engine key (`aurora-mysql`).
    pub(super) fn key(self) -> &'static str {
        match self {
            Engine::Mysql => "aurora-mysql",
            Engine::Postgresql => "aurora-postgresql",
        }
    }

    /// The catalog's item suffix for prices given per engine (`backup_storage_mysql`).
    pub(super) fn suffix(self) -> &'static str {
        match self {
            Engine::Mysql => "mysql",
            Engine::Postgresql => "postgresql",
        }
    }
}

/// The Aurora engine of an `engine` value (`aurora` is Aurora MySQL 5.6), or the item `name`
/// saying why it cannot be priced.
pub(super) fn engine(value: Field<String>, name: &str, unit: &str) -> Result<Engine, LineItem> {
    match value {
        Field::Known(e) => match e.as_str() {
            "aurora" | "aurora-mysql" => Ok(Engine::Mysql),
            "aurora-postgresql" => Ok(Engine::Postgresql),
            other => Err(LineItem::unpriced(
                name,
                unit,
                None,
                format!(
                    "`{other}` is not an Aurora engine: Multi-AZ DB clusters of RDS are not priced yet"
                ),
            )),
        },
        Field::Unknown => Err(unknown_item(name, unit, "the engine")),
        Field::Missing => Err(LineItem::unpriced(
            name,
            unit,
            None,
            "engine is not set".into(),
        )),
    }
}

/// A cluster's storage configuration: Aurora Standard (storage and I/O billed) or
/// I/O-Optimized (dearer instances and storage, no I/O charge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Storage {
    Standard,
    IoOptimized,
}

impl Storage {
    /// The cluster's `storage_type` (`aurora-iopt1` is I/O-Optimized), with a note when it is the
    /// default.
    pub(super) fn of(cluster: &Attrs<'_>) -> (Storage, Option<String>) {
        match cluster.str("storage_type") {
            Field::Known(t) if t == "aurora-iopt1" => (Storage::IoOptimized, None),
            Field::Known(_) => (Storage::Standard, None),
            Field::Unknown | Field::Missing => (
                Storage::Standard,
                Some("storage_type not set: assumed Aurora Standard".into()),
            ),
        }
    }

    /// The node price's deployment in the catalog (`aurora-standard`).
    pub(super) fn deployment(self) -> &'static str {
        match self {
            Storage::Standard => "aurora-standard",
            Storage::IoOptimized => "aurora-io-optimized",
        }
    }
}

/// The engine value of a cluster instance: its own, else its cluster's (an instance usually sets
/// `engine = aws_rds_cluster.x.engine`, unknown in a plan that creates both).
pub(super) fn instance_engine(attrs: &Attrs<'_>, cluster: Option<&Attrs<'_>>) -> Field<String> {
    let own = attrs.str("engine").map(|e| e.into_owned());
    match (own, cluster) {
        (Field::Known(e), _) => Field::Known(e),
        (own, Some(c)) => match c.str("engine") {
            Field::Known(e) => Field::Known(e.into_owned()),
            _ => own,
        },
        (own, None) => own,
    }
}

/// ACU-hours of Aurora Serverless v2 from usage (`capacity_units_per_hr`, the average ACUs), at the
/// price of the engine and storage configuration.
pub(super) fn serverless_v2(engine: Engine, storage: Storage, ctx: &Ctx<'_, '_>) -> LineItem {
    let item = match (engine, storage) {
        (Engine::Mysql, Storage::Standard) => "serverless_v2_acu_hour",
        (Engine::Mysql, Storage::IoOptimized) => "serverless_v2_acu_hour_io_optimized",
        (Engine::Postgresql, Storage::Standard) => "serverless_v2_acu_hour_postgresql",
        (Engine::Postgresql, Storage::IoOptimized) => {
            "serverless_v2_acu_hour_postgresql_io_optimized"
        }
    };
    ctx.usage_item(
        "Aurora Serverless v2",
        "ACU-hours",
        &["capacity_units_per_hr"],
        crate::pricing::HOURS_PER_MONTH,
        "aurora",
        item,
        "",
    )
}
