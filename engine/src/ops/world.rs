//! The world as it is when operations are applied: the sources, the current state, prices,
//! policies and budgets. It re-costs an operation's instances with its changes, and evaluates the
//! plan with the operation's values written in (in memory, once per operation) for the policy and
//! budget checks.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::check::{self, CheckOptions, CheckReport, FailOn};
use crate::error::Result;
use crate::estimate::Pricing;
use crate::hcl::source::SourceIndex;
use crate::ops::model::Operation;
use crate::policy::{Level, Namespaces, PolicySet};
use crate::rules::{apply_changes, Change, SavingBasis};
use crate::slo::{self, Budget, BudgetResult, Status};
use crate::terraform::address::Address;
use crate::terraform::input::InputFile;
use crate::terraform::plan::{parse_document, Document, Plan};
use crate::terraform::region::Resolver;
use crate::terraform::state::State;
use crate::terraform::values::Attrs;

/// A policy denial: (id, resource address, message).
type Denial = (String, String, String);

/// The world an operation is checked against.
pub struct World<'a> {
    pub dir: &'a Path,
    pub index: &'a SourceIndex,
    /// Current attribute values per address (from `--state` or a fresh plan), if given.
    pub current: Option<&'a BTreeMap<String, Value>>,
    /// Strict cost check: the fix must lower the cost.
    pub strict: bool,
    plan: &'a Plan<'a>,
    plan_json: Value,
    pricing: &'a Pricing,
    policies: &'a PolicySet,
    budgets: &'a [Budget],
    namespaces: Namespaces,
    /// Policy denials the plan has without any fix: a fix is blocked only by denials it brings.
    base_denied: Vec<(String, String)>,
    base_budgets: Vec<BudgetResult>,
}

/// What the plan with an operation's values written in breaks.
#[derive(Debug, Default)]
pub struct Consequences {
    /// Policy denials on the operation's instances that the plan did not have.
    pub denies: Vec<String>,
    /// Budgets that fail with the fix (and did not, or by less, without it).
    pub breaks: Vec<String>,
}

/// What the world is made of (all borrowed from the caller).
pub struct WorldInputs<'a> {
    pub dir: &'a Path,
    pub index: &'a SourceIndex,
    pub current: Option<&'a BTreeMap<String, Value>>,
    pub strict: bool,
    /// The plan the operations are checked on (a plan document) and its file.
    pub doc: &'a Document<'a>,
    pub plan_file: &'a InputFile,
    pub pricing: &'a Pricing,
    pub policies: &'a PolicySet,
    pub budgets: &'a [Budget],
}

