//! ## What it does
//!
//! Finds large EC2 instances (`2xlarge` and up) and RDS instances (`db.*.2xlarge` and up) outside
//! production (environment found as for CF008), and shows the next size down in the same family:
//! `instance_type` (or `instance_class`) one size down (`m6i.4xlarge` → `m6i.2xlarge`), if the
//! catalog prices it.
//!
//! ## Why is this bad?
//!
//! Each size step doubles the vCPUs, the memory and the hourly price. Development and test
//! environments rarely need production's size, and are often copied from it. The saving is the
//! price difference from the catalog.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_instance" "build" {
//!   ami           = "ami-0123456789abcdef0"
//!   instance_type = "m7i.4xlarge"
//!
//!   root_block_device {
//!     volume_type = "gp3"
//!   }
//!
//!   tags = {
//!     Environment = "dev"
//!   }
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_instance" "build" {
//!   ami           = "ami-0123456789abcdef0"
//!   instance_type = "m7i.2xlarge"
//!
//!   root_block_device {
//!     volume_type = "gp3"
//!   }
//!
//!   tags = {
//!     Environment = "dev"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//!
//! Display-only: only measurements can tell whether the smaller size is enough (CPU, memory,
//! network and EBS bandwidth all halve): a load test environment, or one that must match
//! production's size to be meaningful, must keep it. costfix cannot see utilisation, so it never
//! applies this fix.

use super::families::{self, SIZES};
use super::{Applicability, AttrPath, Change, Environment, Proposal, Resource, Rule};

pub const RULE: Rule = Rule {
    id: "CF015",
    name: "oversized-non-production",
    summary: "Large EC2 or RDS instance outside production",
    types: &["aws_instance", "aws_db_instance"],
    applicability: Applicability::DisplayOnly,
    needs: &[],
    source: include_str!("cf015_oversized_non_production.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    if r.environment != Environment::NonProduction {
        return None;
    }
    let key = if r.resource_type == "aws_instance" {
        "instance_type"
    } else {
        "instance_class"
    };
    let current = r.str(key)?;
    let (family, size) = families::split(current)?;
    let at = SIZES.iter().position(|s| *s == size)?;
    if at < SIZES.iter().position(|s| *s == "2xlarge")? {
        return None;
    }
    let prefix = if key == "instance_class" { "db." } else { "" };
    let now = (r.cost_with)(&[])?;
    // The next smaller size the catalog prices (4xlarge → 2xlarge skips the 3xlarge some families lack).
    let (target, change) = SIZES[..at].iter().rev().find_map(|s| {
        let t = format!("{prefix}{family}.{s}");
        let priced = match key {
            "instance_type" => families::ec2_price(r.catalog, r.region?, &t).is_some(),
            _ => true,
        };
        let change = Change::set(AttrPath::key(key), current.into(), t.as_str());
        let cost = (r.cost_with)(std::slice::from_ref(&change))?;
        (priced && cost < now && cost > rust_decimal::Decimal::ZERO).then_some((t, change))
    })?;
    Some(
        Proposal::new(
            &RULE,
            format!(
                "`{current}` in {}: `{target}` is half the size",
                r.environment_text()
            ),
            vec![change],
        )
        .note("check CPU and memory utilisation before downsizing"),
    )
}
