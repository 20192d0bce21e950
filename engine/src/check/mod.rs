//! `costfix check`: the cost estimate, Rego policies and SLO budgets on one plan, with a verdict.
//!
//! Policies see the plan JSON itself, as conftest gives it, plus a `costfix` key:
//!
//! ```json
//! "costfix": {
//!   "currency": "USD", "environment": "production",
//!   "totals": {"before": 10.0, "after": 25.5, "delta": 15.5},
//!   "base_totals": {...},                       // with --base
//!   "resources": {"aws_instance.web": {"type": "aws_instance", "action": "create",
//!                 "monthly_before": null, "monthly_after": 25.5, "delta": 25.5,
//!                 "unpriced": false, "tags": {"team": "x"}}}
//! }
//! ```
//!
//! Results can be suppressed by a `# costfix:ignore ID reason` comment on the resource block in
//! the `.tf` sources (see [`crate::hcl::source`]), or accepted in a baseline file.

mod baseline;
pub mod run;

pub use baseline::{Baseline, BaselineEntry};
pub use run::{run, CheckRequest, CheckRun, NamespaceChoice};

use crate::policy::input::{policy_input, InputNeeds};
use baseline::id_matches;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::estimate::{Estimate, Subtotal};
use crate::hcl::source::SourceIndex;
use crate::policy::{Level, Namespaces, PolicyDoc, PolicyResult, PolicySet};
use crate::slo::{self, Budget, BudgetResult, Status};
use crate::terraform::plan::Plan;
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: &str = "costfix.check/v1";

/// What fails a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// Deny results and blocking budgets (the default).
    Deny,
    /// Warnings too.
    Warn,
}

/// A finding of a check: a policy result or a budget that is not `ok`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Stable id: `policy:PACKAGE.RULE` or `budget:NAME`.
    pub id: String,
    pub level: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Where the rule lives: policy files, or `file:line` of the budget.
    pub source: Vec<String>,
    /// Where the resource is declared, when the sources were given (`--dir`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Suppressed by a `costfix:ignore` comment, with its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// Accepted in the baseline file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baselined: bool,
}

impl Violation {
    /// Counts towards the verdict.
    pub fn active(&self) -> bool {
        self.suppressed.is_none() && !self.baselined
    }
}

/// A place in a `.tf` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub failures: usize,
    pub warnings: usize,
    pub suppressed: usize,
    pub fail_on: FailOn,
    pub fail_on_unpriced: bool,
}

/// The whole report of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub schema_version: &'static str,
    pub verdict: Verdict,
    pub findings: Vec<Violation>,
    pub policies: Vec<PolicyResult>,
    pub budgets: Vec<BudgetResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_totals: Option<Subtotal>,
    pub estimate: Estimate,
    /// What each finding id is, for reports that describe their rules (SARIF): the policy's
    /// METADATA, the budget's definition. Not in the JSON report.
    #[serde(skip)]
    pub rule_docs: BTreeMap<String, PolicyDoc>,
}

/// Options of a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub namespaces: Namespaces,
    pub environment: Option<String>,
    pub fail_on: FailOn,
    /// Resources that cannot be priced, and budgets that cannot be judged for them, fail the
    /// check instead of warning.
    pub fail_on_unpriced: bool,
    /// Give policies the whole plan document, not only the sections they name.
    pub full_input: bool,
    /// Write the policy input document there (JSON), when the policies are evaluated.
    pub write_input: Option<std::path::PathBuf>,
}

