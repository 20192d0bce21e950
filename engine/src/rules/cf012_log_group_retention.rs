//! ## What it does
//!
//! Finds CloudWatch log groups (`aws_cloudwatch_log_group`) that keep their logs forever:
//! `retention_in_days` not set, or 0.
//!
//! The fix adds `retention_in_days = 30` to the block (or replaces the 0).
//!
//! ## Why is this bad?
//!
//! Stored log data is billed every month ($0.03 per GB-month in us-east-1) and, without a
//! retention period, only grows: every month's logs are paid for again every month after. The
//! saving is computed when the usage file gives the group's `storage_gb` and
//! `monthly_data_ingested_gb`: with 30 days kept, storage settles at about one month of ingestion.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_cloudwatch_log_group" "app" {
//!   name = "/app/web"
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_cloudwatch_log_group" "app" {
//!   name              = "/app/web"
//!   retention_in_days = 30
//! }
//! ```
//!
//! ## Fix safety
//!
//! Always unsafe: CloudWatch deletes log events older than the retention period, for good. Audit,
//! security and compliance logs often must be kept for a year or more (pick a longer period, or
//! export them to S3 first). Choose the period deliberately; 30 days is a starting point, not a
//! policy.

use rust_decimal::Decimal;
use serde_json::Value;

use super::{Applicability, AttrPath, Change, Proposal, Resource, Rule, Saving};

pub const RULE: Rule = Rule {
    id: "CF012",
    name: "log-group-retention",
    summary: "CloudWatch log group that keeps logs forever",
    types: &["aws_cloudwatch_log_group"],
    applicability: Applicability::Unsafe,
    needs: &[],
    source: include_str!("cf012_log_group_retention.rs"),
    check,
};

/// Days kept by the fix.
pub const DAYS: i64 = 30;

fn check(r: &Resource<'_>) -> Option<Proposal> {
    let current = r.values.get("retention_in_days");
    let forever = match current {
        None | Some(Value::Null) => !r.is_unknown("retention_in_days"),
        Some(v) => v.as_f64() == Some(0.0),
    };
    if !forever {
        return None;
    }
    let mut p = Proposal::new(
        &RULE,
        "log events are kept forever: storage grows every month".into(),
        vec![Change::set(
            AttrPath::key("retention_in_days"),
            current.cloned().unwrap_or(Value::Null),
            DAYS,
        )],
    )
    .note(format!("deletes log events older than {DAYS} days"));
    let stored = r.usage.and_then(|u| u.num(&["storage_gb"]));
    let ingested = r.usage.and_then(|u| u.num(&["monthly_data_ingested_gb"]));
    let price = r.region.and_then(|reg| {
        r.catalog
            .get("cloudwatch_logs", reg, "archival_storage", "")
    });
    p.saving = match (stored, ingested, price) {
        (Some(s), Some(i), Some(price)) => {
            let kept = i * Decimal::from(DAYS) / Decimal::from(30);
            Saving::Computed(
                (s - kept).max(Decimal::ZERO) * price.usd,
                Some(format!(
                    "storage settles at {DAYS} days of ingestion ({} GB instead of {s} GB)",
                    kept.normalize()
                )),
            )
        }
        (_, _, None) if r.region.is_some() => Saving::Unknown(
            "the catalog has no CloudWatch Logs storage price for the region".into(),
        ),
        _ => Saving::Unknown(
            "depends on how much the group stores: give storage_gb and monthly_data_ingested_gb in the usage file".into(),
        ),
    };
    Some(p)
}
