//! Drift-safe operations: a fix for one block, planned with a snapshot of the world, checked again
//! against the world as it is when it is applied, applied, verified, logged, and undoable.
//!
//! Life of an operation (`OpState`): `Pending` (planned, in the operations file) →
//! `ValidatingSafety` (the six checks) → `Applying` → `Applied`; a blocked or failed operation is
//! `Failed`; a failed verification goes `RollingBack` → `RolledBack` (or `RollbackFailed`: manual
//! steps). In the types: only [`validate`] makes a [`Validated`] operation and only a `Validated`
//! one can be given to [`apply`], so an operation that was not checked cannot be applied.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::fix::Applicability;
use crate::fix::Fix;
use crate::fsutil::write_atomic;
use crate::hcl::edit::{self, Edit, Expect};
use crate::hcl::source::SourceIndex;
use crate::ops::drift::{self, Impact, Severity};
use crate::ops::log::{self as oplog, Log};
use crate::ops::snapshot::{hash_value, sha256_hex, BlockSnapshot, Snapshot};
use crate::rules::Change;

pub const SCHEMA: &str = "costfix.operations/v1";

/// The states of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpState {
    Pending,
    ValidatingSafety,
    Applying,
    Applied,
    Failed,
    RollingBack,
    RolledBack,
    RollbackFailed,
}

impl OpState {
    /// Whether `self → to` is a legal transition.
    pub fn can_go(self, to: OpState) -> bool {
        use OpState::*;
        matches!(
            (self, to),
            (Pending, ValidatingSafety)
                | (ValidatingSafety, Applying)
                | (ValidatingSafety, Failed)
                | (Applying, Applied)
                | (Applying, RollingBack)
                | (Applying, Failed)
                | (Applied, RollingBack)
                | (RollingBack, RolledBack)
                | (RollingBack, RollbackFailed)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

impl std::str::FromStr for Risk {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Risk, String> {
        match s {
            "low" => Ok(Risk::Low),
            "medium" => Ok(Risk::Medium),
            "high" => Ok(Risk::High),
            "critical" => Ok(Risk::Critical),
            _ => Err(format!("`{s}` is not low, medium, high or critical")),
        }
    }
}

impl Risk {
    pub fn name(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }
    fn up(self) -> Risk {
        match self {
            Risk::Low => Risk::Medium,
            Risk::Medium => Risk::High,
            _ => Risk::Critical,
        }
    }
}

/// One edit of an operation, with the hash of its file when it was planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpEdit {
    pub file: String,
    pub start: usize,
    pub end: usize,
    pub old_text: String,
    pub new_text: String,
    /// Attributes the edit must read back: (key, value start, value end) within `new_text`.
    pub expect: Vec<(String, usize, usize)>,
    pub file_sha256: String,
    /// The text before the edit from the start of the previous line, and after it to the end of
    /// its line: where the edit goes is found again by this context when the file has moved.
    pub context_before: String,
    pub context_after: String,
}

/// Where `e` applies in `text` now: the occurrence of its context and old text nearest `hint`.
pub fn relocate(text: &str, e: &OpEdit, hint: usize) -> Option<usize> {
    let pattern = format!("{}{}{}", e.context_before, e.old_text, e.context_after);
    text.match_indices(pattern.as_str())
        .map(|(i, _)| i + e.context_before.len())
        .min_by_key(|&at| at.abs_diff(hint))
}

fn contexts(text: &str, start: usize, end: usize) -> (String, String) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let prev_start = if line_start == 0 {
        0
    } else {
        text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1)
    };
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    (
        text[prev_start..start].to_string(),
        text[end..line_end].to_string(),
    )
}

