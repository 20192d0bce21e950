//! Renderings of a check report: table, Markdown (PR comment), SARIF 2.1.0, GitHub workflow
//! commands, JUnit XML. JSON is the engine's model.

use std::io::{self, Write};

use crate::check::{CheckReport, Violation};
use crate::policy::Level;
use crate::slo::{BudgetResult, Limit, Status};

use crate::pricing::money::{delta, usd};

fn level_word(l: Level) -> &'static str {
    match l {
        Level::Deny => "DENY",
        Level::Warn => "WARN",
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Unknown => "unknown",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
    }
}

fn verdict_line(r: &CheckReport) -> String {
    let v = &r.verdict;
    let word = if v.passed { "passed" } else { "FAILED" };
    let mut s = format!(
        "costfix check {word}: {} failure(s), {} warning(s)",
        v.failures, v.warnings
    );
    if v.suppressed > 0 {
        s.push_str(&format!(", {} suppressed or baselined", v.suppressed));
    }
    s
}

fn cost_line(r: &CheckReport) -> String {
    let t = &r.estimate.totals;
    let line = match &r.base_totals {
        Some(b) => format!(
            "Monthly cost: {} (base) → {} (this change) ({}{})",
            usd(b.after),
            usd(t.after),
            delta(t.after - b.after),
            percent_change(b.after, t.after)
        ),
        None => format!(
            "Monthly cost: {} → {} ({}{})",
            usd(t.before),
            usd(t.after),
            delta(t.delta),
            percent_change(t.before, t.after)
        ),
    };
    match crate::render::estimate::incomplete_note(&r.estimate) {
        Some(note) => format!("{line}; {note}"),
        None => line,
    }
}

/// ", +12.5%" for a change from a cost that is not zero (users.md D19); nothing otherwise.
fn percent_change(before: rust_decimal::Decimal, after: rust_decimal::Decimal) -> String {
    if before.is_zero() || after == before {
        return String::new();
    }
    let p = ((after - before) / before * rust_decimal::Decimal::from(100)).round_dp(1);
    let sign = if p.is_sign_positive() { "+" } else { "" };
    format!(", {sign}{}%", p.normalize())
}

fn limit_text(l: &Limit) -> String {
    match l {
        Limit::Total { monthly_limit, .. } => format!("limit {}", usd(*monthly_limit)),
        Limit::Change {
            max_monthly_increase,
            max_increase_percent,
        } => {
            let mut parts = Vec::new();
            if let Some(m) = max_monthly_increase {
                parts.push(format!("max +{}", usd(*m)));
            }
            if let Some(p) = max_increase_percent {
                parts.push(format!("max +{p}%"));
            }
            parts.join(", ")
        }
    }
}

fn where_text(f: &Violation) -> String {
    match &f.location {
        Some(l) => format!("{}:{}", l.file, l.line),
        None => f.source.join(", "),
    }
}

/// ANSI colour, only when asked for (a terminal, `--color always`).
fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn level_colour(l: Level) -> &'static str {
    match l {
        Level::Deny => "1;31",
        Level::Warn => "1;33",
    }
}

/// Plain text for terminals and CI logs; colour only when `color` (a terminal) is set.
pub fn table(out: &mut impl Write, r: &CheckReport, color: bool) -> io::Result<()> {
    let verdict_colour = if r.verdict.passed { "1;32" } else { "1;31" };
    writeln!(out, "{}", paint(color, verdict_colour, &verdict_line(r)))?;
    writeln!(out, "{}", cost_line(r))?;
    if !r.findings.is_empty() {
        writeln!(out)?;
        writeln!(out, "Findings:")?;
        for f in &r.findings {
            let mark = if let Some(reason) = &f.suppressed {
                format!(" (suppressed: {reason})")
            } else if f.baselined {
                " (in baseline)".to_string()
            } else {
                String::new()
            };
            let word = paint(
                color && f.active(),
                level_colour(f.level),
                level_word(f.level),
            );
            writeln!(out, "  {word}  {}{}", f.message, mark)?;
            writeln!(out, "        {}  [{}]", f.id, where_text(f))?;
        }
    }
    if !r.budgets.is_empty() {
        writeln!(out)?;
        writeln!(out, "Budgets:")?;
        let w = r
            .budgets
            .iter()
            .map(|b| b.budget.name.len())
            .max()
            .unwrap_or(0);
        let sw = r
            .budgets
            .iter()
            .map(|b| status_word(b.status).len())
            .max()
            .unwrap_or(0)
            .max(4);
        for b in &r.budgets {
            let colour = match b.status {
                Status::Ok => "32",
                Status::Unknown | Status::Warn => "1;33",
                Status::Fail => "1;31",
            };
            writeln!(
                out,
                "  {}  {:<w$}  {}  ({}, {})",
                paint(color, colour, &format!("{:<sw$}", status_word(b.status))),
                b.budget.name,
                b.message,
                limit_text(&b.budget.limit),
                b.budget.source
            )?;
        }
    }
    let c = &r.estimate.counts;
    writeln!(out)?;
    let not_priced = match c.not_priced() {
        0 => String::new(),
        n => format!(", {n} not priced"),
    };
    writeln!(
        out,
        "{} resource(s), {} priced{not_priced}; {} policy result(s) from {} file(s); {} budget(s).",
        c.resources,
        c.priced,
        r.policies.len(),
        r.policies
            .iter()
            .flat_map(|p| p.files.iter())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        r.budgets.len()
    )?;
    Ok(())
}

