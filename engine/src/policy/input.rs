//! The policy input: the plan document as regorus values, built once — only the sections and
//! change fields the loaded policies name ([`InputNeeds`]), or all of it — with the `costfix`
//! object (the estimate per resource, the environment) added.

use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::estimate::{Estimate, Subtotal};
use crate::policy::rego_value::{intern, json_to_rego, json_to_rego_keeping};
use crate::policy::PolicySet;
use crate::terraform::plan::Plan;

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
pub(crate) fn names_word(text: &str, word: &str) -> bool {
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
    let s = intern;
    let changes: Vec<R> = plan
        .resource_changes
        .par_iter()
        .map(|rc| resource_change_value(rc, needs))
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
    rare_sections(plan, needs, &mut top)?;
    top.insert(s("costfix"), costfix);
    Ok(R::from(top))
}

type R = regorus::Value;
type Map2<K, V> = std::collections::BTreeMap<K, V>;

/// A raw JSON value as a regorus value (absent: null).
fn raw(v: Option<&serde_json::value::RawValue>) -> Result<R> {
    match v {
        None => Ok(R::Null),
        Some(r) => json_to_rego(r.get()),
    }
}

/// One `resource_changes` entry with the fields the policies read.
fn resource_change_value(
    rc: &crate::terraform::plan::ResourceChange<'_>,
    needs: &InputNeeds,
) -> Result<R> {
    let s = intern;
    let mut change: Map2<R, R> = Map2::new();
    let actions: Vec<R> = rc
        .change
        .actions
        .iter()
        .map(|a| s(action_name(*a)))
        .collect();
    change.insert(s("actions"), R::from(actions));
    let after = match (needs.after(), rc.change.after) {
        (Some(keep), Some(r)) => json_to_rego_keeping(r.get(), Some(keep))?,
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
    let before_index = [
        ("module_address", rc.module_address.as_deref()),
        ("mode", Some(rc.mode.as_deref().unwrap_or("managed"))),
        ("type", Some(&*rc.resource_type)),
        ("name", Some(&*rc.name)),
    ];
    for (field, v) in before_index {
        if let Some(v) = v.filter(|_| want(field)) {
            m.insert(s(field), s(v));
        }
    }
    if let Some(i) = rc.index.filter(|_| want("index")) {
        m.insert(s("index"), raw(Some(i))?);
    }
    let after_index = [
        ("provider_name", rc.provider_name.as_deref()),
        ("deposed", rc.deposed.as_deref()),
        ("action_reason", rc.action_reason.as_deref()),
    ];
    for (field, v) in after_index {
        if let Some(v) = v.filter(|_| want(field)) {
            m.insert(s(field), s(v));
        }
    }
    m.insert(s("change"), R::from(change));
    Ok(R::from(m))
}

/// `resource_drift` and `variables`, rarely read: built the simple way.
fn rare_sections(plan: &Plan<'_>, needs: &InputNeeds, top: &mut Map2<R, R>) -> Result<()> {
    let s = intern;
    let json_of = |r: Option<&serde_json::value::RawValue>| {
        r.map(|r| serde_json::from_str::<Value>(r.get()).unwrap_or(Value::Null))
    };
    if needs.wants("resource_drift") && !plan.resource_drift.is_empty() {
        let drift: Vec<Value> = plan
            .resource_drift
            .iter()
            .map(|rc| json!({"address": rc.address, "type": rc.resource_type, "name": rc.name,
                "change": {"actions": rc.change.actions.iter().map(|a| action_name(*a)).collect::<Vec<_>>(),
                           "before": json_of(rc.change.before),
                           "after": json_of(rc.change.after)}}))
            .collect();
        top.insert(s("resource_drift"), R::from(Value::Array(drift)));
    }
    if needs.wants("variables") {
        let vars: Map<String, Value> = plan
            .variables
            .iter()
            .map(|(k, v)| (k.to_string(), json!({ "value": json_of(v.value) })))
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
    Ok(())
}

/// The `costfix` object policies see (its shape is in the module docs and docs/policies.md),
/// built directly as a regorus value, its per-resource entries in parallel.
pub(crate) fn costfix_object(
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
                let v = r
                    .before
                    .as_ref()
                    .and_then(|s| s.known())
                    .map_or(R::Null, num);
                m.insert(intern("monthly_before"), v);
            }
            if want("monthly_after") {
                let v = r
                    .after
                    .as_ref()
                    .and_then(|s| s.known())
                    .map_or(R::Null, num);
                m.insert(intern("monthly_after"), v);
            }
            if want("delta") {
                m.insert(intern("delta"), num(r.delta));
            }
            if want("unpriced") || want("pricing") {
                // Fail closed: a resource without a cost model is unpriced too.
                let coverage = r.coverage();
                m.insert(intern("unpriced"), R::from(!coverage.is_complete()));
                m.insert(intern("pricing"), R::from(coverage.as_str()));
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
        (intern("complete"), R::from(est.complete)),
        (
            intern("not_priced"),
            R::from(est.counts.not_priced() as u64),
        ),
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

pub(crate) fn action_name(a: crate::terraform::plan::Action) -> &'static str {
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
    let costfix = costfix_object(est, base, environment, if full { &every } else { needs });
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
}
