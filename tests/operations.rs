//! Drift-safe operations end to end on the shapes fixture tree (fixtures/fix/shapes, plan made by
//! the stand-in for `terraform plan`): `fix --out`, `apply` with each of the six safety checks
//! failing for a real reason, approval, rate limit, circuit breaker, rollback, log tampering,
//! concurrent applies, and crashes during apply.

mod common;

#[path = "../engine/tests/support/tf_plan.rs"]
#[allow(dead_code)]
mod tf_plan;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_dir, repo, Out};
use serde_json::Value;

const EPOCH: &str = "1763866800";

fn tree() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("tree");
    copy_dir(&repo().join("fixtures/fix/shapes"), &dst);
    (tmp, dst)
}

fn costfix(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_costfix"))
        .arg("--no-config")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("TF_WORKSPACE")
        .output()
        .unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    o
}

/// Plan operations for some rules.
fn plan_ops(dir: &Path, rules: &[&str]) -> Value {
    let mut args = vec![
        "fix",
        "--plan",
        "plan.json",
        "--environment",
        "dev",
        "--unsafe-fixes",
        "--out",
        "ops.json",
    ];
    for r in rules {
        args.extend(["--rule", r]);
    }
    let o = costfix(dir, &args);
    assert!(
        o.stderr.contains("operation(s) to ops.json"),
        "{}",
        o.stderr
    );
    serde_json::from_str(&std::fs::read_to_string(dir.join("ops.json")).unwrap()).unwrap()
}

fn apply_json(dir: &Path, extra: &[&str]) -> (i32, Vec<Value>) {
    let mut args = vec![
        "apply",
        "ops.json",
        "--environment",
        "dev",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let o = costfix(dir, &args);
    let v: Value =
        serde_json::from_str(&o.stdout).unwrap_or_else(|_| panic!("{}\n{}", o.stdout, o.stderr));
    (o.code, v["operations"].as_array().unwrap().clone())
}

fn by_address<'a>(ops: &'a [Value], addr: &str, rule: &str) -> &'a Value {
    ops.iter()
        .find(|o| o["address"] == addr && o["rule"] == rule)
        .unwrap_or_else(|| panic!("{rule} on {addr} not found"))
}

