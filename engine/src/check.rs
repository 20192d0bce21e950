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
//! the `.tf` sources (see `source_scan`), or accepted in a baseline file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::estimate::{Estimate, Subtotal};
use crate::policy::{Level, Namespaces, PolicyResult, PolicySet};
use crate::slo::{self, Budget, BudgetResult, Status};

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
pub struct Finding {
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

impl Finding {
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
}

/// The whole report of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub schema_version: &'static str,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub policies: Vec<PolicyResult>,
    pub budgets: Vec<BudgetResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_totals: Option<Subtotal>,
    pub estimate: Estimate,
}

/// Options of a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub namespaces: Namespaces,
    pub environment: Option<String>,
    pub fail_on: FailOn,
}

fn f64_of(d: rust_decimal::Decimal) -> Value {
    d.to_f64().map_or(Value::Null, |f| json!(f))
}

fn totals_json(t: &Subtotal) -> Value {
    json!({"before": f64_of(t.before), "after": f64_of(t.after), "delta": f64_of(t.delta)})
}

/// The `costfix` object policies see.
pub fn policy_costfix_value(
    est: &Estimate,
    base: Option<&Estimate>,
    environment: Option<&str>,
) -> Value {
    let mut resources = Map::new();
    for r in &est.resources {
        let unpriced = r.after.as_ref().or(r.before.as_ref()).is_some_and(|s| {
            s.items
                .iter()
                .any(|i| i.status == crate::cost::ItemStatus::Unpriced)
        });
        resources.insert(
            r.address.clone(),
            json!({
                "type": r.resource_type,
                "module": r.module,
                "action": r.action.as_str(),
                "monthly_before": r.before.as_ref().map(|s| f64_of(s.monthly)),
                "monthly_after": r.after.as_ref().map(|s| f64_of(s.monthly)),
                "delta": f64_of(r.delta),
                "unpriced": unpriced,
                "tags": r.tags,
            }),
        );
    }
    let mut v = json!({
        "currency": "USD",
        "totals": totals_json(&est.totals),
        "resources": resources,
    });
    if let Some(env) = environment {
        v["environment"] = json!(env);
    }
    if let Some(b) = base {
        v["base_totals"] = totals_json(&b.totals);
    }
    v
}

/// The policy input: the plan document with a `costfix` key added in front.
pub fn policy_input(plan_json: &str, costfix: &Value) -> String {
    let body = plan_json.trim_start();
    let rest = body.strip_prefix('{').unwrap_or(body).trim_start();
    let costfix = costfix.to_string();
    if rest.starts_with('}') {
        format!("{{\"costfix\":{costfix}}}")
    } else {
        format!("{{\"costfix\":{costfix},{rest}")
    }
}

/// Run a check.
pub fn check(
    plan_json: &str,
    est: Estimate,
    base: Option<&Estimate>,
    policies: &PolicySet,
    budgets: &[Budget],
    opts: &CheckOptions,
) -> Result<CheckReport> {
    let costfix = policy_costfix_value(&est, base, opts.environment.as_deref());
    let input = policy_input(plan_json, &costfix);
    let policy_results = policies.evaluate(&input, &opts.namespaces)?;
    let budget_results = slo::evaluate(budgets, &est, base);

    let mut findings: Vec<Finding> = policy_results
        .iter()
        .map(|p| Finding {
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
            suppressed: None,
            baselined: false,
        })
        .collect();
    for b in &budget_results {
        let level = match b.status {
            Status::Ok => continue,
            Status::Warn => Level::Warn,
            Status::Fail => Level::Deny,
        };
        findings.push(Finding {
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
    let mut report = CheckReport {
        schema_version: SCHEMA_VERSION,
        verdict: Verdict {
            passed: true,
            failures: 0,
            warnings: 0,
            suppressed: 0,
            fail_on: opts.fail_on,
        },
        findings,
        policies: policy_results,
        budgets: budget_results,
        base_totals: base.map(|b| b.totals.clone()),
        estimate: est,
    };
    report.tally();
    Ok(report)
}

impl CheckReport {
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
        };
    }

    /// Apply what a scan of the `.tf` sources found: locations and `costfix:ignore` comments.
    pub fn apply_sources(&mut self, index: &SourceScan) {
        for f in &mut self.findings {
            let Some(addr) = &f.resource else { continue };
            let Some(block) = index.find(addr) else {
                continue;
            };
            f.location = Some(Location {
                file: block.file.clone(),
                line: block.line,
            });
            if let Some((_, reason)) = block.ignores.iter().find(|(id, _)| id_matches(id, &f.id)) {
                f.suppressed = Some(reason.clone());
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
            })
            .collect();
        findings.sort_by(|a, b| {
            (&a.id, &a.resource, &a.message).cmp(&(&b.id, &b.resource, &b.message))
        });
        findings.dedup();
        Baseline {
            version: 1,
            findings,
        }
    }
}

/// `ID` of an ignore comment against a finding id: the full id (`policy:costfix.policies.gp2_volumes.warn`),
/// the id without its kind, the package (`costfix.policies.gp2_volumes`), its last segment
/// (`gp2_volumes`), or a budget name.
fn id_matches(ignore: &str, finding: &str) -> bool {
    if ignore == finding || ignore == "all" {
        return true;
    }
    let bare = finding.split_once(':').map_or(finding, |(_, b)| b);
    if ignore == bare {
        return true;
    }
    if finding.starts_with("policy:") {
        let package = bare.rsplit_once('.').map_or(bare, |(p, _)| p);
        return ignore == package || package.rsplit('.').next() == Some(ignore);
    }
    false
}

/// Accepted findings: only new ones fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub message: String,
}

