//! ## What it does
//!
//! Finds ElastiCache clusters and replication groups on a previous-generation node type
//! (`cache.t2`, `cache.m3`, `cache.m4`, `cache.r3`, `cache.r4`) with a current node type of the
//! same size that costs less for the engine.
//!
//! The fix sets `node_type` to the cheapest current node type of the same size that the catalog
//! prices (`cache.t2`→`cache.t3`/`cache.t4g`, `cache.m4`→`cache.m5`/`cache.m6g`,
//! `cache.r4`→`cache.r5`/`cache.r6g`). ElastiCache runs the engine itself, so Graviton node types
//! need nothing of yours to change.
//!
//! ## Why is this bad?
//!
//! Current node types cost the same or less per hour for more memory and network
//! (`cache.r4.large` $0.228/hour, `cache.r6g.large` $0.206 in us-east-1).
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_elasticache_cluster" "sessions" {
//!   cluster_id      = "sessions"
//!   engine          = "redis"
//!   node_type       = "cache.r4.large"
//!   num_cache_nodes = 1
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_elasticache_cluster" "sessions" {
//!   cluster_id      = "sessions"
//!   engine          = "redis"
//!   node_type       = "cache.r6g.large"
//!   num_cache_nodes = 1
//! }
//! ```
//!
//! ## Fix safety
//!
//! Always unsafe: changing the node type of a Redis replication group is an online scaling
//! operation that can take a long time and briefly interrupts writes; Memcached clusters are
//! replaced, losing their cached data. Check the engine version supports the new node type.

use super::cf006_rds_previous_generation::cheapest_class;
use super::families::{self, CACHE_PREVIOUS};
use super::{Applicability, Proposal, Resource, Rule};

pub const RULE: Rule = Rule {
    id: "CF009",
    name: "elasticache-previous-generation",
    summary: "Previous-generation ElastiCache node type with a cheaper current equivalent",
    types: &[
        "aws_elasticache_cluster",
        "aws_elasticache_replication_group",
    ],
    applicability: Applicability::Unsafe,
    needs: &[],
    source: include_str!("cf009_elasticache_previous_generation.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    let current = r.str("node_type")?;
    let (family, _) = families::split(current)?;
    let targets = families::candidates(CACHE_PREVIOUS, family);
    let (target, change) = cheapest_class(r, current, targets, "cache.", "node_type")?;
    Some(
        Proposal::new(
            &RULE,
            format!("`{current}` is a previous-generation node type: `{target}` is the same size and costs less"),
            vec![change],
        )
        .note("scaling the node type interrupts the cache (Memcached nodes are replaced)"),
    )
}
