//! Rego policies that try to take the process down (reliability.md, "Rego" rows; issue 17 point
//! 5): recursion that overflowed the stack, nesting that made the parser run for minutes, and
//! evaluations without a time or memory bound. Each must stop `check`, `apply` and `policy test`
//! with exit 2 and a diagnostic naming the policy.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, repo, run_in, Out};

fn costfix(dir: &Path, args: &[&str]) -> Out {
    let mut all = vec!["--no-config"];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

/// A tree (`fixtures/fix/shapes`) with a policy folder `p` holding `files`.
fn tree_with(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    copy_dir(&repo().join("fixtures/fix/shapes"), &tree);
    std::fs::create_dir_all(tree.join("p")).unwrap();
    for (name, text) in files {
        std::fs::write(tree.join("p").join(name), text).unwrap();
    }
    (t, tree)
}

const RECURSIVE: &str =
    "package main\nimport rego.v1\nf(x) := y if { y := f(x + 1) }\ndeny contains \"x\" if { f(1) > 0 }\n";

#[test]
fn a_recursive_function_is_refused_by_check_apply_and_policy_test() {
    // Was: "thread has overflowed its stack; fatal runtime error: stack overflow", exit 134.
    let (_t, tree) = tree_with(&[("r.rego", RECURSIVE)]);
    let o = costfix(&tree, &["check", "plan.json", "--policy", "p"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("data.main.f -> data.main.f"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("r.rego:3:1"), "{}", o.stderr);

    let o = costfix(&tree, &["policy", "test", "p"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("is recursive"), "{}", o.stderr);

    let o = costfix(
        &tree,
        &["fix", "plan.json", "--rule", "CF003", "--out", "ops.json"],
    );
    assert!(o.stderr.contains("to ops.json"), "{}", o.stderr);
    let before = std::fs::read_to_string(tree.join("main.tf")).unwrap();
    let o = costfix(&tree, &["apply", "ops.json", "--policy", "p"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("is recursive"), "{}", o.stderr);
    assert_eq!(
        std::fs::read_to_string(tree.join("main.tf")).unwrap(),
        before
    );
}

#[test]
fn recursion_through_other_packages_and_imports_is_refused() {
    let (_t, tree) = tree_with(&[
        (
            "a.rego",
            "package a\nimport rego.v1\nimport data.b as other\nf(x) := other.g(x)\n",
        ),
        (
            "b.rego",
            "package b\nimport rego.v1\ng(x) := h(x)\nh(x) := data.a.f(x - 1) if { x > 0 }\n",
        ),
        (
            "main.rego",
            "package main\nimport rego.v1\ndeny contains \"x\" if { data.a.f(3) }\n",
        ),
    ]);
    let o = costfix(&tree, &["check", "plan.json", "--policy", "p"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("data.a.f is recursive: data.a.f -> data.b.g"),
        "{}",
        o.stderr
    );
}

#[test]
fn functions_that_call_each_other_without_a_cycle_are_fine() {
    let (_t, tree) = tree_with(&[(
        "r.rego",
        "package main\nimport rego.v1\nimport data.main as m\ndouble(x) := x * 2\nquad(x) := double(double(x))\n\
         deny contains sprintf(\"%d\", [m.quad(2)]) if { quad(1) == 4 }\n",
    )]);
    let o = costfix(&tree, &["check", "plan.json", "--policy", "p"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.contains("8"), "{}", o.stdout);
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    // Was: 25 levels 14.9 s, 30 levels (an 80-byte file) and 100k levels killed at 60 s.
    for depth in [30, 100_000] {
        let policy = format!(
            "package main\nx := {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let (_t, tree) = tree_with(&[("r.rego", &policy)]);
        for args in [
            &["check", "plan.json", "--policy", "p"][..],
            &["policy", "test", "p"],
        ] {
            let o = costfix(&tree, args);
            assert_eq!(o.code, 2, "{depth}: {}", o.stderr);
            assert!(
                o.stderr.contains("nested more than 16 deep"),
                "{}",
                o.stderr
            );
            assert!(o.stderr.contains("r.rego:2:22"), "{}", o.stderr);
        }
    }
}

#[test]
fn a_parse_past_the_deadline_stops_the_command() {
    // 15 levels, under the nesting bound, 300 times over: the parser backtracks 2^15 times per
    // array (3.7 s in a release build before the deadline existed).
    let one = format!("{}{}", "[".repeat(15), "]".repeat(15));
    let policy = format!("package main\nx := [{}]\n", vec![one; 300].join(",\n"));
    let (_t, tree) = tree_with(&[("r.rego", &policy)]);
    let o = costfix(
        &tree,
        &[
            "check",
            "plan.json",
            "--policy",
            "p",
            "--policy-timeout",
            "0.5",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("while parsing (p/r.rego)"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("longer than the 0.5 s"), "{}", o.stderr);
}

/// A rule that iterates 2.7·10^10 times: each step is short, so the timer interrupts it.
const SLOW: &str = "package main\nimport rego.v1\ndeny contains \"x\" if {\n  some i in numbers.range(1, 3000)\n  some j in numbers.range(1, 3000)\n  some k in numbers.range(1, 3000)\n  i + j + k < 0\n}\n";

#[test]
fn an_evaluation_past_the_deadline_stops_check_apply_and_policy_test() {
    let test = SLOW.replace("deny contains \"x\" if", "test_slow if");
    let (_t, tree) = tree_with(&[("r.rego", SLOW), ("r_test.rego", &test)]);
    let o = costfix(
        &tree,
        &[
            "check",
            "plan.json",
            "--policy",
            "p",
            "--policy-timeout",
            "1",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("evaluating data.main.deny"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("longer than the 1 s"), "{}", o.stderr);

    // From the configuration file, as from the flag.
    std::fs::write(tree.join(".costfix.hcl"), "policy_timeout = 1\n").unwrap();
    let o = run_in(&tree, &["check", "plan.json", "--policy", "p"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("longer than the 1 s"), "{}", o.stderr);
    std::fs::remove_file(tree.join(".costfix.hcl")).unwrap();

    let o = costfix(&tree, &["policy", "test", "p", "--policy-timeout", "1"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("running data.main.test_slow"),
        "{}",
        o.stderr
    );

    let o = costfix(
        &tree,
        &["fix", "plan.json", "--rule", "CF003", "--out", "ops.json"],
    );
    assert!(o.stderr.contains("to ops.json"), "{}", o.stderr);
    let before = std::fs::read_to_string(tree.join("main.tf")).unwrap();
    let o = costfix(
        &tree,
        &[
            "apply",
            "ops.json",
            "--policy",
            "p",
            "--policy-timeout",
            "1",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("longer than the 1 s"), "{}", o.stderr);
    assert_eq!(
        std::fs::read_to_string(tree.join("main.tf")).unwrap(),
        before
    );
    let o = costfix(&tree, &["log", "verify"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    // Without the policy the same operations apply.
    let o = costfix(&tree, &["recover"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = costfix(&tree, &["apply", "ops.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn an_evaluation_past_the_memory_bound_stops() {
    // Was: 29 s and 7.7 GB before it finished.
    let huge = "package main\nimport rego.v1\ndeny contains \"x\" if { count([x | some x in numbers.range(1, 100000000)]) > 0 }\n";
    let (_t, tree) = tree_with(&[("r.rego", huge)]);
    let o = costfix(&tree, &["check", "plan.json", "--policy", "p"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("evaluating data.main.deny"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("2048 MiB"), "{}", o.stderr);

    // A smaller bound stops a smaller policy; no bound (0) lets it run.
    let small = "package main\nimport rego.v1\ndeny contains sprintf(\"%d\", [count([x | some x in numbers.range(1, 3000000)])]) if { true }\n";
    let (_t, tree) = tree_with(&[("r.rego", small)]);
    let o = costfix(
        &tree,
        &[
            "check",
            "plan.json",
            "--policy",
            "p",
            "--policy-memory",
            "20",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("20 MiB"), "{}", o.stderr);
    let o = costfix(
        &tree,
        &[
            "check",
            "plan.json",
            "--policy",
            "p",
            "--policy-memory",
            "0",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.contains("3000000"), "{}", o.stdout);
}

#[test]
fn bad_limits_in_the_configuration_are_diagnostics() {
    let (_t, tree) = tree_with(&[]);
    for (text, says) in [
        ("policy_timeout = 0\n", "more than 0"),
        ("policy_timeout = \"10s\"\n", "must be a number"),
        ("policy_memory = -1\n", "whole number of MiB"),
    ] {
        std::fs::write(tree.join(".costfix.hcl"), text).unwrap();
        let o = run_in(&tree, &["estimate", "plan.json"]);
        assert_eq!(o.code, 2, "{text}: {}", o.stderr);
        assert!(o.stderr.contains(says), "{text}: {}", o.stderr);
        assert!(o.stderr.contains(".costfix.hcl:1"), "{text}: {}", o.stderr);
    }
    let o = costfix(&tree, &["check", "plan.json", "--policy-timeout", "0"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("more than 0"), "{}", o.stderr);
}
