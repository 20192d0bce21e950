//! ## What it does
//!
//! Finds `gp2` block devices of EC2 instances (`root_block_device`, `ebs_block_device`) and launch
//! templates (`block_device_mappings[].ebs`), including root volumes whose type is left to the
//! AMI (AMIs default to `gp2`).
//!
//! The fix sets `volume_type = "gp3"` in the block device (added to the block, or a
//! `root_block_device` block added, when the type is not set), with `throughput = 250` over 170 GiB
//! and `iops` at gp2's baseline over 1,000 GiB, as in CF003.
//!
//! ## Why is this bad?
//!
//! The same as CF003: `gp3` is 20% cheaper per GB-month and includes 3,000 IOPS and 125 MiB/s at
//! any size. A launch template's saving is per instance launched from it.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami           = "ami-0123456789abcdef0"
//!   instance_type = "m7i.large"
//!
//!   root_block_device {
//!     volume_type = "gp2"
//!     volume_size = 30
//!   }
//!
//!   ebs_block_device {
//!     device_name = "/dev/sdb"
//!     volume_type = "gp2"
//!     volume_size = 100
//!   }
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami           = "ami-0123456789abcdef0"
//!   instance_type = "m7i.large"
//!
//!   root_block_device {
//!     volume_type = "gp3"
//!     volume_size = 30
//!   }
//!
//!   ebs_block_device {
//!     device_name = "/dev/sdb"
//!     volume_type = "gp3"
//!     volume_size = 100
//!   }
//! }
//! ```
//!
//! ## Fix safety
//!
//! Safe: the provider modifies an instance's volumes in place, online; a launch template's change
//! reaches new instances only. Volumes can be modified once every six hours.

use serde_json::Value;

use super::cf003_ebs_gp2_volume::gp3_changes;
use super::{Applicability, Proposal, Resource, Rule, Saving, Seg};
use rust_decimal::Decimal;

pub const RULE: Rule = Rule {
    id: "CF004",
    name: "gp2-block-device",
    summary: "Instance or launch template block device on gp2 where gp3 is cheaper",
    types: &["aws_instance", "aws_launch_template"],
    applicability: Applicability::Safe,
    needs: &[],
    source: include_str!("cf004_gp2_block_device.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    if r.resource_type == "aws_launch_template" {
        launch_template(r)
    } else {
        instance(r)
    }
}

/// A launch template's `block_device_mappings[].ebs`; the saving is per instance launched.
fn launch_template(r: &Resource<'_>) -> Option<Proposal> {
    let mut changes = Vec::new();
    let mut what = Vec::new();
    let mut per_gb = Decimal::ZERO;
    for (i, m) in r.blocks("block_device_mappings").iter().enumerate() {
        let Some(ebs) = m
            .get("ebs")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        else {
            continue;
        };
        if ebs.get("volume_type").and_then(Value::as_str) != Some("gp2") {
            continue;
        }
        let size = ebs.get("volume_size").and_then(Value::as_f64);
        let prefix = [
            Seg::Key("block_device_mappings".into()),
            Seg::Index(i),
            Seg::Key("ebs".into()),
            Seg::Index(0),
        ];
        changes.extend(gp3_changes(&prefix, "volume_type", "gp2".into(), size, ebs));
        what.push(format!("block_device_mappings[{i}]"));
        per_gb += size
            .and_then(|s| Decimal::try_from(s).ok())
            .unwrap_or_default();
    }
    if changes.is_empty() {
        return None;
    }
    let region = r.region?;
    let price = |t: &str| r.catalog.get("ebs", region, t, "storage").map(|p| p.usd);
    let saving = (price("gp2")? - price("gp3")?) * per_gb;
    let mut p = Proposal::new(
        &RULE,
        format!("{} use gp2: gp3 is cheaper per GB", what.join(", ")),
        changes,
    );
    p.saving = Saving::Computed(
        saving,
        Some("per instance launched from the template; storage only".into()),
    );
    Some(p)
}

/// An instance's `root_block_device` (also when its type is left to the AMI) and
/// `ebs_block_device`s.
fn instance(r: &Resource<'_>) -> Option<Proposal> {
    let mut changes = Vec::new();
    let mut what = Vec::new();
    let roots = r.blocks("root_block_device");
    let root_type = roots
        .first()
        .and_then(|b| b.get("volume_type"))
        .and_then(Value::as_str);
    let root_configured = r
        .config
        .and_then(|c| c.get("root_block_device"))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .is_some_and(|b| b.get("volume_type").is_some());
    let empty = Value::Object(Default::default());
    let from_template = roots.is_empty() && !r.blocks("launch_template").is_empty();
    if from_template {
        // The template's block devices apply; its own finding covers them.
    } else if root_type == Some("gp2") || (root_type.is_none() && !root_configured) {
        let block = roots.first().unwrap_or(&empty);
        let size = block.get("volume_size").and_then(Value::as_f64);
        let from = block.get("volume_type").cloned().unwrap_or(Value::Null);
        let prefix = [Seg::Key("root_block_device".into()), Seg::Index(0)];
        changes.extend(gp3_changes(&prefix, "volume_type", from, size, block));
        what.push(if root_type.is_some() {
            "root_block_device is gp2".to_string()
        } else {
            "root_block_device's type is left to the AMI (gp2)".to_string()
        });
    }
    for (i, b) in r.blocks("ebs_block_device").iter().enumerate() {
        if b.get("volume_type").and_then(Value::as_str) != Some("gp2") {
            continue;
        }
        let size = b.get("volume_size").and_then(Value::as_f64);
        let prefix = [Seg::Key("ebs_block_device".into()), Seg::Index(i)];
        changes.extend(gp3_changes(&prefix, "volume_type", "gp2".into(), size, b));
        what.push(format!("ebs_block_device[{i}] is gp2"));
    }
    if changes.is_empty() {
        return None;
    }
    Some(Proposal::new(
        &RULE,
        format!(
            "{}: gp3 is cheaper per GB with at least the same performance",
            what.join(", ")
        ),
        changes,
    ))
}
