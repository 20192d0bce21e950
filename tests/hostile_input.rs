//! Hostile inputs not covered by `bad_input.rs`: huge numbers, deep nesting, a 100 MB string,
//! symlink loops in the `.tf` tree, a full disk while fixes are written. Each row of
//! docs/bad-input.md names its test.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_dir, repo, run_in};
use serde_json::Value;

fn shapes_plan() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/fix/shapes/plan.json")).unwrap(),
    )
    .unwrap()
}

fn set_after(plan: &mut Value, address: &str, key: &str, v: Value) {
    for rc in plan["resource_changes"].as_array_mut().unwrap() {
        if rc["address"] == address {
            rc["change"]["after"][key] = v.clone();
        }
    }
}

#[test]
fn huge_numbers_are_unpriced_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    // 1e400 is beyond f64 and Decimal alike; serde_json keeps it as text in a raw value.
    let text = serde_json::to_string(&shapes_plan()).unwrap().replacen(
        "\"size\":100",
        "\"size\":1e400",
        1,
    );
    assert!(text.contains("1e400"));
    std::fs::write(tmp.path().join("plan.json"), text).unwrap();
    let o = run_in(
        tmp.path(),
        &["--no-config", "estimate", "plan.json", "--format", "json"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let data = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "aws_ebs_volume.data")
        .unwrap();
    assert_eq!(data["items"][0]["status"], "unpriced");
    assert!(
        data["items"][0]["note"].as_str().unwrap().contains("1e400"),
        "{data}"
    );
    // And 2^64 instances of nothing in particular: no overflow panic.
    let mut plan = shapes_plan();
    set_after(
        &mut plan,
        "aws_ebs_volume.logs",
        "size",
        serde_json::json!(18446744073709551616u128 as f64),
    );
    std::fs::write(tmp.path().join("plan2.json"), plan.to_string()).unwrap();
    let o = run_in(tmp.path(), &["--no-config", "estimate", "plan2.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // 2^64 written as an integer fits an exact decimal: it was priced $1.8e18. Now beyond the
    // ceiling of a size (1,000,000 GB), unpriced with the value named.
    let v = estimate_with(
        tmp.path(),
        SHAPES,
        "aws_ebs_volume.data",
        &["size"],
        "18446744073709551616",
    );
    unpriced_naming(&v, "aws_ebs_volume.data", "size = 18446744073709551616");
}

const SHAPES: &str = "fixtures/fix/shapes/plan.json";
/// A Terraform 0.12 plan with an autoscaling group (launch configuration) and an ELB.
const ASG: &str =
    "fixtures/corpus/terraform-compliance-cli/tests/functional/test_issue-127/plan.out.json";
/// Two EKS node groups and two instances.
const EKS: &str = "fixtures/rules/cf002.json";
/// infracost's example: an instance and a Lambda function, with its usage file.
const EXAMPLE: &str = "fixtures/corpus/infracost/examples/terraform/plan.json";

/// The fixture plan at `fixture` with the value at `path` under `address`'s `change.after` written
/// as the JSON text `raw` (as it is: `1e308` and 2^64 stay as written), estimated as JSON.
fn estimate_with(dir: &Path, fixture: &str, address: &str, path: &[&str], raw: &str) -> Value {
    let text = plan_with(fixture, address, path, raw);
    std::fs::write(dir.join("plan.json"), text).unwrap();
    let o = run_in(
        dir,
        &["--no-config", "estimate", "plan.json", "--format", "json"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

fn plan_with(fixture: &str, address: &str, path: &[&str], raw: &str) -> String {
    const MARK: &str = "\u{1}costfix-test-value\u{1}";
    let mut plan: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join(fixture)).unwrap()).unwrap();
    let mut found = false;
    for rc in plan["resource_changes"].as_array_mut().unwrap() {
        if rc["address"] == address {
            let mut v = &mut rc["change"]["after"];
            for k in &path[..path.len() - 1] {
                v = match k.parse::<usize>() {
                    Ok(i) => &mut v[i],
                    Err(_) => &mut v[*k],
                };
            }
            let last = path[path.len() - 1];
            assert!(v.is_object(), "{fixture}: {address} has no {path:?}");
            v[last] = Value::String(MARK.into());
            found = true;
        }
    }
    assert!(found, "{fixture} has no {address}");
    let text = plan.to_string();
    let mark = serde_json::to_string(MARK).unwrap();
    assert_eq!(text.matches(&mark).count(), 1);
    text.replace(&mark, raw)
}

/// `address` is unpriced, each of its items saying `needle` (the attribute and its value); no
/// resource and no total is negative.
fn unpriced_naming(v: &Value, address: &str, needle: &str) {
    let r = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("no {address}"));
    assert_eq!(r["pricing"], "unpriced", "{r}");
    assert!(r["monthly_after"].is_null(), "{r}");
    let items = r["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{r}");
    for i in items {
        assert_eq!(i["status"], "unpriced", "{r}");
        let note = i["note"].as_str().unwrap_or_default();
        assert!(note.contains(needle), "{needle:?} not in {note:?}");
        assert!(note.contains("is not a valid quantity"), "{note}");
    }
    assert!(
        v["unpriced"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["address"] == address
                && u["reason"].as_str().unwrap_or_default().contains(needle)),
        "{}",
        v["unpriced"]
    );
    not_negative(v);
}

fn not_negative(v: &Value) {
    let neg = |x: &Value| x.as_str().is_some_and(|s| s.starts_with('-'));
    for k in ["before", "after", "delta"] {
        assert!(!neg(&v["totals"][k]), "total {k}: {}", v["totals"]);
    }
    for r in v["resources"].as_array().unwrap() {
        assert!(
            !neg(&r["monthly_after"]) && !neg(&r["monthly_before"]),
            "{r}"
        );
        for i in r["items"].as_array().unwrap() {
            assert!(!neg(&i["monthly"]) && !neg(&i["quantity"]), "{i}");
        }
    }
}

/// reliability.md, "numbers in plans": a volume of -1 GB was priced -$0.10, an autoscaling group
/// of -1 instances and a node group of -3 negative too (the total went below zero).
#[test]
fn negative_sizes_and_counts_are_unpriced_naming_the_value() {
    let tmp = tempfile::tempdir().unwrap();
    let v = estimate_with(tmp.path(), SHAPES, "aws_ebs_volume.data", &["size"], "-1");
    unpriced_naming(
        &v,
        "aws_ebs_volume.data",
        "size = -1 is not a valid quantity (negative)",
    );
    let v = estimate_with(
        tmp.path(),
        ASG,
        "aws_autoscaling_group.example",
        &["desired_capacity"],
        "-1",
    );
    unpriced_naming(&v, "aws_autoscaling_group.example", "desired_capacity = -1");
    let v = estimate_with(
        tmp.path(),
        EKS,
        "aws_eks_node_group.workers",
        &["scaling_config", "0", "desired_size"],
        "-3",
    );
    unpriced_naming(&v, "aws_eks_node_group.workers", "desired_size = -3");
    // A negative size in a nested block (an instance's root volume) and a negative number
    // written as a string, as some providers write numbers.
    let v = estimate_with(
        tmp.path(),
        EXAMPLE,
        "aws_instance.web_app",
        &["root_block_device", "0", "volume_size"],
        "\"-8\"",
    );
    unpriced_naming(&v, "aws_instance.web_app", "volume_size = \"-8\"");
    // `check` sees the same: the resource is a warning, not a negative figure.
    let o = run_in(
        tmp.path(),
        &["--no-config", "check", "plan.json", "--format", "json"],
    );
    assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
    assert!(
        o.stdout.contains("volume_size = \\\"-8\\\""),
        "{}",
        o.stdout
    );
}

/// `desired_capacity = 1e308` was priced as one instance, "desired_capacity not set: min_size
/// used": a number out of range is not a missing one. Counts must also be whole and at most a
/// million.
#[test]
fn absurd_counts_are_unpriced_not_replaced_by_a_default() {
    let tmp = tempfile::tempdir().unwrap();
    for (raw, why) in [
        ("1e308", "costfix's ceiling for a count"),
        ("1e400", "costfix's ceiling for a count"),
        ("100000000000000000000", "costfix's ceiling for a count"),
        ("-1e308", "negative"),
        ("2.5", "not a whole number"),
        ("\"many\"", "not a number"),
        ("true", "not a number"),
    ] {
        let v = estimate_with(
            tmp.path(),
            ASG,
            "aws_autoscaling_group.example",
            &["desired_capacity"],
            raw,
        );
        unpriced_naming(
            &v,
            "aws_autoscaling_group.example",
            &format!("desired_capacity = {raw} is not a valid quantity ("),
        );
        assert!(
            v["unpriced"][0]["reason"].as_str().unwrap().contains(why),
            "{raw}: {}",
            v["unpriced"]
        );
        assert!(!v.to_string().contains("min_size used"), "{raw}");
    }
    let v = estimate_with(
        tmp.path(),
        EKS,
        "aws_eks_node_group.workers",
        &["scaling_config", "0", "desired_size"],
        "1000001",
    );
    unpriced_naming(&v, "aws_eks_node_group.workers", "desired_size = 1000001");
    // The ceilings are inclusive: a million instances are priced.
    let v = estimate_with(
        tmp.path(),
        EKS,
        "aws_eks_node_group.workers",
        &["scaling_config", "0", "desired_size"],
        "1000000",
    );
    let r = &v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "aws_eks_node_group.workers")
        .unwrap();
    assert_eq!(r["pricing"], "priced", "{r}");
}

/// reliability.md, "usage file": `monthly_hrs: -730` gave a negative total and
/// `operating_system: [1,2,3]` was taken for Linux, exit 0. A usage value that is negative, not
/// finite, beyond its ceiling, a list, or not a string where a word is expected is now a
/// diagnostic (exit 2) naming the key, the resource and the line; a word where a number is read,
/// which only the cost model can tell, makes the resource unpriced naming the key.
#[test]
fn usage_values_that_are_negative_or_of_the_wrong_type_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join(EXAMPLE), tmp.path().join("plan.json")).unwrap();
    let usage = |body: &str| {
        let text = format!(
            "version: 0.1\nresource_usage:\n  aws_lambda_function.hello_world:\n    monthly_requests: 100000000\n  aws_instance.web_app:\n    {body}\n"
        );
        std::fs::write(tmp.path().join("usage.yml"), text).unwrap();
        run_in(
            tmp.path(),
            &[
                "--no-config",
                "estimate",
                "plan.json",
                "--usage",
                "usage.yml",
                "--format",
                "json",
            ],
        )
    };
    for (body, says) in [
        (
            "monthly_hrs: -730",
            "-730 is not a valid quantity (negative)",
        ),
        (
            "monthly_hrs: \"-730\"",
            "is not a valid quantity (negative)",
        ),
        (
            "monthly_hrs: .nan",
            ".nan is not a valid quantity (not a finite number)",
        ),
        ("monthly_hrs: -.inf", "-.inf is not a valid quantity"),
        ("monthly_hrs: 745", "more than 744"),
        ("operating_system: [1, 2, 3]", "is a list"),
        ("operating_system: 5", "a string is expected"),
        ("instances: 1.5", "not a whole number"),
    ] {
        let mut o = usage(body);
        // miette wraps the message at the terminal's width.
        o.stderr = o.stderr.replace("\n  | ", " ");
        assert_eq!(o.code, 2, "{body}: {}", o.stdout);
        assert!(o.stdout.is_empty(), "{body}");
        let key = body.split(':').next().unwrap();
        for needle in [
            &format!("usage key `{key}`"),
            "`aws_instance.web_app`",
            says,
            "usage.yml:6:5",
        ] {
            assert!(
                o.stderr.contains(needle),
                "{body}: {needle:?} not in {}",
                o.stderr
            );
        }
    }
    // A type's default usage is checked the same way.
    std::fs::write(
        tmp.path().join("usage.yml"),
        "version: 0.1\nresource_type_default_usage:\n  aws_lambda_function:\n    monthly_requests: -5\n",
    )
    .unwrap();
    let o = run_in(
        tmp.path(),
        &[
            "--no-config",
            "estimate",
            "plan.json",
            "--usage",
            "usage.yml",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(
        o.stderr
            .contains("the default usage of `aws_lambda_function`")
            && o.stderr.contains("monthly_requests"),
        "{}",
        o.stderr
    );
    // A word where costfix reads a number: the resource is unpriced, naming the key.
    let o = usage("monthly_hrs: lots");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    unpriced_naming(&v, "aws_instance.web_app", "usage monthly_hrs = \"lots\"");
    // Valid values still price (and 744 hours, a 31-day month, is the ceiling).
    let o = usage("monthly_hrs: 744");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    not_negative(&v);
    assert_eq!(v["complete"], true, "{}", v["unpriced"]);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = serde_json::to_string(&shapes_plan()).unwrap().replacen(
        "\"encrypted\":true",
        &format!("\"encrypted\":{deep}"),
        1,
    );
    std::fs::write(tmp.path().join("plan.json"), text).unwrap();
    // Estimating never looks inside the value: it works.
    let o = run_in(tmp.path(), &["--no-config", "estimate", "plan.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The shipped policies do not read that attribute: it is skipped, not built.
    let o = run_in(tmp.path(), &["--no-config", "check", "plan.json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    // With every value given to policies: a diagnostic, exit 2, no stack overflow.
    let o = run_in(
        tmp.path(),
        &["--no-config", "check", "plan.json", "--full-input"],
    );
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stderr.contains("recursion limit"), "{}", o.stderr);
}

#[test]
fn a_100_mb_string_is_carried_not_copied() {
    let tmp = tempfile::tempdir().unwrap();
    let mut plan = shapes_plan();
    set_after(
        &mut plan,
        "aws_cloudwatch_log_group.app",
        "name",
        Value::String("x".repeat(100 << 20)),
    );
    std::fs::write(tmp.path().join("plan.json"), plan.to_string()).unwrap();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_costfix"))
        .args(["--no-config", "estimate", "plan.json", "--format", "json"])
        .current_dir(tmp.path())
        .output();
    let Ok(out) = out else {
        // No GNU time: still run it.
        let o = run_in(tmp.path(), &["--no-config", "estimate", "plan.json"]);
        assert_eq!(o.code, 0);
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kb: u64 = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The 100 MB file is memory-mapped and the string borrowed: well under three copies.
    assert!(kb < 300 * 1024, "peak {kb} KB");
}

#[test]
fn symlink_loops_in_the_tree_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_dir(&repo().join("fixtures/fix/shapes"), &dir);
    std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("modules/web/up")).unwrap();
    let main = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        format!("{main}\nmodule \"loop\" {{\n  source = \"./loop\"\n}}\n\nmodule \"up\" {{\n  source = \"./modules/web/up\"\n}}\n"),
    )
    .unwrap();
    let o = run_in(
        &dir,
        &[
            "--no-config",
            "fix",
            "--plan",
            "plan.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(v["summary"]["findings"].as_u64().unwrap() > 5);
}

#[test]
fn a_full_disk_while_writing_leaves_every_file_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_dir(&repo().join("fixtures/fix/shapes"), &dir);
    // File size limit of 1 KiB (SIGXFSZ ignored): writes past it fail with EFBIG, as on a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec {} --no-config fix --plan plan.json --apply",
        env!("CARGO_BIN_EXE_costfix")
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("File too large") || stderr.contains("too large"),
        "{stderr}"
    );
    for f in [
        "main.tf",
        "variables.tf",
        "tail.tf",
        "windows.tf",
        "modules/web/main.tf",
    ] {
        let now = std::fs::read(dir.join(f)).unwrap();
        let was = std::fs::read(repo().join("fixtures/fix/shapes").join(f)).unwrap();
        // Small files may have been written whole before the big one failed; none is partial.
        let ok = now == was
            || std::str::from_utf8(&now)
                .is_ok_and(|t| t.contains("gp3") && t.ends_with(&['}', '\n'][..]));
        assert!(ok, "{f} is partial");
    }
    assert_eq!(
        std::fs::read(dir.join("main.tf")).unwrap(),
        std::fs::read(repo().join("fixtures/fix/shapes/main.tf")).unwrap(),
        "main.tf (over the limit) is untouched"
    );
    let leftovers: Vec<_> = walk(&dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".costfix-")
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Found by fuzzing (`fuzz/` `slo_reader`): hcl-edit backtracks exponentially on a `{` left
/// open after binary operators; doubled, this 745-byte file ran for over ten minutes. Now: a
/// diagnostic at the open brace within seconds, for SLO files and `.tf` files alike.
#[test]
fn exponential_parses_are_cut_short() {
    let tmp = tempfile::tempdir().unwrap();
    let unit = std::fs::read(repo().join("fixtures/fuzz/slo-slow-unit.hcl")).unwrap();
    std::fs::write(
        tmp.path().join("budgets.hcl"),
        [unit.clone(), unit].concat(),
    )
    .unwrap();
    let plan = repo().join("fixtures/fix/shapes/plan.json");
    let t = std::time::Instant::now();
    let o = run_in(
        tmp.path(),
        &[
            "--no-config",
            "check",
            plan.to_str().unwrap(),
            "--slo",
            "budgets.hcl",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("budgets.hcl"), "{}", o.stderr);
    assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
    let dir = tmp.path().join("tree");
    copy_dir(&repo().join("fixtures/fix/shapes"), &dir);
    std::fs::write(dir.join("bad.tf"), "x = a + b + {\n".repeat(60)).unwrap();
    let t = std::time::Instant::now();
    let o = run_in(&dir, &["--no-config", "fix", "--plan", "plan.json"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("bad.tf") && o.stderr.contains("never closed"),
        "{}",
        o.stderr
    );
    assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
}

/// A real full disk: a 2 MB tmpfs in a user and mount namespace (`unshare`), filled up after the
/// operations were planned. Skipped, saying so, where user namespaces are not allowed.
#[test]
fn a_full_tmpfs_refuses_cleanly_and_the_log_stays_a_chain() {
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "true"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: unshare --user --mount is not available here");
        return;
    }
    // Two runs: the disk full from the start (nothing can be written), and the disk filling up
    // while apply logs its checks (the log's last page has room for a few entries).
    let script = r#"
set -u
s=$(mktemp -d)
d=$(mktemp -d)
mount -t tmpfs -o size=2m tmpfs "$d"
cp -r "$SHAPES" "$d/t" && chmod -R u+w "$d/t"
cd "$d/t"
export SOURCE_DATE_EPOCH=1767225600 NO_COLOR=1
"$BIN" --no-config fix --plan plan.json --rule CF003 --out ops.json -q >/dev/null
if [ "$MODE" = midway ]; then "$BIN" --no-config log reset-breaker --by test 2>/dev/null; fi
dd if=/dev/zero of="$d/fill" bs=4k 2>/dev/null
sha256sum main.tf tail.tf windows.tf > "$s/before.sum"
if [ "$MODE" = full ]; then
  "$BIN" --no-config fix --plan plan.json --apply >/dev/null 2>"$s/err"; echo "fix=$?"
  cat "$s/err"
fi
"$BIN" --no-config apply ops.json >/dev/null 2>"$s/err"; echo "apply=$?"
cat "$s/err"
sha256sum --quiet -c "$s/before.sum" && echo "sources=unchanged"
echo "leftovers=$(find . -name '.costfix-*' | wc -l)"
"$BIN" --no-config log verify >/dev/null 2>&1; echo "verify=$?"
rm "$d/fill"
"$BIN" --no-config recover >/dev/null 2>&1; echo "recover=$?"
"$BIN" --no-config log verify >/dev/null 2>&1; echo "verify_after=$?"
"$BIN" --no-config apply ops.json >/dev/null 2>&1; echo "apply_after=$?"
rm -rf "$s"
"#;
    for mode in ["full", "midway"] {
        let out = Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "bash", "-c", script])
            .env("BIN", env!("CARGO_BIN_EXE_costfix"))
            .env("SHAPES", repo().join("fixtures/fix/shapes"))
            .env("MODE", mode)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let has = |l: &str| text.lines().any(|x| x.trim() == l);
        if mode == "full" {
            assert!(has("fix=2"), "{mode}: {text}");
        }
        assert!(has("apply=2"), "{mode}: {text}");
        assert!(text.contains("No space left on device"), "{mode}: {text}");
        assert!(text.contains("cannot write"), "{mode}: {text}");
        assert!(has("sources=unchanged"), "{mode}: {text}");
        assert!(has("leftovers=0"), "{mode}: {text}");
        assert!(has("verify=0"), "{mode}: the log is a chain: {text}");
        assert!(has("recover=0") && has("verify_after=0"), "{mode}: {text}");
        // With room again, the same operations apply.
        assert!(has("apply_after=0"), "{mode}: {text}");
        assert!(!text.contains("panicked"), "{text}");
    }
}

/// A reader that goes away (`costfix prices | head -1`): a quiet exit 0, no panic, no message.
#[test]
fn a_closed_stdout_is_a_quiet_exit() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_costfix"))
        .args(["--no-config", "prices"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here; the catalog (about 1 MB) cannot all have been written yet.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(first.starts_with(b"service,region"));
}

/// Found by the state_reader fuzzer: a resource type with a comma was read, and printed as an
/// address that does not parse back. A state Terraform cannot have written is refused.
#[test]
fn a_state_address_terraform_cannot_write_is_refused() {
    let o = common::run(&["estimate", "fixtures/fuzz/state-invalid-resource-type.json"]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(
        o.stderr.contains("costfix::input::invalid") && o.stderr.contains("null_resour,e"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("fixtures/fuzz/state-invalid-resource-type.json:1:"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.is_empty());
}

/// A raw terraform.tfstate whose module path does not parse was read as the root module; it is
/// refused, pointing at the path.
#[test]
fn a_tfstate_module_path_that_does_not_parse_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.5.0", "serial": 1, "lineage": "x", "outputs": {},
        "resources": [{
            "module": "module.web app", "mode": "managed", "type": "aws_instance", "name": "web",
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{"attributes": {"instance_type": "t3.micro"}}]
        }]
    });
    std::fs::write(tmp.path().join("terraform.tfstate"), state.to_string()).unwrap();
    let o = run_in(
        tmp.path(),
        &[
            "--no-config",
            "estimate",
            "terraform.tfstate",
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stderr.contains("costfix::input::invalid"), "{}", o.stderr);
    assert!(o.stderr.contains("module.web app"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
}
