//! `costfix apply OPS.json`: the run. Take the tree's lock, refuse a tampered log or an open
//! circuit breaker, build the [`World`] as it is now, pass each operation through the gates
//! (already applied, pending, risk, approval, rate), run the six checks, and write the validated
//! operations.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::estimate::{Pricing, PricingRequest};
use crate::ops::checks::validate;
use crate::ops::log::{self, Event, Level, Lock, Log};
use crate::ops::model::{OpState, Operation, OpsFile, Risk};
use crate::ops::request::{self, rederive, Verdict};
use crate::ops::world::{state_values, World, WorldInputs};
use crate::policy::PolicySet;
use crate::root::Root;
use crate::slo;
use crate::terraform::input::InputFile;
use crate::terraform::plan::{parse_document, Document};

/// Consecutive failed or rolled-back operations that open the circuit breaker.
pub const BREAKER: usize = 3;

/// What `costfix apply` is asked to do.
#[derive(Debug)]
pub struct ApplyRequest {
    pub ops_file: PathBuf,
    /// The root folder: every file the operations name is resolved in it, and must be in it.
    pub dir: PathBuf,
    /// The environment of resources without an environment tag (as for `fix`), and where it
    /// came from: the operations are derived again with it.
    pub environment: Option<(String, String)>,
    /// A fresh plan to check on (its prior state is the current state) [default: the plan the
    /// operations were made from].
    pub plan: Option<PathBuf>,
    /// The current state, for the drift checks.
    pub state: Option<PathBuf>,
    pub approve_by: Option<String>,
    pub max_risk: Risk,
    pub strict: bool,
    /// User policy folders (added to the shipped ones) and budget files.
    pub policies: Vec<PathBuf>,
    pub slos: Vec<PathBuf>,
    pub max_operations: usize,
    pub max_per_hour: usize,
    pub pricing: PricingRequest,
}

/// What a run did, operation by operation.
#[derive(Debug, Serialize)]
pub struct ApplyReport {
    pub schema: &'static str,
    pub operations: Vec<Operation>,
}

impl ApplyReport {
    /// Whether every operation is applied (the exit code).
    pub fn all_applied(&self) -> bool {
        self.operations.iter().all(|o| o.state == OpState::Applied)
    }

    /// Operations skipped because an earlier run had applied them.
    pub fn already_applied(&self) -> usize {
        self.operations
            .iter()
            .filter(|o| {
                o.log
                    .last()
                    .is_some_and(|l| l.message.starts_with("already applied"))
            })
            .count()
    }
}

/// The lock, the log and the breaker: what every writing command starts with.
pub(crate) fn open_log(root: &Root) -> Result<(Lock, Log)> {
    let lock = Lock::acquire(root)?;
    let log = Log::open(root)?;
    // After a crash, `recover` first: applying over an unfinished operation orphans its edit.
    crate::ops::rollback::refuse_unfinished(log.entries())?;
    let in_a_row = log::failures_in_a_row(log.entries());
    if in_a_row >= BREAKER {
        return Err(Error::Breaker { in_a_row });
    }
    Ok((lock, log))
}

/// Apply the operations of an operations file.
pub fn apply(req: &ApplyRequest) -> Result<ApplyReport> {
    let ops = OpsFile::load(&req.ops_file)?;
    let root = Root::open(&req.dir)?;
    let (_lock, mut log) = open_log(&root)?;
    let done_this_hour = log::applied_in_last_hour(log.entries(), log::now_epoch());
    let plan_path = match &req.plan {
        Some(p) => p.clone(),
        None => plan_of(&ops, &root)?,
    };
    let file = InputFile::read(&plan_path)?;
    let (doc, _) = parse_document(&file)?;
    let current = current_values(req, &doc, &file)?;
    let pricing = Pricing::load_request(&req.pricing)?;
    let Document::Plan(plan) = &doc else {
        return Err(Error::WrongKind {
            path: file.path.clone(),
            expected: "a Terraform plan",
            found: "a Terraform state",
            help: "operations are checked on a plan: give the plan they were made from, or a fresh one with --plan".into(),
        });
    };
    // What the rules make today, to compare each request with.
    let (today, index) = rederive(plan, &pricing, &root, req.environment.as_ref())?;
    let mut requests = Vec::new();
    for op in ops.operations {
        let verdict = request::compare(&op, &today, req.plan.is_none());
        requests.push((resolve_files(op, &root)?, verdict));
    }
    let mut policies = PolicySet::embedded()?;
    for d in &req.policies {
        policies.load_dir(d, false)?;
    }
    let mut budgets = Vec::new();
    for s in &req.slos {
        budgets.extend(slo::load(s)?);
    }
    let world = World::new(WorldInputs {
        dir: root.dir(),
        index: &index,
        current: current.as_ref(),
        strict: req.strict,
        doc: &doc,
        plan_file: &file,
        pricing: &pricing,
        policies: &policies,
        budgets: &budgets,
    })?;
    let ids: Vec<String> = requests.iter().map(|(o, _)| o.id.clone()).collect();
    log.run(
        true,
        format!("apply {}", req.ops_file.display()),
        json!({"ops_file": req.ops_file.display().to_string(), "plan": plan_path.display().to_string(), "operations": ids}),
    )?;
    let mut gates = Gates {
        req,
        logged: last_states(log.entries()),
        left: req
            .max_operations
            .min(req.max_per_hour.saturating_sub(done_this_hour)),
        done_this_hour,
    };
    let mut results = Vec::new();
    let mut validated = Vec::new();
    for (mut op, verdict) in requests {
        if let Some((level, why)) = gates.skip(&mut op, &verdict, &mut log)? {
            op.event(&mut log, level, why)?;
            results.push(op);
            continue;
        }
        match validate(op, &world, &mut log)? {
            Ok(v) => match verdict.refused_target(v.operation()) {
                None => validated.push(v),
                Some(why) => results.push(v.refuse(&mut log, &why, request::details(&verdict))?),
            },
            Err(blocked) => results.push(blocked),
        }
    }
    results.extend(crate::ops::write::apply(validated, &root, &mut log)?);
    log.run(false, "apply finished", Value::Null)?;
    Ok(ApplyReport {
        schema: "costfix.apply/v1",
        operations: results,
    })
}