impl OpEdit {
    fn to_edit(&self, start: usize) -> Edit {
        Edit {
            file: PathBuf::from(&self.file),
            span: start..start + (self.end - self.start),
            new_text: self.new_text.clone(),
            expect: self
                .expect
                .iter()
                .map(|(k, a, b)| Expect {
                    key: k.clone(),
                    value: *a..*b,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub changes: Vec<Change>,
    /// The attribute values with the changes applied, and their hash.
    pub attributes: Value,
    pub attributes_sha256: String,
    pub edits: Vec<OpEdit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub required: bool,
    pub approval_type: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackStep {
    pub order: usize,
    pub file: String,
    /// What to restore: the edit's old text back at its place.
    pub restore: String,
    /// How to check it worked.
    pub verify: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackPlan {
    pub steps: Vec<RollbackStep>,
    pub timeout_seconds: u64,
    pub auto_rollback: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Passed,
    Warning,
    Skipped,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyCheck {
    pub name: String,
    pub status: CheckStatus,
    pub message: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub time: String,
    pub level: String,
    pub message: String,
}

/// A planned fix for one block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub rule: String,
    pub rule_name: String,
    pub address: String,
    pub instances: Vec<String>,
    pub resource_type: String,
    pub description: String,
    pub original: Snapshot,
    pub target: Target,
    #[serde(with = "crate::cost::opt_dec_de")]
    pub monthly_saving: Option<Decimal>,
    pub applicability: Applicability,
    pub environment: Option<String>,
    pub risk: Risk,
    pub risk_reasons: Vec<String>,
    pub approval: Approval,
    pub rollback: RollbackPlan,
    pub checks: Vec<SafetyCheck>,
    pub state: OpState,
    pub log: Vec<LogLine>,
}

impl Operation {
    fn transition(
        &mut self,
        to: OpState,
        oplog: Option<&mut Log>,
        msg: &str,
        details: Value,
    ) -> Result<()> {
        if !self.state.can_go(to) {
            return Err(Error::InvalidNoSource {
                path: PathBuf::from(&self.id),
                message: format!("illegal transition {:?} -> {to:?}", self.state),
            });
        }
        let t = format!("{:?}->{to:?}", self.state);
        self.state = to;
        let level = match to {
            OpState::Failed | OpState::RollbackFailed => "error",
            OpState::RollingBack | OpState::RolledBack => "warn",
            _ => "info",
        };
        self.note(level, msg);
        if let Some(l) = oplog {
            l.append(&self.id, &t, level, msg, details)?;
        }
        Ok(())
    }

    fn note(&mut self, level: &str, msg: &str) {
        self.log.push(LogLine {
            time: oplog::rfc3339(oplog::now_epoch()),
            level: level.into(),
            message: msg.into(),
        });
    }
}

/// The operations file written by `costfix fix --out`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpsFile {
    pub schema: String,
    pub created: String,
    pub plan: String,
    pub plan_sha256: String,
    pub dir: String,
    pub operations: Vec<Operation>,
}

impl OpsFile {
    pub fn load(path: &Path) -> Result<OpsFile> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let f: OpsFile = serde_json::from_str(&text).map_err(|e| {
            let (src, span) = Error::source_window(
                &path.display().to_string(),
                &text,
                text.split_inclusive('\n')
                    .take(e.line().saturating_sub(1))
                    .map(str::len)
                    .sum::<usize>()
                    + e.column().saturating_sub(1),
            );
            Error::Invalid {
                src,
                span,
                message: format!("not an operations file: {e}"),
                label: "here".into(),
            }
        })?;
        if f.schema != SCHEMA {
            return Err(Error::InvalidNoSource {
                path: path.to_owned(),
                message: format!("schema `{}` is not {SCHEMA}", f.schema),
            });
        }
        Ok(f)
    }
}

/// What planning an operation needs besides the fix.
pub struct PlanInputs<'a> {
    /// Planned values (`after`) and prior values (`before`) per instance address.
    pub values: &'a BTreeMap<String, (Option<Value>, Option<Value>)>,
    pub environment: Option<&'a str>,
    /// The approval policy's decision for an input (None: no policy, approval required).
    pub approve: &'a dyn Fn(&Value) -> Option<Value>,
}

/// Plan an operation from a fix with edits.
pub fn plan(fix: &Fix, inputs: &PlanInputs<'_>) -> Option<Operation> {
    if fix.edits.is_empty() || fix.no_fix.is_some() || fix.suppressed.is_some() {
        return None;
    }
    let first = fix.instances.first()?;
    let (before, after) = inputs.values.get(first).cloned().unwrap_or((None, None));
    let (source, attrs) = match (before, after.clone()) {
        (Some(b), _) => ("state", b),
        (None, Some(a)) => ("plan", a),
        (None, None) => ("plan", Value::Null),
    };
    let block = match (&fix.file, &fix.block_span, fix.line) {
        (Some(f), Some(span), Some(line)) => {
            BlockSnapshot::read(Path::new(f), span.start, span.end, line)
        }
        _ => None,
    };
    let original = Snapshot::new(first, &fix.resource_type, source, attrs, block);
    let (target_attrs, _) = crate::rules::apply_changes(
        &after.unwrap_or(Value::Null),
        &Value::Object(Default::default()),
        &fix.changes,
    );
    let edits: Vec<OpEdit> = fix
        .edits
        .iter()
        .map(|e| {
            let text = std::fs::read_to_string(&e.edit.file).unwrap_or_default();
            let file_sha256 = sha256_hex(text.as_bytes());
            let (context_before, context_after) = if text.len() >= e.end {
                contexts(&text, e.start, e.end)
            } else {
                (String::new(), String::new())
            };
            OpEdit {
                context_before,
                context_after,
                file: e.file.clone(),
                start: e.start,
                end: e.end,
                old_text: e.old_text.clone(),
                new_text: e.new_text.clone(),
                expect: e
                    .edit
                    .expect
                    .iter()
                    .map(|x| (x.key.clone(), x.value.start, x.value.end))
                    .collect(),
                file_sha256,
            }
        })
        .collect();
    let (risk, risk_reasons) = risk_of(fix, inputs.environment);
    let environment = inputs.environment.map(str::to_string);
    let decision = (inputs.approve)(&json!({
        "action": "apply_fix",
        "risk_level": risk.name(),
        "environment": environment.clone().unwrap_or_default(),
        "resource_type": fix.resource_type,
        "gitops": false,
        "monthly_savings": fix.saving.map(|s| s.to_string()),
    }));
    let approval = match decision {
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
    };
    let id_src = format!(
        "{}|{}|{}",
        fix.rule,
        fix.address,
        edits
            .iter()
            .map(|e| format!("{}:{}:{}", e.file, e.start, e.new_text))
            .collect::<Vec<_>>()
            .join(",")
    );
    let id = format!("op-{}", &sha256_hex(id_src.as_bytes())[..12]);
    let rollback = RollbackPlan {
        steps: edits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, e)| RollbackStep {
                order: i + 1,
                file: e.file.clone(),
                restore: format!(
                    "put back {:?} where {:?} was written (bytes {}..{} before the fix)",
                    e.old_text, e.new_text, e.start, e.end
                ),
                verify: format!("{} hashes to its sha256 before the fix", e.file),
            })
            .collect(),
        timeout_seconds: 300,
        auto_rollback: true,
    };
    let mut op = Operation {
        id,
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
            edits,
        },
        monthly_saving: fix.saving,
        applicability: fix.applicability,
        environment,
        risk,
        risk_reasons,
        approval,
        rollback,
        checks: Vec::new(),
        state: OpState::Pending,
        log: Vec::new(),
    };
    op.note("info", "planned");
    Some(op)
}

