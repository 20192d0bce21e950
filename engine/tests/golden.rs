//! Correctness oracle: costfix's per-resource monthly costs against infracost's goldens for the same
//! inputs (`fixtures/corpus/infracost`). Every difference must be explained in `EXPLAINED` (a price
//! change, a component costfix does not model, or a different assumption); an explanation that no
//! longer matches a difference fails too, so the table cannot rot. Goldens whose inputs costfix
//! cannot drive are listed in `SKIPPED` with the reason, and every golden file in the fixtures must
//! be in one list or the other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use costfix_engine::estimate::{estimate, Options};
use costfix_engine::usage::Usage;
use costfix_engine::{parse_document, Catalog, InputFile};
use rust_decimal::Decimal;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/corpus/infracost")
}

/// A golden that costfix can drive: the golden file, the plan or state, the usage file.
struct Case {
    golden: &'static str,
    input: &'static str,
    usage: Option<&'static str>,
    /// `--region`, for a state (which has no provider configuration); infracost defaults to us-east-1.
    region: Option<&'static str>,
}

const T: &str = "cmd/infracost/testdata";

const CASES: &[Case] = &[
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_plan_json/breakdown_terraform_plan_json.golden", input: "cmd/infracost/testdata/example_plan.json", usage: Some("cmd/infracost/testdata/example_usage.yml"), region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_usage_file/breakdown_terraform_usage_file.golden", input: "cmd/infracost/testdata/example_plan.json", usage: Some("cmd/infracost/testdata/example_usage.yml"), region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_v0_14/breakdown_terraform_v0_14.golden", input: "cmd/infracost/testdata/terraform_v0.14_plan.json", usage: None, region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_use_state_v0_12/breakdown_terraform_use_state_v0_12.golden", input: "cmd/infracost/testdata/terraform_v0.12_state.json", usage: None, region: Some("us-east-1") },
    Case { golden: "cmd/infracost/testdata/instance_with_attachment_before_deploy/instance_with_attachment_before_deploy.golden", input: "cmd/infracost/testdata/instance_with_attachment_before_deploy.json", usage: None, region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_with_target/breakdown_with_target.golden", input: "cmd/infracost/testdata/plan_with_target.json", usage: None, region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_terraform_sync_usage_file/breakdown_terraform_sync_usage_file.golden", input: "cmd/infracost/testdata/breakdown_terraform_sync_usage_file/sync_usage_file.json", usage: Some("cmd/infracost/testdata/breakdown_terraform_sync_usage_file/infracost-usage.yml"), region: None },
    Case { golden: "cmd/infracost/testdata/breakdown_with_policy_data_upload_plan_json/breakdown_with_policy_data_upload_plan_json.golden", input: "cmd/infracost/testdata/breakdown_with_policy_data_upload_plan_json/plan.json", usage: None, region: None },
];

