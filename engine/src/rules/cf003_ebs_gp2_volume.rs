//! ## What it does
//!
//! Finds EBS volumes (`aws_ebs_volume`) of type `gp2`, set explicitly or by default (the provider
//! creates `gp2` when `type` is not set; the plan then shows the type as unknown, and costfix
//! counts it as `gp2` when the plan's configuration shows `type` unset).
//!
//! The fix sets `type = "gp3"`. Where `gp2` would have given more than `gp3`'s baseline, the fix
//! provisions the same performance so nothing gets slower: over 170 GiB it sets
//! `throughput = 250` (gp2's maximum), and over 1,000 GiB it sets `iops` to gp2's baseline of 3
//! IOPS per GiB (at most 16,000). The saving counts those extras; from 171 to 250 GiB they make
//! `gp3` cost more than `gp2` (at us-east-1 prices), and there is no finding.
//!
//! ## Why is this bad?
//!
//! `gp3` storage is 20% cheaper per GB-month than `gp2` ($0.08 against $0.10 in us-east-1) and
//! includes 3,000 IOPS and 125 MiB/s whatever the size, where `gp2` ties performance to size.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_ebs_volume" "big" {
//!   availability_zone = "us-east-1a"
//!   type              = "gp2"
//!   size              = 2000
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_ebs_volume" "big" {
//!   availability_zone = "us-east-1a"
//!   type              = "gp3"
//!   size              = 2000
//!   throughput        = 250
//!   iops              = 6000
//! }
//! ```
//!
//! ## Fix safety
//!
//! Safe: AWS changes the volume type online, without detaching it or stopping the instance. Two
//! things to know: a volume can be modified once every six hours, and the modification takes a
//! while to optimise in the background (performance stays at least at the old level meanwhile).

use serde_json::Value;

use super::{Applicability, AttrPath, Change, Proposal, Resource, Rule, Seg};

pub const RULE: Rule = Rule {
    id: "CF003",
    name: "ebs-gp2-volume",
    summary: "EBS volume on gp2 where gp3 is cheaper at the same performance",
    types: &["aws_ebs_volume"],
    applicability: Applicability::Safe,
    needs: &[],
    source: include_str!("cf003_ebs_gp2_volume.rs"),
    check,
};

/// The changes that move a `gp2` volume of `size` GiB to `gp3` with at least its performance,
/// under `prefix` (a nested block path, or nothing), for attributes named `type_key`, ...
pub(crate) fn gp3_changes(
    prefix: &[Seg],
    type_key: &str,
    from: Value,
    size: Option<f64>,
    block: &Value,
) -> Vec<Change> {
    let path = |k: &str| AttrPath::under(prefix, k);
    let mut out = vec![Change::set(path(type_key), from, "gp3")];
    let size = size.unwrap_or(0.0);
    if size > 170.0 && block.get("throughput").and_then(Value::as_f64).is_none() {
        out.push(Change::set(
            path("throughput"),
            block.get("throughput").cloned().unwrap_or(Value::Null),
            250,
        ));
    }
    if size > 1000.0 {
        let iops = ((size * 3.0) as i64).min(16_000);
        out.push(Change::set(
            path("iops"),
            block.get("iops").cloned().unwrap_or(Value::Null),
            iops,
        ));
    }
    out
}

fn check(r: &Resource<'_>) -> Option<Proposal> {
    let vt = r.str("type");
    // Left unset, `type` is computed by the provider (unknown in the plan) and AWS creates gp2.
    // Without the plan's configuration, an unknown type may come from a reference: not a default.
    let defaulted = vt.is_none()
        && match r.configured("type") {
            Some(configured) => !configured,
            None => !r.is_unknown("type"),
        };
    if vt != Some("gp2") && !defaulted {
        return None;
    }
    let size = r.num("size");
    let from = r.value("type");
    let changes = gp3_changes(&[], "type", from, size, r.values);
    let how = if defaulted { "defaults to" } else { "is" };
    let message =
        format!("the volume {how} gp2: gp3 is cheaper per GB with at least the same performance");
    Some(Proposal::new(&RULE, message, changes))
}
