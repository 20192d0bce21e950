//! Cost rules: each finds one kind of waste in a plan's resources and proposes a change to the
//! resource's attributes.
//!
//! A rule is one file (`cfNNN_name.rs`) holding a [`Rule`] value and a `//!` doc comment with four
//! sections (what it finds, why it costs, the fix, when the fix is unsafe); `docs/rules.md` is
//! generated from those comments (`costfix rules --format markdown`) and a test keeps it current.
//!
//! Rules are pure: from a [`Resource`] (its planned values, configuration, region, environment and
//! the catalog) to an optional [`Proposal`]. The saving is not the rule's guess: the engine costs
//! the resource again with the proposed values through the same cost model as `estimate`
//! ([`crate::cost::cost_values`]) and reports the difference.

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
pub(crate) mod families;

use std::collections::HashMap;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::address::Address;
use crate::fix::Applicability;
use crate::plan::Plan;
use crate::pricing::Catalog;
use crate::usage::{Usage, UsageEntry};
use crate::values::Attrs;

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
    /// The rule's source file; its `//!` lines are its documentation.
    pub source: &'static str,
    pub check: fn(&Resource<'_>) -> Option<Proposal>,
}

impl Rule {
    /// The rule's documentation: the `//!` lines of its file, without the markers.
    pub fn doc(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                if !out.is_empty() {
                    break;
                }
                continue;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        out.trim_end().to_string()
    }
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

/// Where a resource runs, for rules that only apply outside production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    Production,
    NonProduction,
    Unknown,
}

impl Environment {
    /// Classify an environment name: `prod`, `production`, `prd`, `live` are production; `dev`,
    /// `development`, `test`, `testing`, `qa`, `staging`, `stage`, `stg`, `sandbox`, `nonprod`,
    /// `non-prod`, `preview`, `uat`, `demo`, `ci` are not. Anything else is unknown.
    pub fn classify(name: &str) -> Environment {
        let n = name.trim().to_ascii_lowercase();
        let n = n.as_str();
        const PROD: &[&str] = &["prod", "production", "prd", "live"];
        const NON_PROD: &[&str] = &[
            "dev",
            "development",
            "test",
            "testing",
            "qa",
            "staging",
            "stage",
            "stg",
            "sandbox",
            "nonprod",
            "non-prod",
            "non-production",
            "preview",
            "uat",
            "demo",
            "ci",
        ];
        if PROD.contains(&n) {
            Environment::Production
        } else if NON_PROD.contains(&n) {
            Environment::NonProduction
        } else {
            Environment::Unknown
        }
    }
}

/// Tag keys read for a resource's environment, in order.
pub const ENVIRONMENT_TAGS: &[&str] = &[
    "Environment",
    "environment",
    "Env",
    "env",
    "Stage",
    "stage",
    "Tier",
    "tier",
];

/// What a rule sees of one resource instance.
pub struct Resource<'a> {
    pub address: &'a Address,
    pub resource_type: &'a str,
    /// Planned values (`after`), unknown values as `null`.
    pub values: &'a Value,
    /// `after_unknown`.
    pub unknown: &'a Value,
    /// The block's `expressions` in the plan's configuration, if the plan has them.
    pub config: Option<&'a Value>,
    pub region: Option<&'a str>,
    pub environment: Environment,
    /// Where the environment came from (`tag Environment`, `--environment`, `TF_WORKSPACE`).
    pub environment_source: Option<&'a str>,
    pub catalog: &'a Catalog,
    pub plan: &'a PlanFacts,
    /// The resource's entry in the usage file.
    pub usage: Option<UsageEntry<'a>>,
    /// The monthly cost of the resource with some changes applied (None: region unknown). With no
    /// changes, its cost now. Rules use it to choose between candidates.
    pub cost_with: &'a (dyn Fn(&[Change]) -> Option<Decimal> + Sync),
}

