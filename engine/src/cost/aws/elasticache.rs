//! ElastiCache nodes and snapshot storage, shared by `aws_elasticache_cluster` and
//! `aws_elasticache_replication_group`.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::reserved;
use crate::cost::{unknown_item, Ctx, LineItem};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

/// The `engine` (redis when not set), or the item saying why it cannot be priced.
pub(super) fn engine(attrs: &Attrs<'_>) -> Result<String, LineItem> {
    match attrs.str("engine") {
        Field::Known(e) if matches!(e.as_ref(), "redis" | "memcached" | "valkey") => {
            Ok(e.to_string())
        }
        Field::Known(e) => Err(LineItem::unpriced(
            "ElastiCache nodes",
            "hours",
            None,
            format!("unknown ElastiCache engine `{e}`"),
        )),
        Field::Unknown => Err(unknown_item("ElastiCache nodes", "hours", "the engine")),
        Field::Missing => Ok("redis".into()),
    }
}

/// `nodes` nodes of the resource's `node_type`, and the snapshot storage of an engine that keeps
/// snapshots (not memcached) when `snapshot_retention_limit` is over a day.
pub(super) fn nodes_and_snapshots(
    attrs: &Attrs<'_>,
    engine: &str,
    nodes: Decimal,
    ctx: &Ctx<'_, '_>,
) -> Vec<LineItem> {
    let mut items = vec![node_hours(engine, attrs.str("node_type"), nodes, ctx)];
    let retention = attrs.num("snapshot_retention_limit").known();
    if engine != "memcached" && retention.is_some_and(|r| r > Decimal::ONE) {
        items.push(ctx.usage_item(
            "Backup storage",
            "GB",
            &["snapshot_storage_size_gb"],
            Decimal::ONE,
            "elasticache",
            "backup_storage",
            "",
        ));
    }
    items
}

fn node_hours(
    engine: &str,
    node_type: Field<Cow<'_, str>>,
    nodes: Decimal,
    ctx: &Ctx<'_, '_>,
) -> LineItem {
    match node_type {
        Field::Known(t) => match reserved(ctx) {
            Some(reason) => LineItem::unpriced(
                format!("ElastiCache (reserved, {t})"),
                "hours",
                Some(HOURS_PER_MONTH * nodes),
                reason,
            ),
            None => ctx.hourly(
                format!("ElastiCache (on-demand, {t})"),
                nodes,
                "elasticache",
                &format!("{engine}:{t}"),
                "node",
            ),
        },
        _ => unknown_item("ElastiCache nodes", "hours", "the node type"),
    }
}