/// A pull-request comment.
pub fn markdown(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    let icon = if r.verdict.passed { "✅" } else { "❌" };
    writeln!(out, "## {icon} {}", verdict_line(r))?;
    writeln!(out)?;
    writeln!(out, "**{}**", cost_line(r))?;
    writeln!(out)?;
    md_findings(out, r)?;
    md_budgets(out, r)?;
    md_quiet_findings(out, r)?;
    md_estimate(out, r)?;
    // Invisible once rendered: what a bot looks for to update its comment instead of adding one.
    writeln!(out, "{COMMENT_MARKER}")
}

/// The hidden line that ends every Markdown report of `check`.
pub const COMMENT_MARKER: &str = "<!-- costfix:check -->";

/// The comment's table of active findings (the first 50).
fn md_findings(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    let active: Vec<&Violation> = r.findings.iter().filter(|f| f.active()).collect();
    if active.is_empty() {
        return Ok(());
    }
    writeln!(out, "| | Finding | Resource | Rule |")?;
    writeln!(out, "|---|---|---|---|")?;
    for f in active.iter().take(50) {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            level_word(f.level),
            super::md_text(&f.message),
            md_where(f),
            super::md_code(&f.id)
        )?;
    }
    if active.len() > 50 {
        writeln!(out, "| | … and {} more | | |", active.len() - 50)?;
    }
    writeln!(out)
}

/// A finding's Resource cell: the address and, with `--dir`, the file and line of its block; a
/// budget's definition (users.md D19).
fn md_where(f: &Violation) -> String {
    let at = f
        .location
        .as_ref()
        .map(|l| super::md_text(&format!("{}:{}", l.file, l.line)));
    match (&f.resource, at) {
        (Some(a), Some(at)) => format!("{} {at}", super::md_code(a)),
        (Some(a), None) => super::md_code(a),
        (None, Some(at)) => at,
        (None, None) if f.id.starts_with("budget:") => f
            .source
            .first()
            .map(|s| super::md_text(s))
            .unwrap_or_default(),
        (None, None) => String::new(),
    }
}

/// The comment's folded table of budgets.
fn md_budgets(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    if r.budgets.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<details><summary>Budgets ({})</summary>",
        r.budgets.len()
    )?;
    writeln!(out)?;
    writeln!(out, "| Status | Budget | | Limit |")?;
    writeln!(out, "|---|---|---|---|")?;
    for b in &r.budgets {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            status_word(b.status),
            super::md_text(&b.budget.name),
            super::md_text(&b.message),
            limit_text(&b.budget.limit)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "</details>")?;
    writeln!(out)
}

/// The comment's folded list of suppressed and baselined findings.
fn md_quiet_findings(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    let quiet: Vec<&Violation> = r.findings.iter().filter(|f| !f.active()).collect();
    if quiet.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<details><summary>Suppressed or baselined ({})</summary>",
        quiet.len()
    )?;
    writeln!(out)?;
    for f in quiet {
        writeln!(
            out,
            "- {} {}: {}",
            level_word(f.level),
            super::md_code(&f.id),
            super::md_text(&f.message)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "</details>")?;
    writeln!(out)
}