impl Resource<'_> {
    /// A top-level string attribute.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(Value::as_str)
    }
    /// A top-level number.
    pub fn num(&self, key: &str) -> Option<f64> {
        self.values.get(key).and_then(Value::as_f64)
    }
    /// Whether the configuration sets `key` (None when the plan carries no configuration).
    pub fn configured(&self, key: &str) -> Option<bool> {
        self.config.map(|c| c.get(key).is_some())
    }
    /// Whether a top-level attribute is unknown until apply.
    pub fn is_unknown(&self, key: &str) -> bool {
        self.unknown.get(key) == Some(&Value::Bool(true))
    }
    /// Nested blocks (`root_block_device`), as JSON objects.
    pub fn blocks(&self, key: &str) -> &[Value] {
        self.values
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
    /// The unknown-marks of the `i`th nested block `key`.
    pub fn block_unknown(&self, key: &str, i: usize) -> Option<&Value> {
        self.unknown.get(key).and_then(|u| u.get(i))
    }
    /// Text for findings: `in production (tag Environment)`.
    pub fn environment_text(&self) -> String {
        let env = match self.environment {
            Environment::Production => "production",
            Environment::NonProduction => "a non-production environment",
            Environment::Unknown => "an unknown environment",
        };
        match self.environment_source {
            Some(s) => format!("{env} ({s})"),
            None => env.to_string(),
        }
    }
}

/// Facts about the whole plan that some rules need.
#[derive(Debug, Default)]
pub struct PlanFacts {
    /// Every reference made by any configured block (`aws_eip.nat`, `aws_eip.nat[0]`), with the
    /// module path it was made from (`module.vpc` or empty).
    pub references: std::collections::HashSet<String>,
    /// NAT gateways planned per module path (addresses, sorted).
    pub nat_gateways: HashMap<String, Vec<Address>>,
}

/// One step of an attribute path: an attribute or nested block name, or the index of a nested
/// block among those of its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(untagged)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// An attribute path, `root_block_device[0].volume_type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrPath(pub Vec<Seg>);

impl AttrPath {
    pub fn key(k: &str) -> AttrPath {
        AttrPath(vec![Seg::Key(k.to_string())])
    }
    pub fn nested(block: &str, index: usize, key: &str) -> AttrPath {
        AttrPath(vec![
            Seg::Key(block.to_string()),
            Seg::Index(index),
            Seg::Key(key.to_string()),
        ])
    }
}

impl std::fmt::Display for AttrPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => f.write_str(k)?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for AttrPath {
    type Err = String;
    /// `root_block_device[0].volume_type` → its segments.
    fn from_str(s: &str) -> Result<AttrPath, String> {
        let mut segs = Vec::new();
        for part in s.split('.') {
            let (name, mut rest) = part.split_once('[').map_or((part, ""), |(a, b)| (a, b));
            if name.is_empty() {
                return Err(format!("`{s}` is not an attribute path"));
            }
            segs.push(Seg::Key(name.to_string()));
            while !rest.is_empty() {
                let (n, after) = rest
                    .split_once(']')
                    .ok_or_else(|| format!("`{s}` is not an attribute path"))?;
                segs.push(Seg::Index(
                    n.parse()
                        .map_err(|_| format!("`{s}` is not an attribute path"))?,
                ));
                rest = after.strip_prefix('[').unwrap_or(after);
            }
        }
        Ok(AttrPath(segs))
    }
}

impl<'de> Deserialize<'de> for AttrPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for AttrPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Set one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub path: AttrPath,
    /// The planned value now (`null` when not set or unknown until apply).
    pub from: Value,
    pub to: Value,
}

impl Change {
    pub fn set(path: AttrPath, from: Value, to: impl Into<Value>) -> Change {
        Change {
            path,
            from,
            to: to.into(),
        }
    }
}

/// How a proposal's saving is found.
#[derive(Debug, Clone, PartialEq)]
pub enum Saving {
    /// Cost the resource again with the changes applied.
    Recost,
    /// A saving the cost model cannot see from the attributes (removing a resource, sharing a NAT
    /// gateway): computed by the rule from catalog prices, with what it assumes.
    Computed(Decimal, Option<String>),
    /// Not computable from what costfix knows (why).
    Unknown(String),
}

/// What a rule proposes for one resource.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub message: String,
    pub changes: Vec<Change>,
    /// Lower than the rule's when this case is riskier; never higher.
    pub applicability: Applicability,
    /// Why the fix is unsafe or display-only here.
    pub note: Option<String>,
    pub saving: Saving,
}

