//! `costfix fix` end to end, on real `.tf` trees: the infracost example (with its real plan), the
//! infracost tfvars-precedence and module-for_each trees, terraform-aws-modules/ec2-instance
//! called from a root module, and a tree of the shapes the corpus shows (fixtures/fix/shapes).
//!
//! Plans for trees without one are made by the test stand-in for `terraform plan`
//! (`engine/tests/support/tf_plan.rs`) and committed next to the tree; the first test keeps them
//! equal to what the stand-in makes from the sources (`COSTFIX_REGENERATE=1` rewrites them).

mod common;

#[path = "../engine/tests/support/tf_plan.rs"]
#[allow(dead_code)]
mod tf_plan;

use std::path::{Path, PathBuf};

use common::{copy_dir, repo, run_in};
use serde_json::{json, Value};

/// A tree, its generated plan (repository paths), and the `-var` values the plan was made with.
/// Corpus trees are used in place; their plans live in `fixtures/fix/plans/`.
struct Tree {
    dir: &'static str,
    plan: &'static str,
    vars: fn() -> Vec<(&'static str, Value)>,
}

const TREES: &[Tree] = &[
    Tree {
        dir: "fixtures/fix/shapes",
        plan: "fixtures/fix/shapes/plan.json",
        vars: Vec::new,
    },
    Tree {
        dir: "fixtures/corpus/infracost/cmd/infracost/testdata/hclmodule_for_each",
        plan: "fixtures/fix/plans/module-for-each.json",
        vars: Vec::new,
    },
    Tree {
        dir: "fixtures/fix/ec2-module",
        plan: "fixtures/fix/ec2-module/plan.json",
        vars: Vec::new,
    },
    // Without -var-file: the .tfvars files of the folder decide, block2 from two `-var`s.
    Tree {
        dir: "fixtures/corpus/infracost/cmd/infracost/testdata/breakdown_terraform_directory_with_default_var_files",
        plan: "fixtures/fix/plans/tfvars-auto-tfvars.json",
        vars: || {
            vec![
                ("block2_ebs_iops", json!(500)),
                ("block2_ebs_volume_size", json!(2000)),
                ("block2_volume_type", json!("gp2")),
            ]
        },
    },
    // As infracost made its golden: `-var-file input.tfvars` plus two `-var`s.
    Tree {
        dir: "fixtures/corpus/infracost/cmd/infracost/testdata/breakdown_terraform_directory_with_default_var_files",
        plan: "fixtures/fix/plans/tfvars-var-file.json",
        vars: || {
            vec![
                ("instance_type", json!("m5.2xlarge")),
                ("block1_ebs_iops", json!(1000)),
                ("block2_ebs_iops", json!(500)),
                ("block2_ebs_volume_size", json!(2000)),
                ("block2_volume_type", json!("io1")),
            ]
        },
    },
];

fn generated_plan(t: &Tree) -> String {
    let text = tf_plan::plan_from_dir(&repo().join(t.dir), &(t.vars)());
    let v: Value = serde_json::from_str(&text).unwrap();
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

#[test]
fn committed_plans_are_made_from_the_sources() {
    for t in TREES {
        let path = repo().join(t.plan);
        let want = generated_plan(t);
        if std::env::var_os("COSTFIX_REGENERATE").is_some() {
            std::fs::write(&path, &want).unwrap();
            continue;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is stale: run COSTFIX_REGENERATE=1 cargo test --test fix",
            path.display()
        );
    }
}

/// Copy a fixture tree into a fresh temporary folder (fixes are applied there, never in the repo).
fn copy_tree(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("tree");
    copy_dir(&repo().join(rel), &dst);
    (tmp, dst)
}

/// Run `costfix fix` in the repository with relative paths (stable output for snapshots).
fn fix(args: &[&str]) -> common::Out {
    let mut all = vec!["--no-config", "fix"];
    all.extend_from_slice(args);
    run_in(&repo(), &all)
}

#[test]
fn dry_run_diffs() {
    let cases: &[(&str, &[&str])] = &[
        (
            "infracost_example",
            &[
                "--plan",
                "fixtures/corpus/infracost/examples/terraform/plan.json",
                "--dir",
                "fixtures/corpus/infracost/examples/terraform",
                "--usage",
                "fixtures/corpus/infracost/examples/terraform/infracost-usage.yml",
            ],
        ),
        (
            "shapes",
            &[
                "--plan",
                "fixtures/fix/shapes/plan.json",
                "--dir",
                "fixtures/fix/shapes",
                "--environment",
                "dev",
            ],
        ),
        (
            "tfvars_var_file",
            &[
                "--plan",
                "fixtures/fix/plans/tfvars-var-file.json",
                "--dir",
                "fixtures/corpus/infracost/cmd/infracost/testdata/breakdown_terraform_directory_with_default_var_files",
            ],
        ),
        (
            "tfvars_auto",
            &[
                "--plan",
                "fixtures/fix/plans/tfvars-auto-tfvars.json",
                "--dir",
                "fixtures/corpus/infracost/cmd/infracost/testdata/breakdown_terraform_directory_with_default_var_files",
            ],
        ),
        (
            "module_for_each",
            &[
                "--plan",
                "fixtures/fix/plans/module-for-each.json",
                "--dir",
                "fixtures/corpus/infracost/cmd/infracost/testdata/hclmodule_for_each",
            ],
        ),
        (
            "ec2_module",
            &[
                "--plan",
                "fixtures/fix/ec2-module/plan.json",
                "--dir",
                "fixtures/fix/ec2-module",
            ],
        ),
    ];
    for (name, args) in cases {
        let o = fix(args);
        assert_eq!(o.code, 1, "{name}: findings remain: {}", o.stderr);
        insta::assert_snapshot!(format!("fix_{name}"), o.stdout);
    }
}

#[test]
fn json_lists_findings_and_edits() {
    let o = fix(&[
        "--plan",
        "fixtures/corpus/infracost/examples/terraform/plan.json",
        "--dir",
        "fixtures/corpus/infracost/examples/terraform",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["schema"], "costfix.fix/v1");
    insta::assert_json_snapshot!("fix_json_infracost_example", v);
}

#[test]
fn rule_and_min_savings_filters() {
    let base = [
        "--plan",
        "fixtures/fix/shapes/plan.json",
        "--dir",
        "fixtures/fix/shapes",
        "--format",
        "json",
    ];
    let mut args = base.to_vec();
    args.extend(["--rule", "ebs-gp2-volume", "--rule", "CF012"]);
    let v: Value = serde_json::from_str(&fix(&args).stdout).unwrap();
    let rules: Vec<&str> = v["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.is_empty());
    assert!(
        rules.iter().all(|r| *r == "CF003" || *r == "CF012"),
        "{rules:?}"
    );

    let mut args = base.to_vec();
    args.extend(["--min-savings", "5"]);
    let v: Value = serde_json::from_str(&fix(&args).stdout).unwrap();
    for f in v["fixes"].as_array().unwrap() {
        let s: f64 = f["saving"].as_str().expect("known saving").parse().unwrap();
        assert!(s >= 5.0, "{f}");
    }
    let o = fix(&["--plan", "fixtures/fix/shapes/plan.json", "--rule", "CF999"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no rule `CF999`"), "{}", o.stderr);
}

/// Splice JSON edits into a text: what the file must be after --apply, byte for byte.
fn splice(original: &str, edits: &[&Value]) -> String {
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                e["start"].as_u64().unwrap() as usize,
                e["end"].as_u64().unwrap() as usize,
                e["new_text"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort();
    edits.dedup();
    let mut out = String::new();
    let mut at = 0;
    for (s, e, t) in edits {
        out.push_str(&original[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&original[at..]);
    out
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(tf_files(&p));
        } else if p.extension().is_some_and(|x| x == "tf" || x == "tfvars") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// HashiCorp's HCL parser (tests/hclcheck, built with Debian's golang-github-hashicorp-hcl-v2-dev)
/// must accept every file. Skipped, saying so, where Go or hcl v2 is not installed (see
/// `common::tool_available`).
fn hashicorp_parses(files: &[PathBuf]) {
    const HCL: &str = "/usr/share/gocode/src/github.com/hashicorp/hcl/v2";
    let go = std::process::Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !common::tool_available(
        "HashiCorp's HCL parser (Go and hcl v2)",
        go && Path::new(HCL).is_dir(),
        "apt-get install golang-go golang-github-hashicorp-hcl-v2-dev",
    ) {
        return;
    }
    static BUILD: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let bin = BUILD.get_or_init(|| {
        let out = std::env::temp_dir().join(format!("costfix-hclcheck-{}", std::process::id()));
        let status = std::process::Command::new("go")
            .args(["build", "-o"])
            .arg(&out)
            .arg("./tests/hclcheck")
            .current_dir(repo())
            .env("GO111MODULE", "off")
            .env("GOPATH", "/usr/share/gocode")
            .env("GOCACHE", std::env::temp_dir().join("costfix-gocache"))
            .status()
            .expect("go runs");
        assert!(status.success(), "building tests/hclcheck failed");
        out
    });
    let out = std::process::Command::new(bin)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "HashiCorp's parser rejects a patched file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn objects_that_repeat_a_key_are_read_and_fixed() {
    // Terraform keeps the last of a repeated object key (its plan has `Name = "data"`); the
    // file is read, and the fix in the same block is made.
    let (_tmp, tree) = copy_tree("fixtures/fix/repeated-keys");
    let before = std::fs::read_to_string(tree.join("main.tf")).unwrap();
    let o = run_in(
        &tree,
        &[
            "--no-config",
            "fix",
            "--plan",
            "plan.json",
            "--dir",
            ".",
            "--apply",
        ],
    );
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("CF003"), "{}", o.stdout);
    let after = std::fs::read_to_string(tree.join("main.tf")).unwrap();
    assert_eq!(
        after,
        before.replacen(
            "type              = \"gp2\"",
            "type              = \"gp3\"",
            1
        )
    );
    hashicorp_parses(&[tree.join("main.tf")]);
}

#[test]
fn inserted_attributes_keep_a_terraform_fmt_clean_file_clean() {
    // Blocks of the shapes `terraform fmt` aligns (aligned attributes, one attribute, trailing
    // comments, nested blocks, a longer key than the new one), each given a new attribute.
    let (_tmp, tree) = copy_tree("fixtures/fix/fmt-shapes");
    let args = [
        "--no-config",
        "fix",
        "--plan",
        "plan.json",
        "--dir",
        ".",
        "--unsafe-fixes",
    ];
    let dry = run_in(&tree, &args);
    assert_eq!(dry.code, 1, "{}", dry.stderr);
    let mut apply = args.to_vec();
    apply.push("--apply");
    let o = run_in(&tree, &apply);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("Applied 6 fix(es)"), "{}", o.stdout);
    hashicorp_parses(&[tree.join("main.tf")]);
    insta::assert_snapshot!(dry.stdout);
    // Real `terraform fmt` finds nothing to change.
    match std::process::Command::new("terraform")
        .args(["fmt", "-check", "-diff", "main.tf"])
        .current_dir(&tree)
        .env("CHECKPOINT_DISABLE", "1")
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "terraform fmt would change the fixed file:\n{}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(e) => println!("skipped the terraform fmt check: terraform is not on PATH ({e})"),
    }
}

#[test]
fn apply_changes_only_the_edits_and_the_result_parses_and_plans_clean() {
    let (_tmp, tree) = copy_tree("fixtures/fix/shapes");
    let before: Vec<(PathBuf, String)> = tf_files(&tree)
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    let args = [
        "--no-config",
        "fix",
        "--plan",
        "plan.json",
        "--dir",
        ".",
        "--environment",
        "dev",
        "--unsafe-fixes",
        "--format",
        "json",
    ];
    let preview: Value = serde_json::from_str(&run_in(&tree, &args).stdout).unwrap();
    let mut apply_args = args.to_vec();
    apply_args.push("--apply");
    let o = run_in(&tree, &apply_args);
    assert_eq!(o.code, 1, "display-only findings remain: {}", o.stderr);
    let applied: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(preview["fixes"], {
        let mut p = applied["fixes"].clone();
        // Only `applied` differs between the preview and the run.
        for (a, b) in p
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .zip(preview["fixes"].as_array().unwrap())
        {
            a["applied"] = b["applied"].clone();
        }
        p
    });
    let edits: Vec<&Value> = applied["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["applied"] == true)
        .flat_map(|f| f["edits"].as_array().unwrap())
        .collect();
    assert!(edits.len() >= 8, "{edits:?}");
    // Every byte outside the edits is what it was.
    for (path, original) in &before {
        let rel = path
            .strip_prefix(&tree)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let mine: Vec<&Value> = edits
            .iter()
            .copied()
            .filter(|e| Path::new(e["file"].as_str().unwrap()) == Path::new(&rel))
            .collect();
        let now = std::fs::read_to_string(path).unwrap();
        assert_eq!(now, splice(original, &mine), "{rel}");
        if rel == "windows.tf" {
            assert!(
                now.starts_with('\u{feff}') && now.contains("\"gp3\"\r\n"),
                "{now:?}"
            );
        }
        if rel == "tail.tf" {
            assert!(now.ends_with('}') && now.contains("\"gp3\""));
        }
    }
    // The suppressed volume is untouched.
    let main = std::fs::read_to_string(tree.join("main.tf")).unwrap();
    assert!(
        main.contains("type              = \"gp2\"\n}\n"),
        "the ignored volume kept gp2"
    );
    hashicorp_parses(&tf_files(&tree));

    // A new plan from the patched tree has none of the applied findings.
    let plan = tf_plan::plan_from_dir(&tree, &[]);
    std::fs::write(tree.join("plan.json"), plan).unwrap();
    let again: Value = serde_json::from_str(&run_in(&tree, &args).stdout).unwrap();
    let key = |f: &Value| format!("{} {}", f["rule"], f["address"]);
    let left: Vec<String> = again["fixes"].as_array().unwrap().iter().map(key).collect();
    for f in applied["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["applied"] == true)
    {
        assert!(
            !left.contains(&key(f)),
            "{} is still found after its fix",
            key(f)
        );
    }
    // What can still be applied is new: a fix that uncovers the next one (db.m4 → db.m5 makes
    // the Graviton class db.m6g worth it), as ruff's fixes can.
    let first: Vec<String> = applied["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    for f in again["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["applied"] == true)
    {
        assert!(
            !first.contains(&key(f)),
            "{} was applicable and is still",
            key(f)
        );
    }
}

#[test]
fn patch_out_is_git_applicable_and_equals_apply() {
    let (_tmp, tree) = copy_tree("fixtures/fix/shapes");
    let (_tmp2, applied) = copy_tree("fixtures/fix/shapes");
    let base = [
        "--no-config",
        "fix",
        "--plan",
        "plan.json",
        "--environment",
        "dev",
        "--unsafe-fixes",
    ];
    let mut a = base.to_vec();
    a.extend(["--patch-out", "fixes.patch"]);
    let o = run_in(&tree, &a);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("wrote fixes.patch"), "{}", o.stderr);
    let patch = std::fs::read_to_string(tree.join("fixes.patch")).unwrap();
    assert!(patch.contains("diff --git a/main.tf b/main.tf"), "{patch}");
    // Nothing was written but the patch.
    for f in tf_files(&tree) {
        let rel = f.strip_prefix(&tree).unwrap();
        assert_eq!(
            std::fs::read(&f).unwrap(),
            std::fs::read(repo().join("fixtures/fix/shapes").join(rel)).unwrap()
        );
    }
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&tree)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // users.md D28: a new patch gets the usual mode (0666 less the umask), not 0600.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tree.join("fixes.patch"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(mode & 0o044, 0, "mode {mode:o}");
    }
    git(&["apply", "--check", "fixes.patch"]);
    git(&["apply", "fixes.patch"]);
    let mut b = base.to_vec();
    b.push("--apply");
    run_in(&applied, &b);
    for f in tf_files(&applied) {
        let rel = f.strip_prefix(&applied).unwrap();
        assert_eq!(
            std::fs::read(&f).unwrap(),
            std::fs::read(tree.join(rel)).unwrap(),
            "{}",
            rel.display()
        );
    }
}

#[test]
fn apply_shows_the_same_diffs_as_the_dry_run() {
    // Regression: the per-fix diffs were made from the files after they were written, so
    // `--apply` showed empty or doubled hunks.
    let (_tmp, tree) = copy_tree("fixtures/fix/shapes");
    let args = [
        "--no-config",
        "fix",
        "--plan",
        "plan.json",
        "--rule",
        "CF003",
    ];
    let dry = run_in(&tree, &args);
    let mut with_apply = args.to_vec();
    with_apply.push("--apply");
    let applied = run_in(&tree, &with_apply);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let diff_lines = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with(['+', '-', ' ', '@']) && !l.starts_with("  saves"))
            .map(str::to_owned)
            .collect()
    };
    assert!(diff_lines(&dry.stdout).len() > 20, "{}", dry.stdout);
    assert_eq!(diff_lines(&dry.stdout), diff_lines(&applied.stdout));
}

#[test]
fn safe_apply_leaves_unsafe_fixes_alone() {
    let (_tmp, tree) = copy_tree("fixtures/corpus/infracost/examples/terraform");
    let o = run_in(
        &tree,
        &["--no-config", "fix", "--plan", "plan.json", "--apply"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("fixed main.tf"), "{}", o.stderr);
    let main = std::fs::read_to_string(tree.join("main.tf")).unwrap();
    let original = std::fs::read_to_string(
        repo().join("fixtures/corpus/infracost/examples/terraform/main.tf"),
    )
    .unwrap();
    // The safe gp3 root volume is in; the unsafe io1 → gp3 and arm64 changes are not.
    assert_eq!(
        main,
        original.replace(
            "    volume_size = 50\n",
            "    volume_size = 50\n    volume_type = \"gp3\"\n"
        )
    );
    hashicorp_parses(&[tree.join("main.tf")]);
}

#[test]
fn syntax_errors_are_diagnosed_and_nothing_is_written() {
    let (_tmp, tree) = copy_tree("fixtures/fix/shapes");
    std::fs::write(
        tree.join("broken.tf"),
        "resource \"aws_instance\" \"x\" {\n  ami = \n}\n",
    )
    .unwrap();
    let before = std::fs::read(tree.join("main.tf")).unwrap();
    let o = run_in(
        &tree,
        &["--no-config", "fix", "--plan", "plan.json", "--apply"],
    );
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("HCL syntax error"), "{}", o.stderr);
    assert!(
        o.stderr.contains("broken.tf:"),
        "file and line: {}",
        o.stderr
    );
    assert_eq!(std::fs::read(tree.join("main.tf")).unwrap(), before);
}

#[test]
fn read_only_files_are_refused_before_anything_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, tree) = copy_tree("fixtures/fix/shapes");
    let ro = tree.join("windows.tf");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&ro).is_ok() {
        // Running as root: permissions do not stop writes, but costfix still refuses the file.
    }
    let before: Vec<Vec<u8>> = tf_files(&tree)
        .iter()
        .map(|f| std::fs::read(f).unwrap())
        .collect();
    let o = run_in(
        &tree,
        &["--no-config", "fix", "--plan", "plan.json", "--apply"],
    );
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stderr.contains("read-only"), "{}", o.stderr);
    assert!(o.stderr.contains("windows.tf"), "{}", o.stderr);
    let after: Vec<Vec<u8>> = tf_files(&tree)
        .iter()
        .map(|f| std::fs::read(f).unwrap())
        .collect();
    assert!(before == after, "a file was written");
}

