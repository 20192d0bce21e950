//! The six safety checks, run against the world as it is when an operation is applied: no drift,
//! the resource exists, the config hash matches, the cost impact is acceptable, no policy is
//! violated, no SLO budget is broken. Only [`validate`] makes a [`Validated`] operation, and only a
//! `Validated` one can be written ([`crate::ops::write::apply`]).

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::error::Result;
use crate::hcl::source::Block;
use crate::ops::drift::{self, Impact, Severity};
use crate::ops::log::{Level, Log};
use crate::ops::model::{CheckStatus, OpState, Operation, SafetyCheck};
use crate::ops::snapshot::{hash_value, sha256_hex};
use crate::ops::world::{Consequences, World};
use crate::terraform::address::Address;

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

    pub(crate) fn into_parts(self) -> (Operation, Vec<isize>) {
        (self.op, self.shifts)
    }

    /// Refuse it after all (`ValidatingSafety -> Failed`): what the checks cannot see, a request
    /// the rule does not make today ([`crate::ops::request`]).
    pub(crate) fn refuse(self, log: &mut Log, why: &str, details: Value) -> Result<Operation> {
        let mut op = self.op;
        op.transition(OpState::Failed, log, why, details)?;
        Ok(op)
    }
}

/// The names of the six checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SafetyCheckName {
    NoDrift,
    ResourceExists,
    ConfigHashMatch,
    CostImpactAcceptable,
    NoPolicyViolation,
    NoSloViolation,
}

impl SafetyCheckName {
    pub fn name(self) -> &'static str {
        match self {
            SafetyCheckName::NoDrift => "no_drift",
            SafetyCheckName::ResourceExists => "resource_exists",
            SafetyCheckName::ConfigHashMatch => "config_hash_match",
            SafetyCheckName::CostImpactAcceptable => "cost_impact_acceptable",
            SafetyCheckName::NoPolicyViolation => "no_policy_violation",
            SafetyCheckName::NoSloViolation => "no_slo_violation",
        }
    }
}

/// Non-strict mode accepts a cost increase up to this many USD a month (and 1% of the cost).
pub const TOLERATED_INCREASE_USD: i64 = 1;

fn check(
    name: SafetyCheckName,
    status: CheckStatus,
    message: impl Into<String>,
    details: Value,
) -> SafetyCheck {
    SafetyCheck {
        name: name.name().into(),
        status,
        message: message.into(),
        details,
    }
}

/// What the checks look at for one operation.
struct Subject<'w> {
    /// The resource's attributes in the current state (None: not there, or no state given).
    current: Option<&'w Value>,
    /// Its block in the sources now.
    block: Option<&'w Block>,
    /// Attribute paths the fix changes.
    touched: Vec<String>,
}

impl Subject<'_> {
    fn touches(&self, path: &str) -> bool {
        self.touched.iter().any(|t| {
            path == t
                || path.starts_with(&format!("{t}."))
                || path.starts_with(&format!("{t}["))
                || t.starts_with(path)
        })
    }
}

/// Run the six safety checks against the world now. `Ok(Validated)` may be applied; `Err(op)`
/// is blocked (state `Failed`, the checks say why).
pub fn validate(
    mut op: Operation,
    world: &World<'_>,
    log: &mut Log,
) -> Result<std::result::Result<Validated, Operation>> {
    let details = json!({"address": op.address, "rule": op.rule});
    op.transition(OpState::ValidatingSafety, log, "validating", details)?;
    let first = op.instances.first().map(String::as_str).unwrap_or("");
    let addr: Option<Address> = first.parse().ok();
    let subject = Subject {
        current: world.current.and_then(|c| c.get(first)),
        block: addr.as_ref().and_then(|a| world.index.locate(a)),
        touched: op
            .target
            .changes
            .iter()
            .map(|c| c.path.to_string())
            .collect(),
    };
    let (config, shifts) = config_hash_match(&op, &subject);
    let consequences = world.consequences(&op)?;
    let checks = vec![
        no_drift(&op, world, &subject),
        resource_exists(&op, world, &subject),
        config,
        cost_impact_acceptable(world.costs(&op), world.strict),
        no_policy_violation(&consequences),
        no_slo_violation(&consequences),
    ];
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .map(|c| format!("{}: {}", c.name, c.message))
        .collect();
    op.checks = checks;
    let details = json!({"checks": op.checks});
    if failed.is_empty() {
        log.note(&op.id, Level::Info, "safety checks passed", details)?;
        Ok(Ok(Validated { op, shifts }))
    } else {
        let msg = format!("blocked: {}", failed.join(" | "));
        op.transition(OpState::Failed, log, &msg, details)?;
        Ok(Err(op))
    }
}

