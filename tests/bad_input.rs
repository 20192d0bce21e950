//! Bad input gets a diagnostic naming the file (and line and column where one applies), exit code 2,
//! never a panic; awkward but valid input (BOM, wrapper text, UTF-16) works.

mod common;

use common::{repo, run_in, Out};

const PLAN: &str = "fixtures/corpus/infracost/cmd/infracost/testdata/example_plan.json";
const TFSTATE: &str = "fixtures/corpus/terraform-json/testdata/no_changes/terraform.tfstate";

/// Write `bytes` as `name` in a fresh directory and run `costfix estimate name` there.
fn estimate_bytes(name: &str, bytes: &[u8]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let before: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    let o = run_in(dir.path(), &["estimate", name]);
    // Nothing is written next to the input.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), before.len());
    o
}

fn plan_bytes() -> Vec<u8> {
    std::fs::read(repo().join(PLAN)).unwrap()
}

fn assert_diagnostic(o: &Out, code: &str) {
    assert_eq!(o.code, 2, "stdout: {}\nstderr: {}", o.stdout, o.stderr);
    assert!(
        o.stdout.is_empty(),
        "nothing on stdout on error: {}",
        o.stdout
    );
    assert!(o.stderr.contains(code), "expected {code} in:\n{}", o.stderr);
}

