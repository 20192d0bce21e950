//! End-to-end tests of `costfix check` and `costfix policy test`: real plans, the shipped Rego
//! policies through regorus, SLO files, every output format (SARIF validated against the 2.1.0
//! schema), exit codes, suppression comments and baselines.

mod common;

use common::{repo, run, run_in};

const T: &str = "fixtures/corpus/infracost/cmd/infracost/testdata";
const EXAMPLE_DIR: &str = "fixtures/corpus/infracost/examples/terraform";
/// 55 resources, two t2.nano instances (previous generation: warnings), nothing untagged and costly.
const CHECKOV: &str = "fixtures/corpus/checkov/tests/terraform/runner/resources/plan/tfplan.json";

fn example_plan() -> String {
    format!("{T}/example_plan.json")
}
fn example_usage() -> String {
    format!("{T}/example_usage.yml")
}

#[test]
fn clean_plan_passes() {
    let o = run(&[
        "check",
        "fixtures/corpus/terraform-json/testdata/basic/plan.json",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .starts_with("costfix check passed: 0 failure(s), 0 warning(s)"),
        "{}",
        o.stdout
    );
}

#[test]
fn deny_results_fail_with_exit_1() {
    let (plan, usage) = (example_plan(), example_usage());
    let o = run(&["check", &plan, "--usage", &usage, "--slo", "slo/"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn warnings_fail_only_with_fail_on_warn() {
    let o = run(&["check", CHECKOV]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    // Two previous-generation warnings, and the resources that cannot be priced.
    assert!(o.stdout.contains("3 warning(s)"), "{}", o.stdout);
    assert!(o.stdout.contains("costfix:unpriced"), "{}", o.stdout);
    let o = run(&["check", CHECKOV, "--fail-on", "warn"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
}

#[test]
fn the_environment_comes_from_tf_workspace_as_for_fix() {
    let run_ws = |ws: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_costfix"))
            .args(["--no-config", "check", CHECKOV])
            .current_dir(common::repo())
            .env("NO_COLOR", "1")
            .env("TF_WORKSPACE", ws)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, out) = run_ws("production");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("(t2.nano) in production"), "{out}");
    // Terraform's `default` workspace says nothing about the environment.
    let (code, out) = run_ws("default");
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn environment_turns_previous_generation_warnings_into_failures() {
    let o = run(&["check", CHECKOV, "--environment", "production"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("DENY  aws_instance.db_app uses the previous-generation t2 family (t2.nano) in production"), "{}", o.stdout);
}

#[test]
fn budgets_block_or_warn() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.hcl"),
        "budget \"tiny\" {\n  monthly_limit = 100\n}\nbudget \"soft\" {\n  monthly_limit = 10\n  action = \"warn\"\n}\n",
    )
    .unwrap();
    let plan = repo().join(format!("{T}/plan_with_target.json"));
    let slo = dir.path().join("b.hcl");
    let o = run(&[
        "check",
        plan.to_str().unwrap(),
        "--slo",
        slo.to_str().unwrap(),
        "--no-default-policies",
        "--format",
        "json",
    ]);
    // $16.18 a month: under "tiny" (100), over "soft" (10, warn only).
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["schema_version"], "costfix.check/v1");
    let statuses: Vec<(&str, &str)> = v["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["budget"]["name"].as_str().unwrap(),
                b["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses, [("tiny", "ok"), ("soft", "warn")]);
    assert_eq!(v["verdict"]["warnings"], 1);

    std::fs::write(
        dir.path().join("b.hcl"),
        "budget \"tiny\" {\n  monthly_limit = 10\n}\n",
    )
    .unwrap();
    let o = run(&[
        "check",
        plan.to_str().unwrap(),
        "--slo",
        slo.to_str().unwrap(),
        "--no-default-policies",
    ]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("FAIL  tiny"), "{}", o.stdout);
}

#[test]
fn change_budget_against_a_base() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.hcl"),
        "change_budget \"pr\" {\n  max_monthly_increase = 30\n}\n",
    )
    .unwrap();
    let slo = dir.path().join("c.hcl");
    let base = format!("{T}/terraform_v0.12_state.json");
    let head = format!("{T}/terraform_v0.14_plan.json");
    let o = run(&[
        "check",
        &head,
        "--base",
        &base,
        "--region",
        "us-east-1",
        "--slo",
        slo.to_str().unwrap(),
        "--no-default-policies",
    ]);
    // $40.56 → $81.12: +$40.56 > $30.
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.contains(
            "from $40.56 to $81.12 a month (+$40.56, +100%); over the limit of $30.00 a month"
        ),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("Monthly cost: $40.56 (base) → $81.12 (this change) (+$40.56, +100%)"),
        "{}",
        o.stdout
    );
}

#[test]
fn user_policies_and_namespaces() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("limit.rego"),
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.costfix.totals.after > 1000\n\tmsg := sprintf(\"the plan costs $%.2f a month\", [input.costfix.totals.after])\n}\n",
    )
    .unwrap();
    let (plan, usage) = (example_plan(), example_usage());
    let policy_dir = dir.path().to_str().unwrap();
    let o = run(&[
        "check",
        &plan,
        "--usage",
        &usage,
        "--policy",
        policy_dir,
        "--no-default-policies",
    ]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.contains("DENY  the plan costs $1361.31 a month"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("policy:main.deny"), "{}", o.stdout);
    let o = run(&[
        "check",
        &plan,
        "--usage",
        &usage,
        "--policy",
        policy_dir,
        "--no-default-policies",
        "--namespace",
        "other",
    ]);
    // A namespace no loaded policy declares is an error, not a silent pass (users.md D9).
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(
        o.stderr.contains("no loaded policy declares package other"),
        "{}",
        o.stderr
    );
}

#[test]
fn policy_errors_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.rego"),
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tmsg := \n}\n",
    )
    .unwrap();
    let plan = repo().join(example_plan());
    let o = run_in(
        dir.path(),
        &["check", plan.to_str().unwrap(), "--policy", "."],
    );
    assert_eq!(o.code, 2);
    assert!(o.stdout.is_empty());
    assert!(o.stderr.contains("costfix::policy"), "{}", o.stderr);
    assert!(o.stderr.contains("broken.rego:6:"), "{}", o.stderr);
}

