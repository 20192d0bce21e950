//! `fix --out`, `apply`, `rollback`, `recover` and `log`: drift-safe operations.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use costfix_engine::check::{self, CheckOptions, FailOn};
use costfix_engine::config::Config;
use costfix_engine::estimate;
use costfix_engine::operation::{self, CheckStatus, FileChange, OpState, Operation, OpsFile, Risk};
use costfix_engine::oplog::{self, Log};
use costfix_engine::patch::Fix;
use costfix_engine::plan::{Document, Plan};
use costfix_engine::policy::{Namespaces, PolicySet};
use costfix_engine::snapshot::sha256_hex;
use costfix_engine::source::SourceIndex;
use costfix_engine::{parse_document, Address, InputFile};
use miette::{miette, IntoDiagnostic, Result};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::{cost_setup, with_config, write_atomically, CostInputs};

/// `after` and `before` values per instance address of a plan.
fn plan_values(plan: &Plan<'_>) -> BTreeMap<String, (Option<Value>, Option<Value>)> {
    plan.resource_changes
        .iter()
        .map(|rc| {
            let parse = |r: Option<&serde_json::value::RawValue>| {
                r.and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
                    .filter(|v| !v.is_null())
            };
            (
                rc.address.to_string(),
                (parse(rc.change.before), parse(rc.change.after)),
            )
        })
        .collect()
}

/// Environment of a resource: its tags (as the rules read them), else the run's.
fn env_of(values: Option<&Value>, default: Option<&str>) -> Option<String> {
    values
        .and_then(costfix_engine::rules::environment_tag)
        .map(|(_, v)| v.to_string())
        .or_else(|| default.map(str::to_string))
}

/// Write the operations of the applicable fixes (`applied` in the selection) to an ops file.
pub fn write_ops(
    path: &Path,
    fixes: &[Fix],
    plan: &Plan<'_>,
    file: &InputFile,
    dir: &Path,
    environment: Option<&str>,
) -> Result<usize> {
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
        let env = env_of(
            f.instances
                .first()
                .and_then(|i| values.get(i))
                .and_then(|v| v.1.as_ref().or(v.0.as_ref())),
            environment,
        );
        let inputs = operation::PlanInputs {
            values: &values,
            environment: env.as_deref(),
            approve: &approve,
        };
        if let Some(op) = operation::plan(f, &inputs) {
            operations.push(op);
        }
    }
    let ops = OpsFile {
        schema: operation::SCHEMA.into(),
        created: oplog::rfc3339(oplog::now_epoch()),
        plan: file.display_name(),
        plan_sha256: sha256_hex(file.json().as_bytes()),
        dir: dir.display().to_string(),
        operations,
    };
    let n = ops.operations.len();
    let text = serde_json::to_string_pretty(&ops).into_diagnostic()?;
    write_atomically(path, format!("{text}\n").as_bytes())?;
    Ok(n)
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// The operations file written by `costfix fix --out`.
    ops: PathBuf,
    /// Approve operations whose approval policy requires it, as NAME (recorded in the log).
    #[arg(long, value_name = "NAME")]
    approve_by: Option<String>,
    /// Apply operations up to this risk level (low, medium, high, critical).
    #[arg(long, value_name = "LEVEL", default_value = "high")]
    max_risk: Risk,
    /// Accept a small cost increase (up to $1/month or 1%) and unpriced savings. The default is
    /// strict: every fix must lower the cost.
    #[arg(long)]
    no_strict: bool,
    /// The current state (raw terraform.tfstate or `terraform show -json`), for the drift checks.
    #[arg(long, value_name = "STATE")]
    state: Option<PathBuf>,
    /// A fresh plan: its prior state is the current state, and it is what policies and budgets
    /// are evaluated on [default: the plan the operations were made from].
    #[arg(long, value_name = "PLAN")]
    plan: Option<PathBuf>,
    /// Verify operations already applied against a plan made after the change: the planned
    /// values must be the fix's, and the cost lower; an operation that fails is rolled back.
    /// Nothing pending is applied in this mode.
    #[arg(long, value_name = "NEW_PLAN", conflicts_with = "plan")]
    verify_plan: Option<PathBuf>,
    /// The .tf root folder [default: the one the operations were made in].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Rego policies to hold after the fix (added to the shipped ones). Repeatable.
    #[arg(long = "policy", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// SLO budget files or folders that must hold after the fix. Repeatable.
    #[arg(long = "slo", value_name = "FILE_OR_DIR")]
    slos: Vec<PathBuf>,
    /// At most this many operations in this run.
    #[arg(long, value_name = "N", default_value_t = 20)]
    max_operations: usize,
    /// At most this many operations applied in any hour (counted from the log).
    #[arg(long, value_name = "N", default_value_t = 50)]
    max_per_hour: usize,
    #[command(flatten)]
    inputs: CostInputs,
    #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Table)]
    format: OutFormat,
}

