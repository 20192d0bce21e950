//! ## What it does
//!
//! Finds RDS instances on an x86 class (`db.t3`, `db.m5`, `db.m6i`, `db.r5`, `db.r6i`) whose
//! Graviton counterpart of the same size costs less, for engines that run on Graviton (MySQL,
//! PostgreSQL, MariaDB).
//!
//! The fix moves `instance_class` to the Graviton class (`db.m5`→`db.m6g`, `db.m6i`→`db.m7g`,
//! `db.r5`→`db.r6g`, `db.t3`→`db.t4g`). RDS runs the engine, so no image or binary of yours has
//! to change architecture.
//!
//! ## Why is this bad?
//!
//! Graviton classes are about 10% cheaper for the same vCPUs and memory (`db.m5.large` PostgreSQL
//! $0.178/hour, `db.m6g.large` $0.159 in us-east-1).
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_db_instance" "pg" {
//!   identifier          = "pg"
//!   engine              = "postgres"
//!   instance_class      = "db.m5.large"
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
//! resource "aws_db_instance" "pg" {
//!   identifier          = "pg"
//!   engine              = "postgres"
//!   instance_class      = "db.m6g.large"
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
//! Always unsafe: the database restarts when the class changes, and the engine version must
//! support Graviton (MySQL 8.0.17+, PostgreSQL 12.7+, for example); extensions or plugins with
//! native code must exist for arm64.

use super::cf006_rds_previous_generation::cheapest_class;
use super::families::{self, RDS_GRAVITON};
use super::{Applicability, Proposal, Resource, Rule};

pub const RULE: Rule = Rule {
    id: "CF007",
    name: "rds-graviton",
    summary: "x86 RDS instance class with a cheaper Graviton counterpart",
    types: &["aws_db_instance"],
    applicability: Applicability::Unsafe,
    needs: &[],
    source: include_str!("cf007_rds_graviton.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    let engine = r.str("engine")?;
    if !matches!(engine, "mysql" | "postgres" | "mariadb") {
        return None;
    }
    let current = r.str("instance_class")?;
    let (family, _) = families::split(current)?;
    let target = RDS_GRAVITON.iter().find(|(f, _)| *f == family)?.1;
    let (target, change) = cheapest_class(r, current, &[target], "db.", "instance_class")?;
    Some(
        Proposal::new(
            &RULE,
            format!("`{current}` has a Graviton counterpart: `{target}` is the same size and costs less"),
            vec![change],
        )
        .note("the database restarts, and the engine version must support Graviton"),
    )
}