#[test]
fn slo_errors_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.hcl"),
        "budget \"x\" {\n  monthly_limit = 10\n  warn_at = 80\n}\n",
    )
    .unwrap();
    let plan = repo().join(example_plan());
    let o = run_in(
        dir.path(),
        &["check", plan.to_str().unwrap(), "--slo", "b.hcl"],
    );
    assert_eq!(o.code, 2);
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn a_state_is_not_reviewed() {
    let o = run(&["check", &format!("{T}/terraform_v0.12_state.json")]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("costfix::input::kind"), "{}", o.stderr);
}

#[test]
fn ignore_comments_suppress_findings_and_give_locations() {
    let dir = tempfile::tempdir().unwrap();
    let main_tf = std::fs::read_to_string(repo().join(EXAMPLE_DIR).join("main.tf")).unwrap();
    let annotated = main_tf.replace(
        "resource \"aws_instance\" \"web_app\" {",
        "# costfix:ignore untagged_costly tagged by the account's default_tags\nresource \"aws_instance\" \"web_app\" {",
    );
    assert_ne!(annotated, main_tf);
    std::fs::write(dir.path().join("main.tf"), annotated).unwrap();
    let plan = repo().join(EXAMPLE_DIR).join("plan.json");
    let usage = repo().join(EXAMPLE_DIR).join("infracost-usage.yml");
    let o = run_in(
        dir.path(),
        &[
            "check",
            plan.to_str().unwrap(),
            "--usage",
            usage.to_str().unwrap(),
            "--dir",
            ".",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let web = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "aws_instance.web_app")
        .unwrap();
    assert_eq!(web["suppressed"], "tagged by the account's default_tags");
    assert_eq!(web["location"]["line"], 10);
    assert_eq!(web["location"]["file"], "main.tf");
    // The Lambda function is still untagged and costly.
    assert_eq!(v["verdict"]["failures"], 1);
    assert_eq!(v["verdict"]["suppressed"], 1);
    assert_eq!(o.code, 1);
    // Without a reason, the suppression says so rather than showing an empty one (users.md D27).
    std::fs::write(
        dir.path().join("main.tf"),
        main_tf.replace(
            "resource \"aws_instance\" \"web_app\" {",
            "# costfix:ignore untagged_costly\nresource \"aws_instance\" \"web_app\" {",
        ),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &[
            "check",
            plan.to_str().unwrap(),
            "--usage",
            usage.to_str().unwrap(),
            "--dir",
            ".",
        ],
    );
    assert!(
        o.stdout
            .contains("(suppressed: costfix:ignore comment, no reason given)"),
        "{}",
        o.stdout
    );
}

#[test]
fn baseline_accepts_existing_findings_only() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, usage) = (repo().join(example_plan()), repo().join(example_usage()));
    let (plan, usage) = (plan.to_str().unwrap(), usage.to_str().unwrap());
    let o = run_in(
        dir.path(),
        &[
            "check",
            plan,
            "--usage",
            usage,
            "--write-baseline",
            "baseline.json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(b["findings"].as_array().unwrap().len(), 4);
    let o = run_in(
        dir.path(),
        &[
            "check",
            plan,
            "--usage",
            usage,
            "--baseline",
            "baseline.json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        o.stdout.contains("4 suppressed or baselined"),
        "{}",
        o.stdout
    );
    // A finding that is not in the baseline still fails.
    let o = run_in(
        dir.path(),
        &[
            "check",
            plan,
            "--usage",
            usage,
            "--baseline",
            "baseline.json",
            "--environment",
            "production",
            "--slo",
            repo().join("slo").to_str().unwrap(),
            "--fail-on",
            "warn",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let (plan, usage) = (example_plan(), example_usage());
    for extra in [&[][..], &["--dir", EXAMPLE_DIR][..]] {
        let mut args = vec![
            "check",
            plan.as_str(),
            "--usage",
            usage.as_str(),
            "--slo",
            "slo/",
            "--format",
            "sarif",
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.code, 1, "{}", o.stderr);
        let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
        assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 6);
    }
    let o = run(&[
        "check",
        &plan,
        "--usage",
        &usage,
        "--slo",
        "slo/",
        "--format",
        "sarif",
        "--dir",
        EXAMPLE_DIR,
    ]);
    // users.md D18: rules say what they are; a budget is located at its definition.
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
    let untagged = rule("policy:costfix.policies.untagged_costly.deny");
    assert_eq!(
        untagged["shortDescription"]["text"],
        "Untagged costly resources"
    );
    assert!(untagged["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .starts_with("A resource that costs money and carries no tags"));
    assert!(untagged["help"]["text"]
        .as_str()
        .unwrap()
        .contains("costfix:ignore"));
    assert!(rule("budget:per-change")["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .contains("slo/budgets.hcl:26"));
    let budget = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "budget:per-change")
        .unwrap();
    let at = &budget["locations"][0]["physicalLocation"];
    assert_eq!(at["artifactLocation"]["uri"], "slo/budgets.hcl");
    assert_eq!(at["region"]["startLine"], 26);
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn markdown_github_and_junit() {
    let (plan, usage) = (example_plan(), example_usage());
    for (format, name) in [
        ("markdown", "markdown"),
        ("github", "github"),
        ("junit", "junit"),
    ] {
        let o = run(&[
            "check", &plan, "--usage", &usage, "--slo", "slo/", "--format", format,
        ]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        insta::assert_snapshot!(name, o.stdout);
    }
    let o = run(&[
        "check", &plan, "--usage", &usage, "--slo", "slo/", "--format", "junit",
    ]);
    assert_eq!(o.stdout.matches("<testcase ").count(), 3 + 4);
    assert_eq!(o.stdout.matches("<failure ").count(), 3);
}

#[test]
fn policy_test_command() {
    let o = run(&["policy", "test"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        o.stdout.trim_end().ends_with("26 passed, 0 failed"),
        "{}",
        o.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p_test.rego"),
        "package main\n\nimport rego.v1\n\ntest_ok if { 1 == 1 }\n\ntest_broken if { 1 == 2 }\n",
    )
    .unwrap();
    let o = run(&["policy", "test", dir.path().to_str().unwrap()]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("FAIL  main.test_broken"), "{}", o.stdout);
    assert!(
        o.stdout.trim_end().ends_with("1 passed, 1 failed"),
        "{}",
        o.stdout
    );
}

#[test]
fn trimmed_policy_input_gives_the_same_results_as_the_whole_plan() {
    // By default policies get the plan sections and change fields their text names; --full-input
    // gives them the document itself, as conftest does. Both must agree.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("before.rego"),
        "package main\n\nimport rego.v1\n\nwarn contains msg if {\n\tsome rc in input.resource_changes\n\trc.change.before.instance_type != rc.change.after.instance_type\n\tmsg := sprintf(\"%s changes instance type\", [rc.address])\n}\n\nwarn contains msg if {\n\tsome r in input.planned_values.root_module.resources\n\tr.type == \"aws_instance\"\n\tmsg := sprintf(\"planned: %s\", [r.address])\n}\n",
    )
    .unwrap();
    let policy = dir.path().to_str().unwrap();
    let mut user_results = 0;
    for plan in [
        CHECKOV.to_string(),
        example_plan(),
        format!("{T}/terraform_v0.14_plan.json"),
        "fixtures/corpus/terraform-compliance-cli/tests/functional/test_issue-158/plan.out.json"
            .to_string(),
    ] {
        let a = run(&["check", &plan, "--policy", policy, "--format", "json"]);
        let b = run(&[
            "check",
            &plan,
            "--policy",
            policy,
            "--format",
            "json",
            "--full-input",
        ]);
        assert_eq!(a.code, b.code, "{plan}");
        let fa: serde_json::Value = serde_json::from_str(&a.stdout).unwrap();
        let fb: serde_json::Value = serde_json::from_str(&b.stdout).unwrap();
        assert_eq!(fa["findings"], fb["findings"], "{plan}");
        assert_eq!(fa["policies"], fb["policies"], "{plan}");
        user_results += fa["policies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["package"] == "data.main")
            .count();
    }
    assert!(
        user_results > 5,
        "the user policy produced only {user_results} results"
    );
}

#[test]
fn configuration_file_is_found_walking_up_and_the_command_line_wins() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("infra/prod")).unwrap();
    std::fs::create_dir_all(root.path().join("budgets")).unwrap();
    std::fs::write(
        root.path().join("budgets/b.hcl"),
        "budget \"tiny\" {\n  monthly_limit = 10\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join(".costfix.hcl"),
        "slo = [\"budgets\"]\ndefault_policies = false\nformat = \"json\"\nregion = \"us-east-1\"\n",
    )
    .unwrap();
    let plan = repo().join(format!("{T}/plan_with_target.json"));
    let plan = plan.to_str().unwrap();
    let cwd = root.path().join("infra/prod");
    let o = run_in(&cwd, &["check", plan]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&o.stdout).expect("format = json from the config");
    assert_eq!(v["budgets"][0]["budget"]["name"], "tiny");
    assert!(
        v["policies"].as_array().unwrap().is_empty(),
        "default_policies = false"
    );
    // The command line wins; --no-config ignores the file.
    let o = run_in(&cwd, &["check", plan, "--format", "table"]);
    assert!(o.stdout.starts_with("costfix check FAILED"), "{}", o.stdout);
    let o = run_in(
        &cwd,
        &["check", plan, "--no-config", "--no-default-policies"],
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    // A mistake in the file is a diagnostic.
    std::fs::write(
        root.path().join(".costfix.hcl"),
        "slo = [\"budgets\"]\nfail_on = \"often\"\n",
    )
    .unwrap();
    let o = run_in(&cwd, &["check", plan]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("costfix::config") && o.stderr.contains("one of deny, warn"),
        "{}",
        o.stderr
    );
}

#[test]
fn colour_only_when_asked_for_or_on_a_terminal() {
    // Tests run with stdout on a pipe: no colour unless --color always; NO_COLOR wins over auto.
    let o = run(&["check", CHECKOV]);
    assert!(!o.stdout.contains('\x1b'), "{}", o.stdout);
    let o = run(&["check", CHECKOV, "--color", "always"]);
    assert!(o.stdout.contains("\x1b[1;33mWARN\x1b[0m"), "{}", o.stdout);
    let o = run(&["check", CHECKOV, "--color", "never", "--format", "json"]);
    assert!(!o.stdout.contains('\x1b'));
}

/// A real plan with resources costfix cannot price (fixtures/unpriced): `check` never passes it
/// silently.
const UNPRICED: &str = "fixtures/plans/unpriced.json";

#[test]
fn unpriced_resources_warn_and_fail_with_fail_on_unpriced() {
    let o = run(&["check", UNPRICED]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        o.stdout.contains("WARN  4 of 6 resources not priced: aws_eip.london (eu-west-2 is not one of the catalog's regions"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("costfix:unpriced"), "{}", o.stdout);
    let o = run(&["check", UNPRICED, "--fail-on-unpriced"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.starts_with("costfix check FAILED: 1 failure(s)"),
        "{}",
        o.stdout
    );
    // The same from .costfix.hcl.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".costfix.hcl"), "fail_on_unpriced = true\n").unwrap();
    let plan = repo().join(UNPRICED);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_costfix"))
        .args(["check", plan.to_str().unwrap()])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A plan that is completely priced has no such finding.
    let o = run(&[
        "check",
        "fixtures/corpus/terraform-json/testdata/basic/plan.json",
        "--fail-on-unpriced",
    ]);
    assert!(!o.stdout.contains("costfix:unpriced"), "{}", o.stdout);
}

#[test]
fn budgets_on_incomplete_totals_are_unknown_unless_already_over() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("budgets.hcl"),
        r#"budget "roomy" {
  monthly_limit = 100
}
budget "tight" {
  monthly_limit = 5
}
budget "payments" {
  monthly_limit = 100
  tags          = { team = "payments" }
}
budget "virginia" {
  monthly_limit = 100
  resources     = ["aws_instance.virginia"]
}
change_budget "per-change" {
  max_monthly_increase = 50
}
"#,
    )
    .unwrap();
    let slo = dir.path().join("budgets.hcl");
    let o = run(&[
        "check",
        UNPRICED,
        "--slo",
        slo.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let status: Vec<(&str, &str)> = v["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["budget"]["name"].as_str().unwrap(),
                b["status"].as_str().unwrap(),
            )
        })
        .collect();
    // $8.39 known: within 100 but not all priced (unknown); already over 5 (fail); the London
    // instance is in the payments scope (unknown); the Virginia instance alone is all priced (ok);
    // the change adds unpriced resources (unknown).
    assert_eq!(
        status,
        [
            ("roomy", "unknown"),
            ("tight", "fail"),
            ("payments", "unknown"),
            ("virginia", "ok"),
            ("per-change", "unknown")
        ]
    );
    assert_eq!(o.code, 1, "the tight budget fails: {}", o.stdout);
    // Unknown budgets are warnings, failures with --fail-on-unpriced.
    let findings: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["level"].as_str().unwrap()))
        .collect();
    assert!(findings.contains(&("budget:roomy", "warn")), "{findings:?}");
    let o = run(&[
        "check",
        UNPRICED,
        "--slo",
        slo.to_str().unwrap(),
        "--fail-on-unpriced",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["verdict"]["failures"], 5, "{}", v["findings"]);
    assert_eq!(v["verdict"]["fail_on_unpriced"], true);
}

#[test]
fn policies_see_what_is_not_priced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("complete.rego"),
        r#"package main

import rego.v1

deny contains msg if {
  not input.costfix.complete
  msg := sprintf("%d resource(s) could not be priced", [input.costfix.not_priced])
}

deny contains msg if {
  some addr, r in input.costfix.resources
  r.pricing == "no_model"
  r.unpriced
  msg := sprintf("%s has no cost model", [addr])
}
"#,
    )
    .unwrap();
    let o = run(&[
        "check",
        UNPRICED,
        "--policy",
        dir.path().to_str().unwrap(),
        "--no-default-policies",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let msgs: Vec<&str> = v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["msg"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs,
        [
            "4 resource(s) could not be priced",
            "aws_ssm_parameter.flag has no cost model"
        ]
    );
}

/// conftest's collection rules (users.md D1-D3, D9-D11): prefixed rules, exceptions, YAML and
/// JSON data (next to policies or with --data), a single .rego file, and clear errors for an empty
/// folder or a namespace that matches nothing.
mod conftest_collection {
    use super::*;

    const PLAN: &str = "fixtures/corpus/infracost/examples/terraform/plan.json";

    fn write(dir: &std::path::Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    fn check_json(dir: &std::path::Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
        let plan = repo().join(PLAN);
        let mut args = vec![
            "check",
            plan.to_str().unwrap(),
            "--no-default-policies",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = run_in(dir, &args);
        let v = serde_json::from_str(&o.stdout).unwrap_or(serde_json::Value::Null);
        (o.code, v, o.stderr)
    }

    fn rules(v: &serde_json::Value) -> Vec<(String, String, bool)> {
        v["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["rule"].as_str().unwrap().to_string(),
                    p["level"].as_str().unwrap().to_string(),
                    p["exception"].as_bool().unwrap_or(false),
                )
            })
            .collect()
    }

    #[test]
    fn prefixed_rules_are_collected() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            &[(
                "p/p.rego",
                "package main\nimport rego.v1\ndeny_x contains \"x\" if { true }\nwarn_size contains \"w\" if { true }\nviolation_y contains {\"msg\": \"y\"} if { true }\ndenying contains \"not a conftest rule\" if { true }\n",
            )],
        );
        let (code, v, err) = check_json(d.path(), &["--policy", "p"]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(
            rules(&v),
            [
                ("deny_x".into(), "deny".into(), false),
                ("violation_y".into(), "deny".into(), false),
                ("warn_size".into(), "warn".into(), false)
            ]
        );
    }

    #[test]
    fn exceptions_exempt_deny_and_violation_rules() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            &[(
                "p/p.rego",
                r#"package main
import rego.v1

deny_untagged contains msg if {
  some addr, r in input.costfix.resources
  count(object.get(r, "tags", {})) == 0
  msg := sprintf("%s has no tags", [addr])
}

deny contains "always" if { true }

exception contains ["untagged"] if {
  input.costfix.environment == "dev"
}
"#,
            )],
        );
        let (code, v, _) = check_json(d.path(), &["--policy", "p", "--environment", "production"]);
        assert_eq!(code, 1);
        assert!(rules(&v).iter().all(|r| !r.2), "{v}");
        let (code, v, _) = check_json(d.path(), &["--policy", "p", "--environment", "dev"]);
        assert_eq!(code, 1, "the bare deny is not exempted");
        let exempted: Vec<_> = rules(&v).into_iter().filter(|r| r.2).collect();
        assert_eq!(exempted.len(), 2, "{v}");
        assert!(exempted.iter().all(|r| r.0 == "deny_untagged"));
        let suppressed: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["suppressed"].as_str())
            .collect();
        assert_eq!(suppressed, ["exception rule of main"; 2]);
        // The empty name exempts the bare rules.
        write(
            d.path(),
            &[(
                "p/e.rego",
                "package main\nimport rego.v1\nexception contains [\"\"] if { true }\n",
            )],
        );
        let (code, v, _) = check_json(d.path(), &["--policy", "p", "--environment", "dev"]);
        assert_eq!(code, 0, "{v}");
    }

    #[test]
    fn yaml_and_json_data_next_to_policies_or_given_with_data() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            &[
                (
                    "p/p.rego",
                    "package main\nimport rego.v1\ndeny contains \"on\" if { data.cfg.on }\ndeny contains \"limit\" if { data.limits.max < 10 }\n",
                ),
                ("p/cfg.yaml", "cfg:\n  on: true\n"),
                ("limits.json", "{\"limits\": {\"max\": 5}}"),
                // A plan a policy test reads is not data.
                ("p/testdata/plan.json", "{\"cfg\": {\"on\": false}}"),
            ],
        );
        let (code, v, err) = check_json(d.path(), &["--policy", "p"]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(v["policies"].as_array().unwrap().len(), 1, "{v}");
        let (_, v, _) = check_json(d.path(), &["--policy", "p", "--data", "limits.json"]);
        assert_eq!(v["policies"].as_array().unwrap().len(), 2, "{v}");
    }

    #[test]
    fn one_rego_file_is_a_policy() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            &[(
                "one.rego",
                "package main\nimport rego.v1\ndeny contains \"x\" if { true }\n",
            )],
        );
        let (code, v, err) = check_json(d.path(), &["--policy", "one.rego"]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(v["policies"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn an_empty_folder_or_a_namespace_matching_nothing_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            &[(
                "p/p.rego",
                "package main\nimport rego.v1\ndeny contains \"x\" if { true }\n",
            )],
        );
        std::fs::create_dir(d.path().join("empty")).unwrap();
        let (code, _, err) = check_json(d.path(), &["--policy", "empty"]);
        assert_eq!(code, 2);
        assert!(err.contains("no policies found in empty"), "{err}");
        let (code, _, err) = check_json(d.path(), &["--policy", "p", "--namespace", "mian"]);
        assert_eq!(code, 2);
        assert!(
            err.contains("no loaded policy declares package mian"),
            "{err}"
        );
        assert!(err.contains("the packages loaded are: main"), "{err}");
        let (code, _, err) = check_json(d.path(), &["--policy", "p", "--namespace", "ma*"]);
        assert_eq!(code, 2);
        assert!(err.contains("not patterns"), "{err}");
        // Policies outside the default namespace are said to be skipped.
        write(
            d.path(),
            &[(
                "q/q.rego",
                "package terraform.x\nimport rego.v1\ndeny contains \"x\" if { true }\n",
            )],
        );
        let (code, _, err) = check_json(d.path(), &["--policy", "q"]);
        assert_eq!(code, 0);
        assert!(
            err.contains("no policy is in package main") && err.contains("terraform.x"),
            "{err}"
        );
    }
}

/// A reader that goes away (`| head -1` under `set -o pipefail`) never turns a failed check into a
/// pass (users.md D24), and `completions` does not panic on it (D23).
#[test]
fn a_closed_stdout_keeps_the_verdict() {
    use std::io::BufRead;
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join(example_plan())).unwrap())
            .unwrap();
    let one = plan["resource_changes"][0].clone();
    plan["resource_changes"] = (0..3000)
        .map(|i| {
            let mut r = one.clone();
            r["address"] = format!("aws_instance.w{i}").into();
            r["name"] = format!("w{i}").into();
            r
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.json"), plan.to_string()).unwrap();
    let head_one = |args: &[&str]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_costfix"))
            .args(args)
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is gone now.
        let out = child.wait_with_output().unwrap();
        (
            first,
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (first, code, stderr) = head_one(&["--no-config", "check", "big.json"]);
    assert!(first.starts_with("costfix check FAILED"), "{first}");
    assert_eq!(code, Some(1), "{stderr}");
    // Closed before costfix writes anything (clap_complete used to panic: exit 101).
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_costfix"))
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Baselines match findings by a fingerprint (rule, resource), not by a message with amounts in
/// it: an accepted finding stays accepted when its cost changes (users.md D15); old version 1
/// baselines still match on the message.
#[test]
fn baselines_survive_a_cost_change() {
    let dir = tempfile::tempdir().unwrap();
    let plan = repo().join("fixtures/corpus/infracost/examples/terraform/plan.json");
    let o = run_in(
        dir.path(),
        &[
            "check",
            plan.to_str().unwrap(),
            "--write-baseline",
            "b.json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("b.json")).unwrap()).unwrap();
    assert_eq!(b["version"], 2);
    assert!(b["findings"][0]["fingerprint"].is_string(), "{b}");
    let mut changed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    for rc in changed["resource_changes"].as_array_mut().unwrap() {
        if rc["address"] == "aws_instance.web_app" {
            rc["change"]["after"]["instance_type"] = "m5.2xlarge".into();
        }
    }
    std::fs::write(dir.path().join("p2.json"), changed.to_string()).unwrap();
    let before = run_in(dir.path(), &["check", plan.to_str().unwrap()]);
    let after = run_in(dir.path(), &["check", "p2.json"]);
    assert_ne!(before.stdout, after.stdout, "the amounts changed");
    assert_eq!(after.code, 1, "without the baseline it fails");
    let o = run_in(dir.path(), &["check", "p2.json", "--baseline", "b.json"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    // A version 1 baseline (message-matched) is still read.
    let v1 = serde_json::json!({"version": 1, "findings": b["findings"].as_array().unwrap().iter().map(|f| {
        serde_json::json!({"id": f["id"], "resource": f["resource"], "message": f["message"]})
    }).collect::<Vec<_>>()});
    std::fs::write(dir.path().join("v1.json"), v1.to_string()).unwrap();
    let o = run_in(
        dir.path(),
        &["check", plan.to_str().unwrap(), "--baseline", "v1.json"],
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
}

#[test]
fn policy_messages_cannot_break_the_markdown_comment() {
    // users.md D34: a message holding `</details>` closed the comment's fold.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.rego"),
        "package main\nimport rego.v1\ndeny contains \"bad </details> <b>x</b> | *y* `z`\" if { true }\n",
    )
    .unwrap();
    let plan = repo().join("fixtures/fix/shapes/plan.json");
    let o = run(&[
        "--no-config",
        "check",
        plan.to_str().unwrap(),
        "--policy",
        dir.path().join("p.rego").to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let line = o.stdout.lines().find(|l| l.contains("bad ")).unwrap();
    assert!(
        line.contains(r"bad &lt;/details&gt; &lt;b&gt;x&lt;/b&gt; \| \*y\* \`z\` |"),
        "{line}"
    );
    // The folds the comment opens are the ones it closes.
    assert_eq!(
        o.stdout.matches("<details>").count(),
        o.stdout.matches("</details>").count()
    );
}

#[test]
fn outputs_are_the_formats_reports_and_exit_zero_reports_only() {
    // One run writes every report (users.md D7a), each the same as that format on stdout;
    // --exit-zero / --no-fail make a failed check exit 0 (D26).
    let (plan, usage) = (example_plan(), example_usage());
    let t = tempfile::tempdir().unwrap();
    let (sarif, junit) = (t.path().join("c.sarif"), t.path().join("c.xml"));
    let o = run(&[
        "check",
        &plan,
        "--usage",
        &usage,
        "--output",
        &format!("sarif={}", sarif.display()),
        "-o",
        &format!("junit={}", junit.display()),
        "--format",
        "markdown",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.starts_with("## "), "{}", o.stdout);
    for (file, format) in [(&sarif, "sarif"), (&junit, "junit")] {
        let alone = run(&["check", &plan, "--usage", &usage, "--format", format]);
        assert_eq!(
            std::fs::read_to_string(file).unwrap(),
            alone.stdout,
            "{format}"
        );
    }
    for flag in ["--exit-zero", "--no-fail"] {
        let o = run(&["check", &plan, "--usage", &usage, flag]);
        assert_eq!(o.code, 0, "{flag}: {}", o.stderr);
    }
    let o = run(&["check", &plan, "--output", "yaml=x"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown format `yaml`"), "{}", o.stderr);
}

#[test]
fn junit_is_valid_under_jenkins_junit_10_xsd() {
    // users.md D17: no `errors` attribute, raw newlines in attributes, no file or line, names
    // repeating the address. Validated by xmllint against the xunit plugin's junit-10.xsd.
    let present = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !common::tool_available("xmllint", present, "apt-get install libxml2-utils") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("p.rego"),
        "package main\nimport rego.v1\ndeny contains \"two\\nlines \\u0001 & <more>\" if { true }\n",
    )
    .unwrap();
    let ex = "fixtures/corpus/infracost/examples/terraform";
    let o = run(&[
        "check",
        &format!("{ex}/plan.json"),
        "--dir",
        ex,
        "--slo",
        "slo/",
        "--policy",
        t.path().join("p.rego").to_str().unwrap(),
        "--format",
        "junit",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let xml = t.path().join("report.xml");
    std::fs::write(&xml, &o.stdout).unwrap();
    let v = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(repo().join("fixtures/schemas/junit-10.xsd"))
        .arg(&xml)
        .output()
        .unwrap();
    assert!(
        v.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&v.stderr),
        o.stdout
    );
    assert!(
        o.stdout
            .contains(r#"message="two&#10;lines � &amp; &lt;more&gt;""#),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains(&format!(
            ">{ex}/main.tf:9&#10;policies/untagged_costly.rego<"
        )),
        "{}",
        o.stdout
    );
    assert!(
        !o.stdout
            .contains("aws_instance.web_app: aws_instance.web_app"),
        "{}",
        o.stdout
    );
}

#[test]
fn the_check_json_fields_are_the_documented_ones() {
    // users.md D29: check/v1 was not in docs/json-schema.md.
    let base = format!("{T}/terraform_v0.12_state.json");
    let head = format!("{T}/terraform_v0.14_plan.json");
    let o = run(&[
        "check", &head, "--base", &base, "--slo", "slo/", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    let mut documented = common::documented_fields("# JSON output: `costfix.check/v1`");
    keys.sort();
    documented.sort();
    assert_eq!(keys, documented);
    assert_eq!(v["schema_version"], "costfix.check/v1");
}