/// Run a check. `input_built` is called once the policy input is built (the plan's text is not
/// read after that: the caller can release it, see [`crate::InputFile::release_pages`]).
#[allow(clippy::too_many_arguments)]
pub fn check(
    plan: &Plan<'_>,
    plan_json: &str,
    est: Estimate,
    base: Option<&Estimate>,
    policies: &PolicySet,
    budgets: &[Budget],
    opts: &CheckOptions,
    input_built: &dyn Fn(),
) -> Result<CheckReport> {
    let policy_results = if policies.has_rules(&opts.namespaces) {
        let needs = InputNeeds::of(policies);
        let input = policy_input(
            plan,
            plan_json,
            &est,
            base,
            opts.environment.as_deref(),
            &needs,
            opts.full_input,
        )?;
        input_built();
        if let Some(path) = &opts.write_input {
            let json = input.to_json_str().map_err(|e| Error::InvalidNoSource {
                path: path.clone(),
                message: format!("cannot serialise the policy input: {e}"),
            })?;
            crate::fsutil::write_atomic(path, json.as_bytes())?;
        }
        policies.evaluate_value(input, &opts.namespaces)?
    } else {
        Vec::new()
    };
    let budget_results = slo::evaluate(budgets, &est, base);

    let mut findings: Vec<Violation> = policy_results
        .iter()
        .map(|p| Violation {
            id: format!(
                "policy:{}.{}",
                p.package.trim_start_matches("data."),
                p.rule
            ),
            level: p.level,
            message: p.msg.clone(),
            resource: p.resource.clone(),
            source: p.files.clone(),
            location: None,
            suppressed: p.exception.then(|| {
                format!(
                    "exception rule of {}",
                    p.package.trim_start_matches("data.")
                )
            }),
            baselined: false,
        })
        .collect();
    let unpriced_level = if opts.fail_on_unpriced {
        Level::Deny
    } else {
        Level::Warn
    };
    if let Some(f) = unpriced_finding(&est, unpriced_level) {
        findings.push(f);
    }
    for b in &budget_results {
        let level = match b.status {
            Status::Ok => continue,
            Status::Unknown => unpriced_level,
            Status::Warn => Level::Warn,
            Status::Fail => Level::Deny,
        };
        findings.push(Violation {
            id: format!("budget:{}", b.budget.name),
            level,
            message: format!("budget \"{}\": {}", b.budget.name, b.message),
            resource: None,
            source: vec![b.budget.source.clone()],
            location: None,
            suppressed: None,
            baselined: false,
        });
    }
    let rule_docs = rule_docs(&findings, policies, &budget_results);
    let mut report = CheckReport {
        schema_version: SCHEMA_VERSION,
        verdict: Verdict {
            passed: true,
            failures: 0,
            warnings: 0,
            suppressed: 0,
            fail_on: opts.fail_on,
            fail_on_unpriced: opts.fail_on_unpriced,
        },
        findings,
        policies: policy_results,
        budgets: budget_results,
        base_totals: base.map(|b| b.totals.clone()),
        estimate: est,
        rule_docs,
    };
    report.tally();
    Ok(report)
}

/// What each finding's id is: a policy's METADATA (from the first of its files that has one), a
/// budget's definition, the unpriced finding's meaning.
fn rule_docs(
    findings: &[Violation],
    policies: &PolicySet,
    budgets: &[BudgetResult],
) -> BTreeMap<String, PolicyDoc> {
    let mut docs = BTreeMap::new();
    for f in findings {
        if docs.contains_key(&f.id) {
            continue;
        }
        let doc = if f.id == "costfix:unpriced" {
            PolicyDoc {
                title: Some("Resources that cannot be priced".into()),
                description: Some("costfix has no cost model or no price for some of the plan's resources (a type not modelled yet, a region outside the catalog, an unknown value), so the totals and the budgets may be low. --fail-on-unpriced makes this a failure.".into()),
            }
        } else if let Some(name) = f.id.strip_prefix("budget:") {
            let Some(b) = budgets.iter().find(|b| b.budget.name == name) else {
                continue;
            };
            PolicyDoc {
                title: Some(format!("Budget \"{name}\"")),
                description: Some(format!(
                    "The SLO budget \"{name}\" defined at {} ({}): the monthly cost of the resources in its scope, or the change's increase, against its limit.",
                    b.budget.source,
                    if b.budget.action == slo::Action::Block { "blocking" } else { "a warning" }
                )),
            }
        } else {
            match f.source.iter().find_map(|file| policies.doc_of(file)) {
                Some(d) => d,
                None => continue,
            }
        };
        docs.insert(f.id.clone(), doc);
    }
    docs
}

/// Resources named in the finding on what could not be priced, before "and N more".
const NOT_PRICED_SHOWN: usize = 5;

