//! ## What it does
//!
//! Finds x86 EC2 instances, launch templates and EKS node groups whose family has a Graviton
//! (arm64) counterpart of the same size that the catalog prices lower.
//!
//! For an EKS managed node group, the fix moves `instance_types` to the Graviton type and
//! `ami_type` to its arm64 counterpart (`AL2_x86_64` → `AL2_ARM_64`, `AL2023_x86_64_STANDARD` →
//! `AL2023_ARM_64_STANDARD`, `BOTTLEROCKET_x86_64` → `BOTTLEROCKET_ARM_64`): EKS then picks the
//! arm64 AMI itself. For an instance or a launch template, the finding shows the target type.
//!
//! ## Why is this bad?
//!
//! Graviton instances cost about 20% less per hour than the x86 equivalent of the same size
//! (`m6i.large` $0.096, `m7g.large` $0.0816 in us-east-1) for the same or better performance on
//! most workloads.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_eks_node_group" "workers" {
//!   cluster_name    = "main"
//!   node_group_name = "workers"
//!   node_role_arn   = "arn:aws:iam::123456789012:role/eks-nodes"
//!   subnet_ids      = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
//!   instance_types  = ["m6i.large"]
//!   ami_type        = "AL2_x86_64"
//!
//!   scaling_config {
//!     desired_size = 3
//!     min_size     = 1
//!     max_size     = 5
//!   }
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_eks_node_group" "workers" {
//!   cluster_name    = "main"
//!   node_group_name = "workers"
//!   node_role_arn   = "arn:aws:iam::123456789012:role/eks-nodes"
//!   subnet_ids      = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
//!   instance_types  = ["m7g.large"]
//!   ami_type        = "AL2_ARM_64"
//!
//!   scaling_config {
//!     desired_size = 3
//!     min_size     = 1
//!     max_size     = 5
//!   }
//! }
//! ```
//!
//! ## Fix safety
//!
//! Never safe: every binary, container image and native dependency must have an arm64 build
//! (multi-architecture images, interpreted code). The node-group fix is therefore unsafe. For
//! instances and launch templates the fix is display-only: an AMI id is built for one
//! architecture, so changing the type without an arm64 AMI would fail to boot; the AMI is not
//! something costfix can choose.

use super::families::{self, EC2_GRAVITON};
use super::{Applicability, AttrPath, Change, Proposal, Resource, Rule, Saving, HOURS_PER_MONTH};
use serde_json::Value;

pub const RULE: Rule = Rule {
    id: "CF002",
    name: "ec2-graviton",
    summary: "x86 EC2 instance family with a cheaper Graviton (arm64) counterpart",
    types: &["aws_instance", "aws_launch_template", "aws_eks_node_group"],
    applicability: Applicability::Unsafe,
    needs: &[],
    source: include_str!("cf002_ec2_graviton.rs"),
    check,
};

fn graviton_of(
    r: &Resource<'_>,
    current: &str,
) -> Option<(String, rust_decimal::Decimal, rust_decimal::Decimal)> {
    let region = r.region?;
    let (family, size) = families::split(current)?;
    let target_family = EC2_GRAVITON.iter().find(|(f, _)| *f == family)?.1;
    let now = families::ec2_price(r.catalog, region, current)?;
    let (t, p) = families::cheapest("", [target_family], size, now, |t| {
        families::ec2_price(r.catalog, region, t)
    })?;
    Some((t, now, p))
}

fn check(r: &Resource<'_>) -> Option<Proposal> {
    if r.resource_type == "aws_eks_node_group" {
        let types: Vec<&str> = r
            .values
            .get("instance_types")
            .and_then(Value::as_array)?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let ami_type = r.str("ami_type").unwrap_or("AL2_x86_64");
        let arm_ami = match ami_type {
            "AL2_x86_64" => "AL2_ARM_64",
            "AL2023_x86_64_STANDARD" => "AL2023_ARM_64_STANDARD",
            "BOTTLEROCKET_x86_64" => "BOTTLEROCKET_ARM_64",
            _ => return None,
        };
        let mut targets = Vec::new();
        for t in &types {
            targets.push(graviton_of(r, t)?.0);
        }
        if targets.is_empty() {
            return None;
        }
        let message = format!(
            "`{}` has a Graviton counterpart: `{}` with `ami_type = \"{arm_ami}\"` costs less",
            types.join("`, `"),
            targets.join("`, `")
        );
        let changes = vec![
            Change::set(
                AttrPath::key("instance_types"),
                r.value("instance_types"),
                Value::from(targets),
            ),
            Change::set(AttrPath::key("ami_type"), r.value("ami_type"), arm_ami),
        ];
        return Some(
            Proposal::new(&RULE, message, changes)
                .note("every container image running on the nodes needs an arm64 build"),
        );
    }
    let current = r.str("instance_type")?;
    let (target, now, price) = graviton_of(r, current)?;
    let message = format!(
        "`{current}` has a Graviton counterpart: `{target}` costs ${price}/hour instead of ${now}/hour"
    );
    let change = Change::set(
        AttrPath::key("instance_type"),
        current.into(),
        target.as_str(),
    );
    let mut p = Proposal::new(&RULE, message, vec![change]).at_most(
        Applicability::DisplayOnly,
        "the AMI is built for x86_64: an arm64 AMI (and arm64 builds of the software) must come with the new type",
    );
    if r.resource_type == "aws_launch_template" {
        p.saving = Saving::Computed(
            (now - price) * HOURS_PER_MONTH,
            Some("per instance launched from the template".into()),
        );
    }
    Some(p)
}
