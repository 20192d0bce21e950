//! `aws_elasticache_replication_group`: the nodes of an ElastiCache replication group.
//!
//! **Components.** Node hours (`elasticache`, on-demand) × nodes; backup storage (GB, from usage)
//! for Redis and Valkey with `snapshot_retention_limit` over one day.
//!
//! **Attributes.** `engine`, `node_type`, `num_cache_clusters` (or the older
//! `number_cache_clusters`), `num_node_groups`, `replicas_per_node_group`,
//! `snapshot_retention_limit`.
//!
//! **Usage keys.** `snapshot_storage_size_gb`, `reserved_instance_term` (makes the hours
//! unpriced).
//!
//! **Defaults.** Engine redis. Nodes: `num_cache_clusters`, else `num_node_groups` (1) ×
//! (`replicas_per_node_group` (0) + 1).
//!
//! **Not priced.** Reserved nodes (unpriced); data tiering and Global Datastore.

use rust_decimal::Decimal;

use super::elasticache::{engine, nodes_and_snapshots};
use crate::cost::{Cloud, Ctx, LineItem, PricedType};
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

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let engine = match engine(attrs) {
        Ok(e) => e,
        Err(item) => return vec![item],
    };
    let clusters = attrs
        .num("num_cache_clusters")
        .known()
        .or_else(|| attrs.num("number_cache_clusters").known());
    let nodes = match clusters {
        Some(n) => n,
        None => {
            let groups = attrs.num("num_node_groups").known().unwrap_or(Decimal::ONE);
            let replicas = attrs
                .num("replicas_per_node_group")
                .known()
                .unwrap_or(Decimal::ZERO);
            groups * (replicas + Decimal::ONE)
        }
    };
    nodes_and_snapshots(attrs, &engine, nodes, ctx)
}
