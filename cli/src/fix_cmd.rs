//! `costfix fix` and `costfix rules`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use costfix_engine::config::Config;
use costfix_engine::fix::{self, Applicability, Fix, Patch};
use costfix_engine::rules::{self, applicability_name, RunOptions};
use costfix_engine::terraform::plan::Document;
use costfix_engine::{parse_document, InputFile};
use miette::{miette, IntoDiagnostic, Result};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{cost_setup, with_config, write_atomically, CostInputs};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FixFormat {
    /// A header per fix and its unified diff, then a summary.
    Diff,
    /// Findings, fixes and edits as JSON (`costfix.fix/v1`).
    Json,
}

#[derive(Args, Debug)]
pub struct FixArgs {
    /// The plan: `terraform show -json plan.out > plan.json`.
    #[arg(long, value_name = "PLAN")]
    plan: PathBuf,
    /// The root folder of the .tf sources the plan was made from [default: . or `dir` in .costfix.hcl].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Only this rule (id like CF003 or name like ebs-gp2-volume). Repeatable.
    #[arg(long = "rule", value_name = "ID")]
    rules: Vec<String>,
    /// Only fixes saving at least this many USD a month (fixes with an unknown saving are left out).
    #[arg(long, value_name = "USD")]
    min_savings: Option<Decimal>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FixFormat::Diff)]
    format: FixFormat,
    /// Write the fixes into the .tf files (safe fixes; unsafe ones too with --unsafe-fixes).
    #[arg(long)]
    apply: bool,
    /// Include unsafe fixes in --apply and --patch-out.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Write the chosen fixes as a patch for `git apply` (paths relative to the working directory).
    #[arg(long, value_name = "FILE")]
    patch_out: Option<PathBuf>,
    /// Write the chosen fixes as drift-safe operations (snapshots, risk, approval, rollback plan)
    /// for `costfix apply`, instead of applying them.
    #[arg(long, value_name = "OPS_FILE", conflicts_with = "apply")]
    out: Option<PathBuf>,
    /// The environment of resources without an Environment tag (production, staging, dev, ...)
    /// [default: `environment` in .costfix.hcl, else TF_WORKSPACE].
    #[arg(long, value_name = "ENV")]
    environment: Option<String>,
    #[command(flatten)]
    inputs: CostInputs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Show one rule's documentation (id or name).
    rule: Option<String>,
    /// Output format (markdown prints the whole catalogue, as in docs/rules.md).
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
    format: RulesFormat,
}

pub fn run_rules(a: RulesArgs) -> Result<ExitCode> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Some(key) = &a.rule {
        let r = rules::find(key)
            .ok_or_else(|| miette!(help = "`costfix rules` lists them", "no rule `{key}`"))?;
        writeln!(
            out,
            "{} {}\n{}\napplicability: {}\ntypes: {}\n\n{}",
            r.id,
            r.name,
            r.summary,
            applicability_name(r.applicability),
            r.types.join(", "),
            r.doc()
        )
        .into_diagnostic()?;
        return Ok(ExitCode::SUCCESS);
    }
    match a.format {
        RulesFormat::Markdown => {
            write!(out, "{}", rules::catalogue_markdown()).into_diagnostic()?
        }
        RulesFormat::Json => {
            #[derive(Serialize)]
            struct R {
                id: &'static str,
                name: &'static str,
                summary: &'static str,
                types: &'static [&'static str],
                applicability: &'static str,
                doc: String,
            }
            let list: Vec<R> = rules::all()
                .iter()
                .map(|r| R {
                    id: r.id,
                    name: r.name,
                    summary: r.summary,
                    types: r.types,
                    applicability: applicability_name(r.applicability),
                    doc: r.doc(),
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list).into_diagnostic()?;
            writeln!(out).into_diagnostic()?;
        }
        RulesFormat::Table => {
            for r in rules::all() {
                writeln!(
                    out,
                    "{}  {:<32} {:<13} {}",
                    r.id,
                    r.name,
                    applicability_name(r.applicability),
                    r.summary
                )
                .into_diagnostic()?;
            }
        }
    }
    out.flush().into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}