/// Risk from the rule's applicability, what the change touches, the environment and how many
/// instances it reaches.
fn risk_of(fix: &Fix, environment: Option<&str>) -> (Risk, Vec<String>) {
    let mut reasons = Vec::new();
    let mut risk = match fix.applicability {
        Applicability::Safe => {
            reasons.push("safe fix".to_string());
            Risk::Low
        }
        _ => {
            reasons.push("unsafe fix".to_string());
            Risk::Medium
        }
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
        .map(crate::rules::Environment::classify)
        .unwrap_or(crate::rules::Environment::Unknown);
    if env == crate::rules::Environment::Production {
        risk = risk.up();
        reasons.push("production".into());
    }
    if fix.instances.len() > 10 || !fix.also_changes.is_empty() {
        risk = risk.up();
        reasons.push(format!(
            "reaches {} instance(s){}",
            fix.instances.len(),
            if fix.also_changes.is_empty() {
                String::new()
            } else {
                format!(" and {}", fix.also_changes.join(", "))
            }
        ));
    }
    (risk, reasons)
}

/// The world as it is when operations are applied.
pub struct World<'a> {
    pub dir: &'a Path,
    pub index: &'a SourceIndex,
    /// Current attribute values per address (from `--state` or a fresh plan), if given.
    pub current: Option<&'a BTreeMap<String, Value>>,
    /// Monthly cost now and with the target values, per operation id (None: not priced).
    pub costs: &'a dyn Fn(&Operation) -> Option<(Decimal, Decimal)>,
    /// Deny messages of the policies on the plan with the operation's values applied.
    pub policy_denies: &'a dyn Fn(&Operation) -> Result<Vec<String>>,
    /// Budgets broken by the operation (none when no budget is given).
    pub slo_breaks: &'a dyn Fn(&Operation) -> Result<Vec<String>>,
    /// Strict cost check: the fix must lower the cost.
    pub strict: bool,
}

