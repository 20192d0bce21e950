//! ## What it does
//!
//! Finds DynamoDB tables in provisioned capacity mode whose usage (from the usage file's
//! `monthly_read_request_units` and `monthly_write_request_units`) would cost less on demand.
//! Without those usage figures the rule says nothing: capacity is a question of traffic.
//!
//! ## Why is this bad?
//!
//! Provisioned capacity is billed every hour whether it is used or not (`read_capacity` and
//! `write_capacity` units). A table with little or spiky traffic pays for idle capacity that
//! on-demand (`PAY_PER_REQUEST`) would not bill. The saving compares the provisioned units' hours
//! with the usage file's request units at on-demand prices.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_dynamodb_table" "orders" {
//!   name           = "orders"
//!   billing_mode   = "PROVISIONED"
//!   read_capacity  = 200
//!   write_capacity = 200
//!   hash_key       = "id"
//!
//!   attribute {
//!     name = "id"
//!     type = "S"
//!   }
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_dynamodb_table" "orders" {
//!   name         = "orders"
//!   billing_mode = "PAY_PER_REQUEST"
//!   hash_key     = "id"
//!
//!   attribute {
//!     name = "id"
//!     type = "S"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//!
//! Display-only: the change is `billing_mode = "PAY_PER_REQUEST"` with `read_capacity`,
//! `write_capacity` and any capacity autoscaling for the table removed, and costfix shows only
//! the `billing_mode` edit (Terraform refuses `read_capacity` and `write_capacity` on a
//! `PAY_PER_REQUEST` table, so the edit alone would not plan). On-demand costs more per request
//! than well-utilised provisioned capacity: a table with steady, high traffic is cheaper
//! provisioned (or with reserved capacity). The usage file is a forecast; check CloudWatch's
//! consumed capacity before switching. A table can switch mode once every 24 hours.

use super::{Applicability, AttrPath, Change, Proposal, Resource, Rule};

pub const RULE: Rule = Rule {
    id: "CF014",
    name: "dynamodb-provisioned",
    summary: "Provisioned DynamoDB table that would cost less on demand",
    types: &["aws_dynamodb_table"],
    applicability: Applicability::DisplayOnly,
    needs: &[],
    source: include_str!("cf014_dynamodb_provisioned.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    let mode = r.str("billing_mode").unwrap_or("PROVISIONED");
    if mode != "PROVISIONED" {
        return None;
    }
    let usage = r.usage?;
    usage.num(&["monthly_read_request_units"])?;
    usage.num(&["monthly_write_request_units"])?;
    Some(
        Proposal::new(
            &RULE,
            "provisioned capacity costs more than the expected requests would on demand".into(),
            vec![Change::set(
                AttrPath::key("billing_mode"),
                r.value("billing_mode"),
                "PAY_PER_REQUEST",
            )],
        )
        .note("remove read_capacity/write_capacity and their autoscaling with the change; the figure rests on the usage file's forecast"),
    )
}