impl Proposal {
    pub fn new(rule: &Rule, message: String, changes: Vec<Change>) -> Proposal {
        Proposal {
            message,
            changes,
            applicability: rule.applicability,
            note: None,
            saving: Saving::Recost,
        }
    }
    pub fn lower(mut self, to: Applicability, note: impl Into<String>) -> Proposal {
        if to > self.applicability {
            self.applicability = to;
        }
        self.note = Some(note.into());
        self
    }
    pub fn note(mut self, note: impl Into<String>) -> Proposal {
        self.note = Some(note.into());
        self
    }
}

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

/// Run the rules over a plan's planned resources (created, updated or unchanged; not deleted).
/// Findings are sorted by address then rule. Also returns how many resources the rules looked at
/// had no region (their savings cannot be priced: pass `--region`).
pub fn run(
    plan: &Plan<'_>,
    catalog: &Catalog,
    usage: &Usage,
    opts: &RunOptions,
) -> (Vec<RuleFinding>, usize) {
    let no_region = std::sync::atomic::AtomicUsize::new(0);
    let rules: Vec<&'static Rule> = all()
        .iter()
        .copied()
        .filter(|r| opts.select.is_empty() || opts.select.contains(&r.id))
        .collect();
    let wanted: std::collections::HashSet<&str> =
        rules.iter().flat_map(|r| r.types.iter().copied()).collect();
    let regions = crate::region::Resolver::new(Some(plan), opts.region.as_deref());
    let facts = plan_facts(plan);
    let default_env = opts.environment.as_deref().map(Environment::classify);

    let mut findings: Vec<RuleFinding> = plan
        .resource_changes
        .par_iter()
        .filter(|rc| {
            !rc.is_data()
                && rc.deposed.is_none()
                && rc.change.kind().has_after()
                && wanted.contains(rc.resource_type.as_ref())
        })
        .flat_map_iter(|rc| {
            let address = rc.parsed_address();
            let values: Value = rc
                .change
                .after
                .and_then(|a| serde_json::from_str(a.get()).ok())
                .unwrap_or(Value::Null);
            let unknown: Value = rc
                .change
                .after_unknown
                .and_then(|a| serde_json::from_str(a.get()).ok())
                .unwrap_or(Value::Null);
            let config_raw = plan.config_resource(&address).and_then(|c| c.expressions);
            let config: Option<Value> = config_raw.and_then(|c| serde_json::from_str(c.get()).ok());
            let (environment, env_source) = environment_of(&values, default_env, opts);
            let region_owned = regions
                .resolve(&address, &Attrs::new(rc.change.after, None))
                .map(|r| r.0);
            let region = region_owned.as_deref();
            if region.is_none() {
                no_region.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let cost = |v: &Value, u: &Value| -> Option<crate::cost::ResourceCost> {
                region.map(|region| {
                    crate::cost::cost_values(
                        &address,
                        &rc.resource_type,
                        v,
                        u,
                        config_raw,
                        region,
                        catalog,
                        usage,
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
                catalog,
                plan: &facts,
                usage: usage.get(&address),
                cost_with: &cost_with,
            };
            let mut out = Vec::new();
            for rule in &rules {
                if !rule.types.contains(&resource.resource_type) {
                    continue;
                }
                let Some(p) = (rule.check)(&resource) else {
                    continue;
                };
                let (before, after, saving, saving_note) = match &p.saving {
                    Saving::Computed(d, note) => (None, None, Some(*d), note.clone()),
                    Saving::Unknown(why) => (None, None, None, Some(why.clone())),
                    Saving::Recost => {
                        let now = cost(&values, &unknown);
                        let (fixed_v, fixed_u) = apply_changes(&values, &unknown, &p.changes);
                        let fixed = cost(&fixed_v, &fixed_u);
                        saving_of(now, fixed)
                    }
                };
                // A cost rule without a saving is not a finding.
                if saving.is_some_and(|s| s <= Decimal::ZERO) {
                    continue;
                }
                out.push(RuleFinding {
                    rule: rule.id,
                    name: rule.name,
                    address: rc.address.to_string(),
                    parsed: address.clone(),
                    resource_type: rc.resource_type.to_string(),
                    message: p.message,
                    changes: p.changes,
                    applicability: p.applicability,
                    note: p.note,
                    monthly_before: before,
                    monthly_after: after,
                    saving,
                    saving_note,
                });
            }
            out
        })
        .collect();
    findings.sort_by(|a, b| (&a.parsed, a.rule).cmp(&(&b.parsed, b.rule)));
    (findings, no_region.into_inner())
}

type Costs = (
    Option<Decimal>,
    Option<Decimal>,
    Option<Decimal>,
    Option<String>,
);

fn saving_of(
    now: Option<crate::cost::ResourceCost>,
    fixed: Option<crate::cost::ResourceCost>,
) -> Costs {
    let (Some(now), Some(fixed)) = (now, fixed) else {
        return (
            None,
            None,
            None,
            Some("the region is unknown: pass --region".into()),
        );
    };
    let (b, a) = (now.monthly(), fixed.monthly());
    // A saving from items that depend on usage the usage file does not give is unknown.
    let usage_based = now.has_usage_based() || fixed.has_usage_based();
    if b == a && usage_based {
        return (
            Some(b),
            Some(a),
            None,
            Some("depends on usage: give the resource's usage in --usage to compute it".into()),
        );
    }
    let note = usage_based.then(|| {
        "priced components only; components that depend on usage are not in the figure".into()
    });
    (Some(b), Some(a), Some(b - a), note)
}

/// The planned values with the changes applied (and their unknown marks cleared).
pub fn apply_changes(values: &Value, unknown: &Value, changes: &[Change]) -> (Value, Value) {
    let mut v = values.clone();
    let mut u = unknown.clone();
    for c in changes {
        set_path(&mut v, &c.path.0, c.to.clone());
        if u.is_object() {
            set_path(&mut u, &c.path.0, Value::Bool(false));
        }
    }
    (v, u)
}

fn set_path(root: &mut Value, path: &[Seg], to: Value) {
    let Some((first, rest)) = path.split_first() else {
        *root = to;
        return;
    };
    match first {
        Seg::Key(k) => {
            if !root.is_object() {
                *root = Value::Object(Default::default());
            }
            let obj = root.as_object_mut().expect("just made an object");
            let slot = obj.entry(k.clone()).or_insert(Value::Null);
            set_path(slot, rest, to);
        }
        Seg::Index(i) => {
            if !root.is_array() {
                *root = Value::Array(Vec::new());
            }
            let arr = root.as_array_mut().expect("just made an array");
            while arr.len() <= *i {
                arr.push(Value::Object(Default::default()));
            }
            set_path(&mut arr[*i], rest, to);
        }
    }
}

/// The environment of a resource: its tags, else the run's default.
/// The first environment tag of a resource's values that names a known environment:
/// (tag, value). `tags_all` is read before `tags`.
pub fn environment_tag(values: &Value) -> Option<(&'static str, &str)> {
    for key in ["tags_all", "tags"] {
        if let Some(tags) = values.get(key).and_then(Value::as_object) {
            for t in ENVIRONMENT_TAGS {
                if let Some(v) = tags.get(*t).and_then(Value::as_str) {
                    if Environment::classify(v) != Environment::Unknown {
                        return Some((t, v));
                    }
                }
            }
        }
    }
    None
}

fn environment_of(
    values: &Value,
    default: Option<Environment>,
    opts: &RunOptions,
) -> (Environment, Option<String>) {
    if let Some((t, v)) = environment_tag(values) {
        return (Environment::classify(v), Some(format!("tag {t} = \"{v}\"")));
    }
    match default {
        Some(env) => (
            env,
            Some(format!(
                "{} \"{}\"",
                opts.environment_source.as_deref().unwrap_or("environment"),
                opts.environment.as_deref().unwrap_or_default()
            )),
        ),
        None => (Environment::Unknown, None),
    }
}

/// References and NAT gateway counts from the plan.
fn plan_facts(plan: &Plan<'_>) -> PlanFacts {
    let mut facts = PlanFacts::default();
    fn walk_refs(v: &Value, module: &str, out: &mut std::collections::HashSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(refs)) = m.get("references") {
                    for r in refs.iter().filter_map(Value::as_str) {
                        out.insert(if module.is_empty() {
                            r.to_string()
                        } else {
                            format!("{module}.{r}")
                        });
                    }
                }
                for (k, x) in m {
                    if k != "references" {
                        walk_refs(x, module, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk_refs(x, module, out)),
            _ => {}
        }
    }
    fn walk_module(
        m: &crate::plan::ModuleConfig<'_>,
        path: &str,
        out: &mut std::collections::HashSet<String>,
    ) {
        for r in &m.resources {
            if let Some(e) = r
                .expressions
                .and_then(|e| serde_json::from_str(e.get()).ok())
            {
                walk_refs(&e, path, out);
            }
        }
        for (name, call) in &m.module_calls {
            for e in call.expressions.values() {
                if let Ok(v) = serde_json::from_str::<Value>(e.get()) {
                    walk_refs(&v, path, out);
                }
            }
            let child = if path.is_empty() {
                format!("module.{name}")
            } else {
                format!("{path}.module.{name}")
            };
            walk_module(&call.module, &child, out);
        }
    }
    walk_module(&plan.configuration.root_module, "", &mut facts.references);
    for rc in &plan.resource_changes {
        if rc.resource_type == "aws_nat_gateway"
            && rc.change.kind().has_after()
            && rc.deposed.is_none()
        {
            let a = rc.parsed_address();
            facts
                .nat_gateways
                .entry(a.module_path())
                .or_default()
                .push(a);
        }
    }
    for v in facts.nat_gateways.values_mut() {
        v.sort();
    }
    facts
}

/// Whether anything in the configuration refers to the resource (by its address without index,
/// in its own module).
pub fn is_referenced(facts: &PlanFacts, addr: &Address) -> bool {
    let module = addr
        .module
        .iter()
        .map(|m| format!("module.{}", m.name))
        .collect::<Vec<_>>()
        .join(".");
    let base = format!("{}.{}", addr.resource_type, addr.name);
    let full = if module.is_empty() {
        base
    } else {
        format!("{module}.{base}")
    };
    facts.references.iter().any(|r| {
        r == &full
            || r.strip_prefix(full.as_str())
                .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
    })
}

/// The rule catalogue in Markdown (`docs/rules.md`), generated from the rules' doc comments.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Rule catalogue\n\n\
         <!-- Generated from the rules' doc comments (engine/src/rules/cf*.rs) by\n     \
         `costfix rules --format markdown > docs/rules.md`; a test checks it is current. -->\n\n\
         Each rule finds one kind of waste in a plan and, where an attribute edit can fix it,\n\
         proposes the edit. The saving is computed from the price catalog by costing the resource\n\
         again with the fix applied (see [fix.md](fix.md)). Applicability, as in ruff:\n\n\
         - **safe**: applied by `costfix fix --apply`;\n\
         - **unsafe**: applied only with `--unsafe-fixes`;\n\
         - **display-only**: shown, never applied.\n\n\
         A rule's applicability is the highest a fix of it gets; a fix is lowered to unsafe when the\n\
         edited literal is shared with other resources or the case is riskier (the rule says when).\n\
         Suppress a finding with `# costfix:ignore CF001 reason` on the resource block.\n\n\
         | Rule | Name | Resource types | Applicability | Finds |\n\
         |---|---|---|---|---|\n",
    );
    for r in all() {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} | {} |\n",
            r.id,
            format!("{}-{}", r.id, r.name).to_ascii_lowercase(),
            r.name,
            r.types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            applicability_name(r.applicability),
            r.summary
        ));
    }
    for r in all() {
        out.push_str(&format!(
            "\n## {} {}\n\n*{}* · applicability: **{}** · types: {}\n\n{}\n",
            r.id,
            r.name,
            r.summary,
            applicability_name(r.applicability),
            r.types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            r.doc()
        ));
    }
    out
}

/// `safe`, `unsafe`, `display-only`.
pub fn applicability_name(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
        Applicability::DisplayOnly => "display-only",
    }
}