/// A path for humans and patches: relative to the working directory when under it.
fn display_path(p: &Path) -> String {
    if p.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = p.strip_prefix(&cwd) {
                return rel.display().to_string();
            }
        }
    }
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn money(d: Decimal) -> String {
    format!("${}", d.round_dp(2))
}

fn saving_text(f: &Fix) -> String {
    match f.saving {
        Some(s) => format!("saves {}/month", money(s)),
        None => "saving depends on usage".into(),
    }
}

#[derive(Serialize)]
struct Summary {
    findings: usize,
    suppressed: usize,
    safe: usize,
    #[serde(rename = "unsafe")]
    unsafe_: usize,
    display_only: usize,
    no_fix: usize,
    applied: usize,
    #[serde(serialize_with = "ser_dec")]
    monthly_saving_applied: Decimal,
    #[serde(serialize_with = "ser_dec")]
    monthly_saving_total: Decimal,
}

fn ser_dec<S: serde::Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&d.round_dp(2).normalize().to_string())
}

fn summarise(fixes: &[Fix]) -> Summary {
    let active: Vec<&Fix> = fixes.iter().filter(|f| f.suppressed.is_none()).collect();
    let with_fix = |a: Applicability| {
        active
            .iter()
            .filter(|f| f.no_fix.is_none() && !f.edits.is_empty() && f.applicability == a)
            .count()
    };
    Summary {
        findings: active.len(),
        suppressed: fixes.len() - active.len(),
        safe: with_fix(Applicability::Safe),
        unsafe_: with_fix(Applicability::Unsafe),
        display_only: active
            .iter()
            .filter(|f| f.applicability == Applicability::DisplayOnly && f.no_fix.is_none())
            .count(),
        no_fix: active
            .iter()
            .filter(|f| {
                f.no_fix.is_some()
                    || (f.edits.is_empty() && f.applicability != Applicability::DisplayOnly)
            })
            .count(),
        applied: active.iter().filter(|f| f.applied).count(),
        monthly_saving_applied: active
            .iter()
            .filter(|f| f.applied)
            .filter_map(|f| f.saving)
            .sum(),
        monthly_saving_total: active.iter().filter_map(|f| f.saving).sum(),
    }
}

