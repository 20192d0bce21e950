//! `costfix check`: the cost estimate, Rego policies and SLO budgets on one plan, with a verdict.
//!
//! Policies see the plan JSON itself, as conftest gives it, plus a `costfix` key:
//!
//! ```json
//! "costfix": {
//!   "currency": "USD", "environment": "production",
//!   "totals": {"before": 10.0, "after": 25.5, "delta": 15.5},
//!   "base_totals": {...},                       // with --base
//!   "resources": {"aws_instance.web": {"type": "aws_instance", "action": "create",
//!                 "monthly_before": null, "monthly_after": 25.5, "delta": 25.5,
//!                 "unpriced": false, "tags": {"team": "x"}}}
//! }
//! ```
//!
//! Results can be suppressed by a `# costfix:ignore ID reason` comment on the resource block in
//! the `.tf` sources (see [`crate::hcl::source`]), or accepted in a baseline file.

pub mod run;

pub use run::{run, CheckRequest, CheckRun, NamespaceChoice};

use std::path::Path;

use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::estimate::{Estimate, Subtotal};
use crate::hcl::source::SourceIndex;
use crate::policy::{Level, Namespaces, PolicyResult, PolicySet};
use crate::slo::{self, Budget, BudgetResult, Status};
use crate::terraform::plan::Plan;

pub const SCHEMA_VERSION: &str = "costfix.check/v1";

/// What fails a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// Deny results and blocking budgets (the default).
    Deny,
    /// Warnings too.
    Warn,
}

/// A finding of a check: a policy result or a budget that is not `ok`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable id: `policy:PACKAGE.RULE` or `budget:NAME`.
    pub id: String,
    pub level: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Where the rule lives: policy files, or `file:line` of the budget.
    pub source: Vec<String>,
    /// Where the resource is declared, when the sources were given (`--dir`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Suppressed by a `costfix:ignore` comment, with its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// Accepted in the baseline file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baselined: bool,
}

impl Finding {
    /// Counts towards the verdict.
    pub fn active(&self) -> bool {
        self.suppressed.is_none() && !self.baselined
    }
}

/// A place in a `.tf` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub failures: usize,
    pub warnings: usize,
    pub suppressed: usize,
    pub fail_on: FailOn,
}

/// The whole report of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub schema_version: &'static str,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub policies: Vec<PolicyResult>,
    pub budgets: Vec<BudgetResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_totals: Option<Subtotal>,
    pub estimate: Estimate,
}

/// Options of a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub namespaces: Namespaces,
    pub environment: Option<String>,
    pub fail_on: FailOn,
    /// Give policies the whole plan document, not only the sections they name.
    pub full_input: bool,
}

/// The plan sections and change fields a policy set can read, found by name in the policies'
/// text. `--full-input` skips this and gives policies the whole document.
#[derive(Debug, Clone)]
pub struct InputNeeds {
    names: Vec<&'static str>,
    /// When every policy is a shipped one: the fields they declare they read
    /// ([`crate::policy::Reads`]); `None` gives every field.
    restrict: Option<Restrict>,
}

/// The union of the declared reads of a set of shipped policies.
#[derive(Debug, Clone, Default)]
struct Restrict {
    resource: Vec<&'static str>,
    after: Vec<&'static str>,
    costfix_resource: Vec<&'static str>,
}

const OPTIONAL_SECTIONS: &[&str] = &[
    "planned_values",
    "prior_state",
    "configuration",
    "variables",
    "resource_drift",
    "relevant_attributes",
];
const OPTIONAL_CHANGE_FIELDS: &[&str] = &[
    "before",
    "after_unknown",
    "before_sensitive",
    "after_sensitive",
    "replace_paths",
    "importing",
];

impl InputNeeds {
    /// What the policies of a set name.
    pub fn of(policies: &PolicySet) -> InputNeeds {
        let names = OPTIONAL_SECTIONS
            .iter()
            .chain(OPTIONAL_CHANGE_FIELDS)
            .copied()
            .filter(|n| policies.files.iter().any(|f| names_word(&f.text, n)))
            .collect();
        let mut restrict = Some(Restrict::default());
        for f in &policies.files {
            match (crate::policy::declared_reads(f), restrict.as_mut()) {
                (Some(reads), Some(r)) => {
                    r.resource.extend(reads.resource);
                    r.after.extend(reads.after);
                    r.costfix_resource.extend(reads.costfix_resource);
                }
                _ => restrict = None,
            }
        }
        InputNeeds { names, restrict }
    }