impl BaselineEntry {
    fn matches(&self, f: &Finding) -> bool {
        self.id == f.id && self.resource == f.resource && self.message == f.message
    }
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| {
            let offset = text
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum::<usize>()
                + e.column().saturating_sub(1);
            let (src, span) = Error::source_window(&path.display().to_string(), &text, offset);
            Error::Invalid {
                src,
                span,
                message: format!("not a costfix baseline: {e}"),
                label: "here".into(),
            }
        })
    }
}

/// A resource block found in the `.tf` sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceBlock {
    pub file: String,
    pub line: usize,
    /// `costfix:ignore ID reason` comments on the block: (id, reason).
    pub ignores: Vec<(String, String)>,
}

/// A light scan of the root module's `.tf` files for `resource "TYPE" "NAME"` blocks and the
/// `# costfix:ignore` comments just above them or inside them. (The full source index, with
/// modules and spans, is the fix engine's.)
#[derive(Debug, Default)]
pub struct SourceScan {
    blocks: BTreeMap<String, SourceBlock>,
}

impl SourceScan {
    pub fn scan(dir: &Path) -> Result<SourceScan> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| Error::Io {
                path: dir.to_owned(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tf"))
            .collect();
        files.sort();
        let mut blocks = BTreeMap::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let name = path.display().to_string();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let Some((rtype, rname)) = resource_header(line) else {
                    continue;
                };
                let mut ignores = Vec::new();
                // Comments directly above the block.
                let mut j = i;
                while j > 0 {
                    let prev = lines[j - 1].trim();
                    if let Some(ig) = ignore_comment(prev) {
                        ignores.push(ig);
                    } else if !(prev.starts_with('#') || prev.starts_with("//")) {
                        break;
                    }
                    j -= 1;
                }
                // Comments inside the block, up to its closing brace at the start of a line.
                for inner in lines.iter().skip(i + 1) {
                    if inner.starts_with('}') {
                        break;
                    }
                    if let Some(ig) = ignore_comment(inner.trim()) {
                        ignores.push(ig);
                    }
                }
                blocks.insert(
                    format!("{rtype}.{rname}"),
                    SourceBlock {
                        file: name.clone(),
                        line: i + 1,
                        ignores,
                    },
                );
            }
        }
        Ok(SourceScan { blocks })
    }

    /// The block of a root-module address (any index).
    pub fn find(&self, address: &str) -> Option<&SourceBlock> {
        if address.starts_with("module.") {
            return None;
        }
        let base = address.split('[').next().unwrap_or(address);
        self.blocks.get(base)
    }
}

fn resource_header(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("resource")?.trim_start();
    let mut parts = rest.split('"').filter(|p| !p.trim().is_empty());
    let t = parts.next()?.trim().to_string();
    let n = parts.next()?.trim().to_string();
    (!t.contains(' ') && !n.contains(' ') && !n.starts_with('{')).then_some((t, n))
}

fn ignore_comment(line: &str) -> Option<(String, String)> {
    let body = line
        .strip_prefix('#')
        .or_else(|| line.strip_prefix("//"))?
        .trim();
    let rest = body.strip_prefix("costfix:ignore")?.trim();
    let (id, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    (!id.is_empty()).then(|| (id.to_string(), reason.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_splices_costfix_in_front() {
        let v = json!({"totals": {}});
        assert_eq!(
            policy_input("{\"a\":1}", &v),
            "{\"costfix\":{\"totals\":{}},\"a\":1}"
        );
        assert_eq!(policy_input(" { } ", &v), "{\"costfix\":{\"totals\":{}}}");
        let parsed: Value = serde_json::from_str(&policy_input("{\n \"a\": [1]\n}", &v)).unwrap();
        assert_eq!(parsed["a"][0], 1);
    }

    #[test]
    fn ignore_ids() {
        let f = "policy:costfix.policies.gp2_volumes.warn";
        for ok in [
            "gp2_volumes",
            "costfix.policies.gp2_volumes",
            "costfix.policies.gp2_volumes.warn",
            f,
            "all",
        ] {
            assert!(id_matches(ok, f), "{ok}");
        }
        assert!(!id_matches("gp2", f));
        assert!(id_matches("stack", "budget:stack"));
        assert_eq!(
            ignore_comment("# costfix:ignore gp2_volumes legacy volume, migrating in Q3"),
            Some((
                "gp2_volumes".into(),
                "legacy volume, migrating in Q3".into()
            ))
        );
        assert_eq!(
            resource_header("resource \"aws_instance\" \"web\" {"),
            Some(("aws_instance".into(), "web".into()))
        );
    }
}