/// Goldens costfix cannot drive yet, and why.
const SKIPPED: &[(&str, &str)] = &[
    ("cmd/infracost/testdata/diff_terraform_plan_json/diff_terraform_plan_json.golden", "same plan and usage as breakdown_terraform_usage_file, in infracost's diff layout (whole dollars only); covered by that case"),
    ("cmd/infracost/testdata/breakdown_with_policy_data_upload_plan_json/breakdown_with_policy_data_upload_plan_json-upload.golden", "infracost's cloud upload requests, not costs"),
    ("cmd/infracost/testdata/breakdown_terraform_sync_usage_file/infracost-usage.yml.golden", "a usage file infracost writes, not costs"),
    ("cmd/infracost/testdata/breakdown_terraform_directory_with_default_var_files/breakdown_terraform_directory_with_default_var_files.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/breakdown_with_default_tags/breakdown_with_default_tags.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/breakdown_with_dynamic_iterator/breakdown_with_dynamic_iterator.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/breakdown_with_multiple_providers/breakdown_with_multiple_providers.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/breakdown_with_nested_foreach/breakdown_with_nested_foreach.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/hclmodule_for_each/hclmodule_for_each.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/hclmodule_output_counts/hclmodule_output_counts.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("cmd/infracost/testdata/hclmulti_var_files/hclmulti_var_files.golden", "input is a .tf directory: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/autoscaling_group_test/autoscaling_group_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/cloudwatch_log_group_test/cloudwatch_log_group_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/db_instance_test/db_instance_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/dynamodb_table_test/dynamodb_table_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/ebs_volume_test/ebs_volume_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/eip_test/eip_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/eks_node_group_test/eks_node_group_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/elasticache_cluster_test/elasticache_cluster_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/instance_test/instance_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/lambda_function_test/lambda_function_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/lb_test/lb_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/nat_gateway_test/nat_gateway_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
    ("internal/providers/terraform/aws/testdata/s3_bucket_test/s3_bucket_test.golden", "input is a .tf file: needs HCL evaluation without Terraform (costfix reads plans)"),
];

/// Differences between costfix and a golden, each with its cause: (golden file stem, address,
/// costfix's figure, the golden's figure, why).
const EXPLAINED: &[(&str, &str, &str, &str, &str)] = &[
    ("breakdown_terraform_plan_json", "aws_instance.zero_cost_instance", "182", "182",
     "the usage file makes it a reserved instance: infracost prices that at $0.00, costfix leaves the instance hours unpriced (no reserved-instance prices in the catalog); the volumes agree"),
    ("breakdown_terraform_usage_file", "aws_instance.zero_cost_instance", "182", "182",
     "the usage file makes it a reserved instance: infracost prices that at $0.00, costfix leaves the instance hours unpriced (no reserved-instance prices in the catalog); the volumes agree"),
    ("breakdown_terraform_v0_14", "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]", "12.99", "158.99",
     "RDS Extended Support (MySQL 5.7 past end of standard support, $146.00/month) is not modelled: the catalog has no Extended Support prices"),
    ("breakdown_terraform_v0_14", "module.db.module.db_2.module.db_instance.aws_db_instance.this[0]", "12.99", "158.99",
     "RDS Extended Support (MySQL 5.7 past end of standard support, $146.00/month) is not modelled: the catalog has no Extended Support prices"),
    ("breakdown_terraform_use_state_v0_12", "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]", "12.99", "158.99",
     "RDS Extended Support (MySQL 5.7 past end of standard support, $146.00/month) is not modelled: the catalog has no Extended Support prices"),
    ("breakdown_with_policy_data_upload_plan_json", "aws_dynamodb_table.autoscale_dynamodb_table", "0", "5.69",
     "the catalog has DynamoDB prices for us-east-2 only; costfix leaves this us-east-1 table's capacity unpriced rather than borrow another region's price"),
];

/// Per-resource monthly totals of an infracost golden (table or JSON layout).
fn parse_golden(text: &str) -> BTreeMap<String, Decimal> {
    if text.trim_start().starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
        let v = de.next().unwrap().unwrap();
        let mut out = BTreeMap::new();
        for p in v["projects"].as_array().unwrap() {
            for r in p["breakdown"]["resources"].as_array().unwrap() {
                let cost = r["monthlyCost"]
                    .as_str()
                    .map_or(Decimal::ZERO, |s| Decimal::from_str(s).unwrap());
                out.insert(r["name"].as_str().unwrap().to_string(), cost);
            }
        }
        return out;
    }
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with(" OVERALL TOTAL")
            || line.starts_with(" Name ")
            || !line.starts_with(' ')
        {
            if line.starts_with(" OVERALL TOTAL") {
                current = None;
            }
            continue;
        }
        let body = line.trim_end();
        if body.trim().is_empty() {
            continue;
        }
        let first = body.trim_start().chars().next().unwrap();
        if !matches!(first, '├' | '└' | '│') {
            let name = body.trim().to_string();
            out.insert(name.clone(), Decimal::ZERO);
            current = Some(name);
            continue;
        }
        // A component: the cost is the last `$…` token (not a "per unit" usage price).
        if body.contains("Monthly cost depends on usage") {
            continue;
        }
        let Some(cur) = &current else { continue };
        let trimmed = body.trim_end_matches('*').trim_end();
        if let Some(pos) = trimmed.rfind('$') {
            let amount = trimmed[pos + 1..].replace(',', "");
            if let Ok(d) = Decimal::from_str(amount.trim()) {
                *out.get_mut(cur).unwrap() += d;
            }
        }
    }
    out
}