    /// Every field, whatever the policies are (for tests of the declared reads).
    pub fn everything(policies: &PolicySet) -> InputNeeds {
        InputNeeds {
            restrict: None,
            ..InputNeeds::of(policies)
        }
    }

    fn wants(&self, name: &str) -> bool {
        self.names.contains(&name)
    }

    /// Whether a field of `resource_changes` entries is given.
    fn wants_resource(&self, field: &str) -> bool {
        self.restrict
            .as_ref()
            .is_none_or(|r| r.resource.contains(&field))
    }

    /// The attributes of `after` given (`None`: all).
    fn after(&self) -> Option<&[&'static str]> {
        self.restrict.as_ref().map(|r| r.after.as_slice())
    }

    /// Whether a field of `costfix.resources` entries is given.
    fn wants_costfix(&self, field: &str) -> bool {
        self.restrict
            .as_ref()
            .is_none_or(|r| r.costfix_resource.contains(&field))
    }
}

/// Whether `text` has `word` as a whole identifier (`launch_configuration` does not name
/// `configuration`).
fn names_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The policy input as a regorus value, built from the parsed plan in parallel: the plan's
/// identifying fields, `resource_changes` with the change fields the policies name (`actions` and
/// `after` always), the sections they name, and the `costfix` object.
pub fn policy_input_value(
    plan: &Plan<'_>,
    costfix: regorus::Value,
    needs: &InputNeeds,
) -> Result<regorus::Value> {
    use rayon::prelude::*;
    use regorus::Value as R;
    use std::collections::BTreeMap as Map2;

    let raw = |v: Option<&serde_json::value::RawValue>| -> Result<R> {
        match v {
            None => Ok(R::Null),
            Some(r) => fast_value(r.get()),
        }
    };
    let s = intern;
    let changes: Vec<R> = plan
        .resource_changes
        .par_iter()
        .map(|rc| -> Result<R> {
            let mut change: Map2<R, R> = Map2::new();
            change.insert(
                s("actions"),
                R::from(
                    rc.change
                        .actions
                        .iter()
                        .map(|a| s(action_name(*a)))
                        .collect::<Vec<_>>(),
                ),
            );
            let after = match (needs.after(), rc.change.after) {
                (Some(keep), Some(r)) => value_of(r.get(), Some(keep))?,
                (_, r) => raw(r)?,
            };
            change.insert(s("after"), after);
            for (name, v) in [
                ("before", rc.change.before),
                ("after_unknown", rc.change.after_unknown),
                ("before_sensitive", rc.change.before_sensitive),
                ("after_sensitive", rc.change.after_sensitive),
                ("replace_paths", rc.change.replace_paths),
                ("importing", rc.change.importing),
            ] {
                if needs.wants(name) && v.is_some() {
                    change.insert(s(name), raw(v)?);
                }
            }
            let mut m: Map2<R, R> = Map2::new();
            let want = |f: &str| needs.wants_resource(f);
            if want("address") {
                m.insert(s("address"), R::from(&*rc.address));
            }
            if let Some(x) = rc
                .module_address
                .as_ref()
                .filter(|_| want("module_address"))
            {
                m.insert(s("module_address"), s(x));
            }
            if want("mode") {
                m.insert(s("mode"), s(rc.mode.as_deref().unwrap_or("managed")));
            }
            if want("type") {
                m.insert(s("type"), s(&rc.resource_type));
            }
            if want("name") {
                m.insert(s("name"), s(&rc.name));
            }
            if let Some(i) = rc.index.filter(|_| want("index")) {
                m.insert(s("index"), raw(Some(i))?);
            }
            if let Some(p) = rc.provider_name.as_ref().filter(|_| want("provider_name")) {
                m.insert(s("provider_name"), s(p));
            }
            if let Some(d) = rc.deposed.as_ref().filter(|_| want("deposed")) {
                m.insert(s("deposed"), s(d));
            }
            if let Some(r) = rc.action_reason.as_ref().filter(|_| want("action_reason")) {
                m.insert(s("action_reason"), s(r));
            }
            m.insert(s("change"), R::from(change));
            Ok(R::from(m))
        })
        .collect::<Result<_>>()?;
    let mut top: Map2<R, R> = Map2::new();
    top.insert(s("resource_changes"), R::from(changes));
    if let Some(v) = &plan.format_version {
        top.insert(s("format_version"), s(v));
    }
    if let Some(v) = &plan.terraform_version {
        top.insert(s("terraform_version"), s(v));
    }
    let (planned, prior) = rayon::join(
        || {
            needs
                .wants("planned_values")
                .then(|| raw(plan.planned_values))
                .transpose()
        },
        || {
            needs
                .wants("prior_state")
                .then(|| raw(plan.prior_state))
                .transpose()
        },
    );
    if let Some(v) = planned? {
        top.insert(s("planned_values"), v);
    }
    if let Some(v) = prior? {
        top.insert(s("prior_state"), v);
    }
    if needs.wants("resource_drift") && !plan.resource_drift.is_empty() {
        // Rarely read; build it the simple way.
        let drift: Vec<Value> = plan
            .resource_drift
            .iter()
            .map(|rc| json!({"address": rc.address, "type": rc.resource_type, "name": rc.name,
                "change": {"actions": rc.change.actions.iter().map(|a| action_name(*a)).collect::<Vec<_>>(),
                           "before": rc.change.before.map(|r| serde_json::from_str::<Value>(r.get()).unwrap_or(Value::Null)),
                           "after": rc.change.after.map(|r| serde_json::from_str::<Value>(r.get()).unwrap_or(Value::Null))}}))
            .collect();
        top.insert(s("resource_drift"), R::from(Value::Array(drift)));
    }
    if needs.wants("variables") {
        let vars: Map<String, Value> = plan
            .variables
            .iter()
            .map(|(k, v)| {
                let value = v
                    .value
                    .map(|r| serde_json::from_str::<Value>(r.get()).unwrap_or(Value::Null));
                (k.to_string(), json!({ "value": value }))
            })
            .collect();
        top.insert(s("variables"), R::from(Value::Object(vars)));
    }
    if needs.wants("configuration") || needs.wants("relevant_attributes") {
        return Err(Error::InvalidNoSource {
            path: "<policy input>".into(),
            message: "unreachable: configuration and relevant_attributes need the full input"
                .into(),
        });
    }
    top.insert(s("costfix"), costfix);
    Ok(R::from(top))
}

