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
    let outcomes = set.run_tests().unwrap();
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
            let outcomes = set.run_tests().unwrap();
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
            src,
            span,
            detail,
            message,
        } => {
            assert_eq!(detail, "at bad.rego:6:9");
            assert!(message.contains("expecting"), "{message}");
            // Line 6, column 9 of the file, as miette prints it.
            use miette::SourceCode;
            let at = src.read_span(span, 0, 0).unwrap();
            assert_eq!((at.line() + 1, at.column() + 1), (6, 9));
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

/// Plans under `dir` (any `.json` file the plan reader takes as a plan).
fn plans_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            plans_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            let Ok(file) = costfix_engine::InputFile::read(&p) else {
                continue;
            };
            if let Ok((costfix_engine::Document::Plan(_), _)) =
                costfix_engine::parse_document(&file)
            {
                out.push(p);
            }
        }
    }
}

/// A plan that each shipped policy has something to say about: previous-generation instances,
/// databases and cache nodes in production and elsewhere, gp2 volumes, block devices and
/// launch-template mappings, expensive untagged resources, a resource above $1,000 a month.
fn policy_bait_plan() -> serde_json::Value {
    use serde_json::json;
    let rc = |addr: &str, action: &str, after: serde_json::Value| {
        let (rtype, name) = addr.rsplit_once('.').unwrap();
        let rtype = rtype.rsplit('.').next().unwrap();
        json!({"address": addr, "mode": "managed", "type": rtype, "name": name,
               "provider_name": "registry.terraform.io/hashicorp/aws",
               "change": {"actions": [action], "before": null, "after": after, "after_unknown": {}}})
    };
    json!({
        "format_version": "1.2",
        "resource_changes": [
            rc("aws_instance.prod_t2", "create", json!({"instance_type": "t2.large", "tags": {"env": "prod"},
                "root_block_device": [{"volume_type": "gp2", "volume_size": 50}], "ebs_block_device": []})),
            rc("aws_instance.dev_m4", "update", json!({"instance_type": "m4.xlarge", "tags": {"Environment": "Dev"},
                "root_block_device": [{"volume_type": "gp3", "volume_size": 20}],
                "ebs_block_device": [{"volume_type": "gp2", "volume_size": 500}]})),
            rc("aws_instance.untagged", "create", json!({"instance_type": "m5.4xlarge", "tags": null})),
            rc("aws_instance.unchanged_t2", "no-op", json!({"instance_type": "t2.micro"})),
            rc("aws_db_instance.db", "create", json!({"instance_class": "db.r4.8xlarge", "engine": "postgres",
                "allocated_storage": 100, "storage_type": "gp2", "multi_az": true, "tags": {}})),
            rc("aws_elasticache_cluster.cache", "create", json!({"node_type": "cache.m4.large", "num_cache_nodes": 2,
                "engine": "redis", "tags": {"env": "staging"}})),
            rc("aws_ebs_volume.data", "create", json!({"type": "gp2", "size": 2000, "tags": {"team": "x"}})),
            rc("aws_launch_template.lt", "create", json!({"instance_type": "c4.large",
                "block_device_mappings": [{"device_name": "/dev/xvda", "ebs": [{"volume_type": "gp2", "volume_size": 30}]}]})),
            rc("module.m.aws_instance.deleted", "delete", json!(null)),
        ],
        "configuration": {"provider_config": {"aws": {"name": "aws",
            "expressions": {"region": {"constant_value": "us-east-1"}}}}},
    })
}

#[test]
fn shipped_policies_read_only_what_they_declare() {
    use costfix_engine::estimate::{self, Options};
    use costfix_engine::policy::input::{policy_input, InputNeeds};
    use costfix_engine::pricing::usage::Usage;
    use costfix_engine::{parse_document, Catalog, Document, InputFile};

    let mut plans = Vec::new();
    plans_under(&repo().join("fixtures"), &mut plans);
    assert!(plans.len() >= 40, "only {} plans found", plans.len());
    let dir = tempfile::tempdir().unwrap();
    let bait = dir.path().join("bait.json");
    std::fs::write(&bait, policy_bait_plan().to_string()).unwrap();
    plans.push(bait);

    // Each shipped policy alone (its own declaration is enough) and all of them together.
    let all = PolicySet::embedded().unwrap();
    let mut sets = vec![all.clone()];
    for f in &all.files {
        let mut one = PolicySet::new();
        one.add(f.clone()).unwrap();
        sets.push(one);
    }
    let namespaces = Namespaces::All;
    let catalog = Catalog::embedded();
    let mut rules_with_results = std::collections::BTreeSet::new();
    for p in &plans {
        let file = InputFile::read(p).unwrap();
        let (doc, _) = parse_document(&file).unwrap();
        let Document::Plan(plan) = &doc else {
            unreachable!()
        };
        let est = estimate::estimate(
            &doc,
            "plan",
            None,
            &catalog,
            &Usage::default(),
            &Options::default(),
        );
        for (set, env) in sets
            .iter()
            .flat_map(|s| [(s, None), (s, Some("production"))])
        {
            let eval = |needs: &InputNeeds| {
                let input = policy_input(plan, file.json(), &est, None, env, needs, false).unwrap();
                set.evaluate_value(input, &namespaces).unwrap()
            };
            let narrow = eval(&InputNeeds::of(set));
            let whole = eval(&InputNeeds::everything(set));
            assert_eq!(narrow, whole, "{} ({env:?}) with {set:?}", p.display());
            rules_with_results.extend(whole.iter().map(|r| format!("{}.{}", r.package, r.rule)));
        }
    }
    // Each shipped rule fired somewhere, so every declaration was put to the test.
    for rule in [
        "data.costfix.policies.previous_generation.deny",
        "data.costfix.policies.previous_generation.warn",
        "data.costfix.policies.gp2_volumes.warn",
        "data.costfix.policies.untagged_costly.deny",
        "data.costfix.policies.resource_cost_limit.deny",
    ] {
        assert!(
            rules_with_results.contains(rule),
            "{rule} never fired: {rules_with_results:?}"
        );
    }
}
