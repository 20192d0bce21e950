//! ## What it does
//!
//! Finds RDS instances with `multi_az = true` outside production. The environment comes from the
//! resource's `Environment`/`Env`/`Stage` tag, else from `--environment` (or `environment` in
//! `.costfix.hcl`), else from `TF_WORKSPACE`; resources in an unknown environment are left alone.
//!
//! The fix sets `multi_az = false`.
//!
//! ## Why is this bad?
//!
//! Multi-AZ runs a standby instance in a second availability zone and bills it: the instance hours
//! and the storage cost twice as much.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_db_instance" "staging" {
//!   identifier          = "staging"
//!   engine              = "mysql"
//!   instance_class      = "db.m7g.large"
//!   allocated_storage   = 100
//!   storage_type        = "gp3"
//!   username            = "admin"
//!   password            = "not-a-real-password"
//!   skip_final_snapshot = true
//!   multi_az            = true
//!
//!   tags = {
//!     Environment = "staging"
//!   }
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_db_instance" "staging" {
//!   identifier          = "staging"
//!   engine              = "mysql"
//!   instance_class      = "db.m7g.large"
//!   allocated_storage   = 100
//!   storage_type        = "gp3"
//!   username            = "admin"
//!   password            = "not-a-real-password"
//!   skip_final_snapshot = true
//!   multi_az            = false
//!
//!   tags = {
//!     Environment = "staging"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//!
//! Always unsafe: it removes the standby, so a zone outage or an instance failure takes the
//! database down until it is recovered, and maintenance causes downtime instead of a failover.
//! Fine for development and test databases; a staging database used for failover drills needs it.

use serde_json::Value;

use super::{Applicability, AttrPath, Change, Environment, Proposal, Resource, Rule};

pub const RULE: Rule = Rule {
    id: "CF008",
    name: "rds-multi-az-non-production",
    summary: "Multi-AZ RDS instance outside production",
    types: &["aws_db_instance"],
    applicability: Applicability::Unsafe,
    needs: &[],
    source: include_str!("cf008_rds_multi_az_non_production.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    if r.environment != Environment::NonProduction {
        return None;
    }
    if r.values.get("multi_az") != Some(&Value::Bool(true)) {
        return None;
    }
    Some(
        Proposal::new(
            &RULE,
            format!(
                "Multi-AZ doubles the instance and storage cost; this database is in {}",
                r.environment_text()
            ),
            vec![Change::set(AttrPath::key("multi_az"), true.into(), false)],
        )
        .note("removes the standby: no automatic failover"),
    )
}