pub fn run_fix(mut a: FixArgs, config: &Config, color: bool) -> Result<ExitCode> {
    a.inputs = with_config(a.inputs, config);
    let (environment, env_source) = match (&a.environment, &config.environment) {
        (Some(e), _) => (Some(e.clone()), Some("--environment".to_string())),
        (None, Some(e)) => (
            Some(e.clone()),
            Some("environment in .costfix.hcl".to_string()),
        ),
        (None, None) => match std::env::var("TF_WORKSPACE") {
            Ok(w) if !w.is_empty() && w != "default" => (Some(w), Some("TF_WORKSPACE".into())),
            _ => (None, None),
        },
    };
    let dir = a
        .dir
        .clone()
        .or_else(|| config.dir.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut select = Vec::new();
    for key in &a.rules {
        let r = rules::find(key)
            .ok_or_else(|| miette!(help = "`costfix rules` lists them", "no rule `{key}`"))?;
        select.push(r.id);
    }

    let t = crate::Timer::start();
    let progress = crate::Progress::new();
    progress.phase("reading the plan");
    let (catalog, usage, opts) = cost_setup(&a.inputs)?;
    let file = InputFile::read(&a.plan)?;
    let (doc, warnings) = parse_document(&file)?;
    t.lap("read and parse the plan");
    for w in &warnings {
        crate::say!("warning: {}: {}", w.file, w.message);
    }
    let Document::Plan(plan) = &doc else {
        return Err(miette!(
            help = "make one with `terraform plan -out plan.out && terraform show -json plan.out > plan.json`",
            "{} is a state, not a plan: fixes are planned from a plan and the sources it was made from",
            file.display_name()
        ));
    };
    let environment_for_ops = environment.clone();
    progress.phase("running the rules");
    let (findings, no_region) = rules::run(
        plan,
        &catalog,
        &usage,
        &RunOptions {
            select,
            environment,
            environment_source: env_source,
            region: opts.region.clone(),
        },
    );
    t.lap("rules");
    if no_region > 0 {
        crate::say!(
            "warning: {no_region} resource(s) have no region (the plan's AWS provider configuration sets none): their savings cannot be priced; pass --region"
        );
    }
    progress.phase("indexing the sources and locating the values");
    let (mut fixes, _index) = fix::plan_fixes(findings, &dir, plan)?;
    t.lap("index the sources and locate the values");
    if let Some(min) = a.min_savings {
        fixes.retain(|f| f.saving.is_some_and(|s| s >= min));
    }
    let allowed = if a.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    progress.phase("verifying the edits");
    let patch = fix::select(&mut fixes, allowed);
    drop(progress);
    t.lap("select and verify");

    let mut patch_text = String::new();
    for (path, (old, new)) in &patch.files {
        patch_text.push_str(&fix::unified_diff(&display_path(path), old, new));
    }
    if let Some(out) = &a.patch_out {
        write_atomically(out, patch_text.as_bytes())?;
    }
    if let Some(path) = &a.out {
        let n = crate::ops_cmd::write_ops(
            path,
            &fixes,
            plan,
            &file,
            &dir,
            environment_for_ops.as_deref(),
        )?;
        crate::note!("wrote {n} operation(s) to {}", display_path(path));
    }
    // The files as they were, for the per-fix diffs (read before --apply changes them).
    let texts = match a.format {
        FixFormat::Diff => fix::read_edited(&fixes),
        FixFormat::Json => Default::default(),
    };
    let written = if a.apply {
        fix::write(&patch)?
    } else {
        Vec::new()
    };

    let summary = summarise(&fixes);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match a.format {
        FixFormat::Json => {
            #[derive(Serialize)]
            struct Report<'a> {
                schema: &'static str,
                plan: String,
                dir: String,
                applied: bool,
                unsafe_fixes: bool,
                fixes: &'a [Fix],
                files_changed: Vec<String>,
                summary: &'a Summary,
            }
            let report = Report {
                schema: "costfix.fix/v1",
                plan: file.display_name(),
                dir: display_path(&dir),
                applied: a.apply,
                unsafe_fixes: a.unsafe_fixes,
                fixes: &fixes,
                files_changed: patch.files.keys().map(|p| display_path(p)).collect(),
                summary: &summary,
            };
            serde_json::to_writer_pretty(&mut out, &report).into_diagnostic()?;
            writeln!(out).into_diagnostic()?;
        }
        FixFormat::Diff => {
            render_diff(&mut out, &fixes, &texts, &summary, &patch, &a, color).into_diagnostic()?
        }
    }
    out.flush().into_diagnostic()?;
    drop(out);
    t.lap("render");
    for p in &written {
        crate::note!("fixed {}", display_path(p));
    }
    if let Some(p) = &a.patch_out {
        crate::note!("wrote {} ({} file(s))", display_path(p), patch.files.len());
    }
    // Like a linter: 0 when nothing is left to fix, 1 when findings remain.
    let remaining = fixes
        .iter()
        .filter(|f| f.suppressed.is_none() && !(a.apply && f.applied))
        .count();
    Ok(if remaining == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One fix as text: header, notes, diff.
fn fix_block(
    f: &Fix,
    texts: &std::collections::HashMap<PathBuf, std::sync::Arc<String>>,
    a: &FixArgs,
    paint: &(dyn Fn(&str, &str) -> String + Sync),
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let at = match (&f.file, f.line) {
        (Some(file), Some(line)) => format!("  {}:{line}", display_path(Path::new(file))),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} {}  {}{}",
        paint("1", f.rule),
        f.name,
        paint("1", &f.address),
        at
    );
    if f.instances.len() > 1 || f.instances.first() != Some(&f.address) {
        let _ = writeln!(out, "  instances: {}", f.instances.join(", "));
    }
    let _ = writeln!(out, "  {}", f.message);
    let state = if f.applied {
        if a.apply {
            "applied".to_string()
        } else {
            "would be applied by --apply".to_string()
        }
    } else {
        match f.applicability {
            Applicability::Unsafe if f.no_fix.is_none() && !f.edits.is_empty() => {
                "needs --unsafe-fixes".to_string()
            }
            Applicability::DisplayOnly => "never applied".to_string(),
            _ => "not applied".to_string(),
        }
    };
    let _ = writeln!(
        out,
        "  {} · {} · {}",
        paint("32", &saving_text(f)),
        applicability_name(f.applicability),
        state
    );
    if let Some(n) = &f.saving_note {
        let _ = writeln!(out, "  saving: {n}");
    }
    if let Some(n) = &f.note {
        let _ = writeln!(out, "  note: {n}");
    }
    if !f.also_changes.is_empty() {
        let _ = writeln!(out, "  also changes: {}", f.also_changes.join(", "));
    }
    if let Some(n) = &f.no_fix {
        let _ = writeln!(out, "  no fix: {n}");
    }
    if f.no_fix.is_none() && !f.edits.is_empty() {
        match fix::preview(f, texts, display_path) {
            Ok(d) => {
                for line in d.lines() {
                    let painted = if line.starts_with("+++") || line.starts_with("---") {
                        paint("1", line)
                    } else if line.starts_with('+') {
                        paint("32", line)
                    } else if line.starts_with('-') {
                        paint("31", line)
                    } else if line.starts_with("@@") {
                        paint("36", line)
                    } else {
                        line.to_string()
                    };
                    let _ = writeln!(out, "{painted}");
                }
            }
            Err(e) => {
                let _ = writeln!(out, "  refused: {e}");
            }
        }
    }
    out.push('\n');
    out
}

#[allow(clippy::too_many_arguments)]
fn render_diff(
    out: &mut impl Write,
    fixes: &[Fix],
    texts: &std::collections::HashMap<PathBuf, std::sync::Arc<String>>,
    summary: &Summary,
    patch: &Patch,
    a: &FixArgs,
    color: bool,
) -> std::io::Result<()> {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    // Each fix's text is made in parallel, then written in order.
    let shown: Vec<&Fix> = fixes.iter().filter(|f| f.suppressed.is_none()).collect();
    let blocks: Vec<String> = shown
        .par_iter()
        .map(|f| fix_block(f, texts, a, &paint))
        .collect();
    for b in blocks {
        out.write_all(b.as_bytes())?;
    }
    if summary.findings == 0 {
        writeln!(
            out,
            "No cost findings{}.",
            if summary.suppressed > 0 {
                format!(" ({} suppressed by costfix:ignore)", summary.suppressed)
            } else {
                String::new()
            }
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{} finding(s): {} safe fix(es), {} unsafe, {} display-only, {} without a fix{}.",
        summary.findings,
        summary.safe,
        summary.unsafe_,
        summary.display_only,
        summary.no_fix,
        if summary.suppressed > 0 {
            format!("; {} suppressed", summary.suppressed)
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "Savings found: {}/month (findings with a known saving).",
        money(summary.monthly_saving_total)
    )?;
    let n = summary.applied;
    if a.apply {
        writeln!(
            out,
            "Applied {n} fix(es) to {} file(s), saving {}/month.",
            patch.files.len(),
            money(summary.monthly_saving_applied)
        )?;
    } else if n > 0 {
        writeln!(
            out,
            "Run with --apply to apply {n} fix(es) ({}/month){}.",
            money(summary.monthly_saving_applied),
            if !a.unsafe_fixes && summary.unsafe_ > 0 {
                format!("; --unsafe-fixes adds {} more", summary.unsafe_)
            } else {
                String::new()
            }
        )?;
    } else if !a.unsafe_fixes && summary.unsafe_ > 0 {
        writeln!(
            out,
            "No safe fixes; --unsafe-fixes would apply {}.",
            summary.unsafe_
        )?;
    }
    Ok(())
}