/// The comment's folded cost estimate: the estimate's own Markdown without its heading.
fn md_estimate(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    writeln!(out, "<details><summary>Cost estimate</summary>")?;
    writeln!(out)?;
    let mut buf = Vec::new();
    crate::render::estimate::markdown(
        &mut buf,
        &r.estimate,
        if r.base_totals.is_some() {
            "diff"
        } else {
            "estimate"
        },
    )?;
    // Drop the estimate's own heading: the comment has one.
    let text = String::from_utf8_lossy(&buf);
    for line in text
        .lines()
        .skip_while(|l| l.starts_with("## ") || l.is_empty())
    {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    writeln!(out, "</details>")?;
    Ok(())
}

/// SARIF 2.1.0, for code scanning.
pub fn sarif(out: &mut impl Write, r: &CheckReport, plan_file: &str) -> io::Result<()> {
    use serde_json::{json, Value};
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_ids: Vec<&str> = Vec::new();
    for f in &r.findings {
        if !rule_ids.contains(&f.id.as_str()) {
            rule_ids.push(&f.id);
            // What the rule is (users.md D18): the policy's METADATA, the budget's definition.
            let doc = r.rule_docs.get(&f.id);
            let title = doc
                .and_then(|d| d.title.clone())
                .unwrap_or_else(|| f.id.clone());
            let description = doc
                .and_then(|d| d.description.clone())
                .unwrap_or_else(|| format!("{} (defined in {})", f.id, f.source.join(", ")));
            let how = if f.id.starts_with("policy:") {
                format!("Change the resource so that the policy passes, or accept the finding: `# costfix:ignore {} REASON` on the line above the resource block, a package `exception` rule, or the baseline (`--write-baseline`).", f.id)
            } else {
                "Accept the finding with the baseline (`--write-baseline`), or change the plan."
                    .to_string()
            };
            rules.push(json!({
                "id": f.id,
                "name": f.id.replace([':', '.'], "_"),
                "shortDescription": {"text": title},
                "fullDescription": {"text": description},
                "help": {
                    "text": format!("{description}\n\n{how}"),
                    "markdown": format!("**{}**\n\n{}\n\n{}", super::md_text(&title), super::md_text(&description), how),
                },
                "properties": {"source": f.source},
            }));
        }
    }
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            // A budget is located at its definition (`slo/budgets.hcl:26`), which is in the
            // repository; a finding at its resource's block when the sources were given.
            let defined_at = f
                .id
                .starts_with("budget:")
                .then(|| f.source.first())
                .flatten()
                .and_then(|s| s.rsplit_once(':'))
                .and_then(|(file, line)| Some((file.to_string(), line.parse::<usize>().ok()?)));
            let location = match (&f.location, defined_at) {
                (Some(l), _) => json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": l.file.replace('\\', "/")},
                        "region": {"startLine": l.line}
                    }
                }),
                (None, Some((file, line))) => json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": file.replace('\\', "/")},
                        "region": {"startLine": line}
                    }
                }),
                (None, None) => json!({"physicalLocation": {"artifactLocation": {"uri": plan_file.replace('\\', "/")}}}),
            };
            let mut res = json!({
                "ruleId": f.id,
                "ruleIndex": rule_ids.iter().position(|id| *id == f.id).unwrap_or(0),
                "level": match f.level { Level::Deny => "error", Level::Warn => "warning" },
                "message": {"text": f.message},
                "locations": [location],
            });
            if let Some(addr) = &f.resource {
                res["locations"][0]["logicalLocations"] = json!([{"fullyQualifiedName": addr, "kind": "resource"}]);
            }
            if let Some(reason) = &f.suppressed {
                res["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            } else if f.baselined {
                res["suppressions"] = json!([{"kind": "external", "justification": "accepted in the baseline"}]);
            }
            res
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "costfix",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn gh_escape(s: &str, property: bool) -> String {
    let mut s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        s = s.replace(':', "%3A").replace(',', "%2C");
    }
    s
}

/// GitHub Actions workflow commands: annotations on the files.
pub fn github(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    for f in r.findings.iter().filter(|f| f.active()) {
        let cmd = match f.level {
            Level::Deny => "error",
            Level::Warn => "warning",
        };
        let mut props = vec![format!(
            "title={}",
            gh_escape(&format!("costfix {}", f.id), true)
        )];
        if let Some(l) = &f.location {
            props.insert(
                0,
                format!("file={},line={}", gh_escape(&l.file, true), l.line),
            );
        }
        writeln!(
            out,
            "::{cmd} {}::{}",
            props.join(","),
            gh_escape(&f.message, false)
        )?;
    }
    writeln!(
        out,
        "::notice title=costfix::{}",
        gh_escape(&format!("{}. {}", verdict_line(r), cost_line(r)), false)
    )
}