#[test]
fn plans_that_do_not_match_the_sources_are_reported() {
    let (_tmp, tree) = copy_tree("fixtures/fix/shapes");
    // The plan knows resources the code does not: removed from the code, a registry module's, and
    // one declared in a .tf.json file.
    let mut plan: Value =
        serde_json::from_str(&std::fs::read_to_string(tree.join("plan.json")).unwrap()).unwrap();
    let volume = |address: &str, module: Option<&str>, name: &str| {
        let mut v = json!({
            "address": address, "mode": "managed", "type": "aws_ebs_volume", "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": null,
                       "after": {"type": "gp2", "size": 100, "availability_zone": "us-east-1a"},
                       "after_unknown": {}},
        });
        if let Some(m) = module {
            v["module_address"] = json!(m);
        }
        v
    };
    let changes = plan["resource_changes"].as_array_mut().unwrap();
    changes.push(volume("aws_ebs_volume.gone", None, "gone"));
    changes.push(volume(
        "module.vpc.aws_ebs_volume.inside",
        Some("module.vpc"),
        "inside",
    ));
    changes.push(volume("aws_ebs_volume.json", None, "json"));
    std::fs::write(tree.join("plan.json"), plan.to_string()).unwrap();
    std::fs::write(
        tree.join("extra.tf.json"),
        r#"{"resource": {"aws_ebs_volume": {"json": {"type": "gp2", "size": 100, "availability_zone": "us-east-1a"}}}}"#,
    )
    .unwrap();
    let o = run_in(
        &tree,
        &[
            "--no-config",
            "fix",
            "--plan",
            "plan.json",
            "--format",
            "json",
            "--rule",
            "CF003",
        ],
    );
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let reason = |addr: &str| -> String {
        v["fixes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["address"] == addr)
            .unwrap_or_else(|| panic!("{addr} not found"))["no_fix"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(reason("aws_ebs_volume.gone").contains("not declared in the sources"));
    let r = reason("module.vpc.aws_ebs_volume.inside");
    assert!(
        r.contains("terraform-aws-modules/vpc/aws") && r.contains("not a local module"),
        "{r}"
    );
    assert!(reason("aws_ebs_volume.json").contains(".tf.json files are not edited"));
}

#[test]
fn states_and_missing_folders_are_errors() {
    let o = fix(&[
        "--plan",
        "fixtures/corpus/terraform-json/testdata/no_changes/terraform.tfstate",
        "--dir",
        "fixtures/fix/shapes",
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("is a state, not a plan"), "{}", o.stderr);
    let o = fix(&[
        "--plan",
        "fixtures/fix/shapes/plan.json",
        "--dir",
        "no/such/dir",
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no/such/dir"), "{}", o.stderr);
}

#[test]
fn rules_are_listed_and_documented() {
    let o = run_in(&repo(), &["rules"]);
    assert_eq!(o.code, 0);
    insta::assert_snapshot!("rules_table", o.stdout);
    let o = run_in(&repo(), &["rules", "gp2-block-device"]);
    assert!(
        o.stdout.starts_with("CF004 gp2-block-device"),
        "{}",
        o.stdout
    );
    for heading in costfix_engine::rules::catalogue::HEADINGS {
        assert!(o.stdout.contains(&format!("\n{heading}\n")), "{heading}");
    }
    // docs/rules.md is generated from the rules' doc comments and kept current.
    let o = run_in(&repo(), &["rules", "--format", "markdown"]);
    let doc = std::fs::read_to_string(repo().join("docs/rules.md")).unwrap_or_default();
    if std::env::var_os("COSTFIX_REGENERATE").is_some() {
        std::fs::write(repo().join("docs/rules.md"), &o.stdout).unwrap();
    } else {
        assert!(
            doc == o.stdout,
            "docs/rules.md is stale: costfix rules --format markdown > docs/rules.md"
        );
    }
}

/// Each rule's documented example is its fixture's HCL (fixtures/rules/cfNNN/main.tf), and for a
/// rule whose fix costfix applies, the HCL after `Use instead:` is what `fix --apply` writes there.
#[test]
fn rule_examples_are_costfix_output() {
    use costfix_engine::fix::Applicability;
    for r in costfix_engine::rules::all() {
        let doc = r.doc_sections().unwrap_or_else(|e| panic!("{e}"));
        let name = r.id.to_ascii_lowercase();
        let (_tmp, tree) = copy_tree(&format!("fixtures/rules/{name}"));
        let before = std::fs::read_to_string(tree.join("main.tf")).unwrap();
        assert!(
            before.contains(&doc.example.before),
            "{}: the example is not in fixtures/rules/{name}/main.tf",
            r.id
        );
        if r.applicability == Applicability::DisplayOnly {
            continue; // the after is the change to make by hand
        }
        let plan = format!("fixtures/rules/{name}.json");
        let dir = tree.to_str().unwrap();
        let mut args = vec!["--plan", &plan, "--dir", dir, "--rule", r.id];
        args.extend(["--apply", "--unsafe-fixes", "--quiet"]);
        let usage = format!("fixtures/rules/{name}/usage.yml");
        if repo().join(&usage).is_file() {
            args.extend(["--usage", &usage]);
        }
        let o = fix(&args);
        // 1: display-only findings of the rule remain (CF002 on instances).
        assert!(o.code == 0 || o.code == 1, "{}: {}", r.id, o.stderr);
        let after = std::fs::read_to_string(tree.join("main.tf")).unwrap();
        assert!(
            after.contains(&doc.example.after),
            "{}: `fix --apply` does not write the example's after; it wrote:\n{after}",
            r.id
        );
    }
}

#[test]
fn files_that_are_not_text_are_diagnosed() {
    let (_tmp, tree) = copy_tree("fixtures/fix/shapes");
    std::fs::write(
        tree.join("latin1.tf"),
        b"# caf\xe9\nresource \"x\" \"y\" {}\n",
    )
    .unwrap();
    let o = run_in(
        &tree,
        &["--no-config", "fix", "--plan", "plan.json", "--apply"],
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("latin1.tf") && o.stderr.contains("UTF-8"),
        "{}",
        o.stderr
    );
    assert_eq!(
        std::fs::read(tree.join("main.tf")).unwrap(),
        std::fs::read(repo().join("fixtures/fix/shapes/main.tf")).unwrap()
    );
}

#[test]
fn completions_man_pages_quiet_and_integrations() {
    for shell in ["bash", "zsh", "fish"] {
        let o = run_in(&repo(), &["completions", shell]);
        assert_eq!(o.code, 0);
        assert!(
            o.stdout.contains("costfix") && o.stdout.contains("unsafe-fixes"),
            "{shell}"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let o = run_in(&repo(), &["man", "--out", tmp.path().to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fix_page = std::fs::read_to_string(tmp.path().join("costfix-fix.1")).unwrap();
    assert!(fix_page.contains(".TH") && fix_page.contains("unsafe\\-fixes"));
    // --quiet leaves stdout alone and keeps informational lines off stderr.
    let args = [
        "fix",
        "--plan",
        "fixtures/fix/shapes/plan.json",
        "--dir",
        "fixtures/fix/shapes",
    ];
    let patch = tmp.path().join("p.patch");
    let mut loud: Vec<&str> = vec!["--no-config"];
    loud.extend(args);
    loud.extend(["--patch-out", patch.to_str().unwrap()]);
    let o = run_in(&repo(), &loud);
    assert!(o.stderr.contains("wrote"), "{}", o.stderr);
    let mut quiet = vec!["--quiet"];
    quiet.extend(loud.iter().copied());
    let q = run_in(&repo(), &quiet);
    assert_eq!(q.stderr, "");
    assert_eq!(q.stdout, o.stdout);
    // The action and the pre-commit hooks are well-formed and call real commands.
    let action: serde_json::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(repo().join("action.yml")).unwrap())
            .unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    assert!(action["inputs"]["plan"]["required"] == true);
    let hooks: serde_json::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    // Each hook as pre-commit runs it: the entry split as a shell would, then the files it
    // matched; several plans in one run, each with its own folder as --dir (users.md D16).
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    copy_dir(
        &repo().join("fixtures/corpus/infracost/examples/terraform"),
        &a,
    );
    copy_dir(&repo().join("fixtures/fix/shapes"), &b);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_costfix"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for h in hooks.as_array().unwrap() {
        let entry = h["entry"].as_str().unwrap();
        let mut argv = shlex::split(entry).expect(entry);
        argv.extend(["a/plan.json".to_string(), "b/plan.json".to_string()]);
        let out = std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(t.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Both plans fail (denials; findings), and both were run, with their folders.
        assert_eq!(out.status.code(), Some(1), "{}: {stdout}{stderr}", h["id"]);
        assert!(!stderr.contains("unexpected argument"), "{stderr}");
        if h["id"] == "costfix-check" {
            assert!(stdout.contains("a/main.tf:9"), "{stdout}");
            assert!(stdout.contains("b/main.tf"), "{stdout}");
        } else {
            assert!(
                stdout.contains("a/main.tf") && stdout.contains("b/main.tf"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn nothing_to_fix_writes_no_patch_and_removes_an_old_one() {
    // users.md D7c/D28: `git apply` refuses an empty patch, and a stale one must not be applied
    // again.
    let (_tmp, tree) = copy_tree("fixtures/corpus/terraform-json/testdata/basic");
    std::fs::write(tree.join("fixes.patch"), "an old patch").unwrap();
    let o = run_in(
        &tree,
        &[
            "--no-config",
            "fix",
            "plan.json",
            "--patch-out",
            "fixes.patch",
        ],
    );
    assert!(o.code <= 1, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("nothing to fix: no patch written to fixes.patch"),
        "{}",
        o.stderr
    );
    assert!(!tree.join("fixes.patch").exists());
}

#[test]
fn the_fix_json_fields_are_the_documented_ones() {
    // users.md D29: fix/v1 was not in docs/json-schema.md, and named its version `schema`.
    let (_tmp, tree) = copy_tree("fixtures/fix/shapes");
    let o = run_in(
        &tree,
        &["--no-config", "fix", "plan.json", "--format", "json"],
    );
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    let mut documented = common::documented_fields("# JSON output: `costfix.fix/v1`");
    keys.sort();
    documented.sort();
    assert_eq!(keys, documented);
    assert_eq!(v["schema_version"], "costfix.fix/v1");
    assert_eq!(v["schema"], v["schema_version"]);
}
