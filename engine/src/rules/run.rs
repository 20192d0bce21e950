//! Running the rules over a plan ([`run`]) and pricing what they propose: a [`RuleFinding`] per
//! rule and resource instance, its saving found by costing the resource again with the changes.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::environment::{environment_of, DefaultEnvironment};
use super::{
    all, apply_changes, Applicability, Change, Facts, Proposal, Resource, Rule, Saving, SavingBasis,
};
use crate::cost::ResourceCost;
use crate::pricing::usage::Usage;
use crate::pricing::Catalog;
use crate::terraform::address::Address;
use crate::terraform::plan::{Plan, ResourceChange};
use crate::terraform::region::Resolver;
use crate::terraform::values::Attrs;

/// A rule's finding on one resource instance, with its saving.
#[derive(Debug, Clone, Serialize)]
pub struct RuleFinding {
    pub rule: &'static str,
    pub name: &'static str,
    pub address: String,
    #[serde(skip)]
    pub parsed: Address,
    pub resource_type: String,
    pub message: String,
    pub changes: Vec<Change>,
    pub applicability: Applicability,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Monthly cost now and with the fix (None when the cost model cannot price it).
    #[serde(with = "crate::cost::opt_dec")]
    pub monthly_before: Option<Decimal>,
    #[serde(with = "crate::cost::opt_dec")]
    pub monthly_after: Option<Decimal>,
    /// Monthly saving; None when it depends on usage the usage file does not give.
    #[serde(with = "crate::cost::opt_dec")]
    pub saving: Option<Decimal>,
    /// Why the saving is unknown, or what it assumes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saving_note: Option<String>,
    /// How the saving was found.
    #[serde(skip)]
    pub saving_basis: SavingBasis,
}

/// Options of a rules run.
#[derive(Debug, Default, Clone)]
pub struct RunOptions {
    /// Only these rules (ids); all when empty.
    pub select: Vec<&'static str>,
    /// The environment of resources without an environment tag.
    pub environment: Option<String>,
    /// Where `environment` came from, for messages (`--environment`, `TF_WORKSPACE`).
    pub environment_source: Option<String>,
    /// The region of resources whose provider configuration sets none.
    pub region: Option<String>,
}

/// What every resource of a run shares.
struct Run<'r> {
    plan: &'r Plan<'r>,
    rules: Vec<&'static Rule>,
    catalog: &'r Catalog,
    usage: &'r Usage,
    regions: Resolver<'r, 'r>,
    facts: Facts,
    default_env: Option<DefaultEnvironment>,
    /// Resources the rules looked at that had no region.
    no_region: AtomicUsize,
}

/// Run the rules over a plan's planned resources (created, updated or unchanged; not deleted).
/// Findings are sorted by address then rule. Also returns how many resources the rules looked at
/// had no region (their savings cannot be priced: pass `--region`).
pub fn run(
    plan: &Plan<'_>,
    catalog: &Catalog,
    usage: &Usage,
    opts: &RunOptions,
) -> (Vec<RuleFinding>, usize) {
    let rules: Vec<&'static Rule> = all()
        .iter()
        .copied()
        .filter(|r| opts.select.is_empty() || opts.select.contains(&r.id))
        .collect();
    let run = Run {
        plan,
        catalog,
        usage,
        regions: Resolver::new(Some(plan), opts.region.as_deref(), crate::cost::provider_of),
        facts: Facts::gather(plan, rules.iter().flat_map(|r| r.needs.iter().copied())),
        default_env: opts
            .environment
            .as_deref()
            .map(|e| DefaultEnvironment::new(e, opts.environment_source.as_deref())),
        no_region: AtomicUsize::new(0),
        rules,
    };
    let wanted: HashSet<&str> = run
        .rules
        .iter()
        .flat_map(|r| r.types.iter().copied())
        .collect();
    let mut findings: Vec<RuleFinding> = plan
        .resource_changes
        .par_iter()
        .filter(|rc| {
            !rc.is_data()
                && rc.deposed.is_none()
                && rc.change.kind().has_after()
                && wanted.contains(rc.resource_type.as_ref())
        })
        .flat_map_iter(|rc| run.resource(rc))
        .collect();
    findings.sort_by(|a, b| (&a.parsed, a.rule).cmp(&(&b.parsed, b.rule)));
    (findings, run.no_region.into_inner())
}

/// Parse a raw JSON value, `null` when absent or not JSON.
fn parsed(raw: Option<&serde_json::value::RawValue>) -> Value {
    raw.and_then(|a| serde_json::from_str(a.get()).ok())
        .unwrap_or(Value::Null)
}