/// Consecutive failed or rolled-back operations that open the circuit breaker.
const BREAKER: usize = 3;

pub fn run_apply(mut a: ApplyArgs, config: &Config) -> Result<ExitCode> {
    a.inputs = with_config(a.inputs, config);
    if a.slos.is_empty() {
        a.slos = config.slo.clone();
    }
    let ops = OpsFile::load(&a.ops)?;
    let dir = a.dir.clone().unwrap_or_else(|| PathBuf::from(&ops.dir));
    let _lock = oplog::Lock::acquire(&dir)?;
    let mut log = Log::open(&dir)?;
    let in_a_row = oplog::failures_in_a_row(log.entries());
    if in_a_row >= BREAKER {
        return Err(miette!(
            help = "look at `costfix log show`, fix the cause, then `costfix log reset-breaker --by NAME`",
            "the circuit breaker is open: the last {in_a_row} operations failed or were rolled back"
        ));
    }
    let done_this_hour = oplog::applied_in_last_hour(log.entries(), oplog::now_epoch());
    if let Some(new) = &a.verify_plan {
        return verify_applied(&ops, new, &a.inputs, &mut log);
    }

    let plan_path = a.plan.clone().unwrap_or_else(|| PathBuf::from(&ops.plan));
    let file = InputFile::read(&plan_path)?;
    let (doc, _) = parse_document(&file)?;
    let Document::Plan(plan) = &doc else {
        return Err(miette!("{} is not a plan", plan_path.display()));
    };
    let (catalog, usage, opts) = cost_setup(&a.inputs)?;
    // Current attributes: --state, else a fresh plan's prior state.
    let state_file = a.state.as_deref().map(InputFile::read).transpose()?;
    let mut current: Option<BTreeMap<String, Value>> = None;
    if let Some(f) = &state_file {
        let (d, _) = parse_document(f)?;
        let Document::State(st) = d else {
            return Err(miette!("{} is not a state", f.display_name()));
        };
        current = Some(state_values(&st));
    } else if a.plan.is_some() {
        if let Some(st) = plan.prior_state(&file)? {
            current = Some(state_values(&st));
        }
    }
    let index = SourceIndex::build(&dir)?;
    let mut policies = PolicySet::embedded()?;
    for d in &a.policies {
        policies.load_dir(d, false)?;
    }
    let mut budgets = Vec::new();
    for s in &a.slos {
        budgets.extend(costfix_engine::slo::load(s)?);
    }
    let namespaces = Namespaces::Only(
        policies
            .packages()
            .filter_map(|p| p.strip_prefix("data."))
            .filter(|p| *p != "costfix.approval")
            .map(str::to_owned)
            .collect(),
    );
    let plan_json: Value = serde_json::from_str(file.json()).into_diagnostic()?;
    let base_est = estimate::estimate(&doc, "plan", None, &catalog, &usage, &opts);

    // The plan with an operation's values written in.
    let changed_plan = |op: &Operation| -> Value {
        let mut v = plan_json.clone();
        if let Some(rcs) = v["resource_changes"].as_array_mut() {
            for rc in rcs {
                let addr = rc["address"].as_str().unwrap_or_default().to_string();
                if op.instances.contains(&addr) {
                    let after = rc["change"]["after"].clone();
                    let unknown = rc["change"]["after_unknown"].clone();
                    let (fixed, fixed_u) =
                        costfix_engine::rules::apply_changes(&after, &unknown, &op.target.changes);
                    rc["change"]["after"] = fixed;
                    rc["change"]["after_unknown"] = fixed_u;
                }
            }
        }
        v
    };
    let costs = |op: &Operation| -> Option<(Decimal, Decimal)> {
        let mut before = Decimal::ZERO;
        let mut after = Decimal::ZERO;
        for inst in &op.instances {
            let region = opts.region.as_deref();
            let (now, _) = instance_cost(plan, inst, &catalog, &usage, region, &[])?;
            let (fixed, _) =
                instance_cost(plan, inst, &catalog, &usage, region, &op.target.changes)?;
            if now.1 && now.0 == fixed.0 {
                return None; // the difference is in usage the usage file does not give
            }
            before += now.0;
            after += fixed.0;
        }
        if op.rule == "CF012" || op.resource_type == "aws_launch_template" {
            // Savings the attributes do not show: the rule computed them from the catalog.
            let s = op.monthly_saving?;
            return Some((before + s, before));
        }
        Some((before, after))
    };
    let evaluate =
        |op: &Operation| -> costfix_engine::Result<(check::CheckReport, estimate::Estimate)> {
            let text = changed_plan(op).to_string();
            let tmp =
                tempfile::NamedTempFile::new().map_err(|source| costfix_engine::Error::Io {
                    path: std::env::temp_dir(),
                    source,
                })?;
            std::fs::write(tmp.path(), &text).map_err(|source| costfix_engine::Error::Io {
                path: tmp.path().to_owned(),
                source,
            })?;
            let f = InputFile::read(tmp.path())?;
            let (d, _) = parse_document(&f)?;
            let est = estimate::estimate(&d, "plan", None, &catalog, &usage, &opts);
            let Document::Plan(p) = &d else {
                unreachable!("a plan stays a plan")
            };
            let report = check::check(
                p,
                f.json(),
                est.clone(),
                None,
                &policies,
                &budgets,
                &CheckOptions {
                    namespaces: namespaces.clone(),
                    environment: op.environment.clone(),
                    fail_on: FailOn::Deny,
                    full_input: false,
                },
                &|| {},
            )?;
            Ok((report, est))
        };
    let base_budgets = costfix_engine::slo::evaluate(&budgets, &base_est, None);
    // Policy denials the plan has without any fix: a fix is blocked only by denials it brings.
    let base_report = check::check(
        plan,
        file.json(),
        base_est.clone(),
        None,
        &policies,
        &[],
        &CheckOptions {
            namespaces: namespaces.clone(),
            environment: None,
            fail_on: FailOn::Deny,
            full_input: false,
        },
        &|| {},
    )?;
    let denied = |r: &check::CheckReport| -> Vec<(String, String, String)> {
        r.findings
            .iter()
            .filter(|f| {
                f.id.starts_with("policy:") && f.level == costfix_engine::policy::Level::Deny
            })
            .filter_map(|f| Some((f.id.clone(), f.resource.clone()?, f.message.clone())))
            .collect()
    };
    let base_denied: Vec<(String, String)> = denied(&base_report)
        .into_iter()
        .map(|(i, r, _)| (i, r))
        .collect();
    let policy_denies = |op: &Operation| -> costfix_engine::Result<Vec<String>> {
        let (report, _) = evaluate(op)?;
        Ok(denied(&report)
            .into_iter()
            .filter(|(id, r, _)| {
                op.instances.contains(r) && !base_denied.contains(&(id.clone(), r.clone()))
            })
            .map(|(id, _, msg)| format!("{id}: {msg}"))
            .collect())
    };
    let slo_breaks = |op: &Operation| -> costfix_engine::Result<Vec<String>> {
        if budgets.is_empty() {
            return Ok(Vec::new());
        }
        let (_, est) = evaluate(op)?;
        let after = costfix_engine::slo::evaluate(&budgets, &est, None);
        Ok(after
            .iter()
            .zip(&base_budgets)
            .filter(|(n, b)| {
                n.status == costfix_engine::slo::Status::Fail
                    && (b.status != costfix_engine::slo::Status::Fail || n.value > b.value)
            })
            .map(|(n, _)| format!("budget \"{}\": {}", n.budget.name, n.message))
            .collect())
    };
    let world = operation::World {
        dir: &dir,
        index: &index,
        current: current.as_ref(),
        costs: &costs,
        policy_denies: &policy_denies,
        slo_breaks: &slo_breaks,
        strict: !a.no_strict,
    };

    log.append(
        "run",
        "start",
        "info",
        format!("apply {}", a.ops.display()),
        json!({"ops_file": a.ops.display().to_string(), "plan": plan_path.display().to_string(),
               "operations": ops.operations.iter().map(|o| o.id.clone()).collect::<Vec<_>>()}),
    )?;
    let mut results: Vec<Operation> = Vec::new();
    let mut validated = Vec::new();
    let mut budget_left = a
        .max_operations
        .min(a.max_per_hour.saturating_sub(done_this_hour));
    // Where the log leaves each operation: one already applied (and not rolled back since) is
    // skipped, not checked again (its checks would fail against its own edit).
    let mut logged: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for e in log.entries().iter().filter(|e| e.transition.contains("->")) {
        let to = e.transition.rsplit("->").next().unwrap_or_default();
        logged.insert(e.op.clone(), (e.seq, to.to_string()));
    }
    for mut op in ops.operations {
        let skip = |op: &mut Operation, log: &mut Log, why: String| -> Result<()> {
            log.append(&op.id, "", "warn", &why, Value::Null)?;
            op.log.push(operation::LogLine {
                time: oplog::rfc3339(oplog::now_epoch()),
                level: "warn".into(),
                message: why,
            });
            Ok(())
        };
        if let Some((seq, _)) = logged.get(&op.id).filter(|(_, to)| to == "Applied") {
            let why = format!("already applied (log entry {seq}): skipped");
            op.state = OpState::Applied;
            skip(&mut op, &mut log, why)?;
            results.push(op);
            continue;
        }
        if op.state != OpState::Pending {
            let why = format!("not pending ({:?}): skipped", op.state);
            skip(&mut op, &mut log, why)?;
            results.push(op);
            continue;
        }
        if op.risk > a.max_risk {
            let why = format!(
                "risk {} is above --max-risk {}: skipped",
                op.risk.name(),
                a.max_risk.name()
            );
            skip(&mut op, &mut log, why)?;
            results.push(op);
            continue;
        }
        if op.approval.required {
            match &a.approve_by {
                Some(name) => {
                    op.approval.approved_by = Some(name.clone());
                    log.append(
                        &op.id,
                        "",
                        "info",
                        format!("approved by {name}"),
                        json!({"approver": name, "approval_type": op.approval.approval_type, "reason": op.approval.reason}),
                    )?;
                }
                None => {
                    let why = format!(
                        "needs approval ({}): pass --approve-by NAME",
                        op.approval.reason
                    );
                    skip(&mut op, &mut log, why)?;
                    results.push(op);
                    continue;
                }
            }
        }
        if budget_left == 0 {
            let why = format!(
                "rate limit: at most {} operation(s) per run and {} per hour ({} applied in the last hour): skipped",
                a.max_operations, a.max_per_hour, done_this_hour
            );
            skip(&mut op, &mut log, why)?;
            results.push(op);
            continue;
        }
        budget_left -= 1;
        match operation::validate(op, &world, &mut log)? {
            Ok(v) => validated.push(v),
            Err(blocked) => results.push(blocked),
        }
    }
    results.extend(operation::apply(validated, &mut log)?);
    log.append("run", "end", "info", "apply finished", Value::Null)?;

    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match a.format {
        OutFormat::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &json!({"schema": "costfix.apply/v1", "operations": results}),
            )
            .into_diagnostic()?;
            writeln!(out).into_diagnostic()?;
        }
        OutFormat::Table => render_ops(&mut out, &results).into_diagnostic()?,
    }
    out.flush().into_diagnostic()?;
    let all_applied = results.iter().all(|o| o.state == OpState::Applied);
    Ok(if all_applied {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Monthly cost of one instance of a plan with `changes` applied to its planned values (and
/// whether part of it depends on usage not given), with those values. None: not in the plan, or
/// no region.
fn instance_cost(
    plan: &Plan<'_>,
    inst: &str,
    catalog: &costfix_engine::Catalog,
    usage: &costfix_engine::usage::Usage,
    region: Option<&str>,
    changes: &[costfix_engine::rules::Change],
) -> Option<((Decimal, bool), Value)> {
    let rc = plan.resource_changes.iter().find(|r| r.address == inst)?;
    let addr: Address = inst.parse().ok()?;
    let values: Value = serde_json::from_str(rc.change.after?.get()).ok()?;
    let unknown: Value = rc
        .change
        .after_unknown
        .and_then(|u| serde_json::from_str(u.get()).ok())
        .unwrap_or(json!({}));
    let regions = costfix_engine::region::Resolver::new(Some(plan), region);
    let region = regions
        .resolve(
            &addr,
            &costfix_engine::values::Attrs::new(rc.change.after, None),
        )?
        .0;
    let config = plan.config_resource(&addr).and_then(|c| c.expressions);
    let (values, unknown) = costfix_engine::rules::apply_changes(&values, &unknown, changes);
    let cost = costfix_engine::cost::cost_values(
        &addr,
        &rc.resource_type,
        &values,
        &unknown,
        config,
        &region,
        catalog,
        usage,
    );
    Some(((cost.monthly(), cost.has_usage_based()), values))
}

/// `apply --verify-plan`: check applied operations against a plan made after the change.
fn verify_applied(
    ops: &OpsFile,
    new: &Path,
    inputs: &CostInputs,
    log: &mut Log,
) -> Result<ExitCode> {
    let (catalog, usage, opts) = cost_setup(inputs)?;
    let old_file = InputFile::read(Path::new(&ops.plan))?;
    let (old_doc, _) = parse_document(&old_file)?;
    let new_file = InputFile::read(new)?;
    let (new_doc, _) = parse_document(&new_file)?;
    let (Document::Plan(old), Document::Plan(newp)) = (&old_doc, &new_doc) else {
        return Err(miette!("--verify-plan needs plans"));
    };
    let entries = log.entries().to_vec();
    let mut failed = 0;
    let mut checked = 0;
    for op in &ops.operations {
        if applied_changes(&entries, &op.id).is_none() {
            continue;
        }
        checked += 1;
        let mut problems = Vec::new();
        let (mut before, mut after) = (Decimal::ZERO, Decimal::ZERO);
        for inst in &op.instances {
            let region = opts.region.as_deref();
            let Some(((now_cost, _), values)) =
                instance_cost(newp, inst, &catalog, &usage, region, &[])
            else {
                problems.push(format!("{inst} is not priced in {}", new.display()));
                continue;
            };
            for c in &op.target.changes {
                let v = operation::value_at(&values, &c.path.0);
                if v != c.to && !(v.is_number() && c.to.is_number() && v.as_f64() == c.to.as_f64())
                {
                    problems.push(format!(
                        "{inst}: {} is {v} in the new plan, not {}",
                        c.path, c.to
                    ));
                }
            }
            after += now_cost;
            before += instance_cost(old, inst, &catalog, &usage, region, &[])
                .map(|x| x.0 .0)
                .unwrap_or(now_cost);
        }
        let lowered = after < before || op.rule == "CF012";
        if !lowered && problems.is_empty() {
            problems.push(format!(
                "the monthly cost did not go down (${before:.2} → ${after:.2})"
            ));
        }
        if problems.is_empty() {
            log.append(&op.id, "", "info", format!("verified against {}: values as planned, monthly cost ${before:.2} → ${after:.2}", new.display()), Value::Null)?;
            println!("{}  verified  {}", op.id, op.address);
        } else {
            failed += 1;
            let why = format!(
                "verification against {} failed: {}",
                new.display(),
                problems.join("; ")
            );
            let mut files = Vec::new();
            for c in applied_changes(&entries, &op.id)
                .unwrap_or_default()
                .iter()
                .rev()
            {
                let restored = operation::undo_text(c, false)
                    .map_err(|e| miette!("{e}"))?
                    .1;
                files.push((c.file.clone(), restored, c.sha256_before.clone()));
            }
            undo_op(log, &op.id, &files, &why)?;
            println!(
                "{}  rolled back  {}: {}",
                op.id,
                op.address,
                problems.join("; ")
            );
        }
    }
    println!("{checked} applied operation(s) checked, {failed} rolled back.");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn state_values(st: &costfix_engine::state::State<'_>) -> BTreeMap<String, Value> {
    st.resources
        .iter()
        .filter(|r| r.deposed.is_none())
        .filter_map(|r| {
            Some((
                r.address.to_string(),
                serde_json::from_str(r.values?.get()).ok()?,
            ))
        })
        .collect()
}

fn render_ops(out: &mut impl Write, ops: &[Operation]) -> std::io::Result<()> {
    for op in ops {
        writeln!(
            out,
            "{}  {:?}  {} {}  {}",
            op.id, op.state, op.rule, op.rule_name, op.address
        )?;
        writeln!(
            out,
            "  risk {} ({}) · approval: {}{}",
            op.risk.name(),
            op.risk_reasons.join(", "),
            if op.approval.required {
                "required"
            } else {
                "automatic"
            },
            op.approval
                .approved_by
                .as_ref()
                .map(|n| format!(" (approved by {n})"))
                .unwrap_or_default()
        )?;
        for c in &op.checks {
            let mark = match c.status {
                CheckStatus::Passed => "ok  ",
                CheckStatus::Warning => "warn",
                CheckStatus::Skipped => "skip",
                CheckStatus::Failed => "FAIL",
            };
            writeln!(out, "  [{mark}] {}: {}", c.name, c.message)?;
        }
        if let Some(last) = op.log.last() {
            writeln!(out, "  {}", last.message)?;
        }
        if op.state == OpState::RollbackFailed {
            writeln!(out, "  manual steps:")?;
            for s in &op.rollback.steps {
                writeln!(
                    out,
                    "    {}. {}: {}; then check {}",
                    s.order, s.file, s.restore, s.verify
                )?;
            }
        }
        writeln!(out)?;
    }
    let already = ops
        .iter()
        .filter(|o| {
            o.log
                .last()
                .is_some_and(|l| l.message.starts_with("already applied"))
        })
        .count();
    let applied = ops.iter().filter(|o| o.state == OpState::Applied).count() - already;
    if already > 0 {
        writeln!(
            out,
            "{applied} of {} operation(s) applied; {already} had been applied before.",
            ops.len()
        )
    } else {
        writeln!(out, "{applied} of {} operation(s) applied.", ops.len())
    }
}

#[derive(Args, Debug)]
pub struct RollbackArgs {
    /// The operation to undo (see `costfix log show`).
    #[arg(required_unless_present = "last_run")]
    op: Option<String>,
    /// Undo every operation applied by the last `costfix apply`, newest first.
    #[arg(long, conflicts_with = "op")]
    last_run: bool,
    /// Write the files (without it, the reverse patch is only shown).
    #[arg(long)]
    apply: bool,
    /// Write the reverse patch to FILE (for `git apply`).
    #[arg(long, value_name = "FILE")]
    patch_out: Option<PathBuf>,
    /// Undo even if the files changed since the operation was applied.
    #[arg(long)]
    force: bool,
    /// The .tf root folder holding `.costfix/oplog.jsonl`.
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

/// The file changes of an applied operation, from its `Applying->Applied` entry.
fn applied_changes(entries: &[oplog::Entry], op: &str) -> Option<Vec<FileChange>> {
    let applied = entries
        .iter()
        .rev()
        .find(|e| e.op == op && e.transition == "Applying->Applied")?;
    // Already rolled back after that?
    if entries
        .iter()
        .skip_while(|e| e.seq <= applied.seq)
        .any(|e| e.op == op && e.transition.starts_with("Applied->RollingBack"))
    {
        return None;
    }
    serde_json::from_value(applied.details["files"].clone()).ok()
}

pub fn run_rollback(a: RollbackArgs) -> Result<ExitCode> {
    let _lock = if a.apply {
        Some(oplog::Lock::acquire(&a.dir)?)
    } else {
        None
    };
    let mut log = Log::open(&a.dir)?;
    let entries = log.entries().to_vec();
    let ids: Vec<String> = match &a.op {
        Some(id) => vec![id.clone()],
        None => {
            // The last run that applied something (a run that only skipped is passed over).
            let starts: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.op == "run" && e.transition == "start")
                .map(|(i, _)| i)
                .collect();
            if starts.is_empty() {
                return Err(miette!("the log has no apply run"));
            }
            let run_of = |k: usize| {
                let end = starts.get(k + 1).copied().unwrap_or(entries.len());
                &entries[starts[k]..end]
            };
            let k = (0..starts.len())
                .rev()
                .find(|&k| {
                    run_of(k)
                        .iter()
                        .any(|e| e.transition == "Applying->Applied")
                })
                .unwrap_or(starts.len() - 1);
            let mut ids: Vec<String> = run_of(k)
                .iter()
                .filter(|e| e.transition == "Applying->Applied")
                .map(|e| e.op.clone())
                .filter(|id| applied_changes(&entries, id).is_some())
                .collect();
            ids.reverse();
            ids
        }
    };
    // Undo op after op in memory (several operations may have edited one file), newest first.
    let mut texts: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut per_op: Vec<(String, Vec<Restored>)> = Vec::new();
    for id in &ids {
        let changes = applied_changes(&entries, id).ok_or_else(|| {
            miette!(
                help = "`costfix log show` lists the operations",
                "{id} is not an applied operation (or it was rolled back already)"
            )
        })?;
        let mut files = Vec::new();
        for c in changes.iter().rev() {
            if !texts.contains_key(&c.file) {
                let t = std::fs::read_to_string(&c.file).map_err(|e| miette!("{}: {e}", c.file))?;
                texts.insert(c.file.clone(), (t.clone(), t));
            }
            let entry = texts.get_mut(&c.file).expect("inserted above");
            let restored = operation::undo_in(&entry.1, c, a.force).map_err(|e| miette!("{e}"))?;
            entry.1 = restored.clone();
            files.push((c.file.clone(), restored, c.sha256_before.clone()));
        }
        per_op.push((id.clone(), files));
    }
    let patch: String = texts
        .iter()
        .map(|(f, (orig, now))| costfix_engine::patch::unified_diff(f, orig, now))
        .collect();
    if let Some(p) = &a.patch_out {
        write_atomically(p, patch.as_bytes())?;
        crate::note!("wrote {}", p.display());
    }
    if !a.apply {
        print!("{patch}");
        crate::note!("dry run: pass --apply to undo {} operation(s)", ids.len());
        return Ok(ExitCode::SUCCESS);
    }
    for (id, files) in &per_op {
        undo_op(&mut log, id, files, oplog::ROLLBACK_REQUESTED)?;
        crate::note!("rolled back {id}");
    }
    Ok(ExitCode::SUCCESS)
}

/// A file as a rollback restores it: (file, restored text, sha256 before the operation).
type Restored = (String, String, String);

/// Write an operation's restored files and log the rollback.
fn undo_op(log: &mut Log, id: &str, files: &[Restored], why: &str) -> Result<()> {
    log.append(id, "Applied->RollingBack", "warn", why, Value::Null)?;
    let mut ok = true;
    for (file, restored, _) in files {
        costfix_engine::fix::write_atomic(Path::new(file), restored.as_bytes())?;
        // Read back: the restored text is what is on disk.
        let sha = std::fs::read(file)
            .map(|b| sha256_hex(&b))
            .unwrap_or_default();
        ok &= sha == sha256_hex(restored.as_bytes());
    }
    let exact = files
        .iter()
        .all(|(_, r, before)| &sha256_hex(r.as_bytes()) == before);
    let details = json!({"files": files.iter().map(|(f, r, _)| json!({"file": f, "sha256": sha256_hex(r.as_bytes())})).collect::<Vec<_>>()});
    if ok {
        log.append(
            id,
            "RollingBack->RolledBack",
            "warn",
            if exact {
                "rolled back: the files are as before the fix"
            } else {
                "rolled back: the fix's text is undone; later changes to the same files are kept"
            },
            details,
        )?;
        Ok(())
    } else {
        log.append(
            id,
            "RollingBack->RollbackFailed",
            "error",
            "a file does not read back as restored",
            details,
        )?;
        Err(miette!(
            "{id}: rollback did not restore the files exactly; see costfix log show {id}"
        ))
    }
}

#[derive(Args, Debug)]
pub struct RecoverArgs {
    /// The .tf root folder holding `.costfix/oplog.jsonl`.
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

pub fn run_recover(a: RecoverArgs) -> Result<ExitCode> {
    let _lock = oplog::Lock::acquire(&a.dir)?;
    if let Some(torn) = Log::cut_torn_tail(&a.dir)? {
        crate::say!(
            "the log's last line was torn by a crash and was removed ({} bytes): {:?}",
            torn.len(),
            torn.chars().take(80).collect::<String>()
        );
    }
    let mut log = Log::open(&a.dir)?;
    let entries = log.entries().to_vec();
    // Operations whose last transition is Pending/Validating/Applying: unfinished.
    let mut last: BTreeMap<&str, &oplog::Entry> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.transition.contains("->")) {
        last.insert(e.op.as_str(), e);
    }
    let mut manual = false;
    let mut n = 0;
    for (op, e) in last {
        if e.transition.ends_with("->ValidatingSafety") {
            n += 1;
            log.append(
                op,
                "ValidatingSafety->Failed",
                "warn",
                "recover: interrupted during the safety checks; nothing was written",
                Value::Null,
            )?;
            crate::note!("recovered {op}: interrupted before applying");
            continue;
        }
        if !(e.transition.ends_with("->Applying") || e.transition.ends_with("->RollingBack")) {
            continue;
        }
        n += 1;
        let changes: Vec<FileChange> =
            serde_json::from_value(e.details["files"].clone()).unwrap_or_default();
        let state = e
            .transition
            .rsplit("->")
            .next()
            .unwrap_or_default()
            .to_string();
        log.append(
            op,
            &format!("{state}->RollingBack"),
            "warn",
            "recover: rolling back an unfinished operation",
            Value::Null,
        )?;
        let mut ok = true;
        for c in changes.iter().rev() {
            let sha = std::fs::read(&c.file)
                .map(|b| sha256_hex(&b))
                .unwrap_or_default();
            if sha == c.sha256_before {
                continue; // never written
            }
            if sha == c.sha256_after {
                match operation::undo_text(c, false) {
                    Ok((_, restored)) => {
                        costfix_engine::fix::write_atomic(Path::new(&c.file), restored.as_bytes())?
                    }
                    Err(_) => ok = false,
                }
            } else {
                ok = false;
                crate::say!(
                    "{}: neither as before nor as after the operation: restore it by hand",
                    c.file
                );
            }
        }
        if ok {
            log.append(
                op,
                "RollingBack->RolledBack",
                "warn",
                "recovered: every file is as before the operation",
                Value::Null,
            )?;
            crate::note!("recovered {op}: rolled back");
        } else {
            manual = true;
            log.append(
                op,
                "RollingBack->RollbackFailed",
                "error",
                "recover could not restore every file",
                json!({"files": changes}),
            )?;
        }
    }
    if n == 0 {
        crate::note!("nothing to recover");
    }
    Ok(if manual {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// Show the log, or one operation's events.
    Show {
        op: Option<String>,
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
    /// Check the hash chain: exit 1 and say where if an entry was edited, deleted, inserted or
    /// reordered, or the last line is torn.
    Verify {
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Close the circuit breaker after three failures in a row (logged).
    ResetBreaker {
        #[arg(long, value_name = "NAME")]
        by: String,
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
}

pub fn run_log(c: LogCommand) -> Result<ExitCode> {
    match c {
        LogCommand::Show { op, dir, format } => {
            let contents = oplog::read(&oplog::path_in(&dir))?;
            let entries: Vec<&oplog::Entry> = contents
                .entries
                .iter()
                .map(|(_, e)| e)
                .filter(|e| op.as_deref().is_none_or(|o| e.op == o))
                .collect();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match format {
                OutFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &entries).into_diagnostic()?;
                    writeln!(out).into_diagnostic()?;
                }
                OutFormat::Table => {
                    for e in &entries {
                        writeln!(
                            out,
                            "{:>4}  {}  {:<16} {:<28} {:<5} {}",
                            e.seq, e.time, e.op, e.transition, e.level, e.message
                        )
                        .into_diagnostic()?;
                    }
                }
            }
            out.flush().into_diagnostic()?;
            for p in &contents.problems {
                crate::say!("warning: line {}: {}", p.line, p.message);
            }
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Verify { dir } => {
            let path = oplog::path_in(&dir);
            let contents = oplog::read(&path)?;
            if contents.problems.is_empty() {
                println!(
                    "{}: {} entries, the hash chain is intact",
                    path.display(),
                    contents.entries.len()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                for p in &contents.problems {
                    println!("{}:{}: {}: {}", path.display(), p.line, p.kind, p.message);
                }
                Ok(ExitCode::from(1))
            }
        }
        LogCommand::ResetBreaker { by, dir } => {
            let _lock = oplog::Lock::acquire(&dir)?;
            let mut log = Log::open(&dir)?;
            log.append(
                "breaker",
                "reset",
                "warn",
                format!("circuit breaker reset by {by}"),
                json!({"by": by}),
            )?;
            crate::note!("circuit breaker reset by {by}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
