//! From fixes to operations (`costfix fix --out OPS.json`): for each applicable fix, a snapshot
//! of the resource (its attributes and its block), the target values and edits with their
//! anchors, the risk, the approval policy's decision and a rollback plan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::error::Result;
use crate::fix::{Applicability, Fix};
use crate::hcl::edit::Edit;
use crate::ops::log::{self, Level};
use crate::ops::model::{
    Approval, OpState, Operation, OpsFile, Risk, RollbackPlan, RollbackStep, Target, SCHEMA,
};
use crate::ops::snapshot::{hash_value, sha256_hex, BlockSnapshot, Snapshot};
use crate::policy::PolicySet;
use crate::root::Root;
use crate::rules::{apply_changes, environment_tag, Environment};
use crate::terraform::input::InputFile;
use crate::terraform::plan::Plan;

/// What proposing operations needs.
pub struct ProposeRequest<'a> {
    /// The fixes, after selection: those `applied` become operations.
    pub fixes: &'a [Fix],
    pub plan: &'a Plan<'a>,
    pub plan_file: &'a InputFile,
    /// The `.tf` root folder.
    pub dir: &'a Path,
    /// The run's environment (resources without an environment tag).
    pub environment: Option<&'a str>,
}

/// Planned (`after`) and prior (`before`) values per instance address.
type Values = BTreeMap<String, (Option<Value>, Option<Value>)>;

/// `costfix fix --out OPS.json`: the fix run, with the chosen fixes written as operations.
pub fn fix_to_operations(
    req: &crate::fix::FixRequest,
    phase: &dyn Fn(&str),
) -> Result<crate::fix::FixReport> {
    let Some(path) = req.ops_out.clone() else {
        return crate::fix::run(req, phase);
    };
    let environment = req.environment.as_ref().map(|(e, _)| e.as_str());
    let write = |fixes: &[Fix], plan: &Plan<'_>, plan_file: &InputFile| -> Result<usize> {
        let ops = propose(&ProposeRequest {
            fixes,
            plan,
            plan_file,
            dir: &req.dir,
            environment,
        })?;
        ops.write(&path)?;
        Ok(ops.operations.len())
    };
    crate::fix::run_with(req, phase, Some(&write))
}

/// The operations of the applicable fixes, with the shipped approval policy's decisions.
pub fn propose(req: &ProposeRequest<'_>) -> Result<OpsFile> {
    let root = Root::open(req.dir)?;
    let operations = operations(req.fixes, req.plan, req.environment, &root)?;
    Ok(OpsFile {
        schema: SCHEMA.into(),
        created: log::rfc3339(log::now_epoch()),
        plan: root.name_of(&req.plan_file.path),
        plan_sha256: sha256_hex(req.plan_file.json().as_bytes()),
        dir: req.dir.display().to_string(),
        operations,
    })
}

/// The operations of the fixes marked `applied`: what `fix --out` writes, and what `apply`
/// compares an operations file's requests with. Files are named relative to `root`.
pub fn operations(
    fixes: &[Fix],
    plan: &Plan<'_>,
    run_environment: Option<&str>,
    root: &Root,
) -> Result<Vec<Operation>> {
    let values = plan_values(plan);
    let policies = PolicySet::embedded()?;
    let approve = |input: &Value| -> Option<Value> {
        policies
            .eval_rule("data.costfix.approval.decision", &input.to_string())
            .ok()
            .flatten()
    };
    let mut operations = Vec::new();
    for f in fixes.iter().filter(|f| f.applied) {
        let (before, after) = f
            .instances
            .first()
            .and_then(|i| values.get(i))
            .map_or((None, None), |v| (v.0.as_ref(), v.1.as_ref()));
        let environment = after
            .or(before)
            .and_then(environment_tag)
            .map(|(_, v)| v.to_string())
            .or_else(|| run_environment.map(str::to_string));
        if let Some(op) = propose_one(f, &values, environment, &approve, root) {
            operations.push(op);
        }
    }
    Ok(operations)
}

/// `after` and `before` values per instance address of a plan.
fn plan_values(plan: &Plan<'_>) -> Values {
    let parse = |r: Option<&serde_json::value::RawValue>| {
        r.and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
            .filter(|v| !v.is_null())
    };
    plan.resource_changes
        .iter()
        .map(|rc| {
            let values = (parse(rc.change.before), parse(rc.change.after));
            (rc.address.to_string(), values)
        })
        .collect()
}

