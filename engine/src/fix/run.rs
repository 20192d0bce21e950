//! `costfix fix`: one entry point. Read the plan, run the rules, locate each finding's values in
//! the sources, choose the fixes allowed, verify the edited files, and (as asked) write the files,
//! a patch, or the operations file.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::estimate::{Pricing, PricingRequest};
use crate::fix::{plan_fixes, read_edited, select, unified_diff, Applicability, Fix, Patch};
use crate::fsutil::{display_path, write_atomic};
use crate::rules::{self, RunOptions};
use crate::terraform::input::InputFile;
use crate::terraform::plan::{parse_document, Document, Plan, Warning};

pub const SCHEMA_VERSION: &str = "costfix.fix/v1";

/// What `costfix fix` is asked to do.
#[derive(Debug, Default)]
pub struct FixRequest {
    pub plan: PathBuf,
    /// The `.tf` root the plan was made from.
    pub dir: PathBuf,
    /// Only these rules (ids or names); all when empty.
    pub rules: Vec<String>,
    /// Only fixes saving at least this much a month.
    pub min_savings: Option<Decimal>,
    /// Allow unsafe fixes in the selection.
    pub unsafe_fixes: bool,
    /// Write the chosen fixes into the files.
    pub apply: bool,
    /// Write the chosen fixes as a patch here.
    pub patch_out: Option<PathBuf>,
    /// Write the chosen fixes as operations here.
    pub ops_out: Option<PathBuf>,
    /// The environment of resources without an environment tag, and where it came from.
    pub environment: Option<(String, String)>,
    /// Keep the files' texts as they were, for per-fix diffs.
    pub keep_texts: bool,
    pub pricing: PricingRequest,
}

/// The counts of a fix run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub findings: usize,
    pub suppressed: usize,
    pub safe: usize,
    #[serde(rename = "unsafe")]
    pub unsafe_: usize,
    pub display_only: usize,
    pub no_fix: usize,
    pub applied: usize,
    #[serde(serialize_with = "ser_dec")]
    pub monthly_saving_applied: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub monthly_saving_total: Decimal,
}

fn ser_dec<S: serde::Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&d.round_dp(2).normalize().to_string())
}