/// An operation that passed the six checks. Only [`validate`] makes one.
#[derive(Debug)]
pub struct Validated {
    op: Operation,
    /// Byte shift of each edit (the file moved since planning but the edited text did not).
    shifts: Vec<isize>,
}

impl Validated {
    pub fn operation(&self) -> &Operation {
        &self.op
    }
}

/// Non-strict mode accepts a cost increase up to this many USD a month (and 1% of the cost).
pub const TOLERATED_INCREASE_USD: i64 = 1;

fn check(
    name: &str,
    status: CheckStatus,
    message: impl Into<String>,
    details: Value,
) -> SafetyCheck {
    SafetyCheck {
        name: name.into(),
        status,
        message: message.into(),
        details,
    }
}

/// Run the six safety checks against the world now. `Ok(Validated)` may be applied; `Err(op)`
/// is blocked (state `Failed`, the checks say why).
pub fn validate(
    mut op: Operation,
    world: &World<'_>,
    log: &mut Log,
) -> Result<std::result::Result<Validated, Operation>> {
    op.transition(
        OpState::ValidatingSafety,
        Some(log),
        "validating",
        json!({"address": op.address, "rule": op.rule}),
    )?;
    let mut checks = Vec::new();
    let touched: Vec<String> = op
        .target
        .changes
        .iter()
        .map(|c| c.path.to_string())
        .collect();
    let touches = |path: &str| {
        touched.iter().any(|t| {
            path == t
                || path.starts_with(&format!("{t}."))
                || path.starts_with(&format!("{t}["))
                || t.starts_with(path)
        })
    };
    let current = world
        .current
        .and_then(|c| c.get(op.instances.first().map(String::as_str).unwrap_or("")));

    // 1. No drift.
    checks.push(match (current, op.original.source.as_str()) {
        (None, _) if world.current.is_none() => check(
            "no_drift",
            CheckStatus::Skipped,
            "no current state given (--state, or --plan with a fresh plan): drift not checked",
            Value::Null,
        ),
        (None, _) => check(
            "no_drift",
            CheckStatus::Skipped,
            "the resource is not in the current state yet (to be created)",
            Value::Null,
        ),
        (Some(now), _) => {
            let d = drift::diff(&op.original.attributes, now);
            let risky: Vec<&drift::Drifted> = d
                .attributes
                .iter()
                .filter(|a| {
                    matches!(a.impact, Impact::Security | Impact::Availability) && touches(&a.path)
                })
                .collect();
            let details = serde_json::to_value(&d).unwrap_or(Value::Null);
            if !risky.is_empty() {
                check(
                    "no_drift",
                    CheckStatus::Failed,
                    format!(
                        "security or availability drift on attributes the fix touches: {}",
                        risky
                            .iter()
                            .map(|a| a.path.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    details,
                )
            } else if d.severity.blocks() {
                check(
                    "no_drift",
                    CheckStatus::Failed,
                    format!(
                        "{:?} drift: {} attributes changed since the fix was planned",
                        d.severity,
                        d.attributes.len()
                    )
                    .to_lowercase(),
                    details,
                )
            } else if d.severity == Severity::None {
                check("no_drift", CheckStatus::Passed, "no drift", Value::Null)
            } else {
                check(
                    "no_drift",
                    CheckStatus::Warning,
                    format!(
                        "{:?} drift ({} attribute(s): {}); proceeding",
                        d.severity,
                        d.attributes.len(),
                        d.attributes
                            .iter()
                            .map(|a| a.path.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                    .to_lowercase(),
                    details,
                )
            }
        }
    });

    // 2. The resource exists, in the sources and in the state.
    let addr: Option<crate::Address> = op.instances.first().and_then(|a| a.parse().ok());
    let block = addr.as_ref().and_then(|a| world.index.locate(a));
    checks.push(match (block, world.current, current) {
        (None, _, _) => check(
            "resource_exists",
            CheckStatus::Failed,
            format!(
                "{} is no longer declared in the sources under {}",
                op.address,
                world.dir.display()
            ),
            Value::Null,
        ),
        (Some(_), Some(_), None) if op.original.source == "state" => check(
            "resource_exists",
            CheckStatus::Failed,
            format!("{} is no longer in the state", op.instances[0]),
            Value::Null,
        ),
        (Some(b), _, _) => check(
            "resource_exists",
            CheckStatus::Passed,
            format!("declared in {}:{}", b.file.display(), b.line),
            Value::Null,
        ),
    });

    // 3. Config hash: the block and the attributes the fix touches are as planned.
    let mut shifts = Vec::new();
    let mut problems = Vec::new();
    let mut details = serde_json::Map::new();
    if let (Some(b), Some(snap)) = (block, &op.original.block) {
        let now = std::fs::read_to_string(&b.file)
            .ok()
            .and_then(|t| t.get(b.span.clone()).map(str::to_string))
            .unwrap_or_default();
        let sha = sha256_hex(now.as_bytes());
        if sha != snap.sha256 {
            problems.push(format!(
                "the block {} changed since the fix was planned",
                op.address
            ));
            details.insert(
                "block_diff".into(),
                Value::String(crate::fix::unified_diff(&snap.file, &snap.text, &now)),
            );
        }
        let block_shift = b.span.start as isize - snap.start as isize;
        for e in &op.target.edits {
            let text = std::fs::read_to_string(&e.file).unwrap_or_default();
            let shift = if e.file == snap.file { block_shift } else { 0 };
            let hint = (e.start as isize + shift).max(0) as usize;
            if relocate(&text, e, hint).is_none() {
                problems.push(if e.old_text.is_empty() {
                    format!(
                        "{}: the text around the place the fix inserts at is no longer there",
                        e.file
                    )
                } else {
                    format!(
                        "{}: the text the fix replaces ({:?}) is no longer at its place",
                        e.file, e.old_text
                    )
                });
            }
            shifts.push(shift);
        }
    }
    if let Some(now) = current {
        for c in &op.target.changes {
            let was = value_at(&op.original.attributes, &c.path.0);
            let is = value_at(now, &c.path.0);
            if hash_value(&was) != hash_value(&is) {
                problems.push(format!(
                    "{} is {} now, {} when the fix was planned",
                    c.path, is, was
                ));
            }
        }
    }
    checks.push(if problems.is_empty() {
        check(
            "config_hash_match",
            CheckStatus::Passed,
            "the block and the touched attributes hash as planned",
            Value::Null,
        )
    } else {
        check(
            "config_hash_match",
            CheckStatus::Failed,
            problems.join("; "),
            Value::Object(details),
        )
    });

    // 4. Cost impact.
    checks.push(match (world.costs)(&op) {
        Some((before, after)) if after < before => check("cost_impact_acceptable", CheckStatus::Passed, format!("monthly cost ${before:.2} → ${after:.2}"), json!({"before": before.to_string(), "after": after.to_string()})),
        Some((before, after)) if !world.strict && after - before <= (before / Decimal::from(100)).max(Decimal::from(TOLERATED_INCREASE_USD)) => check("cost_impact_acceptable", CheckStatus::Warning, format!("monthly cost ${before:.2} → ${after:.2}: within the non-strict tolerance"), Value::Null),
        Some((before, after)) => check("cost_impact_acceptable", CheckStatus::Failed, format!("the fix does not lower the monthly cost (${before:.2} → ${after:.2})"), Value::Null),
        None if world.strict => check("cost_impact_acceptable", CheckStatus::Failed, "the saving cannot be priced (usage or region missing): strict mode needs a lower cost; pass --usage, or --no-strict", Value::Null),
        None => check("cost_impact_acceptable", CheckStatus::Warning, "the saving cannot be priced; accepted in non-strict mode", Value::Null),
    });

    // 5. Policies.
    let denies = (world.policy_denies)(&op)?;
    checks.push(if denies.is_empty() {
        check(
            "no_policy_violation",
            CheckStatus::Passed,
            "the policies pass with the fix",
            Value::Null,
        )
    } else {
        check(
            "no_policy_violation",
            CheckStatus::Failed,
            denies.join("; "),
            Value::Null,
        )
    });

    // 6. SLO budgets.
    let breaks = (world.slo_breaks)(&op)?;
    checks.push(if breaks.is_empty() {
        check(
            "no_slo_violation",
            CheckStatus::Passed,
            "the budgets hold with the fix",
            Value::Null,
        )
    } else {
        check(
            "no_slo_violation",
            CheckStatus::Failed,
            breaks.join("; "),
            Value::Null,
        )
    });

    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .map(|c| format!("{}: {}", c.name, c.message))
        .collect();
    op.checks = checks;
    let details = json!({"checks": op.checks});
    if failed.is_empty() {
        log.append(&op.id, "", "info", "safety checks passed", details)?;
        Ok(Ok(Validated { op, shifts }))
    } else {
        let msg = format!("blocked: {}", failed.join(" | "));
        op.transition(OpState::Failed, Some(log), &msg, details)?;
        Ok(Err(op))
    }
}

/// The value at an attribute path (null when absent).
pub fn value_at(v: &Value, path: &[crate::rules::Seg]) -> Value {
    let mut cur = v;
    for s in path {
        cur = match s {
            crate::rules::Seg::Key(k) => match cur.get(k) {
                Some(x) => x,
                None => return Value::Null,
            },
            crate::rules::Seg::Index(i) => match cur.get(i) {
                Some(x) => x,
                None => return Value::Null,
            },
        };
    }
    cur.clone()
}

/// One file as an operation changed it: hashes before and after, and the edits to undo it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub file: String,
    pub sha256_before: String,
    pub sha256_after: String,
    /// Reverse edits, on the file as the operation left it.
    pub reverse: Vec<OpEdit>,
}

/// Apply validated operations: per file, splice, verify (parse, read back), write atomically;
/// log the file hashes and reverse edits before writing (so a crash can be recovered) and the
/// result after. A failure rolls back every file written so far, in reverse order.
pub fn apply(ops: Vec<Validated>, log: &mut Log) -> Result<Vec<Operation>> {
    let mut done: Vec<(Operation, Vec<FileChange>)> = Vec::new();
    let mut out = Vec::new();
    for v in ops {
        let Validated { mut op, shifts } = v;
        // Plan the writes.
        // Each edit is found again in the file as it is now (earlier operations of the run
        // may have moved it): by its context, nearest where validation saw it.
        let mut by_file: BTreeMap<String, Vec<(Edit, String)>> = BTreeMap::new();
        let mut lost = None;
        for (e, s) in op
            .target
            .edits
            .iter()
            .zip(shifts.iter().chain(std::iter::repeat(&0)))
        {
            let text = std::fs::read_to_string(&e.file).unwrap_or_default();
            let hint = (e.start as isize + s).max(0) as usize;
            match relocate(&text, e, hint) {
                Some(at) => by_file
                    .entry(e.file.clone())
                    .or_default()
                    .push((e.to_edit(at), e.old_text.clone())),
                None => lost = Some(format!("{}: the text to replace moved or changed", e.file)),
            }
        }
        let mut changes = Vec::new();
        let mut texts = Vec::new();
        let mut error = lost;
        for (file, edits) in by_file.iter().filter(|_| error.is_none()) {
            let original = match std::fs::read_to_string(file) {
                Ok(t) => t,
                Err(e) => {
                    error = Some(format!("{file}: {e}"));
                    break;
                }
            };
            let refs: Vec<&Edit> = edits.iter().map(|(e, _)| e).collect();
            match edit::apply_verified(&original, &refs) {
                Ok(new) => {
                    changes.push(FileChange {
                        file: file.clone(),
                        sha256_before: sha256_hex(original.as_bytes()),
                        sha256_after: sha256_hex(new.as_bytes()),
                        reverse: reverse_edits(file, &new, edits),
                    });
                    texts.push((file.clone(), original, new));
                }
                Err(e) => {
                    error = Some(format!("{file}: {e}"));
                    break;
                }
            }
        }
        let details = json!({"files": changes});
        op.transition(OpState::Applying, Some(log), "applying", details)?;
        if let Some(e) = error {
            op.transition(
                OpState::Failed,
                Some(log),
                &format!("not applied: {e}; no file was written"),
                Value::Null,
            )?;
            out.push(op);
            continue;
        }
        let mut written: Vec<(String, String)> = Vec::new();
        let mut failure = None;
        for (file, original, new) in &texts {
            match write_atomic(Path::new(file), new.as_bytes()) {
                Ok(()) => {
                    written.push((file.clone(), original.clone()));
                    // Verify what is on disk now.
                    let now = std::fs::read(file)
                        .map(|b| sha256_hex(&b))
                        .unwrap_or_default();
                    if now != sha256_hex(new.as_bytes()) {
                        failure = Some(format!("{file} does not read back as written"));
                        break;
                    }
                }
                Err(e) => {
                    failure = Some(format!("{e}"));
                    break;
                }
            }
        }
        match failure {
            None => {
                op.transition(OpState::Applied, Some(log), "applied and verified", json!({"files": changes, "monthly_saving": op.monthly_saving.map(|s| s.to_string())}))?;
                done.push((op.clone(), changes));
                out.push(op);
            }
            Some(why) => {
                op.transition(
                    OpState::RollingBack,
                    Some(log),
                    &format!("verification failed: {why}; rolling back"),
                    Value::Null,
                )?;
                let mut ok = true;
                for (file, original) in written.iter().rev() {
                    if write_atomic(Path::new(file), original.as_bytes()).is_err()
                        || std::fs::read(file).map(|b| sha256_hex(&b)).ok()
                            != Some(sha256_hex(original.as_bytes()))
                    {
                        ok = false;
                    }
                }
                if ok {
                    op.transition(
                        OpState::RolledBack,
                        Some(log),
                        "rolled back: every file is as before",
                        Value::Null,
                    )?;
                } else {
                    op.transition(
                        OpState::RollbackFailed,
                        Some(log),
                        "rollback failed: restore the files listed in the Applying entry by hand",
                        json!({"files": changes}),
                    )?;
                }
                out.push(op);
            }
        }
    }
    Ok(out)
}

/// Edits that undo `edits` (with the text each replaced) on the text they produce (`new`), with
/// their context there so that they can be found again after later edits of the file.
fn reverse_edits(file: &str, new: &str, edits: &[(Edit, String)]) -> Vec<OpEdit> {
    let mut sorted: Vec<&(Edit, String)> = edits.iter().collect();
    sorted.sort_by_key(|(e, _)| e.span.start);
    let mut shift: isize = 0;
    sorted
        .into_iter()
        .map(|(e, old)| {
            let start = (e.span.start as isize + shift) as usize;
            shift += e.new_text.len() as isize - e.span.len() as isize;
            let end = start + e.new_text.len();
            let (context_before, context_after) = contexts(new, start, end);
            OpEdit {
                file: file.to_string(),
                start,
                end,
                old_text: e.new_text.clone(),
                new_text: old.clone(),
                expect: Vec::new(),
                file_sha256: sha256_hex(new.as_bytes()),
                context_before,
                context_after,
            }
        })
        .collect()
}

/// Undo a file change on the file as it is now: each applied text must still be at its place
/// (found by its context; other edits of the file since are kept), else `Err` with what moved,
/// unless `force` (which undoes what it still finds). Returns (text now, restored text); the
/// restored text parses.
pub fn undo_text(
    change: &FileChange,
    force: bool,
) -> std::result::Result<(String, String), String> {
    let now = std::fs::read_to_string(&change.file).map_err(|e| format!("{}: {e}", change.file))?;
    let restored = undo_in(&now, change, force)?;
    Ok((now, restored))
}

/// [`undo_text`] on a text given (the file as earlier rollbacks of the same run left it).
pub fn undo_in(now: &str, change: &FileChange, force: bool) -> std::result::Result<String, String> {
    let mut edits = Vec::new();
    for r in &change.reverse {
        match relocate(now, r, r.start) {
            Some(at) => edits.push(Edit {
                file: PathBuf::from(&change.file),
                span: at..at + r.old_text.len(),
                new_text: r.new_text.clone(),
                expect: Vec::new(),
            }),
            None if force => {}
            None => {
                return Err(format!(
                    "{}: {:?} (written by the fix) is no longer where the fix put it: the file changed since; refusing without --force",
                    change.file, r.old_text
                ))
            }
        }
    }
    let refs: Vec<&Edit> = edits.iter().collect();
    edit::apply_verified(now, &refs).map_err(|e| format!("{}: {e}", change.file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_legal_transitions() {
        use OpState::*;
        let all = [
            Pending,
            ValidatingSafety,
            Applying,
            Applied,
            Failed,
            RollingBack,
            RolledBack,
            RollbackFailed,
        ];
        let legal: Vec<(OpState, OpState)> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_go(*b))
            .collect();
        assert_eq!(legal.len(), 9);
        assert!(!Pending.can_go(Applying), "nothing is applied unchecked");
        assert!(!Failed.can_go(Applying));
        assert!(!RolledBack.can_go(Applied));
        assert_eq!("critical".parse::<Risk>().unwrap(), Risk::Critical);
        assert!(Risk::Low < Risk::High);
    }
}
