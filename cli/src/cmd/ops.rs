//! `costfix apply`, `costfix rollback`, `costfix recover` and `costfix log`: drift-safe
//! operations, all in `costfix_engine::ops`.

use std::io::Write;
use std::process::ExitCode;

use costfix_engine::config::Config;
use costfix_engine::ops::{self, log, Recovered, RollbackRequest, RollbackTarget};
use costfix_engine::render;
use costfix_engine::root::Root;
use miette::{IntoDiagnostic, Result};

use crate::args::{ApplyArgs, LogCommand, OutFormat, RecoverArgs, RollbackArgs};
use crate::cmd::{exit, to_stdout};
use crate::settings;
use crate::term::{note, say};

pub fn run_apply(a: &ApplyArgs, config: &Config) -> Result<ExitCode> {
    if let Some(new) = &a.verify_plan {
        let report = ops::verify_plan(&settings::verify(a, new, config))?;
        for o in &report.operations {
            if o.problems.is_empty() {
                println!("{}  verified  {}", o.id, o.address);
            } else {
                println!(
                    "{}  rolled back  {}: {}",
                    o.id,
                    o.address,
                    o.problems.join("; ")
                );
            }
        }
        let (n, failed) = (report.operations.len(), report.rolled_back());
        println!("{n} applied operation(s) checked, {failed} rolled back.");
        return Ok(exit(failed == 0));
    }
    let report = ops::apply(&settings::apply(a, config))?;
    to_stdout(|out| match a.format {
        OutFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
        OutFormat::Table => render::ops::apply(out, &report),
    })?;
    Ok(exit(report.all_applied()))
}

pub fn run_rollback(a: &RollbackArgs) -> Result<ExitCode> {
    let target = match &a.op {
        Some(id) => RollbackTarget::Operation(id.clone()),
        None => RollbackTarget::LastRun,
    };
    let report = ops::rollback(&RollbackRequest {
        dir: a.dir.clone(),
        target,
        apply: a.apply,
        force: a.force,
        patch_out: a.patch_out.clone(),
    })?;
    if let Some(p) = &a.patch_out {
        note!("wrote {}", p.display());
    }
    if !report.applied {
        print!("{}", report.patch);
        let n = report.operations.len();
        note!("dry run: pass --apply to undo {n} operation(s)");
    }
    for id in report.operations.iter().filter(|_| report.applied) {
        note!("rolled back {id}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_recover(a: &RecoverArgs) -> Result<ExitCode> {
    let report = ops::recover(&a.dir)?;
    if report.completed {
        say!("the log's last entry was in its head but not in the log (a crash): appended");
    }
    if let Some(torn) = &report.torn {
        say!(
            "the log's last line was torn by a crash and was removed ({} bytes): {:?}",
            torn.len(),
            torn.chars().take(80).collect::<String>()
        );
    }
    for r in &report.operations {
        match r {
            Recovered::Failed(op) => note!("recovered {op}: interrupted before applying"),
            Recovered::RolledBack(op) => note!("recovered {op}: rolled back"),
            Recovered::Manual { files, .. } => {
                for f in files {
                    say!("{f}: neither as before nor as after the operation: restore it by hand");
                }
            }
        }
    }
    for f in &report.temp_files {
        note!("removed {f} (a temporary file of an interrupted write)");
    }
    if report.operations.is_empty() {
        note!("nothing to recover");
    }
    Ok(exit(!report.needs_manual()))
}

/// The log as it was at `r`: a file, else the log committed at git revision `r` (`git show`,
/// run with fixed arguments in the root; `r` comes from the command line, never from an input).
fn earlier_log(root: &Root, r: &str) -> Result<Vec<u8>> {
    let as_file = std::path::Path::new(r);
    if as_file.is_file() {
        return std::fs::read(as_file).into_diagnostic();
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root.dir())
        .arg("show")
        .arg(format!("{r}:./.costfix/oplog.jsonl"))
        .output()
        .map_err(|e| miette::miette!("--since {r}: cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(miette::miette!(
            help =
                "give a git revision whose tree holds .costfix/oplog.jsonl, or a copy of the log",
            "--since {r}: git show failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

pub fn run_log(c: &LogCommand) -> Result<ExitCode> {
    match c {
        LogCommand::Show { op, dir, format } => {
            let contents = log::read(&log::path_in(&Root::open(dir)?)?)?;
            let entries: Vec<&log::Entry> = contents
                .entries
                .iter()
                .map(|(_, e)| e)
                .filter(|e| op.as_deref().is_none_or(|o| e.op == o))
                .collect();
            to_stdout(|out| match format {
                OutFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &entries)?;
                    writeln!(out)
                }
                OutFormat::Table => render::ops::log_table(out, &entries),
            })?;
            for p in &contents.problems {
                say!("warning: line {}: {}", p.line, p.message);
            }
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Verify { dir, since } => {
            let root = Root::open(dir)?;
            let path = log::path_in(&root)?;
            let mut contents = log::read(&path)?;
            if let Some(r) = since {
                let earlier = earlier_log(&root, r)?;
                let now = std::fs::read(&path).unwrap_or_default();
                contents.problems.extend(log::since(&now, &earlier, r));
            }
            let mut out = std::io::stdout().lock();
            if contents.problems.is_empty() {
                let n = contents.entries.len();
                writeln!(
                    out,
                    "{}: {n} entries, the hash chain is intact",
                    path.display()
                )
                .into_diagnostic()?;
            }
            for p in &contents.problems {
                writeln!(
                    out,
                    "{}:{}: {}: {}",
                    path.display(),
                    p.line,
                    p.kind,
                    p.message
                )
                .into_diagnostic()?;
            }
            Ok(exit(contents.problems.is_empty()))
        }
        LogCommand::ResetBreaker { by, dir } => {
            let root = Root::open(dir)?;
            let _lock = log::Lock::acquire(&root)?;
            log::Log::open(&root)?.reset_breaker(by)?;
            note!("circuit breaker reset by {by}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