#[test]
fn malformed_json_points_at_line_and_column() {
    let o = run_in(
        &repo(),
        &[
            "estimate",
            "fixtures/corpus/terraform-json/testdata/invalid/plan.json",
        ],
    );
    assert_diagnostic(&o, "costfix::input::json");
    assert!(
        o.stderr.contains("invalid/plan.json:676:29"),
        "{}",
        o.stderr
    );
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn truncated_plan() {
    let bytes = plan_bytes();
    let o = estimate_bytes("plan.json", &bytes[..bytes.len() / 2]);
    assert_diagnostic(&o, "costfix::input::json");
    assert!(o.stderr.contains("truncated"), "{}", o.stderr);
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn empty_file() {
    let o = estimate_bytes("plan.json", b"");
    assert_diagnostic(&o, "costfix::input::empty");
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["estimate", "no-such-plan.json"]);
    assert_diagnostic(&o, "costfix::io");
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn binary_plan_file() {
    // `terraform plan -out` writes a zip archive; costfix needs `terraform show -json` of it.
    let o = estimate_bytes(
        "plan.out",
        b"PK\x03\x04\x14\x00\x08\x00\x08\x00\xff\xfe\x00tfplan",
    );
    assert_diagnostic(&o, "costfix::input::binary_plan");
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn invalid_utf8() {
    let mut bytes = plan_bytes();
    bytes[100] = 0xC3;
    bytes[101] = 0x28;
    let o = estimate_bytes("plan.json", &bytes);
    assert_diagnostic(&o, "costfix::input::encoding");
    assert!(o.stderr.contains("byte 100"), "{}", o.stderr);
}

#[test]
fn text_that_is_not_json() {
    let o = estimate_bytes(
        "plan.txt",
        b"Terraform will perform the following actions:\n\n  # aws_instance.web will be created\n",
    );
    assert_diagnostic(&o, "costfix::input::not_json");
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn unknown_major_format_version() {
    let text = String::from_utf8(plan_bytes()).unwrap().replacen(
        "\"format_version\": \"0.2\"",
        "\"format_version\": \"2.0\"",
        1,
    );
    assert!(text.contains("\"2.0\""));
    let o = estimate_bytes("plan.json", text.as_bytes());
    assert_diagnostic(&o, "costfix::plan::format_version");
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn newer_minor_format_version_is_read_with_a_warning() {
    let text = String::from_utf8(plan_bytes()).unwrap().replacen(
        "\"format_version\": \"0.2\"",
        "\"format_version\": \"1.9\"",
        1,
    );
    let o = estimate_bytes("plan.json", text.as_bytes());
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("format_version 1.9 is newer"),
        "{}",
        o.stderr
    );
}

#[test]
fn state_version_2_names_the_version() {
    let text = std::fs::read_to_string(repo().join(TFSTATE))
        .unwrap()
        .replacen("\"version\": 4", "\"version\": 2", 1);
    assert!(text.contains("\"version\": 2"));
    let o = estimate_bytes("terraform.tfstate", text.as_bytes());
    assert_diagnostic(&o, "costfix::state::version");
    assert!(o.stderr.contains("version 2"), "{}", o.stderr);
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn a_version_4_body_labelled_version_3_is_refused() {
    // Version 3 has `modules`; a `resources` list under `"version": 3` is a damaged file, not an
    // empty version 3 state.
    let text = std::fs::read_to_string(repo().join(TFSTATE))
        .unwrap()
        .replacen("\"version\": 4", "\"version\": 3", 1);
    let o = estimate_bytes("terraform.tfstate", text.as_bytes());
    assert_diagnostic(&o, "costfix::input::invalid");
    assert!(o.stderr.contains("terraform.tfstate:2:3"), "{}", o.stderr);
    assert!(o.stderr.contains("`resources` list"), "{}", o.stderr);
}

#[test]
fn a_version_3_resource_key_that_is_not_an_address_is_refused() {
    let text = std::fs::read_to_string(repo().join("fixtures/states/v3-ec2.tfstate"))
        .unwrap()
        .replacen("\"aws_ebs_volume.data\"", "\"aws_ebs_volume\"", 1);
    let o = estimate_bytes("terraform.tfstate", text.as_bytes());
    assert_diagnostic(&o, "costfix::input::invalid");
    assert!(o.stderr.contains("terraform.tfstate:19:17"), "{}", o.stderr);
    assert!(o.stderr.contains("legacy resource address"), "{}", o.stderr);
}

#[test]
fn raw_tfstate_v4_is_read() {
    let o = run_in(&repo(), &["estimate", TFSTATE, "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["inputs"][0]["kind"], "state");
    assert_eq!(v["counts"]["resources"], 6);
}

#[test]
fn utf8_bom_and_wrapper_preamble_work() {
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(plan_bytes());
    let o = estimate_bytes("plan.json", &with_bom);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("byte-order mark"));

    let mut wrapped =
        b"[command]/home/runner/work/_temp/terraform-bin show -json plan.out\n".to_vec();
    wrapped.extend(plan_bytes());
    wrapped.extend(b"\n::debug::stdout written\n");
    let o2 = estimate_bytes("plan.json", &wrapped);
    assert_eq!(o2.code, 0, "{}", o2.stderr);
    assert!(o2.stderr.contains("non-JSON text"));
    assert_eq!(o.stdout, o2.stdout);
}

#[test]
fn two_documents_glued_together_are_an_error() {
    let mut twice = plan_bytes();
    twice.extend(plan_bytes());
    let o = estimate_bytes("plan.json", &twice);
    assert_diagnostic(&o, "costfix::input::json");
}

#[test]
fn a_plan_given_as_state() {
    let o = run_in(&repo(), &["estimate", PLAN, "--state", PLAN]);
    assert_diagnostic(&o, "costfix::input::kind");
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn a_provider_schema_is_neither() {
    let o = run_in(
        &repo(),
        &[
            "estimate",
            "fixtures/corpus/terraform-json/testdata/nested_config_keys/schemas.json",
        ],
    );
    assert_diagnostic(&o, "costfix::input::kind");
}

#[test]
fn wrong_types_in_a_plan() {
    let text = String::from_utf8(plan_bytes()).unwrap().replacen(
        "\"actions\": [",
        "\"actions\": 7, \"x\": [",
        1,
    );
    let o = estimate_bytes("plan.json", text.as_bytes());
    assert_diagnostic(&o, "costfix::input::json");
    assert!(o.stderr.contains("plan.json:"), "{}", o.stderr);
}

/// A plan on one line, as `terraform show -json` writes it, made from a 72 KB corpus plan: its
/// changes again as `resource_drift` without addresses, as Terraform 0.15.4 to 1.0.0 wrote them.
fn one_line_plan_with_old_drift() -> String {
    let text = std::fs::read_to_string(repo().join(
        "fixtures/corpus/checkov/tests/terraform/runner/resources/plan_nested_child_modules_with_connections/tfplan.json",
    ))
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut drift = v["resource_changes"].clone();
    for c in drift.as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("address");
    }
    v["terraform_version"] = "1.0.0".into();
    v["resource_drift"] = drift;
    serde_json::to_string(&v).unwrap()
}

#[test]
fn drift_without_addresses_is_read() {
    // Terraform 0.15.4 to 1.0.0 left `address` out of `resource_drift` (hashicorp/terraform#28975).
    let text = one_line_plan_with_old_drift();
    assert!(!text.contains('\n') && text.len() > 40_000);
    let o = estimate_bytes("plan.json", text.as_bytes());
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn a_diagnostic_on_a_long_line_quotes_a_few_hundred_bytes() {
    // A wrong type near the end of a one-line plan: the diagnostic quotes the part of the line
    // around the error, not the whole line, and still gives the file's own line and column.
    let text = one_line_plan_with_old_drift();
    let at = text.rfind("\"actions\":[").unwrap();
    let text = format!("{}\"actions\":7,\"x\":[{}", &text[..at], &text[at + 11..]);
    let column = at + "\"actions\":".len() + 1;
    let o = estimate_bytes("plan.json", text.as_bytes());
    assert_diagnostic(&o, "costfix::input::json");
    assert!(
        o.stderr.contains(&format!("[plan.json:1:{column}]")),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("…"), "{}", o.stderr);
    assert!(
        o.stderr.len() < 1500,
        "{} bytes:\n{}",
        o.stderr.len(),
        o.stderr
    );
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn bad_usage_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("usage.yml"),
        "version: 0.1\nresource_usage:\n  aws_instance.x: [oops\n",
    )
    .unwrap();
    let plan = repo().join(PLAN);
    let o = run_in(
        dir.path(),
        &["estimate", plan.to_str().unwrap(), "--usage", "usage.yml"],
    );
    assert_diagnostic(&o, "costfix::input::invalid");
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn bad_price_file_points_at_the_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prices.csv"),
        "service,region,product,dimension,unit,usd\nec2,us-east-1,m5.large,linux_on_demand,hour,0.1\nec2,us-east-1,m5.xlarge,linux_on_demand,hour,cheap\n",
    )
    .unwrap();
    let plan = repo().join(PLAN);
    let o = run_in(
        dir.path(),
        &["estimate", plan.to_str().unwrap(), "--prices", "prices.csv"],
    );
    assert_diagnostic(&o, "costfix::input::invalid");
    assert!(o.stderr.contains("prices.csv:3:1"), "{}", o.stderr);
    insta::assert_snapshot!(o.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let o = run_in(&repo(), &["estimate"]);
    assert_eq!(o.code, 2);
    let o = run_in(&repo(), &["estimate", PLAN, "--format", "yaml"]);
    assert_eq!(o.code, 2);
}

/// `terraform plan -json` prints the UI event stream, not the plan (users.md D13): the diagnostic
/// says what to run instead of "not valid JSON".
#[test]
fn the_ui_event_stream_of_plan_json_says_what_to_run() {
    let o = estimate_bytes(
        "ui.json",
        b"{\"@level\":\"info\",\"@message\":\"Terraform 1.11.4\",\"type\":\"version\"}\n{\"@level\":\"info\",\"type\":\"planned_change\"}\n",
    );
    assert_diagnostic(&o, "costfix::input::kind");
    assert!(o.stderr.contains("UI event stream"), "{}", o.stderr);
    assert!(
        o.stderr.contains("terraform show -json plan.out"),
        "{}",
        o.stderr
    );
}

/// A directory given as PLAN (users.md D14) is named as such, with what to give instead.
#[test]
fn a_directory_as_plan_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("infra")).unwrap();
    let o = run_in(dir.path(), &["estimate", "infra"]);
    assert_diagnostic(&o, "costfix::input::kind");
    assert!(o.stderr.contains("infra is a directory"), "{}", o.stderr);
}

/// `-` reads the plan from standard input (users.md D12), for every command taking a plan; and
/// `fix` takes the plan as PLAN like the others, `--plan` kept (D22).
#[test]
fn plans_from_stdin_and_fix_takes_plan_positionally() {
    use std::io::Write;
    let bytes = plan_bytes();
    for args in [
        &["--no-config", "estimate", "-", "--format", "json"][..],
        &["--no-config", "check", "-", "--format", "json"][..],
        &["--no-config", "fix", "-", "--format", "json"][..],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_costfix"))
            .args(args)
            .current_dir(repo())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&bytes).unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        // (`fix/v1` names it `schema`.)
        assert!(
            v["schema_version"].is_string() || v["schema"].is_string(),
            "{args:?}: {v}"
        );
    }
    let positional = run_in(&repo(), &["--no-config", "fix", PLAN, "--format", "json"]);
    let option = run_in(
        &repo(),
        &["--no-config", "fix", "--plan", PLAN, "--format", "json"],
    );
    assert_eq!(positional.stdout, option.stdout);
    assert!(positional.code < 2, "{}", positional.stderr);
}

#[test]
fn man_out_naming_a_file_names_it() {
    // reliability.md row 16: `man --out FILE` said "File exists" without the name.
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("costfix.1"), "mine").unwrap();
    let o = run_in(t.path(), &["--no-config", "man", "--out", "costfix.1"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("cannot write costfix.1"), "{}", o.stderr);
    assert!(o.stderr.contains("takes a folder"), "{}", o.stderr);
    assert_eq!(
        std::fs::read_to_string(t.path().join("costfix.1")).unwrap(),
        "mine"
    );
}

#[test]
fn huge_settings_files_are_refused_by_their_size() {
    // reliability.md row 16: a 1 GB (sparse) prices file took 16 s and 5.1 GB before its error;
    // a 1 GB configuration or budget file 2 GB. Each is refused by its size, before it is read.
    let t = tempfile::tempdir().unwrap();
    let huge = |name: &str| {
        let p = t.path().join(name);
        std::fs::File::create(&p).unwrap().set_len(1 << 30).unwrap();
        p
    };
    let plan = repo().join("fixtures/fix/shapes/plan.json");
    let plan = plan.to_str().unwrap();
    huge("prices.csv");
    let o = run_in(
        t.path(),
        &["--no-config", "estimate", plan, "--prices", "prices.csv"],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("1024 MiB: a price file may be at most 512 MiB"),
        "{}",
        o.stderr
    );
    std::fs::create_dir(t.path().join("slo")).unwrap();
    huge("slo/budgets.hcl");
    let o = run_in(t.path(), &["--no-config", "check", plan, "--slo", "slo"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("a budget file may be at most 64 MiB"),
        "{}",
        o.stderr
    );
    huge(".costfix.hcl");
    let o = run_in(t.path(), &["estimate", plan]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("a configuration file may be at most"),
        "{}",
        o.stderr
    );
}
