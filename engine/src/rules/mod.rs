//! Cost rules: each finds one kind of waste in a plan's resources and proposes a change to the
//! resource's attributes.
//!
//! A rule is one file (`cfNNN_name.rs`) holding a [`Rule`] value and a `//!` doc comment with
//! ruff's headings (`## What it does`, `## Why is this bad?`, `## Example` with the HCL before
//! and after the fix, `## Fix safety`; see [`catalogue`]); `docs/rules.md` is generated from those
//! comments (`costfix rules --format markdown`) and a test keeps it current. Each rule has a
//! fixture plan, `fixtures/rules/cfNNN.json`, and a snapshot test in `engine/tests/rules.rs`.
//!
//! Rules are pure: from a [`Resource`] (its planned values, configuration, region, environment,
//! the catalog and the plan-wide [`Facts`] the rule declares) to an optional [`Proposal`]. The
//! saving is not the rule's guess: the engine costs the resource again with the proposed values
//! through the same cost model as `estimate` ([`crate::cost::cost_values`]) and reports the
//! difference.
//!
//! The other files, one concept each: [`attr`] (attribute paths and changes), [`environment`],
//! [`facts`], [`resource`] (the view a rule gets), [`proposal`] (what it returns), [`run`] (the
//! runner and savings), [`catalogue`] (the generated docs) and [`families`] (instance families).

mod cf001_ec2_previous_generation;
mod cf002_ec2_graviton;
mod cf003_ebs_gp2_volume;
mod cf004_gp2_block_device;
mod cf005_ebs_io_to_gp3;
mod cf006_rds_previous_generation;
mod cf007_rds_graviton;
mod cf008_rds_multi_az_non_production;
mod cf009_elasticache_previous_generation;
mod cf010_nat_gateway_per_az;
mod cf011_idle_elastic_ip;
mod cf012_log_group_retention;
mod cf013_lambda_arm64;
mod cf014_dynamodb_provisioned;
mod cf015_oversized_non_production;

pub mod applicability;
pub mod attr;
pub mod catalogue;
pub mod environment;
pub mod facts;
pub(crate) mod families;
pub mod proposal;
pub mod resource;
pub mod run;

pub use attr::{apply_changes, AttrPath, Change, Seg};
pub use catalogue::{catalogue_markdown, Example, RuleDoc};
pub use environment::{environment_tag, Environment, ENVIRONMENT_TAGS};
pub use facts::{Facts, Need};
pub use proposal::{Proposal, Saving, SavingBasis};
pub use resource::Resource;
pub use run::{run, RuleFinding, RunOptions};

// What the rule files use from outside `rules/`, named once here.
pub(crate) use crate::pricing::HOURS_PER_MONTH;
pub use applicability::Applicability;

/// A cost rule.
pub struct Rule {
    /// `CF001`.
    pub id: &'static str,
    /// `ec2-previous-generation`.
    pub name: &'static str,
    /// One line, for listings.
    pub summary: &'static str,
    /// Resource types the rule looks at.
    pub types: &'static [&'static str],
    /// The applicability of the rule's fix when nothing lowers it.
    pub applicability: Applicability,
    /// The plan-wide facts the rule reads (`Resource.facts`); a run gathers only these.
    pub needs: &'static [Need],
    /// The rule's source file (`include_str!`); its `//!` lines are its documentation
    /// ([`Rule::doc`], [`Rule::doc_sections`]; why it is read this way: [`catalogue`]).
    pub source: &'static str,
    pub check: fn(&Resource<'_>) -> Option<Proposal>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.id, self.name)
    }
}

/// Every rule, by id.
pub fn all() -> &'static [&'static Rule] {
    &[
        &cf001_ec2_previous_generation::RULE,
        &cf002_ec2_graviton::RULE,
        &cf003_ebs_gp2_volume::RULE,
        &cf004_gp2_block_device::RULE,
        &cf005_ebs_io_to_gp3::RULE,
        &cf006_rds_previous_generation::RULE,
        &cf007_rds_graviton::RULE,
        &cf008_rds_multi_az_non_production::RULE,
        &cf009_elasticache_previous_generation::RULE,
        &cf010_nat_gateway_per_az::RULE,
        &cf011_idle_elastic_ip::RULE,
        &cf012_log_group_retention::RULE,
        &cf013_lambda_arm64::RULE,
        &cf014_dynamodb_provisioned::RULE,
        &cf015_oversized_non_production::RULE,
    ]
}

/// A rule by id (`CF001`) or name (`ec2-previous-generation`), case-insensitive.
pub fn find(key: &str) -> Option<&'static Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}
