//! The cost rules on small plans, through the real plan reader, rules and cost model. Each saving
//! is checked against an independent route: `estimate` on the plan as written minus `estimate` on
//! the plan with the proposed change written into it.
//!
//! One test per rule (ruff's pattern): `fixtures/rules/cfNNN.json`, a real Terraform plan of
//! `fixtures/rules/cfNNN/main.tf` (with `usage.yml` beside it when the rule needs usage), run
//! through that rule alone and its findings snapshotted in `snapshots/rules__cfNNN.snap`.

use costfix_engine::estimate::{self, Options};
use costfix_engine::pricing::usage::Usage;
use costfix_engine::rules::{self, Environment, RuleFinding, RunOptions};
use costfix_engine::{parse_document, Catalog, Document, InputFile};
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn plan(resources: &[(&str, Value)]) -> Value {
    let changes: Vec<Value> = resources
        .iter()
        .map(|(addr, after)| {
            let (rtype, name) = addr.split_once('.').unwrap();
            json!({
                "address": addr, "mode": "managed", "type": rtype, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}},
            })
        })
        .collect();
    let config: Vec<Value> = resources
        .iter()
        .map(|(addr, _)| {
            let (rtype, name) = addr.split_once('.').unwrap();
            json!({"address": addr, "mode": "managed", "type": rtype, "name": name,
                   "provider_config_key": "aws", "expressions": {}})
        })
        .collect();
    json!({
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": {"resources": config},
        },
    })
}

fn write(dir: &tempfile::TempDir, name: &str, v: &Value) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

fn run_rules(v: &Value, env: Option<&str>, usage: &Usage) -> Vec<RuleFinding> {
    run_selected(v, env, usage, Vec::new())
}

/// Run the rules `select` (all when empty) over a plan.
fn run_selected(
    v: &Value,
    env: Option<&str>,
    usage: &Usage,
    select: Vec<&'static str>,
) -> Vec<RuleFinding> {
    let dir = tempfile::tempdir().unwrap();
    let file = InputFile::read(&write(&dir, "plan.json", v)).unwrap();
    let (doc, _) = parse_document(&file).unwrap();
    let Document::Plan(plan) = &doc else { panic!() };
    let (findings, no_region) = rules::run(
        plan,
        &Catalog::embedded(),
        usage,
        &RunOptions {
            select,
            environment: env.map(str::to_string),
            environment_source: env.map(|_| "--environment".to_string()),
            ..Default::default()
        },
    );
    assert_eq!(no_region, 0);
    findings
}

fn total(v: &Value, usage: &Usage) -> Decimal {
    let dir = tempfile::tempdir().unwrap();
    let file = InputFile::read(&write(&dir, "plan.json", v)).unwrap();
    let (doc, _) = parse_document(&file).unwrap();
    let est = estimate::estimate(
        &doc,
        "plan.json",
        None,
        &Catalog::embedded(),
        usage,
        &Options::default(),
    );
    est.resources.iter().map(|r| r.after_monthly()).sum()
}

/// Write a finding's changes into the plan's `after` values.
fn with_changes(v: &Value, f: &RuleFinding) -> Value {
    let mut v = v.clone();
    for rc in v["resource_changes"].as_array_mut().unwrap() {
        if rc["address"] == f.address.as_str() {
            let after = rc["change"]["after"].clone();
            let (fixed, _) = rules::apply_changes(&after, &json!({}), &f.changes);
            rc["change"]["after"] = fixed;
        }
    }
    v
}

/// Every finding's saving equals the estimate's difference.
fn check_savings(v: &Value, findings: &[RuleFinding], usage: &Usage) {
    let before = total(v, usage);
    for f in findings.iter().filter(|f| !f.changes.is_empty()) {
        let Some(saving) = f.saving else { continue };
        if f.resource_type == "aws_launch_template" || f.rule == "CF012" {
            continue; // savings the cost model cannot see (per instance; retention)
        }
        let after = total(&with_changes(v, f), usage);
        assert_eq!(saving, before - after, "{} on {}", f.rule, f.address);
    }
}