/// Text for an XML attribute or element: markup escaped, line breaks and tabs as character
/// references (an attribute's raw newline reads back as a space), and the control characters XML
/// 1.0 cannot hold replaced by U+FFFD (users.md D17).
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one suite for policies (a case per finding, or one passing case), one for budgets.
pub fn junit(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    let findings: Vec<&Violation> = r
        .findings
        .iter()
        .filter(|f| f.id.starts_with("policy:"))
        .collect();
    let policy_failures = findings
        .iter()
        .filter(|f| f.active() && junit_fails(r, f))
        .count();
    let budget_failures = r
        .budgets
        .iter()
        .filter(|b| junit_budget_fails(r, b))
        .count();
    let policy_tests = findings.len().max(1);
    let policy_skipped = findings.iter().filter(|f| !f.active()).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="costfix check" tests="{}" failures="{}" errors="0">"#,
        policy_tests + r.budgets.len(),
        policy_failures + budget_failures
    )?;
    writeln!(
        out,
        r#"  <testsuite name="policies" tests="{policy_tests}" failures="{policy_failures}" errors="0" skipped="{policy_skipped}">"#
    )?;
    if findings.is_empty() {
        writeln!(
            out,
            r#"    <testcase classname="costfix.policies" name="no policy findings"/>"#
        )?;
    }
    for f in &findings {
        junit_finding(out, r, f)?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(
        out,
        r#"  <testsuite name="budgets" tests="{}" failures="{budget_failures}" errors="0" skipped="0">"#,
        r.budgets.len()
    )?;
    for b in &r.budgets {
        junit_budget(out, r, b)?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Whether an active finding fails the check: a deny, or any finding with `--fail-on warn`.
fn junit_fails(r: &CheckReport, f: &Violation) -> bool {
    f.level == Level::Deny || r.verdict.fail_on == crate::check::FailOn::Warn
}

/// Whether a budget fails the check: a failure, or a warning with `--fail-on warn`.
fn junit_budget_fails(r: &CheckReport, b: &BudgetResult) -> bool {
    let warn_fails = r.verdict.fail_on == crate::check::FailOn::Warn;
    match b.status {
        Status::Fail => true,
        Status::Warn => warn_fails,
        Status::Unknown => warn_fails || r.verdict.fail_on_unpriced,
        Status::Ok => false,
    }
}

/// One policy finding as a test case: skipped (suppressed or baselined), failed, or passed with
/// its level and message as output.
fn junit_finding(out: &mut impl Write, r: &CheckReport, f: &Violation) -> io::Result<()> {
    // The message, which names the resource already when it starts with its address.
    let name = match f.resource.as_deref() {
        Some(a) if f.message.starts_with(a) => f.message.clone(),
        Some(a) => format!("{a}: {}", f.message),
        None => f.message.clone(),
    };
    // Where to look: the resource's block (with --dir) and the policy files.
    let mut place: Vec<String> = f
        .location
        .iter()
        .map(|l| format!("{}:{}", l.file, l.line))
        .collect();
    place.extend(f.source.iter().cloned());
    writeln!(
        out,
        r#"    <testcase classname="{}" name="{}">"#,
        xml(&f.id),
        xml(&name)
    )?;
    if !f.active() {
        writeln!(
            out,
            r#"      <skipped message="{}"/>"#,
            xml(f
                .suppressed
                .as_deref()
                .unwrap_or("accepted in the baseline"))
        )?;
    } else if junit_fails(r, f) {
        writeln!(
            out,
            r#"      <failure message="{}" type="{}">{}</failure>"#,
            xml(&f.message),
            level_word(f.level),
            xml(&place.join("\n"))
        )?;
    } else {
        writeln!(
            out,
            r#"      <system-out>{}: {}</system-out>"#,
            level_word(f.level),
            xml(&f.message)
        )?;
    }
    writeln!(out, "    </testcase>")
}

/// One budget as a test case: failed, or passed with its status and message as output.
fn junit_budget(out: &mut impl Write, r: &CheckReport, b: &BudgetResult) -> io::Result<()> {
    writeln!(
        out,
        r#"    <testcase classname="costfix.budgets" name="{}">"#,
        xml(&b.budget.name)
    )?;
    if junit_budget_fails(r, b) {
        writeln!(
            out,
            r#"      <failure message="{}" type="{}">{}</failure>"#,
            xml(&b.message),
            status_word(b.status),
            xml(&b.budget.source)
        )?;
    } else {
        writeln!(
            out,
            r#"      <system-out>{}: {}</system-out>"#,
            status_word(b.status),
            xml(&b.message)
        )?;
    }
    writeln!(out, "    </testcase>")
}

/// The outcome of `costfix policy test`, like `opa test`: a line per test, errors under failures,
/// then the counts.
pub fn policy_tests(
    out: &mut impl Write,
    outcomes: &[crate::policy::TestOutcome],
) -> io::Result<()> {
    let (mut passed, mut failed) = (0, 0);
    for t in outcomes {
        let word = if t.passed { "PASS" } else { "FAIL" };
        let package = t.package.trim_start_matches("data.");
        writeln!(out, "{word}  {package}.{}  ({})", t.name, t.file)?;
        if t.passed {
            passed += 1;
            continue;
        }
        failed += 1;
        if let Some(e) = &t.error {
            for line in e.lines().filter(|l| !l.trim().is_empty()) {
                writeln!(out, "      {line}")?;
            }
        }
    }
    writeln!(out, "{passed} passed, {failed} failed")
}