/// The plan an operations file was made from, named relative to the root (its `plan`); one
/// outside the root is not read: `--plan` says which to use.
pub(crate) fn plan_of(ops: &OpsFile, root: &Root) -> Result<PathBuf> {
    root.resolve(&ops.plan).map_err(|e| match e {
        Error::OutsideRoot { name, message } => Error::Usage {
            message: format!(
                "the operations file's plan {name} is not a file inside the root folder: {message}"
            ),
            help: "pass the plan with --plan PLAN".into(),
        },
        e => e,
    })
}

/// The operation with the files it names (relative to the root) resolved in the root: refused
/// (the whole run, before anything is written) when one is outside it.
fn resolve_files(mut op: Operation, root: &Root) -> Result<Operation> {
    for e in &mut op.target.edits {
        e.file = root.resolve(&e.file.to_string_lossy())?;
    }
    if let Some(b) = &mut op.original.block {
        b.file = root.resolve(&b.file)?.display().to_string();
    }
    Ok(op)
}

/// Current attributes: `--state`, else a fresh plan's prior state.
fn current_values(
    req: &ApplyRequest,
    doc: &Document<'_>,
    file: &InputFile,
) -> Result<Option<BTreeMap<String, Value>>> {
    if let Some(path) = &req.state {
        let f = InputFile::read(path)?;
        let (d, _) = parse_document(&f)?;
        let Document::State(st) = d else {
            return Err(Error::WrongKind {
                path: f.path.clone(),
                expected: "a Terraform state",
                found: "a Terraform plan",
                help: "--state takes terraform.tfstate or `terraform show -json` of a state".into(),
            });
        };
        return Ok(Some(state_values(&st)));
    }
    match (doc, &req.plan) {
        (Document::Plan(plan), Some(_)) => Ok(plan.prior_state(file)?.map(|st| state_values(&st))),
        _ => Ok(None),
    }
}

/// Where the log leaves each operation: (entry, state it went to).
fn last_states(entries: &[log::Entry]) -> BTreeMap<String, (u64, OpState)> {
    let mut logged = BTreeMap::new();
    for e in entries {
        if let Event::Transition(_, to) = e.transition {
            logged.insert(e.op.clone(), (e.seq, to));
        }
    }
    logged
}

/// The gates an operation passes before its checks.
struct Gates<'a> {
    req: &'a ApplyRequest,
    logged: BTreeMap<String, (u64, OpState)>,
    /// Operations this run may still apply (per run and per hour).
    left: usize,
    done_this_hour: usize,
}

impl Gates<'_> {
    /// Why `op` is skipped or refused (None: it goes on to the checks). An approval given is
    /// logged.
    fn skip(
        &mut self,
        op: &mut Operation,
        verdict: &Verdict,
        log: &mut Log,
    ) -> Result<Option<(Level, String)>> {
        // One already applied (and not rolled back since) is skipped, not checked again (its
        // checks would fail against its own edit).
        if let Some((seq, OpState::Applied)) = self.logged.get(&op.id) {
            op.state = OpState::Applied;
            let why = format!("already applied (log entry {seq}): skipped");
            return Ok(Some((Level::Warn, why)));
        }
        // A forged state, risk, approval or check result: refused, whatever the gates would say.
        let refused = if op.state != OpState::Pending {
            Some(format!(
                "refused: the operations file says it is {}; only a Pending operation is applied; nothing was written",
                op.state.name()
            ))
        } else {
            verdict.refused_request(op)
        };
        if let Some(why) = refused {
            op.state = OpState::Failed;
            return Ok(Some((Level::Error, why)));
        }
        let warn = |why: String| Ok(Some((Level::Warn, why)));
        if op.risk > self.req.max_risk {
            return warn(format!(
                "risk {} is above --max-risk {}: skipped",
                op.risk.name(),
                self.req.max_risk.name()
            ));
        }
        if op.approval.required {
            let Some(name) = &self.req.approve_by else {
                return warn(format!(
                    "needs approval ({}): pass --approve-by NAME",
                    op.approval.reason
                ));
            };
            op.approval.approved_by = Some(name.clone());
            log.note(
                &op.id,
                Level::Info,
                format!("approved by {name}"),
                json!({"approver": name, "approval_type": op.approval.approval_type, "reason": op.approval.reason}),
            )?;
        }
        if self.left == 0 {
            return warn(format!(
                "rate limit: at most {} operation(s) per run and {} per hour ({} applied in the last hour): skipped",
                self.req.max_operations, self.req.max_per_hour, self.done_this_hour
            ));
        }
        self.left -= 1;
        Ok(None)
    }
}
