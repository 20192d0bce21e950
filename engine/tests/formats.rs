//! Every plan and state in the corpus is read, and what costfix reads agrees with the corpus
//! README's independent description of each file (`fixtures/README.md`): the kind (plan, `show
//! -json` state, raw tfstate v4), the number of resource changes (`rc=`), resource instances
//! (`res=`), drifted resources (`resource_drift=`) and relevant attributes (`relevant_attributes=`).
//! Every address in them parses and prints back unchanged.

use std::path::{Path, PathBuf};

use costfix_engine::terraform::address::Address;
use costfix_engine::terraform::plan::{ChangeKind, Document};
use costfix_engine::{parse_document, InputFile};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

struct Described {
    file: String,
    kind: String,
    notes: String,
}

/// Rows of the corpus table in fixtures/README.md: `| file | repo | path | commit | kind | version | types | notes |`.
fn described() -> Vec<Described> {
    let readme = std::fs::read_to_string(fixtures().join("README.md")).unwrap();
    readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            (cols.len() >= 9).then(|| Described {
                file: cols[1].trim_matches('`').to_string(),
                kind: cols[5].to_string(),
                notes: cols[8].to_string(),
            })
        })
        .filter(|d| matches!(d.kind.as_str(), "plan" | "state-json" | "tfstate-v4"))
        .collect()
}

fn count(notes: &str, key: &str) -> Option<usize> {
    notes
        .split_whitespace()
        .find_map(|w| w.strip_prefix(key))
        .and_then(|n| n.parse().ok())
}

fn round_trips(addr: &str) {
    let parsed: Address = addr.parse().unwrap_or_else(|e| panic!("{addr}: {e}"));
    assert_eq!(parsed.to_string(), addr);
}

#[test]
fn corpus_plans_and_states_read_as_described() {
    let rows = described();
    assert!(
        rows.len() >= 60,
        "only {} plan/state rows found in fixtures/README.md",
        rows.len()
    );
    let mut checked = 0;
    for d in &rows {
        let path = fixtures().join("corpus").join(&d.file);
        let file = InputFile::read(&path).unwrap_or_else(|e| panic!("{}: {e}", d.file));
        let (doc, _warnings) =
            parse_document(&file).unwrap_or_else(|e| panic!("{}: {e:?}", d.file));
        match (&doc, d.kind.as_str()) {
            (Document::Plan(plan), "plan") => {
                if let Some(rc) = count(&d.notes, "rc=") {
                    assert_eq!(
                        plan.resource_changes.len(),
                        rc,
                        "{}: resource_changes",
                        d.file
                    );
                }
                let drift = count(&d.notes, "resource_drift=").unwrap_or(0);
                assert_eq!(
                    plan.resource_drift.len(),
                    drift,
                    "{}: resource_drift",
                    d.file
                );
                let relevant = count(&d.notes, "relevant_attributes=").unwrap_or(0);
                assert_eq!(
                    plan.relevant_attributes.len(),
                    relevant,
                    "{}: relevant_attributes",
                    d.file
                );
                for rc in plan.resource_changes.iter().chain(&plan.resource_drift) {
                    round_trips(&rc.address);
                    assert_ne!(
                        rc.change.kind(),
                        ChangeKind::Unknown,
                        "{}: {:?}",
                        d.file,
                        rc.change.actions
                    );
                    if d.notes.contains("index_keys") {
                        // The typed address and the change's own fields agree.
                        let a = rc.parsed_address();
                        assert_eq!(a.key, rc.index_key(), "{}: {}", d.file, rc.address);
                        assert_eq!(a.resource_type, rc.resource_type);
                    }
                }
                if d.notes.contains("prior_state") {
                    let prior = plan
                        .prior_state(&file)
                        .unwrap_or_else(|e| panic!("{}: prior_state: {e:?}", d.file));
                    for r in prior.iter().flat_map(|s| s.resources.iter()) {
                        round_trips(&r.address.to_string());
                    }
                }
            }
            (Document::State(state), "state-json" | "tfstate-v4") => {
                if let Some(res) = count(&d.notes, "res=") {
                    assert_eq!(state.resources.len(), res, "{}: resource instances", d.file);
                }
                for r in &state.resources {
                    round_trips(&r.address.to_string());
                }
            }
            (doc, kind) => panic!("{}: described as {kind}, read as {}", d.file, doc.kind()),
        }
        checked += 1;
    }
    assert_eq!(checked, rows.len());
}

#[test]
fn module_calls_sources_and_provider_regions_are_read() {
    let path = fixtures().join("corpus/infracost/cmd/infracost/testdata/terraform_v0.14_plan.json");
    let file = InputFile::read(&path).unwrap();
    let (doc, _) = parse_document(&file).unwrap();
    let Document::Plan(plan) = doc else {
        panic!("a plan")
    };
    let root = &plan.configuration.root_module;
    let db = root.module_calls.get("db").expect("module \"db\"");
    assert!(db.source.is_some());
    assert!(db.module.module_calls.contains_key("db_1"));
    assert!(plan
        .configuration
        .provider_config
        .contains_key("module.db:aws"));
}

