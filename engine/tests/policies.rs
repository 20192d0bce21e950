//! Real Rego through regorus: the shipped policies' unit tests, third-party policies (Scalr's
//! samples in Rego v0 with their mock data, conftest's examples in v1), conftest-style result
//! collection on corpus plans, and policy errors as diagnostics with file, line and column.

use std::path::{Path, PathBuf};

use costfix_engine::policy::{Level, Namespaces, PolicyFile, PolicySet};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn shipped_policies_pass_their_tests() {
    let mut set = PolicySet::embedded().unwrap();
    for (name, text) in costfix_engine::policy::EMBEDDED_TESTS {
        set.add(PolicyFile {
            name: name.to_string(),
            text: text.to_string(),
        })
        .unwrap();
    }
    let outcomes = set.run_tests();
    assert!(outcomes.len() >= 20, "only {} tests found", outcomes.len());
    let failed: Vec<_> = outcomes.iter().filter(|t| !t.passed).collect();
    assert!(failed.is_empty(), "failing policy tests: {failed:#?}");
}

#[test]
fn embedded_policies_match_the_files_in_policies() {
    // The binary embeds policies/*.rego; every non-test file there must be embedded.
    let set = PolicySet::embedded().unwrap();
    let mut on_disk: Vec<String> = std::fs::read_dir(repo().join("policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rego") && !n.ends_with("_test.rego"))
        .map(|n| format!("policies/{n}"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = set.files.iter().map(|f| f.name.clone()).collect();
    embedded.sort();
    assert_eq!(embedded, on_disk);
}

#[test]
fn scalr_v0_policies_and_their_mocks() {
    // Rego v0 (`deny[reason] { ... }`), package `terraform`, mock data in *_mock.json; each
    // policy folder is tested on its own, as `opa test DIR` does in that repository.
    let root = repo().join("fixtures/corpus/sample-tf-opa-policies");
    let mut total = 0;
    for group in ["aws", "cost", "management"] {
        for dir in std::fs::read_dir(root.join(group)).unwrap() {
            let dir = dir.unwrap().path();
            let mut set = PolicySet::new();
            let n = set.load_dir(&dir, true).unwrap();
            assert_eq!(n, 2, "{}: a policy and its test", dir.display());
            let outcomes = set.run_tests();
            assert!(!outcomes.is_empty(), "{}: no tests found", dir.display());
            let failed: Vec<_> = outcomes.iter().filter(|t| !t.passed).collect();
            assert!(failed.is_empty(), "{}: {failed:#?}", dir.display());
            total += outcomes.len();
        }
    }
    assert!(total >= 15, "{total} tests");
}

#[test]
fn scalr_cost_policy_denies_an_expensive_run() {
    let mut set = PolicySet::new();
    let path = repo().join(
        "fixtures/corpus/sample-tf-opa-policies/cost/limit_monthly_cost/limit_monthly_cost.rego",
    );
    set.add(PolicyFile {
        name: "limit_monthly_cost.rego".into(),
        text: std::fs::read_to_string(path).unwrap(),
    })
    .unwrap();
    let input = r#"{"tfrun": {"cost_estimate": {"proposed_monthly_cost": 7.5}}}"#;
    let results = set
        .evaluate(input, &Namespaces::Only(vec!["terraform".into()]))
        .unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].level, Level::Deny);
    assert_eq!(
        results[0].msg,
        "Plan is too expensive: $7.50, while up to $5 is allowed"
    );
    assert_eq!(results[0].files, ["limit_monthly_cost.rego"]);
    let cheap = r#"{"tfrun": {"cost_estimate": {"proposed_monthly_cost": 1}}}"#;
    assert!(set
        .evaluate(cheap, &Namespaces::Only(vec!["terraform".into()]))
        .unwrap()
        .is_empty());
}

#[test]
fn conftest_v1_policy_on_parsed_hcl_input() {
    let mut set = PolicySet::new();
    let path = repo().join("fixtures/corpus/conftest/examples/hcl2/policy/deny.rego");
    set.add(PolicyFile {
        name: "deny.rego".into(),
        text: std::fs::read_to_string(path).unwrap(),
    })
    .unwrap();
    let input = r#"{"resource": {"aws_alb_listener": {"my-alb-listener": [{"port": "80", "protocol": "HTTP"}]}}}"#;
    let results = set
        .evaluate(input, &Namespaces::Only(vec!["main".into()]))
        .unwrap();
    let msgs: Vec<&str> = results.iter().map(|r| r.msg.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "ALB `my-alb-listener` is using HTTP rather than HTTPS",
            "AWS resource: \"aws_alb_listener\" named \"my-alb-listener\" is missing required tags: {\"environment\", \"owner\"}",
        ]
    );
}

#[test]
fn syntax_errors_point_at_file_line_and_column() {
    let mut set = PolicySet::new();
    let err = set
        .add(PolicyFile {
            name: "bad.rego".into(),
            text: "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tmsg := \"x\" +\n}\n"
                .into(),
        })
        .unwrap_err();
    match &err {
        costfix_engine::Error::Policy {
            span,
            detail,
            message,
            ..
        } => {
            assert_eq!(detail, "at bad.rego:6:9");
            assert!(message.contains("expecting"), "{message}");
            // Line 6, column 9 of the file.
            let text =
                "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tmsg := \"x\" +\n}\n";
            let line6 = text.match_indices('\n').nth(4).unwrap().0 + 1;
            assert_eq!(span.offset(), line6 + 8);
        }
        other => panic!("not a policy diagnostic: {other:?}"),
    }
    assert!(format!("{err}").contains("bad.rego"), "{err}");
}

#[test]
fn no_network_or_runtime_builtins() {
    let mut set = PolicySet::new();
    set.add(PolicyFile {
        name: "net.rego".into(),
        text: "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tr := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:1\"})\n\tmsg := sprintf(\"%v\", [r])\n}\n".into(),
    })
    .ok();
    // Either refused when loaded or when evaluated: never sent.
    let r = set.evaluate("{}", &Namespaces::Only(vec!["main".into()]));
    assert!(r.is_err() || r.unwrap().is_empty());
    let mut set = PolicySet::new();
    let loaded = set.add(PolicyFile {
        name: "rt.rego".into(),
        text: "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tmsg := sprintf(\"%v\", [opa.runtime().env])\n}\n".into(),
    });
    if loaded.is_ok() {
        let r = set.evaluate("{}", &Namespaces::Only(vec!["main".into()]));
        assert!(r.is_err(), "opa.runtime must not be available: {r:?}");
    }
}

#[test]
fn approval_policy_decides() {
    let set = PolicySet::embedded().unwrap();
    let d = set
        .eval_rule(
            "data.costfix.approval.decision",
            r#"{"action":"change_instance_type","risk_level":"medium","environment":"production","resource_type":"aws_instance","gitops":false,"monthly_savings":10}"#,
        )
        .unwrap()
        .unwrap();
    assert_eq!(d["require_approval"], true);
    assert_eq!(d["auto_approve"], false);
}
