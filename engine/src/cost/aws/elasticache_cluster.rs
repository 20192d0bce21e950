//! `aws_elasticache_cluster`: an ElastiCache cluster (Redis, Valkey or Memcached).
//!
//! **Components.** Node hours (`elasticache`, on-demand) × `num_cache_nodes`; backup storage (GB,
//! from usage) for Redis and Valkey with `snapshot_retention_limit` over one day.
//!
//! **Attributes.** `engine`, `node_type`, `num_cache_nodes`, `snapshot_retention_limit`,
//! `replication_group_id`.
//!
//! **Usage keys.** `snapshot_storage_size_gb`, `reserved_instance_term` (makes the hours
//! unpriced).
//!
//! **Defaults.** Engine redis; one node.
//!
//! **Not priced.** A member of a replication group (`replication_group_id`) has no items: its
//! nodes are priced on the group. Reserved nodes (unpriced); ElastiCache Serverless.

use rust_decimal::Decimal;

use super::elasticache::{engine, nodes_and_snapshots};
use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_elasticache_cluster",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["elasticache"],
    references: &[],
    cost,
    source: include_str!("elasticache_cluster.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    if attrs.str("replication_group_id").known().is_some() {
        // A member of a replication group: its nodes are priced on the group.
        return Vec::new();
    }
    let engine = match engine(attrs) {
        Ok(e) => e,
        Err(item) => return vec![item],
    };
    let nodes = attrs.num("num_cache_nodes").known().unwrap_or(Decimal::ONE);
    nodes_and_snapshots(attrs, &engine, nodes, ctx)
}
