//! `aws_elasticache_replication_group`: the nodes of an ElastiCache replication group.
//!
//! **Components.** Node hours (`elasticache`, on-demand) × nodes; backup storage (GB, from usage)
//! for Redis and Valkey with `snapshot_retention_limit` over one day.
//!
//! **Attributes.** `engine`, `node_type`, `num_cache_clusters` (or the older
//! `number_cache_clusters`), `num_node_groups`, `replicas_per_node_group`,
//! `snapshot_retention_limit`; the `aws_appautoscaling_target`s whose `resource_id` refers to the
//! group (`replication-group/ID`) with `service_namespace` `elasticache` and `scalable_dimension`
//! `elasticache:replication-group:NodeGroups` (the shards) or `…:Replicas` (the replicas per
//! shard): their `min_capacity`.
//!
//! **Usage keys.** `snapshot_storage_size_gb`, `reserved_instance_term` (makes the hours
//! unpriced); an autoscaling target's own `capacity` (its expected shards or replicas, over its
//! `min_capacity`).
//!
//! **Defaults.** Engine redis. Nodes: `num_cache_clusters`, else `num_node_groups` (1) ×
//! (`replicas_per_node_group` (0) + 1). With an autoscaling target, the shards or replicas it
//! scales are its usage `capacity`, else its `min_capacity` (as infracost reads it), and the nodes
//! are shards × (replicas + 1).
//!
//! **Not priced.** Reserved nodes (unpriced); data tiering and Global Datastore; scaling over the
//! month beyond the target's capacity.

use rust_decimal::Decimal;

use super::elasticache::{engine, nodes_and_snapshots};
use crate::cost::{
    autoscaling_targets, scaled_capacity, Cloud, Ctx, LineItem, PricedType, Referrer,
};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_elasticache_replication_group",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["elasticache"],
    references: &[],
    cost,
    source: include_str!("elasticache_replication_group.rs"),
};

/// The autoscaling targets of a group: a literal `resource_id` (`replication-group/ID`) names its
/// id.
const TARGETS: Referrer = autoscaling_targets(&["id", "replication_group_id"]);

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let engine = match engine(attrs) {
        Ok(e) => e,
        Err(item) => return vec![item],
    };
    let scaled = |dimension: &str| {
        scaled_capacity(
            ctx,
            &TARGETS,
            "elasticache",
            &format!("elasticache:replication-group:{dimension}"),
        )
    };
    let (shards, replicas) = (scaled("NodeGroups"), scaled("Replicas"));
    let groups = || attrs.num("num_node_groups").known().unwrap_or(Decimal::ONE);
    let per_group = || {
        attrs
            .num("replicas_per_node_group")
            .known()
            .unwrap_or(Decimal::ZERO)
    };
    if shards.is_some() || replicas.is_some() {
        let g = shards.as_ref().map_or_else(groups, |s| s.capacity);
        let r = replicas.as_ref().map_or_else(per_group, |s| s.capacity);
        let notes: Vec<&str> = [&shards, &replicas]
            .into_iter()
            .flatten()
            .map(|s| s.note.as_str())
            .collect();
        let from_usage = [&shards, &replicas]
            .into_iter()
            .flatten()
            .any(|s| s.from_usage);
        let mut items = nodes_and_snapshots(attrs, &engine, g * (r + Decimal::ONE), ctx);
        if let Some(hours) = items.first_mut() {
            hours.from_usage |= from_usage && hours.monthly.is_some();
            hours.note = Some(match hours.note.take() {
                Some(n) => format!("{n}; autoscaling: {}", notes.join(", ")),
                None => format!("autoscaling: {}", notes.join(", ")),
            });
        }
        return items;
    }
    let clusters = attrs
        .num("num_cache_clusters")
        .known()
        .or_else(|| attrs.num("number_cache_clusters").known());
    let nodes = clusters.unwrap_or_else(|| groups() * (per_group() + Decimal::ONE));
    nodes_and_snapshots(attrs, &engine, nodes, ctx)
}
