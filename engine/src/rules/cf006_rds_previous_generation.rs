//! ## What it does
//!
//! Finds RDS instances (`aws_db_instance`) on a previous-generation class (`db.t2`, `db.m4`,
//! `db.r4` and older) with a current class of the same size that costs less for the same engine
//! and deployment.
//!
//! The fix sets `instance_class` to the cheapest current x86 class of the same size that the
//! catalog prices for the engine and deployment (`db.t2`→`db.t3`, `db.m4`→`db.m5`/`db.m6i`,
//! `db.r4`→`db.r5`/`db.r6i`).
//!
//! ## Why is this bad?
//!
//! AWS prices current classes at or below the previous generation for the same vCPUs and memory
//! (`db.m4.large` MySQL $0.175/hour, `db.m5.large` $0.171 in us-east-1), and previous-generation
//! classes are being retired.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_db_instance" "legacy" {
//!   identifier          = "legacy"
//!   engine              = "mysql"
//!   instance_class      = "db.m4.large"
//!   allocated_storage   = 100
//!   storage_type        = "gp3"
//!   username            = "admin"
//!   password            = "not-a-real-password"
//!   skip_final_snapshot = true
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_db_instance" "legacy" {
//!   identifier          = "legacy"
//!   engine              = "mysql"
//!   instance_class      = "db.m5.large"
//!   allocated_storage   = 100
//!   storage_type        = "gp3"
//!   username            = "admin"
//!   password            = "not-a-real-password"
//!   skip_final_snapshot = true
//! }
//! ```
//!
//! ## Fix safety
//!
//! Always unsafe: changing the class restarts the database (a short outage, or a failover with
//! Multi-AZ), at once if `apply_immediately` is set or else in the next maintenance window, and
//! newer classes need a recent enough engine version (`db.m6i` needs MySQL 8.0.28 or PostgreSQL
//! 13.4 and later, for example).

use super::families::{self, RDS_PREVIOUS};
use super::{Applicability, AttrPath, Change, Proposal, Resource, Rule};

pub const RULE: Rule = Rule {
    id: "CF006",
    name: "rds-previous-generation",
    summary: "Previous-generation RDS instance class with a cheaper current equivalent",
    types: &["aws_db_instance"],
    applicability: Applicability::Unsafe,
    needs: &[],
    source: include_str!("cf006_rds_previous_generation.rs"),
    check,
};

/// The cheapest class among `targets` (same size) by the full cost model, if cheaper than now.
pub(crate) fn cheapest_class(
    r: &Resource<'_>,
    current: &str,
    targets: &[&str],
    prefix: &str,
    key: &str,
) -> Option<(String, Change)> {
    let (_, size) = families::split(current)?;
    let now = (r.cost_with)(&[])?;
    targets
        .iter()
        .filter_map(|f| {
            let t = format!("{prefix}{f}.{size}");
            let change = Change::set(AttrPath::key(key), current.into(), t.as_str());
            let cost = (r.cost_with)(std::slice::from_ref(&change))?;
            (cost < now && priced(r, key, &t)).then_some((cost, t, change))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
        .map(|(_, t, c)| (t, c))
}

/// Whether the catalog prices the class (a cheaper total from an unpriced class is no saving).
fn priced(r: &Resource<'_>, key: &str, class: &str) -> bool {
    let Some(region) = r.region else { return false };
    match key {
        "instance_class" => {
            let Some(engine) = r.str("engine") else {
                return false;
            };
            ["single-az", "multi-az"].iter().any(|d| {
                r.catalog
                    .get("rds", region, &format!("{engine}:{class}"), d)
                    .is_some()
            })
        }
        _ => ["redis", "memcached", "valkey"].iter().any(|e| {
            r.catalog
                .get("elasticache", region, &format!("{e}:{class}"), "node")
                .is_some()
        }),
    }
}

fn check(r: &Resource<'_>) -> Option<Proposal> {
    let current = r.str("instance_class")?;
    let (family, _) = families::split(current)?;
    let targets = families::candidates(RDS_PREVIOUS, family);
    let (target, change) = cheapest_class(r, current, targets, "db.", "instance_class")?;
    Some(
        Proposal::new(
            &RULE,
            format!("`{current}` is a previous-generation class: `{target}` is the same size and costs less"),
            vec![change],
        )
        .note("the database restarts, and the engine version must support the new class"),
    )
}
