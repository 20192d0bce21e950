//! ## What it does
//!
//! Finds provisioned-IOPS volumes (`io1`, `io2`) whose IOPS fit in `gp3` (at most 16,000 and
//! 500 per GiB): `aws_ebs_volume` and the `ebs_block_device` blocks of `aws_instance`.
//! Multi-Attach volumes are left alone (they cannot be `gp3`).
//!
//! The fix sets `type`/`volume_type = "gp3"` and raises `iops` to gp3's minimum of 3,000 when it
//! was lower (so the volume is never slower).
//!
//! ## Why is this bad?
//!
//! `io1`/`io2` bill storage at $0.125 per GB-month and every provisioned IOPS at $0.065 a month
//! (us-east-1); `gp3` bills $0.08 per GB-month, includes 3,000 IOPS and charges $0.005 per IOPS
//! above that. A 1,000 GiB `io1` volume with 800 IOPS costs $177 a month; as `gp3` it costs $80.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_ebs_volume" "db" {
//!   availability_zone = "us-east-1a"
//!   type              = "io1"
//!   size              = 1000
//!   iops              = 800
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_ebs_volume" "db" {
//!   availability_zone = "us-east-1a"
//!   type              = "gp3"
//!   size              = 1000
//!   iops              = 3000
//! }
//! ```
//!
//! ## Fix safety
//!
//! Always unsafe: `io1`/`io2` exist for latency-sensitive databases; they give sub-millisecond
//! latency and (`io2`) 99.999% durability, where `gp3` gives single-digit milliseconds and
//! 99.8–99.9%. Multi-Attach volumes cannot be `gp3`. Someone who knows the workload must decide.

use serde_json::Value;

use super::{Applicability, AttrPath, Change, Proposal, Resource, Rule, Seg};

pub const RULE: Rule = Rule {
    id: "CF005",
    name: "ebs-io-to-gp3",
    summary: "Provisioned-IOPS volume (io1/io2) whose IOPS fit in cheaper gp3",
    types: &["aws_ebs_volume", "aws_instance"],
    applicability: Applicability::Unsafe,
    needs: &[],
    source: include_str!("cf005_ebs_io_to_gp3.rs"),
    check,
};

/// Changes for one volume (`block` holds its values) under `prefix`, if it qualifies.
fn volume(
    prefix: &[Seg],
    type_key: &str,
    size_key: &str,
    block: &Value,
) -> Option<(String, Vec<Change>)> {
    let vt = block.get(type_key).and_then(Value::as_str)?;
    if vt != "io1" && vt != "io2" {
        return None;
    }
    if block.get("multi_attach_enabled") == Some(&Value::Bool(true)) {
        return None;
    }
    let size = block.get(size_key).and_then(Value::as_f64)?;
    let iops = block.get("iops").and_then(Value::as_f64).unwrap_or(0.0);
    if iops > 16_000.0 || iops > size * 500.0 {
        return None;
    }
    let path = |k: &str| AttrPath::under(prefix, k);
    let mut changes = vec![Change::set(path(type_key), vt.into(), "gp3")];
    if iops < 3000.0 {
        changes.push(Change::set(
            path("iops"),
            block.get("iops").cloned().unwrap_or(Value::Null),
            3000,
        ));
    }
    Some((format!("{vt} with {iops} IOPS on {size} GiB"), changes))
}

fn check(r: &Resource<'_>) -> Option<Proposal> {
    let mut changes = Vec::new();
    let mut what = Vec::new();
    if r.resource_type == "aws_ebs_volume" {
        let (w, c) = volume(&[], "type", "size", r.values)?;
        what.push(format!("the volume is {w}"));
        changes = c;
    } else {
        for (i, b) in r.blocks("ebs_block_device").iter().enumerate() {
            let prefix = [Seg::Key("ebs_block_device".into()), Seg::Index(i)];
            if let Some((w, c)) = volume(&prefix, "volume_type", "volume_size", b) {
                what.push(format!("ebs_block_device[{i}] is {w}"));
                changes.extend(c);
            }
        }
    }
    if changes.is_empty() {
        return None;
    }
    Some(
        Proposal::new(
            &RULE,
            format!("{}: gp3 gives these IOPS for less", what.join(", ")),
            changes,
        )
        .note("gp3 has higher latency and lower durability than io1/io2"),
    )
}