/// The finding `costfix:unpriced` when some of the plan's cost is not known: the resources none of
/// whose cost is known, with their reasons, and how many more are partly priced.
fn unpriced_finding(est: &Estimate, level: Level) -> Option<Violation> {
    if est.complete {
        return None;
    }
    let c = &est.counts;
    let partial = c.with_unpriced_items - c.unpriced;
    let mut message = if est.not_priced.is_empty() {
        format!(
            "{partial} of {} resources are only partly priced; the totals may be low",
            c.resources
        )
    } else {
        let named: Vec<String> = est
            .not_priced
            .iter()
            .take(NOT_PRICED_SHOWN)
            .map(|n| format!("{} ({})", n.address, n.reason))
            .collect();
        let more = est.not_priced.len().saturating_sub(NOT_PRICED_SHOWN);
        let mut m = format!(
            "{} of {} resources not priced: {}",
            est.not_priced.len(),
            c.resources,
            named.join(", ")
        );
        if more > 0 {
            m.push_str(&format!(" and {more} more"));
        }
        if partial > 0 {
            m.push_str(&format!("; {partial} more only partly priced"));
        }
        m.push_str("; the totals may be low");
        m
    };
    if level == Level::Warn {
        message.push_str(" (--fail-on-unpriced makes this a failure)");
    }
    Some(Violation {
        id: "costfix:unpriced".into(),
        level,
        message,
        resource: None,
        source: est.inputs.iter().take(1).map(|i| i.file.clone()).collect(),
        location: None,
        suppressed: None,
        baselined: false,
    })
}

impl CheckReport {
    /// Write the JSON document (the same as `serde_json::to_writer`), with the estimate written
    /// by [`Estimate::write_json`].
    pub fn write_json<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        write!(w, "{{\"schema_version\":")?;
        serde_json::to_writer(&mut w, &self.schema_version)?;
        write!(w, ",\"verdict\":")?;
        serde_json::to_writer(&mut w, &self.verdict)?;
        write!(w, ",\"findings\":")?;
        serde_json::to_writer(&mut w, &self.findings)?;
        write!(w, ",\"policies\":")?;
        serde_json::to_writer(&mut w, &self.policies)?;
        write!(w, ",\"budgets\":")?;
        serde_json::to_writer(&mut w, &self.budgets)?;
        if let Some(b) = &self.base_totals {
            write!(w, ",\"base_totals\":")?;
            serde_json::to_writer(&mut w, b)?;
        }
        write!(w, ",\"estimate\":")?;
        self.estimate.write_json(&mut w)?;
        write!(w, "}}")
    }

    /// Recount the verdict (after suppressions or a baseline were applied).
    pub fn tally(&mut self) {
        let active = || self.findings.iter().filter(|f| f.active());
        let failures = active().filter(|f| f.level == Level::Deny).count();
        let warnings = active().filter(|f| f.level == Level::Warn).count();
        let suppressed = self.findings.iter().filter(|f| !f.active()).count();
        let passed = match self.verdict.fail_on {
            FailOn::Deny => failures == 0,
            FailOn::Warn => failures == 0 && warnings == 0,
        };
        self.verdict = Verdict {
            passed,
            failures,
            warnings,
            suppressed,
            fail_on: self.verdict.fail_on,
            fail_on_unpriced: self.verdict.fail_on_unpriced,
        };
    }

    /// Apply what the `.tf` sources say: locations and `costfix:ignore` comments.
    pub fn apply_sources(&mut self, index: &SourceIndex) {
        for f in &mut self.findings {
            let Some(addr) = f
                .resource
                .as_deref()
                .and_then(|a| a.parse::<crate::Address>().ok())
            else {
                continue;
            };
            let Some(block) = index.locate(&addr) else {
                continue;
            };
            f.location = Some(Location {
                file: block.file.display().to_string(),
                line: block.line,
            });
            if let Some((_, reason)) = block.ignores.iter().find(|(id, _)| id_matches(id, &f.id)) {
                f.suppressed = Some(if reason.is_empty() {
                    "costfix:ignore comment, no reason given".to_string()
                } else {
                    reason.clone()
                });
            }
        }
        self.tally();
    }

    /// Mark findings present in a baseline as accepted.
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        for f in &mut self.findings {
            f.baselined = baseline.findings.iter().any(|b| b.matches(f));
        }
        self.tally();
    }

    /// The baseline that accepts every current finding.
    pub fn to_baseline(&self) -> Baseline {
        let mut findings: Vec<BaselineEntry> = self
            .findings
            .iter()
            .map(|f| BaselineEntry {
                id: f.id.clone(),
                resource: f.resource.clone(),
                message: f.message.clone(),
                fingerprint: Some(baseline::fingerprint(f)),
            })
            .collect();
        findings.sort_by(|a, b| (&a.fingerprint, &a.message).cmp(&(&b.fingerprint, &b.message)));
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            version: 2,
            findings,
        }
    }
}