thread_local! {
    /// Strings seen on this thread: a plan repeats the same few hundred attribute names, and
    /// many values (types, zones, AMI ids, tag values), across its resources, so each is
    /// allocated once and shared.
    static STRINGS: std::cell::RefCell<rustc_hash::FxHashSet<regorus::Rc<str>>> =
        Default::default();
}

/// Strings longer than this are not looked up in the table (addresses, policy documents and
/// other long values rarely repeat, and hashing them costs more than it saves).
const INTERN_MAX: usize = 64;

/// A string value, shared with earlier equal strings on this thread.
fn intern(k: &str) -> regorus::Value {
    if k.len() > INTERN_MAX {
        return regorus::Value::from(k);
    }
    STRINGS.with(|t| {
        let mut t = t.borrow_mut();
        if let Some(rc) = t.get(k) {
            return regorus::Value::String(rc.clone());
        }
        let rc: regorus::Rc<str> = regorus::Rc::from(k);
        t.insert(rc.clone());
        regorus::Value::String(rc)
    })
}

/// JSON text to a regorus value in one pass, with shared strings.
fn fast_value(text: &str) -> Result<regorus::Value> {
    value_of(text, None)
}

/// JSON text to a regorus value in one pass. With `keep`, an object at the top keeps only those
/// keys: the other values are skipped by the parser, never built.
fn value_of(text: &str, keep: Option<&[&str]>) -> Result<regorus::Value> {
    use regorus::Value as R;
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    #[derive(Clone, Copy)]
    struct Seed<'k>(Option<&'k [&'k str]>);
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = R;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<R, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = R;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, b: bool) -> std::result::Result<R, E> {
            Ok(R::from(b))
        }
        fn visit_i64<E>(self, n: i64) -> std::result::Result<R, E> {
            Ok(R::from(n))
        }
        fn visit_u64<E>(self, n: u64) -> std::result::Result<R, E> {
            Ok(R::from(n))
        }
        fn visit_f64<E>(self, n: f64) -> std::result::Result<R, E> {
            Ok(R::from(n))
        }
        fn visit_str<E>(self, s: &str) -> std::result::Result<R, E> {
            Ok(intern(s))
        }
        fn visit_unit<E>(self) -> std::result::Result<R, E> {
            Ok(R::Null)
        }
        fn visit_none<E>(self) -> std::result::Result<R, E> {
            Ok(R::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> std::result::Result<R, A::Error> {
            let mut v = Vec::new();
            while let Some(x) = a.next_element_seed(Seed(None))? {
                v.push(x);
            }
            v.shrink_to_fit();
            Ok(R::from(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> std::result::Result<R, A::Error> {
            let mut m = std::collections::BTreeMap::new();
            while let Some(k) = a.next_key::<std::borrow::Cow<'de, str>>()? {
                if self.0.is_some_and(|keep| !keep.contains(&&*k)) {
                    a.next_value::<IgnoredAny>()?;
                    continue;
                }
                let v = a.next_value_seed(Seed(None))?;
                m.insert(intern(&k), v);
            }
            Ok(R::from(m))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    Seed(keep)
        .deserialize(&mut de)
        .map_err(|e| Error::InvalidNoSource {
            path: "<policy input>".into(),
            message: e.to_string(),
        })
}

/// The `costfix` object policies see (its shape is in the module docs and docs/policies.md),
/// built directly as a regorus value, its per-resource entries in parallel.
fn costfix_direct(
    est: &Estimate,
    base: Option<&Estimate>,
    environment: Option<&str>,
    needs: &InputNeeds,
) -> regorus::Value {
    use rayon::prelude::*;
    use regorus::Value as R;
    use std::collections::BTreeMap as M;
    let num = |d: rust_decimal::Decimal| d.to_f64().map_or(R::Null, R::from);
    let totals = |t: &Subtotal| {
        R::from(M::from([
            (intern("before"), num(t.before)),
            (intern("after"), num(t.after)),
            (intern("delta"), num(t.delta)),
        ]))
    };
    let entries: Vec<(R, R)> = est
        .resources
        .par_iter()
        .map(|r| {
            let want = |f: &str| needs.wants_costfix(f);
            let mut m = M::new();
            if want("type") {
                m.insert(intern("type"), R::from(r.resource_type.as_str()));
            }
            if want("module") {
                m.insert(intern("module"), R::from(r.module.as_str()));
            }
            if want("action") {
                m.insert(intern("action"), R::from(r.action.as_str()));
            }
            if want("monthly_before") {
                let v = r.before.as_ref().map_or(R::Null, |s| num(s.monthly));
                m.insert(intern("monthly_before"), v);
            }
            if want("monthly_after") {
                let v = r.after.as_ref().map_or(R::Null, |s| num(s.monthly));
                m.insert(intern("monthly_after"), v);
            }
            if want("delta") {
                m.insert(intern("delta"), num(r.delta));
            }
            if want("unpriced") {
                let unpriced = r.after.as_ref().or(r.before.as_ref()).is_some_and(|s| {
                    s.items
                        .iter()
                        .any(|i| i.status == crate::cost::ItemStatus::Unpriced)
                });
                m.insert(intern("unpriced"), R::from(unpriced));
            }
            if want("tags") {
                let tags: M<R, R> = r
                    .tags
                    .iter()
                    .map(|(k, v)| (intern(k), R::from(v.as_str())))
                    .collect();
                m.insert(intern("tags"), R::from(tags));
            }
            (R::from(r.address.as_str()), R::from(m))
        })
        .collect();
    let mut m = M::from([
        (intern("currency"), R::from("USD")),
        (intern("totals"), totals(&est.totals)),
        (
            intern("resources"),
            R::from(entries.into_iter().collect::<M<_, _>>()),
        ),
    ]);
    if let Some(env) = environment {
        m.insert(intern("environment"), R::from(env));
    }
    if let Some(b) = base {
        m.insert(intern("base_totals"), totals(&b.totals));
    }
    R::from(m)
}

fn action_name(a: crate::terraform::plan::Action) -> &'static str {
    use crate::terraform::plan::Action::*;
    match a {
        NoOp => "no-op",
        Create => "create",
        Read => "read",
        Update => "update",
        Delete => "delete",
        Forget => "forget",
        Other => "other",
    }
}

/// The input policies get: the plan (the parts `needs` names, or the whole document with
/// `full_input`) and the `costfix` object.
pub fn policy_input(
    plan: &Plan<'_>,
    plan_json: &str,
    est: &Estimate,
    base: Option<&Estimate>,
    environment: Option<&str>,
    needs: &InputNeeds,
    full_input: bool,
) -> Result<regorus::Value> {
    // The sections this builder does not rebuild come from the document itself.
    let full = full_input || needs.wants("configuration") || needs.wants("relevant_attributes");
    let every = InputNeeds {
        names: Vec::new(),
        restrict: None,
    };
    let costfix = costfix_direct(est, base, environment, if full { &every } else { needs });
    if full {
        // The whole document, as conftest gives it, with the `costfix` key added.
        let mut doc =
            regorus::Value::from_json_str(plan_json).map_err(|e| Error::InvalidNoSource {
                path: "<policy input>".into(),
                message: e.to_string(),
            })?;
        if let Ok(obj) = doc.as_object_mut() {
            obj.insert(intern("costfix"), costfix);
        }
        Ok(doc)
    } else {
        policy_input_value(plan, costfix, needs)
    }
}

/// Run a check. `input_built` is called once the policy input is built (the plan's text is not
/// read after that: the caller can release it, see [`crate::InputFile::release_pages`]).
#[allow(clippy::too_many_arguments)]
pub fn check(
    plan: &Plan<'_>,
    plan_json: &str,
    est: Estimate,
    base: Option<&Estimate>,
    policies: &PolicySet,
    budgets: &[Budget],
    opts: &CheckOptions,
    input_built: &dyn Fn(),
) -> Result<CheckReport> {
    let policy_results = if policies.has_rules(&opts.namespaces) {
        let needs = InputNeeds::of(policies);
        let input = policy_input(
            plan,
            plan_json,
            &est,
            base,
            opts.environment.as_deref(),
            &needs,
            opts.full_input,
        )?;
        input_built();
        policies.evaluate_value(input, &opts.namespaces)?
    } else {
        Vec::new()
    };
    let budget_results = slo::evaluate(budgets, &est, base);

    let mut findings: Vec<Finding> = policy_results
        .iter()
        .map(|p| Finding {
            id: format!(
                "policy:{}.{}",
                p.package.trim_start_matches("data."),
                p.rule
            ),
            level: p.level,
            message: p.msg.clone(),
            resource: p.resource.clone(),
            source: p.files.clone(),
            location: None,
            suppressed: None,
            baselined: false,
        })
        .collect();
    for b in &budget_results {
        let level = match b.status {
            Status::Ok => continue,
            Status::Warn => Level::Warn,
            Status::Fail => Level::Deny,
        };
        findings.push(Finding {
            id: format!("budget:{}", b.budget.name),
            level,
            message: format!("budget \"{}\": {}", b.budget.name, b.message),
            resource: None,
            source: vec![b.budget.source.clone()],
            location: None,
            suppressed: None,
            baselined: false,
        });
    }
    let mut report = CheckReport {
        schema_version: SCHEMA_VERSION,
        verdict: Verdict {
            passed: true,
            failures: 0,
            warnings: 0,
            suppressed: 0,
            fail_on: opts.fail_on,
        },
        findings,
        policies: policy_results,
        budgets: budget_results,
        base_totals: base.map(|b| b.totals.clone()),
        estimate: est,
    };
    report.tally();
    Ok(report)
}

impl CheckReport {
    /// Write the JSON document (the same as `serde_json::to_writer`), with the estimate written
    /// by [`Estimate::write_json`].
    pub fn write_json<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        write!(w, "{{\"schema_version\":")?;
        serde_json::to_writer(&mut w, &self.schema_version)?;
        write!(w, ",\"verdict\":")?;
        serde_json::to_writer(&mut w, &self.verdict)?;
        write!(w, ",\"findings\":")?;
        serde_json::to_writer(&mut w, &self.findings)?;
        write!(w, ",\"policies\":")?;
        serde_json::to_writer(&mut w, &self.policies)?;
        write!(w, ",\"budgets\":")?;
        serde_json::to_writer(&mut w, &self.budgets)?;
        if let Some(b) = &self.base_totals {
            write!(w, ",\"base_totals\":")?;
            serde_json::to_writer(&mut w, b)?;
        }
        write!(w, ",\"estimate\":")?;
        self.estimate.write_json(&mut w)?;
        write!(w, "}}")
    }

    /// Recount the verdict (after suppressions or a baseline were applied).
    pub fn tally(&mut self) {
        let active = || self.findings.iter().filter(|f| f.active());
        let failures = active().filter(|f| f.level == Level::Deny).count();
        let warnings = active().filter(|f| f.level == Level::Warn).count();
        let suppressed = self.findings.iter().filter(|f| !f.active()).count();
        let passed = match self.verdict.fail_on {
            FailOn::Deny => failures == 0,
            FailOn::Warn => failures == 0 && warnings == 0,
        };
        self.verdict = Verdict {
            passed,
            failures,
            warnings,
            suppressed,
            fail_on: self.verdict.fail_on,
        };
    }

    /// Apply what the `.tf` sources say: locations and `costfix:ignore` comments.
    pub fn apply_sources(&mut self, index: &SourceIndex) {
        for f in &mut self.findings {
            let Some(addr) = f
                .resource
                .as_deref()
                .and_then(|a| a.parse::<crate::Address>().ok())
            else {
                continue;
            };
            let Some(block) = index.locate(&addr) else {
                continue;
            };
            f.location = Some(Location {
                file: block.file.display().to_string(),
                line: block.line,
            });
            if let Some((_, reason)) = block.ignores.iter().find(|(id, _)| id_matches(id, &f.id)) {
                f.suppressed = Some(reason.clone());
            }
        }
        self.tally();
    }

    /// Mark findings present in a baseline as accepted.
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        for f in &mut self.findings {
            f.baselined = baseline.findings.iter().any(|b| b.matches(f));
        }
        self.tally();
    }

    /// The baseline that accepts every current finding.
    pub fn to_baseline(&self) -> Baseline {
        let mut findings: Vec<BaselineEntry> = self
            .findings
            .iter()
            .map(|f| BaselineEntry {
                id: f.id.clone(),
                resource: f.resource.clone(),
                message: f.message.clone(),
            })
            .collect();
        findings.sort_by(|a, b| {
            (&a.id, &a.resource, &a.message).cmp(&(&b.id, &b.resource, &b.message))
        });
        findings.dedup();
        Baseline {
            version: 1,
            findings,
        }
    }
}

/// `ID` of an ignore comment against a finding id: the full id (`policy:costfix.policies.gp2_volumes.warn`),
/// the id without its kind, the package (`costfix.policies.gp2_volumes`), its last segment
/// (`gp2_volumes`), or a budget name.
fn id_matches(ignore: &str, finding: &str) -> bool {
    if ignore == finding || ignore == "all" {
        return true;
    }
    let bare = finding.split_once(':').map_or(finding, |(_, b)| b);
    if ignore == bare {
        return true;
    }
    if finding.starts_with("policy:") {
        let package = bare.rsplit_once('.').map_or(bare, |(p, _)| p);
        return ignore == package || package.rsplit('.').next() == Some(ignore);
    }
    false
}

/// Accepted findings: only new ones fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub message: String,
}

impl BaselineEntry {
    fn matches(&self, f: &Finding) -> bool {
        self.id == f.id && self.resource == f.resource && self.message == f.message
    }
}

impl Baseline {
    /// Write the baseline file atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a baseline serialises");
        crate::fsutil::write_atomic(path, format!("{text}\n").as_bytes())
    }

    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| {
            let offset = text
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum::<usize>()
                + e.column().saturating_sub(1);
            let (src, span) = Error::source_window(&path.display().to_string(), &text, offset);
            Error::Invalid {
                src,
                span,
                message: format!("not a costfix baseline: {e}"),
                label: "here".into(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_identifiers() {
        assert!(names_word(
            "input.configuration.root_module",
            "configuration"
        ));
        assert!(names_word("x := input[\"before\"]", "before"));
        assert!(!names_word("launch_configuration", "configuration"));
        assert!(!names_word("monthly_before", "before"));
    }

    #[test]
    fn ignore_ids() {
        let f = "policy:costfix.policies.gp2_volumes.warn";
        for ok in [
            "gp2_volumes",
            "costfix.policies.gp2_volumes",
            "costfix.policies.gp2_volumes.warn",
            f,
            "all",
        ] {
            assert!(id_matches(ok, f), "{ok}");
        }
        assert!(!id_matches("gp2", f));
        assert!(id_matches("stack", "budget:stack"));
        assert_eq!(
            crate::hcl::source::ignore_comment(
                "# costfix:ignore gp2_volumes legacy volume, migrating in Q3"
            ),
            Some((
                "gp2_volumes".into(),
                "legacy volume, migrating in Q3".into()
            ))
        );
    }
}