/// Check 1, no drift: the resource's attributes now against the snapshot; security or availability
/// drift on what the fix touches, or major drift anywhere, blocks.
fn no_drift(op: &Operation, world: &World<'_>, s: &Subject<'_>) -> SafetyCheck {
    use SafetyCheckName::NoDrift;
    let Some(now) = s.current else {
        let why = if world.current.is_none() {
            "no current state given (--state, or --plan with a fresh plan): drift not checked"
        } else {
            "the resource is not in the current state yet (to be created)"
        };
        return check(NoDrift, CheckStatus::Skipped, why, Value::Null);
    };
    let d = drift::diff(&op.original.attributes, now);
    let paths = |a: &[&drift::Drifted]| {
        a.iter()
            .map(|a| a.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let risky: Vec<&drift::Drifted> = d
        .attributes
        .iter()
        .filter(|a| {
            matches!(a.impact, Impact::Security | Impact::Availability) && s.touches(&a.path)
        })
        .collect();
    let all: Vec<&drift::Drifted> = d.attributes.iter().collect();
    let details = serde_json::to_value(&d).unwrap_or(Value::Null);
    if !risky.is_empty() {
        let msg = format!(
            "security or availability drift on attributes the fix touches: {}",
            paths(&risky)
        );
        check(NoDrift, CheckStatus::Failed, msg, details)
    } else if d.severity.blocks() {
        let msg = format!(
            "{:?} drift: {} attributes changed since the fix was planned",
            d.severity,
            d.attributes.len()
        );
        check(NoDrift, CheckStatus::Failed, msg.to_lowercase(), details)
    } else if d.severity == Severity::None {
        check(NoDrift, CheckStatus::Passed, "no drift", Value::Null)
    } else {
        let msg = format!(
            "{:?} drift ({} attribute(s): {}); proceeding",
            d.severity,
            d.attributes.len(),
            paths(&all)
        );
        check(NoDrift, CheckStatus::Warning, msg.to_lowercase(), details)
    }
}

/// Check 2: the resource exists, in the sources and (when it was read from one) in the state.
fn resource_exists(op: &Operation, world: &World<'_>, s: &Subject<'_>) -> SafetyCheck {
    use SafetyCheckName::ResourceExists;
    match (s.block, world.current, s.current) {
        (None, _, _) => check(
            ResourceExists,
            CheckStatus::Failed,
            format!(
                "{} is no longer declared in the sources under {}",
                op.address,
                world.dir.display()
            ),
            Value::Null,
        ),
        (Some(_), Some(_), None) if op.original.source == "state" => check(
            ResourceExists,
            CheckStatus::Failed,
            format!("{} is no longer in the state", op.instances[0]),
            Value::Null,
        ),
        (Some(b), _, _) => check(
            ResourceExists,
            CheckStatus::Passed,
            format!("declared in {}:{}", b.file.display(), b.line),
            Value::Null,
        ),
    }
}

/// Check 3, config hash: the block and the attributes the fix touches are as planned, and every edit's
/// text is found again. Also returns how far each edit moved.
fn config_hash_match(op: &Operation, s: &Subject<'_>) -> (SafetyCheck, Vec<isize>) {
    use SafetyCheckName::ConfigHashMatch;
    let mut shifts = Vec::new();
    let mut problems = Vec::new();
    let mut details = serde_json::Map::new();
    if let (Some(b), Some(snap)) = (s.block, &op.original.block) {
        let now = std::fs::read_to_string(&b.file)
            .ok()
            .and_then(|t| t.get(b.span.clone()).map(str::to_string))
            .unwrap_or_default();
        if sha256_hex(now.as_bytes()) != snap.sha256 {
            problems.push(format!(
                "the block {} changed since the fix was planned",
                op.address
            ));
            let diff = crate::fix::unified_diff(&snap.file, &snap.text, &now);
            details.insert("block_diff".into(), Value::String(diff));
        }
        let block_shift = b.span.start as isize - snap.start as isize;
        for e in &op.target.edits {
            let text = std::fs::read_to_string(&e.file).unwrap_or_default();
            let shift = if e.file == std::path::Path::new(&snap.file) {
                block_shift
            } else {
                0
            };
            let hint = (e.span.start as isize + shift).max(0) as usize;
            if e.relocate(&text, hint).is_none() {
                let file = e.file.display();
                problems.push(if e.old_text().is_empty() {
                    format!(
                        "{file}: the text around the place the fix inserts at is no longer there"
                    )
                } else {
                    format!(
                        "{file}: the text the fix replaces ({:?}) is no longer at its place",
                        e.old_text()
                    )
                });
            }
            shifts.push(shift);
        }
    }
    if let Some(now) = s.current {
        for c in &op.target.changes {
            let was = c
                .path
                .get(&op.original.attributes)
                .cloned()
                .unwrap_or(Value::Null);
            let is = c.path.get(now).cloned().unwrap_or(Value::Null);
            if hash_value(&was) != hash_value(&is) {
                problems.push(format!(
                    "{} is {} now, {} when the fix was planned",
                    c.path, is, was
                ));
            }
        }
    }
    let result = if problems.is_empty() {
        check(
            ConfigHashMatch,
            CheckStatus::Passed,
            "the block and the touched attributes hash as planned",
            Value::Null,
        )
    } else {
        check(
            ConfigHashMatch,
            CheckStatus::Failed,
            problems.join("; "),
            Value::Object(details),
        )
    };
    (result, shifts)
}

/// Check 4, cost impact: re-costed with the prices now, the fix must lower the monthly cost (or, not
/// strict, raise it at most by the tolerance).
fn cost_impact_acceptable(costs: Option<(Decimal, Decimal)>, strict: bool) -> SafetyCheck {
    use SafetyCheckName::CostImpactAcceptable as Cost;
    let tolerated =
        |before: Decimal| (before / Decimal::from(100)).max(Decimal::from(TOLERATED_INCREASE_USD));
    match costs {
        Some((before, after)) if after < before => check(
            Cost,
            CheckStatus::Passed,
            format!("monthly cost ${before:.2} → ${after:.2}"),
            json!({"before": before.to_string(), "after": after.to_string()}),
        ),
        Some((before, after)) if !strict && after - before <= tolerated(before) => check(
            Cost,
            CheckStatus::Warning,
            format!("monthly cost ${before:.2} → ${after:.2}: within the non-strict tolerance"),
            Value::Null,
        ),
        Some((before, after)) => check(
            Cost,
            CheckStatus::Failed,
            format!("the fix does not lower the monthly cost (${before:.2} → ${after:.2})"),
            Value::Null,
        ),
        None if strict => check(
            Cost,
            CheckStatus::Failed,
            "the saving cannot be priced (usage or region missing): strict mode needs a lower cost; pass --usage, or --no-strict",
            Value::Null,
        ),
        None => check(
            Cost,
            CheckStatus::Warning,
            "the saving cannot be priced; accepted in non-strict mode",
            Value::Null,
        ),
    }
}

/// Check 5: no policy denies the plan with the fix written in (denials it had before do not count).
fn no_policy_violation(c: &Consequences) -> SafetyCheck {
    use SafetyCheckName::NoPolicyViolation;
    if c.denies.is_empty() {
        let msg = "the policies pass with the fix";
        check(NoPolicyViolation, CheckStatus::Passed, msg, Value::Null)
    } else {
        let msg = c.denies.join("; ");
        check(NoPolicyViolation, CheckStatus::Failed, msg, Value::Null)
    }
}

/// Check 6: no SLO budget breaks (or gets worse) with the fix.
fn no_slo_violation(c: &Consequences) -> SafetyCheck {
    use SafetyCheckName::NoSloViolation;
    if c.breaks.is_empty() {
        let msg = "the budgets hold with the fix";
        check(NoSloViolation, CheckStatus::Passed, msg, Value::Null)
    } else {
        let msg = c.breaks.join("; ");
        check(NoSloViolation, CheckStatus::Failed, msg, Value::Null)
    }
}
