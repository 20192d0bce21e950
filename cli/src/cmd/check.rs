//! `costfix check` and `costfix policy test`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use costfix_engine::check;
use costfix_engine::config::Config;
use costfix_engine::error::Error;
use costfix_engine::fsutil::write_atomic;
use costfix_engine::policy::PolicySet;
use costfix_engine::render;
use miette::Result;

use crate::args::{CheckArgs, CheckFormat};
use crate::cmd::{exit, to_stdout};
use crate::settings;
use crate::term::{note, say, Phases};

pub fn run_check(a: &CheckArgs, config: &Config, color: bool) -> Result<ExitCode> {
    let mut phases = Phases::new(false);
    let (req, format) = settings::check(a, config);
    let check::CheckRun { report, plan_name } = check::run(&req, &|w| phases.start(w))?;
    phases.done();
    for w in &report.estimate.warnings {
        say!("warning: {}: {}", w.file, w.message);
    }
    if let Some(path) = &a.write_baseline {
        report.to_baseline().write(path)?;
        note!(
            "wrote {} finding(s) to {}",
            report.findings.len(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let render = |mut out: &mut dyn Write, format: CheckFormat, color: bool| match format {
        CheckFormat::Table => render::check::table(&mut out, &report, color),
        CheckFormat::Json => {
            report.write_json(&mut out)?;
            writeln!(out)
        }
        CheckFormat::Markdown => render::check::markdown(&mut out, &report),
        CheckFormat::Sarif => render::check::sarif(&mut out, &report, &plan_name),
        CheckFormat::Github => render::check::github(&mut out, &report),
        CheckFormat::Junit => render::check::junit(&mut out, &report),
    };
    // The files first: a closed stdout (`| head`) must not keep them from being written.
    for (format, path) in &a.outputs {
        let mut buf = Vec::new();
        render(&mut buf, *format, false).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        write_atomic(path, &buf)?;
        note!("wrote {}", path.display());
    }
    to_stdout(|out| render(out, format, color))?;
    phases.lap("render");
    Ok(exit(report.verdict.passed || a.exit_zero))
}

pub fn run_policy_test(dir: Option<&Path>) -> Result<ExitCode> {
    let set = match dir {
        Some(d) => PolicySet::with_tests_in(d)?,
        None => PolicySet::embedded_with_tests()?,
    };
    let outcomes = set.run_tests()?;
    to_stdout(|out| render::check::policy_tests(out, &outcomes))?;
    if outcomes.is_empty() {
        say!("warning: no test_* rules found");
    }
    Ok(exit(outcomes.iter().all(|t| t.passed)))
}