impl<'a> World<'a> {
    pub fn new(w: WorldInputs<'a>) -> Result<World<'a>> {
        // Every loaded package but the approval policy, which decides approval, not the plan.
        let namespaces = Namespaces::Only(
            w.policies
                .packages()
                .filter_map(|p| p.strip_prefix("data."))
                .filter(|p| *p != "costfix.approval")
                .map(str::to_owned)
                .collect(),
        );
        let plan_json: Value =
            serde_json::from_str(w.plan_file.json()).map_err(|e| w.plan_file.json_error(&e))?;
        let Document::Plan(plan) = w.doc else {
            return Err(crate::Error::WrongKind {
                path: w.plan_file.path.clone(),
                expected: "a Terraform plan",
                found: "a Terraform state",
                help: "operations are checked on a plan: give the plan they were made from, or a fresh one with --plan".into(),
            });
        };
        let base_est = w.pricing.estimate(w.doc, "plan", None);
        let base_budgets = slo::evaluate(w.budgets, &base_est, None);
        let base = check::check(
            plan,
            w.plan_file.json(),
            base_est,
            None,
            w.policies,
            &[],
            &options(&namespaces, None),
            &|| {},
        )?;
        let base_denied = denials(&base).into_iter().map(|(i, r, _)| (i, r)).collect();
        Ok(World {
            dir: w.dir,
            index: w.index,
            current: w.current,
            strict: w.strict,
            plan,
            plan_json,
            pricing: w.pricing,
            policies: w.policies,
            budgets: w.budgets,
            namespaces,
            base_denied,
            base_budgets,
        })
    }

    /// Monthly cost of the operation's instances now and with its changes (None: not priced, or
    /// the difference is in usage the usage file does not give).
    pub fn costs(&self, op: &Operation) -> Option<(Decimal, Decimal)> {
        if op.saving_basis == SavingBasis::Unknown {
            return None;
        }
        let mut before = Decimal::ZERO;
        let mut after = Decimal::ZERO;
        for inst in &op.instances {
            let now = instance_cost(self.plan, inst, self.pricing, &[])?;
            let fixed = instance_cost(self.plan, inst, self.pricing, &op.target.changes)?;
            if now.has_usage_based && now.monthly == fixed.monthly {
                return None;
            }
            before += now.monthly;
            after += fixed.monthly;
        }
        if op.saving_basis == SavingBasis::Computed {
            // Savings the attributes do not show: the rule computed them from the catalog.
            let s = op.monthly_saving?;
            return Some((before + s, before));
        }
        Some((before, after))
    }

    /// Policies and budgets on the plan with the operation's values written in.
    pub fn consequences(&self, op: &Operation) -> Result<Consequences> {
        let needs_policies = self.policies.has_rules(&self.namespaces);
        if !needs_policies && self.budgets.is_empty() {
            return Ok(Consequences::default());
        }
        let text = self.changed_plan(op).to_string();
        let file = InputFile::from_bytes(Path::new("<plan with the fix>"), text.into_bytes())?;
        let (doc, _) = parse_document(&file)?;
        let est = self.pricing.estimate(&doc, "plan", None);
        let breaks = if self.budgets.is_empty() {
            Vec::new()
        } else {
            let after = slo::evaluate(self.budgets, &est, None);
            after
                .iter()
                .zip(&self.base_budgets)
                .filter(|(n, b)| {
                    n.status == Status::Fail && (b.status != Status::Fail || n.value > b.value)
                })
                .map(|(n, _)| format!("budget \"{}\": {}", n.budget.name, n.message))
                .collect()
        };
        let Document::Plan(plan) = &doc else {
            unreachable!("a plan stays a plan")
        };
        let opts = options(&self.namespaces, op.environment.clone());
        let report = check::check(
            plan,
            file.json(),
            est,
            None,
            self.policies,
            self.budgets,
            &opts,
            &|| {},
        )?;
        let denies = denials(&report)
            .into_iter()
            .filter(|(id, r, _)| {
                op.instances.contains(r) && !self.base_denied.contains(&(id.clone(), r.clone()))
            })
            .map(|(id, _, msg)| format!("{id}: {msg}"))
            .collect();
        Ok(Consequences { denies, breaks })
    }

    /// The plan document with the operation's values written into its instances' `after`.
    fn changed_plan(&self, op: &Operation) -> Value {
        let mut v = self.plan_json.clone();
        if let Some(rcs) = v["resource_changes"].as_array_mut() {
            for rc in rcs {
                let addr = rc["address"].as_str().unwrap_or_default();
                if op.instances.iter().any(|i| i == addr) {
                    let (after, unknown) = apply_changes(
                        &rc["change"]["after"],
                        &rc["change"]["after_unknown"],
                        &op.target.changes,
                    );
                    rc["change"]["after"] = after;
                    rc["change"]["after_unknown"] = unknown;
                }
            }
        }
        v
    }
}

fn options(namespaces: &Namespaces, environment: Option<String>) -> CheckOptions {
    CheckOptions {
        namespaces: namespaces.clone(),
        environment,
        fail_on: FailOn::Deny,
        fail_on_unpriced: false,
        full_input: false,
        write_input: None,
    }
}

fn denials(r: &CheckReport) -> Vec<Denial> {
    r.findings
        .iter()
        .filter(|f| f.id.starts_with("policy:") && f.level == Level::Deny)
        .filter_map(|f| Some((f.id.clone(), f.resource.clone()?, f.message.clone())))
        .collect()
}

/// One instance's monthly cost with changes applied to its planned values.
pub struct InstanceCost {
    pub monthly: Decimal,
    /// Part of the cost depends on usage the usage file does not give.
    pub has_usage_based: bool,
    /// The planned values with the changes.
    pub values: Value,
}

/// The monthly cost of instance `inst` of a plan with `changes` applied to its planned values.
/// None: not in the plan, or no region.
pub fn instance_cost(
    plan: &Plan<'_>,
    inst: &str,
    pricing: &Pricing,
    changes: &[Change],
) -> Option<InstanceCost> {
    let rc = plan.resource_changes.iter().find(|r| r.address == inst)?;
    let addr: Address = inst.parse().ok()?;
    let values: Value = serde_json::from_str(rc.change.after?.get()).ok()?;
    let unknown: Value = rc
        .change
        .after_unknown
        .and_then(|u| serde_json::from_str(u.get()).ok())
        .unwrap_or(json!({}));
    let regions = Resolver::new(
        Some(plan),
        pricing.options.region.as_deref(),
        crate::cost::provider_of,
    );
    let region = regions
        .resolve(&addr, &Attrs::new(rc.change.after, None))?
        .0;
    let config = plan.config_resource(&addr).and_then(|c| c.expressions);
    let (values, unknown) = apply_changes(&values, &unknown, changes);
    let cost = crate::cost::cost_values(
        &addr,
        &rc.resource_type,
        &values,
        &unknown,
        config,
        &region,
        &pricing.catalog,
        &pricing.usage,
    );
    Some(InstanceCost {
        monthly: cost.monthly(),
        has_usage_based: cost.has_usage_based(),
        values,
    })
}

/// Attribute values per address of a state (deposed objects left out).
pub fn state_values(st: &State<'_>) -> BTreeMap<String, Value> {
    st.resources
        .iter()
        .filter(|r| r.deposed.is_none())
        .filter_map(|r| {
            Some((
                r.address.to_string(),
                serde_json::from_str(r.values.as_deref()?.get()).ok()?,
            ))
        })
        .collect()
}