/// What a fix run found and did. Serialised, it is `costfix.fix/v1`.
#[derive(Debug, Serialize)]
pub struct FixReport {
    /// The schema, named as the other reports name it.
    pub schema_version: &'static str,
    /// The same (the name this report first used; kept for consumers of `costfix.fix/v1`).
    pub schema: &'static str,
    pub plan: String,
    pub dir: String,
    pub applied: bool,
    pub unsafe_fixes: bool,
    pub fixes: Vec<Fix>,
    pub files_changed: Vec<String>,
    pub summary: Summary,
    #[serde(skip)]
    pub patch: Patch,
    /// The edited files as they were before the run (with `keep_texts`).
    #[serde(skip)]
    pub texts: HashMap<PathBuf, Arc<String>>,
    /// Files written by `apply`.
    #[serde(skip)]
    pub written: Vec<PathBuf>,
    /// Operations written to `ops_out`.
    #[serde(skip)]
    pub operations_written: Option<usize>,
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

impl FixReport {
    /// Findings left to fix (the exit code, like a linter's): not suppressed, and not applied
    /// by this run.
    pub fn remaining(&self) -> usize {
        self.fixes
            .iter()
            .filter(|f| f.suppressed.is_none() && !(self.applied && f.applied))
            .count()
    }
}

/// Run the rules on a plan and fix what they find in the sources.
pub fn run(req: &FixRequest, phase: &dyn Fn(&str)) -> Result<FixReport> {
    run_with(req, phase, None)
}

/// Writes the chosen fixes as operations and says how many (`fix --out`). The operations layer,
/// which sits above this one, gives it: see `ops::fix_to_operations`.
pub type WriteOperations<'a> = &'a dyn Fn(&[Fix], &Plan<'_>, &InputFile) -> Result<usize>;

/// [`run`], with the chosen fixes also written as operations by `write_ops`.
pub fn run_with(
    req: &FixRequest,
    phase: &dyn Fn(&str),
    write_ops: Option<WriteOperations<'_>>,
) -> Result<FixReport> {
    let select_ids = selected_rules(&req.rules)?;
    phase("reading the plan");
    let pricing = Pricing::load_request(&req.pricing)?;
    let file = InputFile::read(&req.plan)?;
    let (doc, mut warnings) = parse_document(&file)?;
    let Document::Plan(plan) = &doc else {
        return Err(Error::WrongKind {
            path: file.path.clone(),
            expected: "a Terraform plan",
            found: "a Terraform state",
            help: "it is a state, not a plan: fixes are planned from a plan and the sources it was made from; make one with `terraform plan -out plan.out && terraform show -json plan.out > plan.json`".into(),
        });
    };
    phase("running the rules");
    let (environment, environment_source) = req.environment.clone().unzip();
    let opts = RunOptions {
        select: select_ids,
        environment: environment.clone(),
        environment_source,
        region: pricing.options.region.clone(),
    };
    let (findings, no_region) = rules::run(plan, &pricing.catalog, &pricing.usage, &opts);
    if no_region > 0 {
        warnings.push(Warning {
            file: file.display_name(),
            message: format!("{no_region} resource(s) have no region (the plan's AWS provider configuration sets none): their savings cannot be priced; pass --region"),
        });
    }
    phase("indexing the sources and locating the values");
    let (mut fixes, _index) = plan_fixes(findings, &req.dir, plan)?;
    if let Some(min) = req.min_savings {
        fixes.retain(|f| f.saving.is_some_and(|s| s >= min));
    }
    let allowed = if req.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    phase("verifying the edits");
    let patch = select(&mut fixes, allowed);
    let operations_written = write_outputs(req, &fixes, &patch, plan, &file, write_ops)?;
    // The files as they were, for the per-fix diffs (read before `apply` changes them).
    let texts = if req.keep_texts {
        read_edited(&fixes)
    } else {
        HashMap::new()
    };
    let written = if req.apply {
        crate::fix::write(&patch, &req.dir)?
    } else {
        Vec::new()
    };
    Ok(FixReport {
        schema_version: SCHEMA_VERSION,
        schema: SCHEMA_VERSION,
        plan: file.display_name(),
        dir: display_path(&req.dir),
        applied: req.apply,
        unsafe_fixes: req.unsafe_fixes,
        summary: summarise(&fixes),
        files_changed: patch.files.keys().map(|p| display_path(p)).collect(),
        fixes,
        patch,
        texts,
        written,
        operations_written,
        warnings,
    })
}

/// The patch (`patch_out`) and the operations file (`ops_out`), as asked; the number of
/// operations written.
fn write_outputs(
    req: &FixRequest,
    fixes: &[Fix],
    patch: &Patch,
    plan: &Plan<'_>,
    file: &InputFile,
    write_ops: Option<WriteOperations<'_>>,
) -> Result<Option<usize>> {
    if let Some(out) = &req.patch_out {
        if patch.files.is_empty() {
            // Nothing to fix: no patch (an empty one is refused by `git apply`), and none left
            // from an earlier run to be applied by mistake.
            match std::fs::remove_file(out) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::Write {
                        path: out.clone(),
                        source: e,
                    })
                }
                _ => {}
            }
        } else {
            let text: String = patch
                .files
                .iter()
                .map(|(path, (old, new))| unified_diff(&display_path(path), old, new))
                .collect();
            write_atomic(out, text.as_bytes())?;
        }
    }
    write_ops.map(|write| write(fixes, plan, file)).transpose()
}

/// The ids of the rules asked for (by id or name); an unknown one is an error.
fn selected_rules(keys: &[String]) -> Result<Vec<&'static str>> {
    keys.iter()
        .map(|key| {
            rules::find(key).map(|r| r.id).ok_or_else(|| Error::Usage {
                message: format!("no rule `{key}`"),
                help: "`costfix rules` lists them".into(),
            })
        })
        .collect()
}

/// The counts of a run's fixes.
pub fn summarise(fixes: &[Fix]) -> Summary {
    let active: Vec<&Fix> = fixes.iter().filter(|f| f.suppressed.is_none()).collect();
    let with_fix = |a: Applicability| {
        active
            .iter()
            .filter(|f| f.no_fix.is_none() && !f.edits.is_empty() && f.applicability == a)
            .count()
    };
    let applied = || active.iter().filter(|f| f.applied);
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
        applied: applied().count(),
        monthly_saving_applied: applied().filter_map(|f| f.saving).sum(),
        monthly_saving_total: active.iter().filter_map(|f| f.saving).sum(),
    }
}