fn rules_of(findings: &[RuleFinding], address: &str) -> Vec<&'static str> {
    findings
        .iter()
        .filter(|f| f.address == address)
        .map(|f| f.rule)
        .collect()
}

#[test]
fn compute_and_storage_rules_find_and_price() {
    let v = plan(&[
        (
            "aws_instance.old",
            json!({"ami": "ami-1", "instance_type": "t2.large",
            "root_block_device": [{"volume_type": "gp2", "volume_size": 30}],
            "ebs_block_device": [{"device_name": "/dev/sdb", "volume_type": "io1", "volume_size": 500, "iops": 1000}]}),
        ),
        (
            "aws_instance.nitro",
            json!({"ami": "ami-1", "instance_type": "m5.large",
            "root_block_device": [{"volume_type": "gp3", "volume_size": 30}]}),
        ),
        (
            "aws_ebs_volume.big",
            json!({"availability_zone": "us-east-1a", "type": "gp2", "size": 2000}),
        ),
        (
            "aws_ebs_volume.fine",
            json!({"availability_zone": "us-east-1a", "type": "gp3", "size": 100}),
        ),
        (
            "aws_ebs_volume.io2",
            json!({"availability_zone": "us-east-1a", "type": "io2", "size": 100, "iops": 20000}),
        ),
    ]);
    let usage = Usage::default();
    let f = run_rules(&v, None, &usage);
    assert_eq!(
        rules_of(&f, "aws_instance.old"),
        ["CF001", "CF004", "CF005"]
    );
    // m5 → m6i costs the same: no finding for a zero saving; m5 → m6g (Graviton) is display-only.
    assert_eq!(rules_of(&f, "aws_instance.nitro"), ["CF002"]);
    assert_eq!(rules_of(&f, "aws_ebs_volume.big"), ["CF003"]);
    assert!(rules_of(&f, "aws_ebs_volume.fine").is_empty());
    // 20,000 IOPS do not fit in gp3 (16,000 at most).
    assert!(rules_of(&f, "aws_ebs_volume.io2").is_empty());
    let big = f
        .iter()
        .find(|x| x.address == "aws_ebs_volume.big")
        .unwrap();
    // Over 1,000 GiB the fix keeps gp2's 3 IOPS/GiB and 250 MiB/s.
    let paths: Vec<String> = big.changes.iter().map(|c| c.path.to_string()).collect();
    assert_eq!(paths, ["type", "throughput", "iops"]);
    assert_eq!(big.changes[2].to, json!(6000));
    let old = f.iter().find(|x| x.rule == "CF001").unwrap();
    assert_eq!(old.changes[0].to, json!("t3.large"));
    assert_eq!(
        old.applicability,
        costfix_engine::fix::Applicability::Unsafe,
        "Xen → Nitro"
    );
    check_savings(&v, &f, &usage);
}

#[test]
fn database_rules_and_environments() {
    let db = |tags: Value| {
        json!({"engine": "mysql", "instance_class": "db.m4.large", "allocated_storage": 100,
               "storage_type": "gp3", "multi_az": true, "tags": tags})
    };
    let v = plan(&[
        (
            "aws_db_instance.staging",
            db(json!({"Environment": "staging"})),
        ),
        (
            "aws_db_instance.prod",
            db(json!({"Environment": "production"})),
        ),
        ("aws_db_instance.unknown", db(json!({}))),
        (
            "aws_elasticache_cluster.cache",
            json!({"engine": "redis", "node_type": "cache.r4.large", "num_cache_nodes": 1}),
        ),
    ]);
    let usage = Usage::default();
    let f = run_rules(&v, None, &usage);
    assert_eq!(rules_of(&f, "aws_db_instance.staging"), ["CF006", "CF008"]);
    assert_eq!(rules_of(&f, "aws_db_instance.prod"), ["CF006"]);
    assert_eq!(rules_of(&f, "aws_db_instance.unknown"), ["CF006"]);
    assert_eq!(rules_of(&f, "aws_elasticache_cluster.cache"), ["CF009"]);
    check_savings(&v, &f, &usage);
    // --environment applies to resources without a tag; a tag wins over it.
    let f = run_rules(&v, Some("dev"), &usage);
    assert_eq!(rules_of(&f, "aws_db_instance.unknown"), ["CF006", "CF008"]);
    assert_eq!(rules_of(&f, "aws_db_instance.prod"), ["CF006"]);
    assert_eq!(Environment::classify("Prod"), Environment::Production);
    assert_eq!(Environment::classify("qa"), Environment::NonProduction);
    assert_eq!(Environment::classify("blue"), Environment::Unknown);
}

