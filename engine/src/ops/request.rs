//! An operations file is a request, not a fact. `apply` re-derives every operation from the rule
//! that made it, on the plan and the code as they are now ([`rederive`]), and [`compare`]s: an
//! operation is applied only if the file asks for exactly what the rule produces today.
//!
//! What is compared, in two parts:
//! - **the request** (before any gate): the state (`Pending`), the risk and its reasons, the
//!   approval (a forged `required: false` or `approved_by`), the checks (none yet), the
//!   applicability. A difference is refused at once;
//! - **the target** (after the six checks pass, so that a changed block or a changed price is
//!   reported by the check that sees it): the instances, the changes, every edit (file, length of
//!   the span, the text it replaces and the text around it, the text it writes), the target values,
//!   the saving, the description and, when the plan is the one the operations were made from, the
//!   snapshot. A difference, or no such fix today, is refused.
//!
//! Positions are not compared (the file may have moved since planning; edits are found again by
//! their text), nor are the ids (they contain positions), nor the rollback plan (text for people:
//! a rollback is made from the log's reverse edits, never from the operations file).

use serde_json::{json, Value};

use crate::error::Result;
use crate::estimate::Pricing;
use crate::fix::{plan_fixes, Applicability};
use crate::hcl::edit::Edit;
use crate::hcl::source::SourceIndex;
use crate::ops::model::{OpState, Operation};
use crate::ops::propose;
use crate::root::Root;
use crate::rules::{self, RunOptions};
use crate::terraform::plan::Plan;

/// The operations the rules make today on `plan` and the code under `root` (every fix with edits,
/// safe or unsafe), and the source index built on the way.
pub fn rederive(
    plan: &Plan<'_>,
    pricing: &Pricing,
    root: &Root,
    environment: Option<&(String, String)>,
) -> Result<(Vec<Operation>, SourceIndex)> {
    let opts = RunOptions {
        select: Vec::new(),
        environment: environment.map(|e| e.0.clone()),
        environment_source: environment.map(|e| e.1.clone()),
        region: pricing.options.region.clone(),
    };
    let (findings, _) = rules::run(plan, &pricing.catalog, &pricing.usage, &opts);
    let (mut fixes, index) = plan_fixes(findings, root.dir(), plan)?;
    for f in &mut fixes {
        f.applied = f.applicable(Applicability::Unsafe);
    }
    let ops = propose::operations(&fixes, plan, environment.map(|e| e.0.as_str()), root)?;
    Ok((ops, index))
}

/// What the comparison of one requested operation with today's found.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// The rule produces exactly this operation today.
    Same,
    /// It produces a different one: the fields that differ, in the request part (refused before
    /// the gates) and in the target part (refused after the checks).
    Differs {
        request: Vec<String>,
        target: Vec<String>,
    },
    /// The rule produces no fix for this resource today.
    Unknown,
}

impl Verdict {
    /// Why the request is refused before the gates (None: it goes on).
    pub fn refused_request(&self, op: &Operation) -> Option<String> {
        match self {
            Verdict::Differs { request, .. } if !request.is_empty() => Some(format!(
                "refused: the operations file asks for what rule {} does not produce for {} ({} differ{}); nothing was written",
                op.rule,
                op.address,
                request.join(", "),
                if request.len() == 1 { "s" } else { "" }
            )),
            _ => None,
        }
    }

    /// Why an operation that passed its checks is refused (None: it may be written).
    pub fn refused_target(&self, op: &Operation) -> Option<String> {
        match self {
            Verdict::Same => None,
            Verdict::Differs { target, .. } => Some(format!(
                "refused: the operations file asks for an edit rule {} does not make on the code and plan as they are now ({} differ{}); nothing was written",
                op.rule,
                target.join(", "),
                if target.len() == 1 { "s" } else { "" }
            )),
            Verdict::Unknown => Some(format!(
                "refused: rule {} proposes no fix for {} on the code and plan as they are now (make the operations again with costfix fix --out); nothing was written",
                op.rule, op.address
            )),
        }
    }
}

