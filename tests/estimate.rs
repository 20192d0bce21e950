//! End-to-end tests of `costfix estimate`, `diff` and `prices`: the real binary on corpus plans,
//! states and usage files, outputs snapshotted with insta.

mod common;

use common::{repo, run, run_in};

const EXAMPLE: &str = "fixtures/corpus/infracost/examples/terraform/plan.json";
const EXAMPLE_USAGE: &str = "fixtures/corpus/infracost/examples/terraform/infracost-usage.yml";
const T: &str = "fixtures/corpus/infracost/cmd/infracost/testdata";

#[test]
fn bundled_example_table() {
    let o = run(&["estimate", EXAMPLE, "--usage", EXAMPLE_USAGE]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn bundled_example_json() {
    let o = run(&[
        "estimate",
        EXAMPLE,
        "--usage",
        EXAMPLE_USAGE,
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["schema_version"], "costfix.estimate/v1");
    assert_eq!(v["totals"]["after"], "1179.3075");
    assert_eq!(o.stdout.lines().count(), 1, "JSON is one compact line");
    insta::assert_snapshot!(serde_json::to_string_pretty(&v).unwrap());
}

#[test]
fn modules_count_and_for_each_markdown() {
    let plan = format!("{T}/terraform_v0.14_plan.json");
    let o = run(&["estimate", &plan, "--format", "markdown"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn modules_count_and_for_each_table() {
    let plan = format!("{T}/terraform_v0.14_plan.json");
    let o = run(&["estimate", &plan]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn a_state_gives_its_current_cost() {
    let state = format!("{T}/terraform_v0.12_state.json");
    let o = run(&["estimate", &state, "--region", "us-east-1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("this is a state, not a plan"),
        "{}",
        o.stderr
    );
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn a_version_3_state_is_read_as_terraform_upgrades_it() {
    // Terraform 0.11's state: modules with a path, resources keyed by legacy address, flat
    // attribute strings. The cost models see the instance type, the tags (a key with dots), the
    // root block device (a list) and the EBS block device (a set, keyed by hash).
    let o = run(&[
        "estimate",
        "fixtures/states/v3-ec2.tfstate",
        "--region",
        "us-east-1",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("a version 3 state"), "{}", o.stderr);
    insta::assert_snapshot!(o.stdout);

    let o = run(&[
        "estimate",
        "fixtures/states/v3-ec2.tfstate",
        "--region",
        "us-east-1",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let web = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "aws_instance.web")
        .unwrap();
    assert_eq!(web["tags"]["kubernetes.io/role"], "node");
    assert_eq!(v["inputs"][0]["terraform_version"], "0.11.14");
    // The data source and the deposed object are not resources to price.
    assert_eq!(v["counts"]["resources"], 4);
}

/// Per resource: address, action, monthly before and after; and the totals.
fn costs(json: &str) -> (Vec<serde_json::Value>, serde_json::Value) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let rows = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::json!([
                r["address"],
                r["action"],
                r["monthly_before"],
                r["monthly_after"]
            ])
        })
        .collect();
    (rows, v["totals"].clone())
}

#[test]
fn a_plan_without_resource_changes_is_read_from_planned_values_and_prior_state() {
    // The corpus plan without its `resource_changes`: the resources come from `planned_values`
    // (after) and `prior_state` (before), with a warning, and cost what the full plan costs:
    // unchanged, created and updated resources, in modules, with count and for_each keys.
    let original = format!("{T}/terraform_v0.14_plan.json");
    let full = run(&["estimate", &original, "--format", "json"]);
    assert_eq!(full.code, 0, "{}", full.stderr);
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join(&original)).unwrap()).unwrap();
    plan.as_object_mut().unwrap().remove("resource_changes");
    // A resource only in the prior state is deleted.
    let prior = &mut plan["prior_state"]["values"]["root_module"]["resources"];
    let mut gone = prior[0].clone();
    gone["address"] = "aws_instance.gone".into();
    gone["name"] = "gone".into();
    prior.as_array_mut().unwrap().push(gone);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plan.json"),
        serde_json::to_string_pretty(&plan).unwrap(),
    )
    .unwrap();
    let o = run_in(dir.path(), &["estimate", "plan.json", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("the plan has no `resource_changes`: read its 33 resource(s) from `planned_values` (after) and `prior_state` (before)"),
        "{}",
        o.stderr
    );
    let (mut want, want_totals) = costs(&full.stdout);
    let (got, got_totals) = costs(&o.stdout);
    let deleted = got
        .iter()
        .find(|r| r[0] == "aws_instance.gone")
        .unwrap()
        .clone();
    assert_eq!(deleted[1], "delete");
    assert!(deleted[3].is_null(), "{deleted}");
    // It costs what the instance it was copied from costs.
    assert_eq!(deleted[2], want[0][2], "{deleted} {}", want[0]);
    let at = want
        .iter()
        .position(|r| r[0].as_str() > Some("aws_instance.gone"))
        .unwrap();
    want.insert(at, deleted.clone());
    assert_eq!(got, want);
    assert_eq!(want_totals["after"], got_totals["after"]);
    assert_ne!(want_totals["before"], got_totals["before"]);

    // A plan with no resources at all has no `resource_changes` either (Terraform omits the
    // empty list): no warning then.
    let o = run(&[
        "estimate",
        "fixtures/corpus/checkov/tests/terraform/parser/resources/plan_multiple_providers/tfplan.json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("resource_changes"), "{}", o.stderr);
}

#[test]
fn a_state_is_priced_in_the_region_its_resources_name() {
    let state = format!("{T}/terraform_v0.12_state.json");
    let o = run(&["estimate", &state, "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let instance = &v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "aws_instance.instance_1")
        .unwrap();
    assert_eq!(
        (&instance["region"], &instance["region_source"]),
        (&"us-east-1".into(), &"inferred".into()),
        "{instance}"
    );
    // Every resource has a region; only its MySQL 5.7's Extended Support has no price.
    assert_eq!(v["not_priced"], serde_json::json!([]));
    assert_eq!(v["counts"]["with_unpriced_items"], 1);
}

#[test]
fn without_a_region_resources_are_unpriced_with_a_reason() {
    // The same state without the ARNs and availability zones that name its region.
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("arn");
                m.remove("availability_zone");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join(T).join("terraform_v0.12_state.json")).unwrap(),
    )
    .unwrap();
    strip(&mut doc);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("state.json"), doc.to_string()).unwrap();
    let o = run_in(dir.path(), &["estimate", "state.json", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["totals"]["after"], "0");
    assert!(v["unpriced"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("pass --region"));
    assert!(o.stderr.contains("have no region"), "{}", o.stderr);
}

#[test]
fn state_adds_unchanged_resources_to_a_targeted_plan() {
    let plan = format!("{T}/plan_with_target.json");
    let state = format!("{T}/terraform_v0.12_state.json");
    let alone = run(&["estimate", &plan, "--format", "json"]);
    let with_state = run(&["estimate", &plan, "--state", &state, "--format", "json"]);
    assert_eq!(with_state.code, 0, "{}", with_state.stderr);
    let a: serde_json::Value = serde_json::from_str(&alone.stdout).unwrap();
    let b: serde_json::Value = serde_json::from_str(&with_state.stdout).unwrap();
    assert!(b["counts"]["resources"].as_u64() > a["counts"]["resources"].as_u64());
    let db = b["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["address"] == "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"
        })
        .expect("state resource included");
    assert_eq!(db["action"], "no-op");
    assert_eq!(db["delta"], "0");
}

#[test]
fn diff_of_state_and_plan() {
    let base = format!("{T}/terraform_v0.12_state.json");
    let head = format!("{T}/terraform_v0.14_plan.json");
    let o = run(&["diff", &base, &head, "--region", "us-east-1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn diff_json_totals_are_head_minus_base() {
    let base = format!("{T}/plan_with_target.json");
    let head = EXAMPLE;
    let o = run(&[
        "diff",
        &base,
        head,
        "--usage",
        EXAMPLE_USAGE,
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    // base: web_app_1 t3.small ($16.18); head: web_app + hello_world ($1,179.31).
    assert_eq!(v["totals"]["before"], "16.184");
    assert_eq!(v["totals"]["after"], "1179.3075");
    let actions: Vec<(&str, &str)> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(actions.contains(&("aws_instance.web_app_1", "delete")));
    assert!(actions.contains(&("aws_instance.web_app", "create")));
}

#[test]
fn prices_lists_the_catalog() {
    let o = run(&["prices", "--service", "ebs", "--region", "us-east-1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn price_overrides_change_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prices.csv"),
        "# our negotiated rate\nservice,region,product,dimension,unit,usd\nec2,us-east-1,m5.4xlarge,linux_on_demand,hour,0.5\n",
    )
    .unwrap();
    let plan = repo().join(EXAMPLE);
    let o = run_in(
        dir.path(),
        &[
            "estimate",
            plan.to_str().unwrap(),
            "--prices",
            "prices.csv",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let web = &v["resources"][0];
    assert_eq!(web["address"], "aws_instance.web_app");
    assert_eq!(web["items"][0]["unit_price"], "0.5");
    assert_eq!(web["items"][0]["monthly"], "365");
    assert_eq!(v["catalog"]["overrides"], "prices.csv");
}

#[test]
fn usage_based_items_without_usage_are_listed_not_invented() {
    let o = run(&["estimate", EXAMPLE, "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["totals"]["after"], "742.64");
    let items: Vec<&str> = v["usage_based"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["Requests", "Duration (x86_64)"]);
}

#[test]
fn utf16_plan_without_a_provider_region_takes_the_option() {
    let utf16 = "fixtures/corpus/checkov/tests/terraform/parser/resources/plan_encodings/tfplan_win_utf16.json";
    let o = run(&[
        "estimate",
        utf16,
        "--region",
        "us-east-1",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("decoded from UTF-16"), "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["resources"][0]["address"], "aws_s3_bucket.data");
    assert_eq!(v["resources"][0]["region"], "us-east-1");
    assert_eq!(v["resources"][0]["region_source"], "option");
}

#[test]
fn regions_from_aliases_module_providers_variables_and_the_resource() {
    let o = run(&[
        "estimate",
        "fixtures/plans/provider-regions.json",
        "--region",
        "sa-east-1",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let got: Vec<(String, String, String)> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("-").to_string();
            (s("address"), s("region"), s("region_source"))
        })
        .collect();
    let want = [
        ("aws_instance.default", "eu-west-1", "provider"), // region = var.region, from the plan's variables
        ("aws_instance.east", "us-east-1", "provider"),    // provider = aws.use1 (alias)
        ("aws_instance.v6", "ap-southeast-1", "resource"), // AWS provider 6: the resource's own region
        ("module.app.aws_instance.web", "us-west-2", "provider"), // module's provider, region from the module call
        ("module.passed.aws_instance.x", "us-east-1", "provider"), // aliased provider passed to a module
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    // Each is priced in its own region: t3.micro differs between them.
    assert_eq!(v["resources"][0]["items"][0]["unit_price"], "0.0114");
    assert_eq!(v["resources"][1]["items"][0]["unit_price"], "0.0104");
}

#[test]
fn output_is_deterministic() {
    let plan = format!("{T}/terraform_v0.14_plan.json");
    let a = run(&["estimate", &plan, "--format", "json"]);
    // A command that failed the same way every time must not pass.
    assert_eq!(a.code, 0, "{}", a.stderr);
    let v: serde_json::Value = serde_json::from_str(&a.stdout).expect("JSON on stdout");
    assert!(
        v["resources"].as_array().is_some_and(|r| !r.is_empty()),
        "{}",
        a.stdout
    );
    for _ in 0..3 {
        let b = run(&["estimate", &plan, "--format", "json"]);
        assert_eq!(b.code, 0, "{}", b.stderr);
        assert_eq!(b.stdout, a.stdout);
    }
}

/// A real plan with resources in a region outside the catalog and a type without a cost model:
/// the report says so at the top, shows their cost as unpriced (never $0.00) and does not count
/// them as priced.
const UNPRICED: &str = "fixtures/plans/unpriced.json";

#[test]
fn what_cannot_be_priced_is_said_at_the_top_never_shown_as_zero() {
    let o = run(&["estimate", UNPRICED]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!(o.stdout);
}

#[test]
fn json_says_the_totals_are_incomplete_and_which_resources_are_not_priced() {
    let o = run(&["estimate", UNPRICED, "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["complete"], false);
    let c = &v["counts"];
    assert_eq!(
        (
            &c["resources"],
            &c["priced"],
            &c["free"],
            &c["unpriced"],
            &c["unsupported"]
        ),
        (&6.into(), &1.into(), &1.into(), &3.into(), &1.into())
    );
    let by_addr = |a: &str| {
        v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == a)
            .unwrap()
            .clone()
    };
    let london = by_addr("aws_instance.london");
    assert_eq!(london["pricing"], "unpriced");
    assert!(london["monthly_after"].is_null(), "{london}");
    assert_eq!(by_addr("aws_instance.virginia")["pricing"], "priced");
    assert_eq!(by_addr("aws_iam_role.app")["pricing"], "free");
    assert_eq!(by_addr("aws_ssm_parameter.flag")["pricing"], "no_model");
    let not_priced: Vec<(&str, &str)> = v["not_priced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["address"].as_str().unwrap(),
                n["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(not_priced.len(), 4, "{not_priced:?}");
    assert_eq!(not_priced[3].0, "aws_ssm_parameter.flag");
    assert!(not_priced[3].1.contains("no cost model"), "{not_priced:?}");
    // A region outside the catalog is named as such.
    assert!(
        not_priced[1].1.starts_with("eu-west-2 is not one of the catalog's regions (ap-southeast-1, eu-central-1, eu-west-1, us-east-1, us-west-2)"),
        "{not_priced:?}"
    );
}

#[test]
fn a_price_override_for_the_region_makes_it_priced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prices.csv"),
        "service,region,product,dimension,unit,usd\nec2,eu-west-2,t3.micro,linux_on_demand,hour,0.0118\nebs,eu-west-2,gp2,storage,GB-month,0.116\n",
    )
    .unwrap();
    let prices = dir.path().join("prices.csv");
    let o = run(&[
        "estimate",
        UNPRICED,
        "--prices",
        prices.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let london = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "aws_instance.london")
        .unwrap();
    assert_eq!(london["pricing"], "priced", "{london}");
    assert_eq!(v["counts"]["unpriced"], 2);
}

/// RDS Extended Support is never left out silently: a real plan of MySQL 5.7, PostgreSQL 12 and
/// PostgreSQL 16 instances lists it, unpriced with its reason, on the first two only.
#[test]
fn rds_extended_support_is_listed_not_left_out() {
    let o = run(&[
        "estimate",
        "fixtures/plans/extended-support.json",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let got: Vec<(&str, &str, bool)> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let extended = r["items"].as_array().unwrap().iter().any(|i| {
                i["name"].as_str().unwrap().starts_with("Extended Support")
                    && i["status"] == "unpriced"
                    && i["note"]
                        .as_str()
                        .unwrap()
                        .contains("past RDS standard support")
            });
            (
                r["address"].as_str().unwrap(),
                r["pricing"].as_str().unwrap(),
                extended,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("aws_db_instance.mysql57", "partial", true),
            ("aws_db_instance.postgres12", "partial", true),
            ("aws_db_instance.postgres16", "priced", false),
        ]
    );
}
