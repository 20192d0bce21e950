//! costfix's policy decisions against real OPA (issue 16: "Oracle: real OPA"). conftest's
//! decisions come from OPA's Go `rego` package; `tests/opa/conftest_oracle.py` applies conftest's
//! collection logic (deny/violation/warn, prefixed forms, `exception`, string or object results)
//! over OPA v1.20.2 through PyPI's `opa-golib-python-bindings`, on the very input costfix gave its
//! policies (`check --write-input`). Every fixture plan, with the shipped policies, conftest's
//! example and a policy written to exercise conftest's rule shapes: the deny, warn and exception
//! sets must be the same. The one known difference is pinned: Go's `%!f(int64=N)` where a policy
//! formats an integer with `%f`, which regorus formats as a number.
//!
//! OPA comes from a virtualenv that `scripts/test` makes (`target/opa-venv`; or
//! `COSTFIX_OPA_PYTHON`). Without it the test is skipped and says so, unless
//! `COSTFIX_REQUIRE_OPA=1` (set by `scripts/test` once OPA is installed, and so in CI).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{repo, run_in};
use serde_json::Value;

fn python() -> Option<PathBuf> {
    let candidate = std::env::var_os("COSTFIX_OPA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/opa-venv/bin/python"));
    let ok = Command::new(&candidate)
        .args(["-c", "import opa_bindings"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(candidate);
    }
    let required = std::env::var("COSTFIX_REQUIRE_OPA").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "OPA is required (COSTFIX_REQUIRE_OPA=1) but {} cannot import opa_bindings",
        candidate.display()
    );
    eprintln!(
        "skipped: OPA (opa-golib-python-bindings) is not installed in {}; scripts/test installs it",
        candidate.display()
    );
    None
}

/// Every plan in fixtures/ that `check` reads.
fn plans() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["fixtures/plans", "fixtures/rules"] {
        for e in std::fs::read_dir(repo().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    for e in std::fs::read_dir(repo().join("fixtures/fix")).unwrap() {
        let p = e.unwrap().path().join("plan.json");
        if p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A result as both sides state it: level, package, rule, message, exempted.
type Decision = (String, String, String, String, bool);

fn decision(v: &Value) -> Decision {
    (
        v["level"].as_str().unwrap_or_default().to_string(),
        v["package"].as_str().unwrap_or_default().to_string(),
        v["rule"].as_str().unwrap_or_default().to_string(),
        v["msg"].as_str().unwrap_or_default().to_string(),
        v["exception"].as_bool().unwrap_or(false),
    )
}

/// The same message, but for Go's `%!f(int64=N)` (an integer given to `%f`) where costfix
/// writes `N` with its decimals.
fn same_message(opa: &str, costfix: &str) -> bool {
    const BAD: &str = "%!f(int64=";
    let (mut o, mut c) = (opa, costfix);
    loop {
        let Some(i) = o.find(BAD) else {
            return o == c;
        };
        if o[..i] != c[..i.min(c.len())] {
            return false;
        }
        let rest = &o[i + BAD.len()..];
        let Some(end) = rest.find(')') else {
            return false;
        };
        let n = &rest[..end];
        let Some(after) = c[i..].strip_prefix(n) else {
            return false;
        };
        let after = after.strip_prefix('.').map_or(after, |a| {
            a.trim_start_matches(|ch: char| ch.is_ascii_digit())
        });
        o = &rest[end + 1..];
        c = after;
    }
}

/// Compare on one plan; (results, exempted ones).
fn compare(py: &Path, plan: &Path, policy: &Path, extra: &[&str]) -> (usize, usize) {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("input.json");
    let mut args = vec![
        "--no-config",
        "check",
        plan.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--no-default-policies",
        "--full-input",
        "--write-input",
        input.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let o = run_in(t.path(), &args);
    assert!(o.code <= 1, "{}: {}", plan.display(), o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    let mut ours: Vec<Decision> = report["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(decision)
        .collect();
    if !input.is_file() {
        // No rule to evaluate in the chosen packages: OPA must find none either.
        assert!(ours.is_empty());
        return (0, 0);
    }
    let mut oracle = Command::new(py);
    oracle
        .arg(repo().join("tests/opa/conftest_oracle.py"))
        .arg(&input)
        .arg(policy)
        .args(extra);
    let out = oracle.output().unwrap();
    assert!(
        out.status.success(),
        "OPA on {}: {}",
        plan.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut theirs: Vec<Decision> = theirs.iter().map(decision).collect();
    ours.sort();
    theirs.sort();
    let matches = ours.len() == theirs.len()
        && ours.iter().zip(&theirs).all(|(a, b)| {
            (&a.0, &a.1, &a.2, a.4) == (&b.0, &b.1, &b.2, b.4) && same_message(&b.3, &a.3)
        });
    assert!(
        matches,
        "{} with {}: costfix and OPA differ\ncostfix: {ours:#?}\nOPA: {theirs:#?}",
        plan.display(),
        policy.display()
    );
    (ours.len(), ours.iter().filter(|d| d.4).count())
}

#[test]
fn costfix_and_opa_decide_alike_on_every_fixture_plan() {
    let Some(py) = python() else { return };
    let sets: [(&str, &[&str]); 3] = [
        ("policies", &["--all-namespaces"]),
        ("fixtures/policies/conftest-features", &[]),
        ("fixtures/corpus/conftest/examples/hcl2/policy", &[]),
    ];
    let plans = plans();
    assert!(plans.len() >= 20, "{} plans", plans.len());
    let (mut results, mut exempted) = (0, 0);
    for (set, extra) in sets {
        for plan in &plans {
            let (n, e) = compare(&py, plan, &repo().join(set), extra);
            results += n;
            exempted += e;
        }
    }
    eprintln!(
        "{} plans × {} policy sets: {results} results ({exempted} exempted), the same from OPA",
        plans.len(),
        sets.len()
    );
    assert!(results > 100, "only {results} results compared");
    assert!(exempted > 0, "no exception was exercised");
}

#[test]
fn the_known_formatting_difference_is_only_that() {
    assert!(same_message(
        "x: 148 a month (%!f(int64=148), 148 whole)",
        "x: 148 a month (148.00, 148 whole)"
    ));
    assert!(!same_message(
        "x: 148 a month (%!f(int64=148), 148 whole)",
        "x: 148 a month (149.00, 148 whole)"
    ));
    assert!(!same_message("a", "b"));
    assert!(same_message("plain", "plain"));
}