#[test]
fn network_serverless_and_usage_rules() {
    let v = plan(&[
        ("aws_eip.idle", json!({"domain": "vpc"})),
        (
            "aws_lambda_function.fn",
            json!({"function_name": "f", "memory_size": 1024}),
        ),
        ("aws_cloudwatch_log_group.logs", json!({"name": "/app"})),
        (
            "aws_cloudwatch_log_group.kept",
            json!({"name": "/app2", "retention_in_days": 14}),
        ),
        (
            "aws_dynamodb_table.t",
            json!({"name": "t", "billing_mode": "PROVISIONED", "read_capacity": 200, "write_capacity": 200, "hash_key": "id"}),
        ),
    ]);
    let usage = Usage::parse(
        std::path::Path::new("usage.yml"),
        "version: 0.1\nresource_usage:\n  aws_lambda_function.fn:\n    monthly_requests: 10000000\n    request_duration_ms: 300\n  aws_cloudwatch_log_group.logs:\n    storage_gb: 500\n    monthly_data_ingested_gb: 50\n  aws_dynamodb_table.t:\n    monthly_read_request_units: 1000000\n    monthly_write_request_units: 1000000\n",
    )
    .unwrap();
    let f = run_rules(&v, None, &usage);
    assert_eq!(rules_of(&f, "aws_eip.idle"), ["CF011"]);
    assert_eq!(rules_of(&f, "aws_lambda_function.fn"), ["CF013"]);
    assert_eq!(rules_of(&f, "aws_cloudwatch_log_group.logs"), ["CF012"]);
    assert!(rules_of(&f, "aws_cloudwatch_log_group.kept").is_empty());
    let logs = f.iter().find(|x| x.rule == "CF012").unwrap();
    // 500 GB stored; 30 days keep 50 GB: 450 GB × $0.03.
    assert_eq!(logs.saving, Some(Decimal::new(1350, 2)));
    let eip = f.iter().find(|x| x.rule == "CF011").unwrap();
    assert_eq!(eip.saving, Some(Decimal::new(365, 2)));
    // DynamoDB in us-east-1 (aws-services.csv): 200 WCU and 200 RCU all month ($94.90 + $18.98)
    // against 1M writes and 1M reads on demand ($0.625 + $0.125).
    assert_eq!(rules_of(&f, "aws_dynamodb_table.t"), ["CF014"]);
    let table = f.iter().find(|x| x.rule == "CF014").unwrap();
    assert_eq!(table.saving, Some(Decimal::new(11313, 2)));
    check_savings(&v, &f, &usage);
    // Without usage, the Lambda saving is unknown (and still reported).
    let f = run_rules(&v, None, &Usage::default());
    let lambda = f.iter().find(|x| x.rule == "CF013").unwrap();
    assert_eq!(lambda.saving, None);
    assert!(lambda.saving_note.as_deref().unwrap().contains("usage"));
}