#[test]
fn parallel_json_writers_match_serde() {
    use costfix_engine::check::{check, CheckOptions, FailOn};
    use costfix_engine::estimate::{estimate, Options};
    use costfix_engine::policy::{Namespaces, PolicySet};
    for plan in [
        "corpus/infracost/cmd/infracost/testdata/terraform_v0.14_plan.json",
        "corpus/checkov/tests/terraform/runner/resources/plan/tfplan.json",
        "corpus/terraform-json/testdata/actions/plan.json",
    ] {
        let file = InputFile::read(&fixtures().join(plan)).unwrap();
        let (doc, _) = parse_document(&file).unwrap();
        let catalog = costfix_engine::Catalog::embedded();
        let est = estimate(
            &doc,
            plan,
            None,
            &catalog,
            &Default::default(),
            &Options::default(),
        );
        let mut fast = Vec::new();
        est.write_json(&mut fast).unwrap();
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            serde_json::to_string(&est).unwrap(),
            "{plan}"
        );

        let Document::Plan(p) = &doc else { panic!() };
        let policies = PolicySet::embedded().unwrap();
        let opts = CheckOptions {
            namespaces: Namespaces::All,
            environment: Some("production".into()),
            fail_on: FailOn::Deny,
            fail_on_unpriced: false,
            full_input: false,
            write_input: None,
        };
        let report = check(p, file.json(), est, None, &policies, &[], &opts, &|| {}).unwrap();
        let mut fast = Vec::new();
        report.write_json(&mut fast).unwrap();
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            serde_json::to_string(&report).unwrap(),
            "{plan}"
        );
    }
}

#[test]
fn truncated_and_corrupted_plans_never_panic() {
    // Every corpus plan cut at many points, and with bytes flipped: an error or a result, never a
    // panic, and an estimate of whatever parses.
    let catalog = costfix_engine::Catalog::embedded();
    let mut tried = 0;
    for d in described().iter().filter(|d| d.kind == "plan") {
        let bytes = std::fs::read(fixtures().join("corpus").join(&d.file)).unwrap();
        let step = (bytes.len() / 23).max(1);
        for cut in (1..bytes.len()).step_by(step) {
            for variant in 0..2 {
                let mut b = bytes[..cut].to_vec();
                if variant == 1 {
                    let i = cut / 2;
                    b[i] = b'"';
                }
                tried += 1;
                let Ok(file) = InputFile::from_bytes(Path::new("x.json"), b) else {
                    continue;
                };
                if let Ok((doc, _)) = parse_document(&file) {
                    let _ = costfix_engine::estimate::estimate(
                        &doc,
                        "x.json",
                        None,
                        &catalog,
                        &Default::default(),
                        &Default::default(),
                    );
                }
            }
        }
    }
    assert!(tried > 1000, "{tried}");
}

/// Terraform 0.15.4 to 1.0.0 wrote `resource_drift` entries without `address`
/// (hashicorp/terraform#28975), one for every resource in the state. Every corpus plan's changes,
/// written that way (addresses removed, `terraform_version` 1.0.0, on one line as `terraform show
/// -json` writes it), read back with the address Terraform gives them: the one the corpus wrote.
#[test]
fn drift_entries_without_address_get_terraform_s_address() {
    let mut checked = 0;
    for d in described().iter().filter(|d| d.kind == "plan") {
        let path = fixtures().join("corpus").join(&d.file);
        let original = InputFile::read(&path).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(original.json()).unwrap();
        let Some(changes) = v["resource_changes"].as_array().cloned() else {
            continue;
        };
        if changes.is_empty() {
            continue;
        }
        let want: Vec<String> = changes
            .iter()
            .map(|c| c["address"].as_str().unwrap().to_string())
            .collect();
        let stripped: Vec<serde_json::Value> = changes
            .into_iter()
            .map(|mut c| {
                c.as_object_mut().unwrap().remove("address");
                c
            })
            .collect();
        v["terraform_version"] = "1.0.0".into();
        v["resource_drift"] = serde_json::Value::Array(stripped);
        let file = InputFile::from_bytes(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        let (doc, _) = parse_document(&file).unwrap_or_else(|e| panic!("{}: {e:?}", d.file));
        let Document::Plan(plan) = doc else {
            panic!("{}: not a plan", d.file)
        };
        let got: Vec<&str> = plan.resource_drift.iter().map(|c| &*c.address).collect();
        assert_eq!(got, want, "{}", d.file);
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} plans checked");
}
