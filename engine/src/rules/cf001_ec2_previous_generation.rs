//! ## What it does
//!
//! Finds EC2 instances and launch templates on a previous-generation instance family (`t2`, `m4`,
//! `c4`, `r4` and older; `m5`/`c5`/`r5` where a newer equivalent is cheaper) for which a current
//! family of the same size and the same architecture exists in the price catalog and costs less.
//!
//! The fix sets `instance_type` to the cheapest of the current x86 equivalents (Intel to Intel:
//! `t2`→`t3`, `m4`/`m5`→`m6i`/`m7i`, `c4`/`c5`→`c6i`/`c7i`, `r4`/`r5`→`r6i`/`r7i`) that the
//! catalog prices in the resource's region. Terraform changes the type in place (the instance is
//! stopped and started).
//!
//! ## Why is this bad?
//!
//! Newer families give the same vCPUs and memory for a lower hourly price (an `m4.large` is
//! $0.100/hour in us-east-1, an `m6i.large` $0.096), with more performance per vCPU on top. The
//! saving is the catalog difference, times 730 hours. A launch template's saving is per instance
//! launched from it.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_instance" "xen" {
//!   ami           = "ami-0123456789abcdef0"
//!   instance_type = "t2.large"
//!
//!   root_block_device {
//!     volume_type = "gp3"
//!   }
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_instance" "xen" {
//!   ami           = "ami-0123456789abcdef0"
//!   instance_type = "t3.large"
//!
//!   root_block_device {
//!     volume_type = "gp3"
//!   }
//! }
//! ```
//!
//! ## Fix safety
//!
//! Nitro to Nitro (`m5`→`m6i`, `c5`→`c6i`) is a safe fix. Moving from a Xen family (`t2`, `m4`,
//! `c4`, `r4`, ...) to a Nitro family is an unsafe fix: it changes the storage and network drivers,
//! so the AMI needs the NVMe and ENA drivers (current Amazon Linux, Ubuntu and Windows AMIs have
//! them; old custom AMIs may not). `t3` launches in unlimited CPU credit mode by default, which can
//! bill surplus credits that `t2` (standard mode) would not.

use super::families::{self, EC2_PREVIOUS, XEN};
use super::{Applicability, AttrPath, Change, Proposal, Resource, Rule, Saving, HOURS_PER_MONTH};

pub const RULE: Rule = Rule {
    id: "CF001",
    name: "ec2-previous-generation",
    summary: "Previous-generation EC2 instance family with a cheaper current equivalent",
    types: &["aws_instance", "aws_launch_template"],
    applicability: Applicability::Safe,
    needs: &[],
    source: include_str!("cf001_ec2_previous_generation.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    let current = r.str("instance_type")?;
    let region = r.region?;
    let (family, size) = families::split(current)?;
    let current_price = families::ec2_price(r.catalog, region, current)?;
    let (target, price) = families::cheapest(
        "",
        families::candidates(EC2_PREVIOUS, family).iter().copied(),
        size,
        current_price,
        |t| families::ec2_price(r.catalog, region, t),
    )?;
    let change = Change::set(
        AttrPath::key("instance_type"),
        current.into(),
        target.as_str(),
    );
    let message = format!(
        "`{current}` is a previous-generation type: `{target}` has the same size and architecture for ${price}/hour instead of ${current_price}/hour"
    );
    let mut p = Proposal::new(&RULE, message, vec![change]);
    if r.resource_type == "aws_launch_template" {
        p.saving = Saving::Computed(
            (current_price - price) * HOURS_PER_MONTH,
            Some("per instance launched from the template".into()),
        );
    }
    if XEN.contains(&family) {
        p = p.at_most(
            Applicability::Unsafe,
            format!("`{family}` runs on Xen and `{target}` on Nitro: the AMI needs the NVMe and ENA drivers"),
        );
    }
    if family == "t2" {
        let note = p.note.take().unwrap_or_default();
        p.note = Some(format!(
            "{note}; t3 launches in unlimited CPU credit mode by default (surplus credits are billed)"
        ));
    }
    Some(p)
}