fn all_goldens(dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_goldens(&p, out);
        } else if p.extension().is_some_and(|x| x == "golden") {
            out.push(
                p.strip_prefix(fixtures())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
}

#[test]
fn every_golden_is_driven_or_skipped_with_a_reason() {
    let mut goldens = Vec::new();
    all_goldens(&fixtures(), &mut goldens);
    goldens.sort();
    let known: Vec<&str> = CASES
        .iter()
        .map(|c| c.golden)
        .chain(SKIPPED.iter().map(|s| s.0))
        .collect();
    for g in &goldens {
        assert!(
            known.contains(&g.as_str()),
            "golden {g} is neither a case nor skipped with a reason"
        );
    }
    for k in &known {
        assert!(
            goldens.iter().any(|g| g == k),
            "listed golden {k} does not exist"
        );
    }
    let _ = T;
}

#[test]
fn costs_match_infracost_goldens() {
    let catalog = Catalog::embedded();
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let mut used_explanations = vec![false; EXPLAINED.len()];
    let (mut compared, mut matched) = (0, 0);
    for case in CASES {
        let stem = Path::new(case.golden)
            .file_stem()
            .unwrap()
            .to_str()
            .unwrap();
        let golden = parse_golden(&std::fs::read_to_string(fixtures().join(case.golden)).unwrap());
        assert!(
            !golden.is_empty(),
            "{stem}: parsed no resources from the golden"
        );
        let file = InputFile::read(&fixtures().join(case.input)).unwrap();
        let (doc, _) = parse_document(&file).unwrap();
        let usage = match case.usage {
            Some(u) => Usage::load(&fixtures().join(u)).unwrap(),
            None => Usage::default(),
        };
        let opts = Options {
            region: case.region.map(str::to_owned),
        };
        let est = estimate(&doc, case.input, None, &catalog, &usage, &opts);
        let ours: BTreeMap<&str, Decimal> = est
            .resources
            .iter()
            .filter(|r| r.after.is_some())
            .map(|r| (r.address.as_str(), r.after_monthly()))
            .collect();
        // Every golden resource, and every resource costfix prices above zero that the golden lacks.
        let mut addrs: Vec<&str> = golden.keys().map(String::as_str).collect();
        addrs.extend(
            ours.iter()
                .filter(|(a, v)| !v.is_zero() && !golden.contains_key(**a))
                .map(|(a, _)| *a),
        );
        for addr in addrs {
            compared += 1;
            let g = golden.get(addr).copied();
            let o = ours.get(addr).copied();
            let agree = match (g, o) {
                (Some(g), Some(o)) => (g - o).abs() <= Decimal::new(2, 2),
                (Some(g), None) => g.is_zero(),
                (None, _) => false,
            };
            let explained = EXPLAINED.iter().position(|e| e.0 == stem && e.1 == addr);
            let fmt = |d: Option<Decimal>| d.map_or("-".to_string(), |d| d.round_dp(2).to_string());
            match (agree, explained) {
                (true, None) => {
                    matched += 1;
                    report.push(format!(
                        "  ok        {stem}  {addr}  costfix {}  infracost {}",
                        fmt(o),
                        fmt(g)
                    ));
                }
                (false, Some(i)) => {
                    used_explanations[i] = true;
                    let e = EXPLAINED[i];
                    let close = |want: &str, got: Option<Decimal>| {
                        got.is_some_and(|d| {
                            (d - Decimal::from_str(want).unwrap()).abs() < Decimal::ONE
                        })
                    };
                    if !close(e.2, o) || !close(e.3, g) {
                        failures.push(format!("{stem} {addr}: the explained figures (costfix {}, infracost {}) no longer match (costfix {}, infracost {})", e.2, e.3, fmt(o), fmt(g)));
                    }
                    report.push(format!(
                        "  explained {stem}  {addr}  costfix {}  infracost {}: {}",
                        fmt(o),
                        fmt(g),
                        e.4
                    ));
                }
                (true, Some(i)) => {
                    used_explanations[i] = true;
                    // Totals can agree while components differ (the reserved-instance case): keep
                    // the explanation only if costfix reports the item as unpriced.
                    let r = est.resources.iter().find(|r| r.address == addr);
                    if r.is_some_and(|r| {
                        r.after.as_ref().is_some_and(|a| {
                            a.items
                                .iter()
                                .any(|i| i.status == costfix_engine::cost::ItemStatus::Unpriced)
                        })
                    }) {
                        report.push(format!(
                            "  explained {stem}  {addr}  costfix {}  infracost {}: {}",
                            fmt(o),
                            fmt(g),
                            EXPLAINED[i].4
                        ));
                    } else {
                        failures.push(format!("{stem} {addr}: costfix now agrees with the golden; remove its entry from EXPLAINED"));
                    }
                }
                (false, None) => failures.push(format!(
                    "{stem} {addr}: costfix {} vs infracost {}, and no explanation",
                    fmt(o),
                    fmt(g)
                )),
            }
        }
    }
    for (i, used) in used_explanations.iter().enumerate() {
        if !used {
            failures.push(format!(
                "EXPLAINED entry for {} {} was not needed",
                EXPLAINED[i].0, EXPLAINED[i].1
            ));
        }
    }
    eprintln!("golden comparison: {compared} resources compared, {matched} agree within $0.02, {} explained", compared - matched);
    for l in &report {
        eprintln!("{l}");
    }
    for (g, why) in SKIPPED {
        eprintln!("  skipped   {g}: {why}");
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n")
    );
    assert!(
        matched >= 20,
        "only {matched} resources agree; the comparison is not testing much"
    );
}
