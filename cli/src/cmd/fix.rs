//! `costfix fix` and `costfix rules`.

use std::io::Write;
use std::process::ExitCode;

use costfix_engine::config::Config;
use costfix_engine::fsutil::display_path;
use costfix_engine::{ops, render, rules};
use miette::{miette, Result};

use crate::args::{FixArgs, FixFormat, RulesArgs, RulesFormat};
use crate::cmd::{exit, to_stdout};
use crate::settings;
use crate::term::{note, say, Phases};

pub fn run_fix(a: &FixArgs, config: &Config, color: bool) -> Result<ExitCode> {
    let mut phases = Phases::new(true);
    let req = settings::fix(a, config);
    let phase = |what: &str| phases.start(what);
    // Writing operations is the operations layer's; without --out it is the plain fix run.
    let report = ops::fix_to_operations(&req, &phase)?;
    phases.done();
    for w in &report.warnings {
        say!("warning: {}: {}", w.file, w.message);
    }
    if let (Some(path), Some(n)) = (&req.ops_out, report.operations_written) {
        note!("wrote {n} operation(s) to {}", display_path(path));
    }
    to_stdout(|out| match a.format {
        FixFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
        FixFormat::Diff => render::fix::diff(out, &report, color),
    })?;
    phases.lap("render");
    for p in &report.written {
        note!("fixed {}", display_path(p));
    }
    if let Some(p) = &req.patch_out {
        if report.patch.files.is_empty() {
            note!("nothing to fix: no patch written to {}", display_path(p));
        } else {
            note!(
                "wrote {} ({} file(s))",
                display_path(p),
                report.patch.files.len()
            );
        }
    }
    Ok(exit(report.remaining() == 0 || a.exit_zero))
}

pub fn run_rules(a: &RulesArgs) -> Result<ExitCode> {
    if let Some(key) = &a.rule {
        let r = rules::find(key)
            .ok_or_else(|| miette!(help = "`costfix rules` lists them", "no rule `{key}`"))?;
        to_stdout(|out| render::rules::rule(out, r))?;
        return Ok(ExitCode::SUCCESS);
    }
    to_stdout(|out| match a.format {
        RulesFormat::Markdown => write!(out, "{}", rules::catalogue_markdown()),
        RulesFormat::Json => render::rules::json(out),
        RulesFormat::Table => render::rules::table(out),
    })?;
    Ok(ExitCode::SUCCESS)
}