/// An operation from a fix with edits (None: the fix has none).
pub fn propose_one(
    fix: &Fix,
    values: &Values,
    environment: Option<String>,
    approve: &dyn Fn(&Value) -> Option<Value>,
    root: &Root,
) -> Option<Operation> {
    if fix.edits.is_empty() || fix.no_fix.is_some() || fix.suppressed.is_some() {
        return None;
    }
    let first = fix.instances.first()?;
    let (before, after) = values.get(first).cloned().unwrap_or((None, None));
    let (source, attrs) = match (before, after.clone()) {
        (Some(b), _) => ("state", b),
        (None, Some(a)) => ("plan", a),
        (None, None) => ("plan", Value::Null),
    };
    let block = match (&fix.file, &fix.block_span, fix.line) {
        (Some(f), Some(span), Some(line)) => {
            BlockSnapshot::read(Path::new(f), span.start, span.end, line).map(|mut b| {
                b.file = root.name_of(Path::new(f));
                b
            })
        }
        _ => None,
    };
    let original = Snapshot::new(first, &fix.resource_type, source, attrs, block);
    let (target_attrs, _) = apply_changes(
        &after.unwrap_or(Value::Null),
        &Value::Object(Default::default()),
        &fix.changes,
    );
    let edits = anchored_edits(fix, root);
    let (risk, risk_reasons) = risk_of(fix, environment.as_deref());
    let approval = approval_of(approve(&json!({
        "action": "apply_fix",
        "risk_level": risk.name(),
        "environment": environment.clone().unwrap_or_default(),
        "resource_type": fix.resource_type,
        "gitops": false,
        "monthly_savings": fix.saving.map(|s| s.to_string()),
    })));
    let mut op = Operation {
        id: operation_id(fix, &edits),
        rule: fix.rule.to_string(),
        rule_name: fix.name.to_string(),
        address: fix.address.clone(),
        instances: fix.instances.clone(),
        resource_type: fix.resource_type.clone(),
        description: fix.message.clone(),
        original,
        target: Target {
            changes: fix.changes.clone(),
            attributes_sha256: hash_value(&target_attrs),
            attributes: target_attrs,
            edits: Vec::new(),
        },
        monthly_saving: fix.saving,
        saving_basis: fix.saving_basis,
        applicability: fix.applicability,
        environment,
        risk,
        risk_reasons,
        approval,
        rollback: rollback_plan(&edits),
        checks: Vec::new(),
        state: OpState::Pending,
        log: Vec::new(),
    };
    op.target.edits = edits;
    op.note(Level::Info, "planned");
    Some(op)
}

/// The fix's edits anchored in their files as they are now (hash, text around them), their files
/// named relative to the root.
fn anchored_edits(fix: &Fix, root: &Root) -> Vec<Edit> {
    fix.edits
        .iter()
        .map(|e| {
            let text = std::fs::read_to_string(&e.edit.file).unwrap_or_default();
            let mut edit = e.edit.clone().anchored(&text, e.old_text.clone());
            edit.file = PathBuf::from(root.name_of(&e.edit.file));
            edit
        })
        .collect()
}

/// A stable id: the rule, the block and the edits.
fn operation_id(fix: &Fix, edits: &[Edit]) -> String {
    let edits: Vec<String> = edits
        .iter()
        .map(|e| format!("{}:{}:{}", e.file.display(), e.span.start, e.new_text))
        .collect();
    let src = format!("{}|{}|{}", fix.rule, fix.address, edits.join(","));
    format!("op-{}", &sha256_hex(src.as_bytes())[..12])
}

/// The approval policy's decision (None: no decision, manual approval).
fn approval_of(decision: Option<Value>) -> Approval {
    match decision {
        Some(d) => Approval {
            required: d["require_approval"].as_bool().unwrap_or(true),
            approval_type: d["approval_type"].as_str().unwrap_or("manual").to_string(),
            reason: d["reason"].as_str().unwrap_or_default().to_string(),
            approved_by: None,
        },
        None => Approval {
            required: true,
            approval_type: "manual".into(),
            reason: "no approval policy decision: manual approval required".into(),
            approved_by: None,
        },
    }
}

/// Undo the edits in reverse order, each checked by its file's hash.
fn rollback_plan(edits: &[Edit]) -> RollbackPlan {
    RollbackPlan {
        steps: edits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, e)| RollbackStep {
                order: i + 1,
                file: e.file.display().to_string(),
                restore: format!(
                    "put back {:?} where {:?} was written (bytes {}..{} before the fix)",
                    e.old_text(),
                    e.new_text,
                    e.span.start,
                    e.span.end
                ),
                verify: format!("{} hashes to its sha256 before the fix", e.file.display()),
            })
            .collect(),
        timeout_seconds: 300,
        auto_rollback: true,
    }
}

/// Risk from the rule's applicability, what the change touches, the environment and how many
/// instances it reaches.
fn risk_of(fix: &Fix, environment: Option<&str>) -> (Risk, Vec<String>) {
    let mut reasons = Vec::new();
    let mut risk = if fix.applicability == Applicability::Safe {
        reasons.push("safe fix".to_string());
        Risk::Low
    } else {
        reasons.push("unsafe fix".to_string());
        Risk::Medium
    };
    let touched: Vec<String> = fix.changes.iter().map(|c| c.path.to_string()).collect();
    if touched
        .iter()
        .any(|p| p.contains("multi_az") || p.contains("retention") || p.contains("architectures"))
    {
        risk = risk.up();
        reasons.push(format!(
            "changes {} (availability, data retention or runtime)",
            touched.join(", ")
        ));
    }
    let env = environment
        .map(Environment::classify)
        .unwrap_or(Environment::Unknown);
    if env == Environment::Production {
        risk = risk.up();
        reasons.push("production".into());
    }
    if fix.instances.len() > 10 || !fix.also_changes.is_empty() {
        risk = risk.up();
        let also = if fix.also_changes.is_empty() {
            String::new()
        } else {
            format!(" and {}", fix.also_changes.join(", "))
        };
        reasons.push(format!("reaches {} instance(s){also}", fix.instances.len()));
    }
    (risk, reasons)
}