/// Compare a requested operation (files named relative to the root) with today's operations.
/// `same_plan`: today's were derived from the plan the request was made from (its snapshot can
/// be compared too).
pub fn compare(op: &Operation, today: &[Operation], same_plan: bool) -> Verdict {
    let mut best: Option<(Vec<String>, Vec<String>)> = None;
    for t in today
        .iter()
        .filter(|t| t.rule == op.rule && t.address == op.address)
    {
        let request = request_diffs(op, t);
        let target = target_diffs(op, t, same_plan);
        if request.is_empty() && target.is_empty() {
            return Verdict::Same;
        }
        let n = request.len() + target.len();
        if best.as_ref().is_none_or(|(r, g)| n < r.len() + g.len()) {
            best = Some((request, target));
        }
    }
    match best {
        Some((request, target)) => Verdict::Differs { request, target },
        None => Verdict::Unknown,
    }
}

fn request_diffs(op: &Operation, t: &Operation) -> Vec<String> {
    let mut d = Vec::new();
    if op.state != OpState::Pending {
        d.push(format!("state ({}, not Pending)", op.state.name()));
    }
    if op.risk != t.risk || op.risk_reasons != t.risk_reasons {
        d.push(format!(
            "risk ({}, the rule's is {})",
            op.risk.name(),
            t.risk.name()
        ));
    }
    if op.approval != t.approval {
        d.push("approval".into());
    }
    if !op.checks.is_empty() {
        d.push("checks (an operation to apply has none yet)".into());
    }
    if op.applicability != t.applicability {
        d.push("applicability".into());
    }
    d
}

fn target_diffs(op: &Operation, t: &Operation, same_plan: bool) -> Vec<String> {
    let block = |o: &Operation| {
        o.original
            .block
            .as_ref()
            .map(|b| (b.file.clone(), b.text.clone(), b.sha256.clone()))
    };
    let attributes = || {
        op.target.attributes_sha256 == t.target.attributes_sha256
            && crate::ops::snapshot::hash_value(&op.target.attributes)
                == op.target.attributes_sha256
    };
    let original = || {
        op.original.attributes == t.original.attributes
            && op.original.source == t.original.source
            && op.original.attributes_sha256 == t.original.attributes_sha256
    };
    let fields = [
        ("instances", op.instances == t.instances),
        ("resource_type", op.resource_type == t.resource_type),
        ("rule_name", op.rule_name == t.rule_name),
        ("description", op.description == t.description),
        ("target.changes", op.target.changes == t.target.changes),
        ("monthly_saving", op.monthly_saving == t.monthly_saving),
        ("saving_basis", op.saving_basis == t.saving_basis),
        ("target.attributes", !same_plan || attributes()),
        ("original", !same_plan || original()),
        ("original.block", block(op) == block(t)),
    ];
    let mut d: Vec<String> = fields
        .iter()
        .filter(|(_, same)| !same)
        .map(|(name, _)| name.to_string())
        .collect();
    if op.environment != t.environment {
        let name = |e: &Option<String>| e.clone().unwrap_or_else(|| "none".into());
        d.push(format!(
            "environment ({} in the operations file, {} in this run: give apply the --environment fix was given)",
            name(&op.environment),
            name(&t.environment)
        ));
    }
    if op.target.edits.len() != t.target.edits.len() {
        d.push(format!(
            "target.edits ({} edit(s), the rule makes {})",
            op.target.edits.len(),
            t.target.edits.len()
        ));
    } else {
        for (i, (a, b)) in op.target.edits.iter().zip(&t.target.edits).enumerate() {
            let what = edit_diffs(a, b);
            if !what.is_empty() {
                d.push(format!("target.edits[{i}].{}", what.join("/")));
            }
        }
    }
    d
}

/// The parts of edit `a` that differ from `b`, positions aside.
fn edit_diffs(a: &Edit, b: &Edit) -> Vec<&'static str> {
    let mut d = Vec::new();
    if a.file != b.file {
        d.push("file");
    }
    if a.span.len() != b.span.len() || a.span.start > a.span.end {
        d.push("span");
    }
    if a.new_text != b.new_text {
        d.push("new_text");
    }
    if a.expect != b.expect {
        d.push("expect");
    }
    fn context(e: &Edit) -> Option<(&str, &str, &str)> {
        e.anchor.as_ref().map(|x| {
            (
                x.old_text.as_str(),
                x.context_before.as_str(),
                x.context_after.as_str(),
            )
        })
    }
    if context(a) != context(b) {
        d.push("old_text");
    }
    d
}

/// The comparison as a log entry's details.
pub fn details(v: &Verdict) -> Value {
    match v {
        Verdict::Same => json!({"request": "as the rule produces it today"}),
        Verdict::Differs { request, target } => {
            json!({"differs": {"request": request, "target": target}})
        }
        Verdict::Unknown => json!({"request": "no such fix today"}),
    }
}