#[test]
fn every_rule_is_documented() {
    let mut ids = Vec::new();
    for r in rules::all() {
        // ruff's headings, in order, none empty; an example with a block before and after.
        let doc = r.doc_sections().unwrap_or_else(|e| panic!("{e}"));
        assert!(r.doc().len() > 300, "{} is barely documented", r.id);
        assert!(
            r.source.contains(&format!("id: \"{}\",", r.id)),
            "{}'s include_str! is another rule's file",
            r.id
        );
        assert!(doc.example.before.trim_start().starts_with("resource "));
        assert_ne!(doc.example.before, doc.example.after, "{}", r.id);
        assert!(rules::find(r.name).is_some() && rules::find(r.id).is_some());
        ids.push(r.id);
    }
    assert!(ids.len() >= 12);
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ids, "ids are unique and in order");
}

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/rules")
}

/// One rule on its fixture plan: it fires, only it fires (but for the rules in `also`, which
/// fire on the same resources for reasons of their own), each change starts from the planned
/// value, each re-costed saving is what `estimate` says, and the findings are as snapshotted.
fn per_rule(id: &str, also: &[&str]) {
    let rule = rules::find(id).unwrap();
    let name = id.to_ascii_lowercase();
    let text = std::fs::read_to_string(fixtures().join(format!("{name}.json"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(
        v["terraform_version"].is_string(),
        "{name}.json is made by fixtures/rules/regen.sh"
    );
    let usage_file = fixtures().join(&name).join("usage.yml");
    let usage = match std::fs::read_to_string(&usage_file) {
        Ok(text) => Usage::parse(&usage_file, &text).unwrap(),
        Err(_) => Usage::default(),
    };
    let findings = run_selected(&v, None, &usage, vec![rule.id]);
    assert!(!findings.is_empty(), "{id} does not fire on {name}.json");
    for f in &findings {
        assert_eq!(f.rule, rule.id);
        let after = v["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|rc| rc["address"] == f.address.as_str())
            .map(|rc| &rc["change"]["after"])
            .unwrap();
        for c in &f.changes {
            let now = c.path.get(after).cloned().unwrap_or(Value::Null);
            assert_eq!(c.from, now, "{id} on {}: {}", f.address, c.path);
        }
    }
    check_savings(&v, &findings, &usage);
    let others: Vec<String> = run_selected(&v, None, &usage, Vec::new())
        .iter()
        .filter(|f| f.rule != rule.id && !also.contains(&f.rule))
        .map(|f| format!("{} on {}", f.rule, f.address))
        .collect();
    assert!(others.is_empty(), "{name}.json also makes {others:?} fire");
    insta::assert_json_snapshot!(name, findings);
}

macro_rules! per_rule_tests {
    ($($test:ident: $id:literal $(also $($other:literal),+)?;)*) => {$(
        #[test]
        fn $test() {
            per_rule($id, &[$($($other),+)?]);
        }
    )*};
}

per_rule_tests! {
    cf001_ec2_previous_generation: "CF001" also "CF002";
    cf002_ec2_graviton: "CF002";
    cf003_ebs_gp2_volume: "CF003";
    cf004_gp2_block_device: "CF004";
    cf005_ebs_io_to_gp3: "CF005";
    cf006_rds_previous_generation: "CF006";
    cf007_rds_graviton: "CF007";
    cf008_rds_multi_az_non_production: "CF008";
    cf009_elasticache_previous_generation: "CF009";
    cf010_nat_gateway_per_az: "CF010";
    cf011_idle_elastic_ip: "CF011";
    cf012_log_group_retention: "CF012";
    cf013_lambda_arm64: "CF013";
    cf014_dynamodb_provisioned: "CF014";
    cf015_oversized_non_production: "CF015";
}

#[test]
fn every_rule_has_a_fixture_test() {
    let source = include_str!("rules.rs");
    for r in rules::all() {
        let dir = fixtures().join(r.id.to_ascii_lowercase());
        assert!(
            dir.join("main.tf").is_file(),
            "{} has no {dir:?}/main.tf",
            r.id
        );
        let test = format!(
            "{}_{}: \"{}\"",
            r.id.to_ascii_lowercase(),
            r.name.replace('-', "_"),
            r.id
        );
        assert!(source.contains(&test), "no per-rule test `{test}`");
    }
}