impl Run<'_> {
    /// The findings of every selected rule on one planned resource instance.
    fn resource(&self, rc: &ResourceChange<'_>) -> Vec<RuleFinding> {
        let address = rc.parsed_address();
        let values = parsed(rc.change.after);
        let unknown = parsed(rc.change.after_unknown);
        let config_raw = self
            .plan
            .config_resource(&address)
            .and_then(|c| c.expressions);
        let config: Option<Value> = config_raw.and_then(|c| serde_json::from_str(c.get()).ok());
        let (environment, env_source) = environment_of(&values, self.default_env.as_ref());
        let region = self
            .regions
            .resolve(&address, &Attrs::new(rc.change.after, None))
            .map(|r| r.0);
        let region = region.as_deref();
        if region.is_none() {
            self.no_region.fetch_add(1, Ordering::Relaxed);
        }
        let cost = |v: &Value, u: &Value| -> Option<ResourceCost> {
            region.map(|region| {
                crate::cost::cost_values(
                    &address,
                    &rc.resource_type,
                    v,
                    u,
                    config_raw,
                    region,
                    self.catalog,
                    self.usage,
                )
            })
        };
        let cost_with = |changes: &[Change]| -> Option<Decimal> {
            if changes.is_empty() {
                return cost(&values, &unknown).map(|c| c.monthly());
            }
            let (v, u) = apply_changes(&values, &unknown, changes);
            cost(&v, &u).map(|c| c.monthly())
        };
        let resource = Resource {
            address: &address,
            resource_type: &rc.resource_type,
            values: &values,
            unknown: &unknown,
            config: config.as_ref(),
            region,
            environment,
            environment_source: env_source.as_deref(),
            catalog: self.catalog,
            facts: &self.facts,
            usage: self.usage.get(&address),
            cost_with: &cost_with,
        };
        let recost = |changes: &[Change]| {
            let (fixed_v, fixed_u) = apply_changes(&values, &unknown, changes);
            saving_of(cost(&values, &unknown), cost(&fixed_v, &fixed_u))
        };
        self.rules
            .iter()
            .filter(|rule| rule.types.contains(&resource.resource_type))
            .filter_map(|rule| {
                let p = (rule.check)(&resource)?;
                finding(rule, &resource, rc.address.as_ref(), p, &recost)
            })
            .collect()
    }
}

/// A rule's proposal as a finding, priced; None when it saves nothing.
fn finding(
    rule: &Rule,
    resource: &Resource<'_>,
    address: &str,
    p: Proposal,
    recost: &dyn Fn(&[Change]) -> Costs,
) -> Option<RuleFinding> {
    let saving_basis = p.saving.basis();
    let costs = match &p.saving {
        Saving::Computed(d, note) => Costs {
            saving: Some(*d),
            note: note.clone(),
            ..Costs::default()
        },
        Saving::Unknown(why) => Costs {
            note: Some(why.clone()),
            ..Costs::default()
        },
        Saving::Recost => recost(&p.changes),
    };
    // A cost rule without a saving is not a finding.
    if costs.saving.is_some_and(|s| s <= Decimal::ZERO) {
        return None;
    }
    Some(RuleFinding {
        rule: rule.id,
        name: rule.name,
        address: address.to_string(),
        parsed: resource.address.clone(),
        resource_type: resource.resource_type.to_string(),
        message: p.message,
        changes: p.changes,
        applicability: p.applicability,
        note: p.note,
        monthly_before: costs.before,
        monthly_after: costs.after,
        saving: costs.saving,
        saving_note: costs.note,
        saving_basis,
    })
}

/// A finding's monthly costs before and after the fix, its saving, and what the saving assumes
/// (or why it is unknown).
#[derive(Debug, Default)]
struct Costs {
    before: Option<Decimal>,
    after: Option<Decimal>,
    saving: Option<Decimal>,
    note: Option<String>,
}

fn saving_of(now: Option<ResourceCost>, fixed: Option<ResourceCost>) -> Costs {
    let (Some(now), Some(fixed)) = (now, fixed) else {
        return Costs {
            note: Some("the region is unknown: pass --region".into()),
            ..Costs::default()
        };
    };
    let (b, a) = (now.monthly(), fixed.monthly());
    // A saving from items that depend on usage the usage file does not give is unknown.
    let usage_based = now.has_usage_based() || fixed.has_usage_based();
    if b == a && usage_based {
        return Costs {
            before: Some(b),
            after: Some(a),
            saving: None,
            note: Some(
                "depends on usage: give the resource's usage in --usage to compute it".into(),
            ),
        };
    }
    let note = usage_based.then(|| {
        "priced components only; components that depend on usage are not in the figure".into()
    });
    Costs {
        before: Some(b),
        after: Some(a),
        saving: Some(b - a),
        note,
    }
}
