//! ## What it does
//!
//! Finds NAT gateways beyond the first in a module outside production: a VPC with one NAT gateway
//! per availability zone in a development or test environment. (The environment is found as for
//! CF008.)
//!
//! ## Why is this bad?
//!
//! Each NAT gateway bills every hour ($0.045/hour, $32.85 a month in us-east-1) before any data is
//! processed. Outside production, one gateway shared by all zones is usually enough. The saving is
//! the gateway's hours; its data processing moves to the remaining gateway.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_eip" "nat" {
//!   count  = 3
//!   domain = "vpc"
//! }
//!
//! resource "aws_nat_gateway" "per_az" {
//!   count         = 3
//!   allocation_id = aws_eip.nat[count.index].id
//!   subnet_id     = "subnet-0123456789abcdef${count.index}"
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
//! resource "aws_eip" "nat" {
//!   count  = 1
//!   domain = "vpc"
//! }
//!
//! resource "aws_nat_gateway" "per_az" {
//!   count         = 1
//!   allocation_id = aws_eip.nat[count.index].id
//!   subnet_id     = "subnet-0123456789abcdef${count.index}"
//!
//!   tags = {
//!     Environment = "dev"
//!   }
//! }
//!
//! # ...and every private subnet's route table sends its traffic to aws_nat_gateway.per_az[0].
//! ```
//!
//! With the terraform-aws-modules VPC module, set `single_nat_gateway = true` (and
//! `one_nat_gateway_per_az = false`) on the module call instead.
//!
//! ## Fix safety
//!
//! Display-only: route every private subnet through one gateway and remove the others. With plain
//! resources, the route tables and the gateways' `count` change together, which is not a single
//! attribute edit. One gateway is a single point of failure: if its zone fails, the private
//! subnets of every zone lose outbound access, and traffic from other zones pays cross-zone data
//! transfer. Acceptable outside production; never in it.

use super::{Applicability, Environment, Need, Proposal, Resource, Rule, Saving, HOURS_PER_MONTH};

pub const RULE: Rule = Rule {
    id: "CF010",
    name: "nat-gateway-per-az",
    summary: "More than one NAT gateway in a module outside production",
    types: &["aws_nat_gateway"],
    applicability: Applicability::DisplayOnly,
    needs: &[Need::InstancesPerModule("aws_nat_gateway")],
    source: include_str!("cf010_nat_gateway_per_az.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    if r.environment != Environment::NonProduction {
        return None;
    }
    let module = r.address.module_path();
    let all = r.facts.in_module("aws_nat_gateway", &module);
    if all.len() < 2 || all.first() == Some(r.address) {
        return None;
    }
    let hourly = r
        .catalog
        .get("nat_gateway", r.region?, "gateway_hour", "")?
        .usd;
    let mut p = Proposal::new(
        &RULE,
        format!(
            "{} NAT gateways in {} in {}: one shared gateway is usually enough outside production",
            all.len(),
            if module.is_empty() { "the root module" } else { module.as_str() },
            r.environment_text()
        ),
        Vec::new(),
    )
    .note("route all private subnets through one gateway (terraform-aws-modules/vpc: single_nat_gateway = true)");
    p.saving = Saving::Computed(
        hourly * HOURS_PER_MONTH,
        Some("the gateway's hours; data processing moves to the remaining gateway".into()),
    );
    Some(p)
}