fn check_status<'a>(op: &'a Value, name: &str) -> (&'a str, &'a str) {
    let c = op["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap();
    (
        c["status"].as_str().unwrap(),
        c["message"].as_str().unwrap(),
    )
}

/// A `show -json` state holding the plan's planned values (the world as the plan expects it).
fn state_from_plan(dir: &Path, edit: impl Fn(&str, &mut Value)) -> PathBuf {
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    let mut root = Vec::new();
    for rc in plan["resource_changes"].as_array().unwrap() {
        if rc["module_address"].is_string() {
            continue;
        }
        let addr = rc["address"].as_str().unwrap();
        let mut values = rc["change"]["after"].clone();
        edit(addr, &mut values);
        let mut r = serde_json::json!({"address": addr, "mode": "managed", "type": rc["type"], "name": rc["name"],
            "provider_name": rc["provider_name"], "schema_version": 0, "values": values});
        if !rc["index"].is_null() {
            r["index"] = rc["index"].clone();
        }
        root.push(r);
    }
    let state = serde_json::json!({"format_version": "1.0", "terraform_version": "1.9.8",
        "values": {"root_module": {"resources": root}}});
    let p = dir.join("state.json");
    std::fs::write(&p, state.to_string()).unwrap();
    p
}

#[test]
fn an_operations_life_happy_path_and_rollback() {
    let (_t, dir) = tree();
    let ops = plan_ops(&dir, &["CF003"]);
    assert_eq!(ops["schema"], "costfix.operations/v1");
    let first = &ops["operations"][0];
    // The snapshot's hashes can be recomputed from what the file holds.
    let snap = &first["original"];
    assert_eq!(
        snap["attributes_sha256"],
        costfix_hash(&snap["attributes"]),
        "documented canonical form"
    );
    assert_eq!(snap["block"]["sha256"].as_str().unwrap().len(), 64);
    let state = state_from_plan(&dir, |_, _| {});
    let o = costfix(
        &dir,
        &[
            "apply",
            "ops.json",
            "--environment",
            "dev",
            "--state",
            state.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    insta::assert_snapshot!("apply_cf003", o.stdout);
    let log = costfix(&dir, &["log", "show"]);
    insta::assert_snapshot!("log_after_apply", log.stdout);
    assert_eq!(costfix(&dir, &["log", "verify"]).code, 0);
    let main = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    assert!(main.contains("type              = \"gp3\" # keep in sync"));

    // Roll one back: a dry run shows the reverse patch, --apply writes it.
    let id = by_address(
        ops["operations"].as_array().unwrap(),
        "aws_ebs_volume.data",
        "CF003",
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dry = costfix(&dir, &["rollback", &id]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout
            .contains("-  type              = \"gp3\" # keep in sync"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("+  type              = \"gp2\" # keep in sync"),
        "{}",
        dry.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("main.tf")).unwrap(),
        main,
        "dry run wrote nothing"
    );
    let o = costfix(&dir, &["rollback", &id, "--apply"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let back = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    assert!(back.contains("type              = \"gp2\" # keep in sync"));
    // The other operations of the run stay applied.
    assert!(back.contains("  type              = \"gp3\"\n  throughput        = 250\n"));
    // Rolled back once: not twice.
    assert_eq!(costfix(&dir, &["rollback", &id, "--apply"]).code, 2);

    // The rest of the run; the files end as they started.
    let o = costfix(&dir, &["rollback", "--last-run", "--apply"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for f in ["main.tf", "tail.tf", "windows.tf"] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(repo().join("fixtures/fix/shapes").join(f)).unwrap(),
            "{f}"
        );
    }
    assert_eq!(costfix(&dir, &["log", "verify"]).code, 0);
}

/// sha256 of the canonical JSON, computed here independently of the engine.
fn costfix_hash(v: &Value) -> String {
    fn canon(v: &Value) -> String {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let parts: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}:{}", serde_json::to_string(k).unwrap(), canon(&m[*k])))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
            Value::Array(a) => format!("[{}]", a.iter().map(canon).collect::<Vec<_>>().join(",")),
            x => serde_json::to_string(x).unwrap(),
        }
    }
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(canon(v).as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

#[test]
fn each_safety_check_blocks_for_a_real_reason() {
    // 1. Drift: six attributes of the volume changed in the state → major drift.
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    let state = state_from_plan(&dir, |addr, v| {
        if addr == "aws_ebs_volume.data" {
            for (k, x) in [
                ("iops", 3000),
                ("throughput", 125),
                ("multi_attach_enabled", 1),
            ] {
                v[k] = x.into();
            }
            v["kms_key_id"] = "arn:aws:kms:us-east-1:1:key/x".into();
            v["snapshot_id"] = "snap-1".into();
            v["final_snapshot"] = true.into();
        }
    });
    let (code, ops) = apply_json(&dir, &["--state", state.to_str().unwrap()]);
    assert_eq!(code, 1);
    let op = by_address(&ops, "aws_ebs_volume.data", "CF003");
    assert_eq!(op["state"], "Failed");
    let (status, msg) = check_status(op, "no_drift");
    assert_eq!(status, "failed");
    assert!(msg.contains("major drift: 6 attributes"), "{msg}");
    // A minor drift (tags) proceeds with a warning.
    assert_eq!(
        by_address(&ops, "aws_ebs_volume.logs", "CF003")["state"],
        "Applied"
    );

    // 2. The resource is gone from the code, 3. the block was edited.
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    let main = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    let edited = main
        .replace("resource \"aws_ebs_volume\" \"logs\" {\n  availability_zone = \"us-east-1a\"\n  size              = 500\n}\n", "")
        .replace("  encrypted         = true\n", "  encrypted         = false\n");
    std::fs::write(dir.join("main.tf"), edited).unwrap();
    let (_, ops) = apply_json(&dir, &[]);
    let gone = by_address(&ops, "aws_ebs_volume.logs", "CF003");
    assert_eq!(check_status(gone, "resource_exists").0, "failed");
    let changed = by_address(&ops, "aws_ebs_volume.data", "CF003");
    let (status, msg) = check_status(changed, "config_hash_match");
    assert_eq!(status, "failed", "{msg}");
    assert!(msg.contains("changed since the fix was planned"), "{msg}");
    assert!(changed["checks"][2]["details"]["block_diff"]
        .as_str()
        .unwrap()
        .contains("+  encrypted         = false"));
    // The touched attribute changed in the state: blocked too.
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    let state = state_from_plan(&dir, |addr, v| {
        if addr == "aws_ebs_volume.data" {
            v["type"] = "io1".into();
        }
    });
    let (_, ops) = apply_json(&dir, &["--state", state.to_str().unwrap()]);
    let (status, msg) = check_status(
        by_address(&ops, "aws_ebs_volume.data", "CF003"),
        "config_hash_match",
    );
    assert_eq!(status, "failed");
    assert!(msg.contains("type is \"io1\" now"), "{msg}");

    // 4. Cost: prices changed since planning, gp3 is now dearer than gp2.
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    std::fs::write(
        dir.join("prices.csv"),
        "service,region,product,dimension,unit,usd\nebs,us-east-1,gp3,storage,GB-month,0.12\n",
    )
    .unwrap();
    let (_, ops) = apply_json(&dir, &["--prices", "prices.csv"]);
    let (status, msg) = check_status(
        by_address(&ops, "aws_ebs_volume.data", "CF003"),
        "cost_impact_acceptable",
    );
    assert_eq!(status, "failed");
    assert!(msg.contains("does not lower"), "{msg}");

    // 5. A policy denies gp3 volumes (the team's snapshot tooling).
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    std::fs::create_dir(dir.join("policy")).unwrap();
    std::fs::write(
        dir.join("policy/no_gp3.rego"),
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  rc := input.resource_changes[_]\n  rc.type == \"aws_ebs_volume\"\n  rc.change.after.type == \"gp3\"\n  msg := {\"msg\": sprintf(\"%s: gp3 is not supported by the snapshot tooling\", [rc.address]), \"resource\": rc.address}\n}\n",
    )
    .unwrap();
    let (_, ops) = apply_json(&dir, &["--policy", "policy"]);
    let (status, msg) = check_status(
        by_address(&ops, "aws_ebs_volume.data", "CF003"),
        "no_policy_violation",
    );
    assert_eq!(status, "failed", "{msg}");
    assert!(msg.contains("gp3 is not supported"), "{msg}");

    // 6. A budget the fix would break: gp3 a little dearer, within the non-strict tolerance.
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    std::fs::write(
        dir.join("prices.csv"),
        "service,region,product,dimension,unit,usd\nebs,us-east-1,gp3,storage,GB-month,0.1001\n",
    )
    .unwrap();
    std::fs::write(dir.join("budget.hcl"), "budget \"data-volume\" {\n  monthly_limit = 10.005\n  resources     = [\"aws_ebs_volume.data\"]\n}\n").unwrap();
    let (_, ops) = apply_json(
        &dir,
        &[
            "--prices",
            "prices.csv",
            "--no-strict",
            "--slo",
            "budget.hcl",
        ],
    );
    let op = by_address(&ops, "aws_ebs_volume.data", "CF003");
    assert_eq!(check_status(op, "cost_impact_acceptable").0, "warning");
    let (status, msg) = check_status(op, "no_slo_violation");
    assert_eq!(status, "failed", "{msg}");
    assert!(msg.contains("data-volume"), "{msg}");
}

#[test]
fn approval_risk_and_rate_limits() {
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF008", "CF003"]);
    let (code, ops) = apply_json(&dir, &["--max-operations", "1"]);
    assert_eq!(code, 1);
    let multi_az = by_address(&ops, "aws_db_instance.db", "CF008");
    assert_eq!(multi_az["risk"], "high");
    assert_eq!(multi_az["state"], "Pending");
    assert!(
        multi_az["log"].as_array().unwrap().last().unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("needs approval")
    );
    let applied = ops.iter().filter(|o| o["state"] == "Applied").count();
    assert_eq!(applied, 1, "--max-operations 1");
    // With an approver, and under --max-risk medium: still skipped for its risk.
    plan_ops(&dir, &["CF008"]);
    let (_, ops) = apply_json(&dir, &["--approve-by", "alice", "--max-risk", "medium"]);
    assert_eq!(ops[0]["state"], "Pending");
    let (code, ops) = apply_json(&dir, &["--approve-by", "alice"]);
    assert_eq!((code, ops[0]["state"].as_str()), (0, Some("Applied")));
    assert_eq!(ops[0]["approval"]["approved_by"], "alice");
    let log = costfix(&dir, &["log", "show", "--format", "json"]);
    assert!(
        log.stdout.contains("\"approver\": \"alice\""),
        "the approver is logged"
    );
}

#[test]
fn the_circuit_breaker_opens_after_three_failures() {
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    std::fs::write(
        dir.join("prices.csv"),
        "service,region,product,dimension,unit,usd\nebs,us-east-1,gp3,storage,GB-month,0.5\n",
    )
    .unwrap();
    let (_, ops) = apply_json(&dir, &["--prices", "prices.csv"]);
    assert!(ops.iter().filter(|o| o["state"] == "Failed").count() >= 3);
    let o = costfix(&dir, &["apply", "ops.json", "--environment", "dev"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("circuit breaker is open"), "{}", o.stderr);
    assert_eq!(
        costfix(&dir, &["log", "reset-breaker", "--by", "bob"]).code,
        0
    );
    let (code, _) = apply_json(&dir, &[]);
    assert_eq!(code, 0);
    assert!(costfix(&dir, &["log", "show"])
        .stdout
        .contains("circuit breaker reset by bob"));
}

#[test]
fn rollback_is_refused_after_a_later_edit_unless_forced() {
    let (_t, dir) = tree();
    let ops = plan_ops(&dir, &["CF003"]);
    assert_eq!(apply_json(&dir, &[]).0, 0);
    let id = by_address(
        ops["operations"].as_array().unwrap(),
        "aws_ebs_volume.tail",
        "CF003",
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tail = std::fs::read_to_string(dir.join("tail.tf")).unwrap();
    std::fs::write(dir.join("tail.tf"), tail.replace("\"gp3\"", "\"st1\"")).unwrap();
    let o = costfix(&dir, &["rollback", &id, "--apply"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("changed outside costfix since it was last written"),
        "{}",
        o.stderr
    );
    assert!(std::fs::read_to_string(dir.join("tail.tf"))
        .unwrap()
        .contains("st1"));
    // With --force, what the fix wrote is undone where it is still found: here nothing is.
    let o = costfix(&dir, &["rollback", &id, "--apply", "--force"]);
    assert!(
        std::fs::read_to_string(dir.join("tail.tf"))
            .unwrap()
            .contains("st1"),
        "{}",
        o.stderr
    );
    // A patch for review instead.
    let (_t2, dir2) = tree();
    let ops = plan_ops(&dir2, &["CF003"]);
    apply_json(&dir2, &[]);
    let id = ops["operations"][0]["id"].as_str().unwrap().to_string();
    let o = costfix(&dir2, &["rollback", &id, "--patch-out", "undo.patch"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let st = Command::new("git")
        .args(["apply", "--check", "undo.patch"])
        .current_dir(&dir2)
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn tampering_with_the_log_is_detected_and_stops_apply() {
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    apply_json(&dir, &[]);
    let path = dir.join(".costfix/oplog.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cases = [
        (
            "edited",
            text.replacen("applied and verified", "applied and verified!", 1),
        ),
        (
            "deleted",
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 2)
                .map(|(_, l)| format!("{l}\n"))
                .collect(),
        ),
        ("reordered", {
            let mut l = lines.clone();
            l.swap(1, 2);
            l.iter().map(|x| format!("{x}\n")).collect()
        }),
        ("torn", format!("{text}{{\"seq\":99,\"ti")),
    ];
    for (kind, t) in cases {
        std::fs::write(&path, &t).unwrap();
        let o = costfix(&dir, &["log", "verify"]);
        assert_eq!(o.code, 1, "{kind}");
        assert!(
            o.stdout.contains(kind) || (kind == "reordered" && o.stdout.contains("chain")),
            "{kind}: {}",
            o.stdout
        );
        let a = costfix(&dir, &["apply", "ops.json", "--environment", "dev"]);
        assert_eq!(a.code, 2, "{kind}: apply must refuse a broken log");
    }
    std::fs::write(&path, &text).unwrap();
    assert_eq!(costfix(&dir, &["log", "verify"]).code, 0);
}

#[test]
fn a_second_apply_on_the_same_tree_waits_for_none() {
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    std::fs::create_dir_all(dir.join(".costfix")).unwrap();
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".costfix/lock"))
        .unwrap();
    held.lock().unwrap();
    let o = costfix(&dir, &["apply", "ops.json", "--environment", "dev"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("another costfix apply"), "{}", o.stderr);
    drop(held);
    assert_eq!(
        costfix(&dir, &["apply", "ops.json", "--environment", "dev"]).code,
        0
    );
}

/// Kill `apply` at random moments: every file is entirely one of the states a prefix of the
/// operations gives (never half-written), the log verifies or has only a torn tail, and
/// `recover` leaves a consistent tree and log.
#[test]
fn crashes_during_apply_leave_no_half_files() {
    let files = ["main.tf", "tail.tf", "windows.tf"];
    // The states each file can be in: after the first k operations, k = 0..=4.
    let mut allowed: Vec<Vec<Vec<u8>>> = vec![Vec::new(); files.len()];
    for k in 0..=4 {
        let (_t, dir) = tree();
        plan_ops(&dir, &["CF003"]);
        if k > 0 {
            apply_json(&dir, &["--max-operations", &k.to_string()]);
        }
        for (i, f) in files.iter().enumerate() {
            let b = std::fs::read(dir.join(f)).unwrap();
            if !allowed[i].contains(&b) {
                allowed[i].push(b);
            }
        }
    }
    // The final state: every operation applied.
    let done: Vec<Vec<u8>> = {
        let (_t, dir) = tree();
        plan_ops(&dir, &["CF003"]);
        apply_json(&dir, &[]);
        files
            .iter()
            .map(|f| std::fs::read(dir.join(f)).unwrap())
            .collect()
    };
    // Kill moments spread over an uninterrupted apply's run here.
    let span = {
        let (_t, dir) = tree();
        plan_ops(&dir, &["CF003"]);
        let start = std::time::Instant::now();
        apply_json(&dir, &[]);
        (start.elapsed().as_micros() as u64).max(1)
    };
    // `COSTFIX_KILL_TRIALS` (the note's figures come from 300), else 30.
    let trials: usize = std::env::var("COSTFIX_KILL_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut killed_mid_run = 0;
    for _ in 0..trials {
        let (_t, dir) = tree();
        plan_ops(&dir, &["CF003"]);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = std::time::Duration::from_micros(seed % span);
        // The temporary folder of this run alone: nothing may be left in it.
        let tmp = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_costfix"))
            .args(["--no-config", "apply", "ops.json", "--environment", "dev"])
            .current_dir(&dir)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("TMPDIR", tmp.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        for (i, f) in files.iter().enumerate() {
            let b = std::fs::read(dir.join(f)).unwrap();
            assert!(
                allowed[i].contains(&b),
                "{f} is half-written after a kill at {delay:?}"
            );
        }
        let v = costfix(&dir, &["log", "verify"]);
        assert!(
            v.code == 0
                || v
                    .stdout
                    .lines()
                    .all(|l| l.contains(": torn: ") || l.contains(": unfinished: ")),
            "after a kill the log is intact, or only its last entry is torn or in the head alone: {}",
            v.stdout
        );
        let r = costfix(&dir, &["recover"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(costfix(&dir, &["log", "verify"]).code, 0);
        // No operation is left unfinished.
        let log = costfix(&dir, &["log", "show", "--format", "json"]);
        let entries: Vec<Value> = serde_json::from_str(&log.stdout).unwrap();
        let mut last = std::collections::BTreeMap::new();
        for e in entries
            .iter()
            .filter(|e| e["transition"].as_str().unwrap().contains("->"))
        {
            last.insert(
                e["op"].as_str().unwrap().to_string(),
                e["transition"].as_str().unwrap().to_string(),
            );
        }
        for (op, t) in last {
            assert!(
                t.ends_with("->Applied") || t.ends_with("->Failed") || t.ends_with("->RolledBack"),
                "{op} left at {t}"
            );
        }
        for (i, f) in files.iter().enumerate() {
            assert!(
                allowed[i].contains(&std::fs::read(dir.join(f)).unwrap()),
                "{f} after recover"
            );
        }
        // No temporary file in the tree or in $TMPDIR.
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".tmp"))
            .chain(
                std::fs::read_dir(tmp.path())
                    .unwrap()
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string()),
            )
            .collect();
        assert!(left.is_empty(), "left after recover: {left:?}");
        // The same apply then finishes the work.
        let again = costfix(&dir, &["apply", "ops.json", "--environment", "dev"]);
        assert_eq!(
            again.code, 0,
            "the same apply after recover: {}",
            again.stderr
        );
        for (i, f) in files.iter().enumerate() {
            assert_eq!(
                std::fs::read(dir.join(f)).unwrap(),
                done[i],
                "{f} after the same apply"
            );
        }
    }
    eprintln!("{trials} kills of apply: {killed_mid_run} mid-run (uninterrupted: {span} µs)");
    assert!(
        killed_mid_run > 0,
        "no run was killed before it finished: the test proved nothing"
    );
}

#[test]
fn a_plan_made_after_the_change_verifies_it_or_rolls_it_back() {
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    assert_eq!(apply_json(&dir, &[]).0, 0);
    // terraform plan after the change (the stand-in, on the patched tree).
    std::fs::write(dir.join("after.json"), tf_plan::plan_from_dir(&dir, &[])).unwrap();
    let o = costfix(
        &dir,
        &[
            "apply",
            "ops.json",
            "--environment",
            "dev",
            "--verify-plan",
            "after.json",
        ],
    );
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("4 applied operation(s) checked, 0 rolled back"),
        "{}",
        o.stdout
    );
    // A plan in which one volume did not move (someone's -var kept it on gp2): that one is
    // rolled back automatically, the others stay.
    let mut after: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("after.json")).unwrap()).unwrap();
    for rc in after["resource_changes"].as_array_mut().unwrap() {
        if rc["address"] == "aws_ebs_volume.tail" {
            rc["change"]["after"]["type"] = "gp2".into();
        }
    }
    std::fs::write(dir.join("after2.json"), after.to_string()).unwrap();
    let o = costfix(
        &dir,
        &[
            "apply",
            "ops.json",
            "--environment",
            "dev",
            "--verify-plan",
            "after2.json",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("rolled back  aws_ebs_volume.tail: aws_ebs_volume.tail: type is \"gp2\" in the new plan"), "{}", o.stdout);
    assert_eq!(
        std::fs::read(dir.join("tail.tf")).unwrap(),
        std::fs::read(repo().join("fixtures/fix/shapes/tail.tf")).unwrap()
    );
    assert!(std::fs::read_to_string(dir.join("windows.tf"))
        .unwrap()
        .contains("gp3"));
    assert_eq!(costfix(&dir, &["log", "verify"]).code, 0);
}

#[test]
fn rolling_back_a_run_undoes_several_operations_in_one_file() {
    let (_t, dir) = tree();
    plan_ops(&dir, &["CF003", "CF006", "CF004"]);
    let (code, ops) = apply_json(&dir, &[]);
    assert_eq!(code, 0, "{ops:?}");
    let in_main = ops
        .iter()
        .filter(|o| o["target"]["edits"][0]["file"] == "main.tf")
        .count();
    assert!(in_main >= 3, "several operations edit main.tf");
    let o = costfix(
        &dir,
        &["rollback", "--last-run", "--patch-out", "undo.patch"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = costfix(&dir, &["rollback", "--last-run", "--apply"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for f in ["main.tf", "tail.tf", "windows.tf", "modules/web/main.tf"] {
        assert_eq!(
            std::fs::read_to_string(dir.join(f)).unwrap(),
            std::fs::read_to_string(repo().join("fixtures/fix/shapes").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_bad_operations_file_is_a_diagnostic() {
    let (_t, dir) = tree();
    std::fs::write(
        dir.join("ops.json"),
        "{\n  \"schema\": \"costfix.operations/v1\",\n  \"operations\": [ oops ]\n}\n",
    )
    .unwrap();
    let o = costfix(&dir, &["apply", "ops.json", "--environment", "dev"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("not an operations file") && o.stderr.contains("ops.json:3"),
        "{}",
        o.stderr
    );
    let ops = plan_ops(&dir, &["CF003"]);
    let mut other = ops.clone();
    other["schema"] = "costfix.operations/v9".into();
    std::fs::write(dir.join("ops.json"), other.to_string()).unwrap();
    let o = costfix(&dir, &["apply", "ops.json", "--environment", "dev"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("is not costfix.operations/v1"),
        "{}",
        o.stderr
    );
    assert!(!dir.join(".costfix/oplog.jsonl").exists(), "nothing logged");
}

#[test]
fn rollback_and_recover_on_a_tree_without_runs() {
    let (_tmp, dir) = tree();
    let o = costfix(&dir, &["rollback", "--last-run"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("the log has no apply run"),
        "{}",
        o.stderr
    );
    let o = costfix(&dir, &["rollback", "op-000000000000"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("not an applied operation"),
        "{}",
        o.stderr
    );
    let o = costfix(&dir, &["recover"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("nothing to recover"), "{}", o.stderr);
}

#[test]
fn apply_refuses_a_state_given_as_the_plan_and_a_plan_given_as_the_state() {
    let (_tmp, dir) = tree();
    plan_ops(&dir, &["CF003"]);
    let state = repo().join("fixtures/corpus/terraform-json/testdata/no_changes/terraform.tfstate");
    std::fs::copy(state, dir.join("s.tfstate")).unwrap();
    let o = costfix(
        &dir,
        &[
            "apply",
            "ops.json",
            "--environment",
            "dev",
            "--plan",
            "s.tfstate",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("is a Terraform state, not a Terraform plan"),
        "{}",
        o.stderr
    );
    let o = costfix(
        &dir,
        &[
            "apply",
            "ops.json",
            "--environment",
            "dev",
            "--state",
            "plan.json",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("is a Terraform plan, not a Terraform state"),
        "{}",
        o.stderr
    );
    // Nothing was applied.
    let log = costfix(&dir, &["log", "show"]);
    assert!(!log.stdout.contains("Applying->Applied"), "{}", log.stdout);
}
