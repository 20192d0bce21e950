//! ## What it does
//!
//! Finds Elastic IPs (`aws_eip`) attached to nothing: no `instance`, no `network_interface` (set,
//! or unknown because the configuration sets it to another resource's id), and nothing in the
//! configuration's resources, module calls or outputs refers to them (no `aws_eip_association`,
//! no NAT gateway's `allocation_id`, no output). Needs the plan's `configuration` section (always
//! present in `terraform show -json` of a plan file).
//!
//! ## Why is this bad?
//!
//! AWS bills every public IPv4 address by the hour, $0.005/hour ($3.65 a month), attached or not;
//! an address attached to nothing buys nothing.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_eip" "idle" {
//!   domain = "vpc"
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_eip" "idle" {
//!   domain   = "vpc"
//!   instance = aws_instance.bastion.id
//! }
//! ```
//!
//! or remove the block.
//!
//! ## Fix safety
//!
//! Display-only: removing a resource is not an attribute edit, and costfix never deletes blocks.
//! Releasing an Elastic IP gives the address back to AWS for good: if anything outside this
//! configuration (DNS records, partner allow-lists, another stack's association) uses the address,
//! it breaks and the address cannot be recovered.

use super::{Applicability, Need, Proposal, Resource, Rule, Saving, HOURS_PER_MONTH};

pub const RULE: Rule = Rule {
    id: "CF011",
    name: "idle-elastic-ip",
    summary: "Elastic IP attached to nothing",
    types: &["aws_eip"],
    applicability: Applicability::DisplayOnly,
    needs: &[Need::References],
    source: include_str!("cf011_idle_elastic_ip.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    // Without configuration, references cannot be seen: say nothing rather than guess.
    r.config?;
    for key in ["instance", "network_interface", "associate_with_private_ip"] {
        // The provider computes `instance` and `network_interface` when they are not set, so
        // they are unknown in every plan; unknown counts as attached only when configured
        // (`instance = aws_instance.web.id`).
        let configured = r.configured(key) == Some(true);
        if r.values.get(key).is_some_and(|v| !v.is_null()) || (r.is_unknown(key) && configured) {
            return None;
        }
    }
    if r.str("customer_owned_ipv4_pool").is_some() || r.facts.is_referenced(r.address) {
        return None;
    }
    let hourly = r
        .catalog
        .get("eip", r.region?, "idle_address_hour", "")?
        .usd;
    let mut p = Proposal::new(
        &RULE,
        "the address is attached to nothing and nothing in the configuration refers to it".into(),
        Vec::new(),
    )
    .note("remove the resource if nothing outside this configuration uses the address");
    p.saving = Saving::Computed(hourly * HOURS_PER_MONTH, None);
    Some(p)
}
