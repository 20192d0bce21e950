//! The output of `costfix fix`: per fix a header (rule, block, file:line), the saving, the
//! applicability and state, notes and a unified diff, then a summary. JSON is the report
//! serialised (`costfix.fix/v1`).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::fix::{preview, Applicability, Fix, FixReport};
use crate::fsutil::display_path;

fn money(d: Decimal) -> String {
    format!("${}", d.round_dp(2))
}

fn saving_text(f: &Fix) -> String {
    match f.saving {
        Some(s) => format!("saves {}/month", money(s)),
        None => "saving depends on usage".into(),
    }
}

/// How `fix_block` colours text: (ANSI code, text) → text.
type Paint<'p> = &'p (dyn Fn(&str, &str) -> String + Sync);

/// One fix as text: header, notes, diff.
fn fix_block(
    f: &Fix,
    texts: &HashMap<PathBuf, Arc<String>>,
    apply: bool,
    paint: Paint<'_>,
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
    let _ = writeln!(
        out,
        "  {} · {} · {}",
        paint("32", &saving_text(f)),
        f.applicability.name(),
        state_text(f, apply)
    );
    notes(&mut out, f);
    if f.no_fix.is_none() && !f.edits.is_empty() {
        diff_lines(&mut out, f, texts, paint);
    }
    out.push('\n');
    out
}

/// Whether the fix was (or would be) applied, or why not.
fn state_text(f: &Fix, apply: bool) -> String {
    if f.applied {
        if apply {
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
    }
}

/// The fix's notes: on the saving, on the fix, what else it changes, and why there is no fix.
fn notes(out: &mut String, f: &Fix) {
    use std::fmt::Write as _;
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
}

/// The fix's unified diff, coloured, or why its edits were refused.
fn diff_lines(out: &mut String, f: &Fix, texts: &HashMap<PathBuf, Arc<String>>, paint: Paint<'_>) {
    use std::fmt::Write as _;
    match preview(f, texts, display_path) {
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

/// The dry-run (or `--apply`) output: each fix's header, notes and diff, then the summary.
pub fn diff(out: &mut impl Write, r: &FixReport, color: bool) -> std::io::Result<()> {
    let (fixes, texts, summary, patch) = (&r.fixes, &r.texts, &r.summary, &r.patch);
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
        .map(|f| fix_block(f, texts, r.applied, &paint))
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
    if r.applied {
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
            if !r.unsafe_fixes && summary.unsafe_ > 0 {
                format!("; --unsafe-fixes adds {} more", summary.unsafe_)
            } else {
                String::new()
            }
        )?;
    } else if !r.unsafe_fixes && summary.unsafe_ > 0 {
        writeln!(
            out,
            "No safe fixes; --unsafe-fixes would apply {}.",
            summary.unsafe_
        )?;
    }
    Ok(())
}
