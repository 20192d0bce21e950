//! The `.tf` source index on real trees: every managed resource of a corpus plan is found in the
//! `.tf` files it came from (nested local modules included), CRLF and BOM files keep their line
//! numbers, remote and escaping modules are not followed and say why, syntax errors are
//! diagnostics.

use std::path::{Path, PathBuf};

use costfix_engine::hcl::source::SourceIndex;
use costfix_engine::{parse_document, Document, InputFile};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/corpus")
}

/// Every managed resource change of the plan is located, at a `resource` line of its file.
fn assert_plan_located(dir: &str, plan: &str) -> usize {
    let root = corpus().join(dir);
    let index = SourceIndex::build(&root).unwrap();
    let file = InputFile::read(&root.join(plan)).unwrap();
    let (doc, _) = parse_document(&file).unwrap();
    let Document::Plan(plan) = doc else {
        panic!("a plan")
    };
    let mut n = 0;
    for rc in plan.resource_changes.iter().filter(|rc| !rc.is_data()) {
        let addr = rc.parsed_address();
        let block = index
            .locate(&addr)
            .unwrap_or_else(|| panic!("{dir}: {} not located", rc.address));
        let text = std::fs::read_to_string(&block.file).unwrap();
        let line = text.lines().nth(block.line - 1).unwrap();
        assert!(
            line.trim_start_matches('\u{feff}').starts_with(&format!(
                "resource \"{}\" \"{}\"",
                addr.resource_type, addr.name
            )),
            "{dir}: {} at {}:{} is `{line}`",
            rc.address,
            block.file.display(),
            block.line
        );
        assert_eq!(&text[block.span.clone()][..8], "resource");
        n += 1;
    }
    n
}

#[test]
fn nested_local_modules() {
    assert_eq!(
        assert_plan_located("terraform-json/testdata/deep_module", "plan.json"),
        1
    );
    assert!(
        assert_plan_located(
            "terraform/internal/command/testdata/show-json/nested-modules",
            "output.json"
        ) >= 1
    );
    assert!(
        assert_plan_located(
            "terraform/internal/command/testdata/show-json/modules",
            "output.json"
        ) >= 4
    );
    assert!(assert_plan_located("terraform-json/testdata/110_basic", "plan.json") >= 5);
    assert!(
        assert_plan_located(
            "terraform-compliance-cli/tests/functional/test_issue_796",
            "plan.out.json"
        ) >= 2
    );
    assert!(assert_plan_located("infracost/examples/terraform", "plan.json") >= 2);
}

#[test]
fn crlf_and_bom_files_keep_their_lines() {
    let crlf =
        corpus().join("checkov/tests/terraform/checks/resource/aws/example_S3AllowsAnyPrincipal");
    let index = SourceIndex::build(&crlf).unwrap();
    assert!(index.len() >= 10);
    let bom = corpus().join("checkov/tests/terraform/parser/resources/file_bom");
    let index = SourceIndex::build(&bom).unwrap();
    let b = index
        .locate(&"aws_s3_bucket.example".parse().unwrap())
        .unwrap();
    assert_eq!(b.line, 1);
    let text = std::fs::read_to_string(&b.file).unwrap();
    assert!(text[b.span.clone()].starts_with("resource \"aws_s3_bucket\""));
}

#[test]
fn remote_and_escaping_modules_are_not_followed() {
    let dir = corpus()
        .join("checkov/tests/terraform/parser/resources/plan_module_with_connected_resources");
    let index = SourceIndex::build(&dir).unwrap();
    assert_eq!(index.skipped.len(), 1);
    assert_eq!(index.skipped[0].module, "module.s3-bucket-1");
    assert!(
        index.skipped[0].reason.contains("not a local module"),
        "{:?}",
        index.skipped
    );

    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    std::fs::create_dir_all(root.join("mods")).unwrap();
    std::fs::create_dir_all(t.path().join("outside")).unwrap();
    std::fs::write(
        t.path().join("outside/main.tf"),
        "resource \"aws_eip\" \"x\" {}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("main.tf"),
        "module \"up\" {\n  source = \"../outside\"\n}\nmodule \"self\" {\n  source = \"./\"\n}\nmodule \"link\" {\n  source = \"./mods/link\"\n}\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(t.path().join("outside"), root.join("mods/link")).unwrap();
    let index = SourceIndex::build(&root).unwrap();
    let reasons: Vec<(&str, &str)> = index
        .skipped
        .iter()
        .map(|s| (s.module.as_str(), s.reason.as_str()))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|(m, r)| *m == "module.up" && r.contains("outside the root")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(m, r)| *m == "module.self" && r.contains("cycle")),
        "{reasons:?}"
    );
    #[cfg(unix)]
    assert!(
        reasons
            .iter()
            .any(|(m, r)| *m == "module.link" && r.contains("outside the root")),
        "{reasons:?}"
    );
    assert!(index
        .locate(&"module.up.aws_eip.x".parse().unwrap())
        .is_none());
}

#[test]
fn tf_json_files_are_read_for_the_mapping() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("main.tf.json"),
        "{\n  \"resource\": {\n    \"aws_instance\": {\n      \"web\": {\"instance_type\": \"t3.micro\"}\n    }\n  }\n}\n",
    )
    .unwrap();
    let index = SourceIndex::build(t.path()).unwrap();
    let b = index
        .locate(&"aws_instance.web[3]".parse().unwrap())
        .unwrap();
    assert!(b.json);
    assert_eq!(b.line, 4);
}

#[test]
fn syntax_errors_are_diagnostics_with_a_span() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("main.tf"),
        "resource \"aws_instance\" \"web\" {\n  instance_type = \n}\n",
    )
    .unwrap();
    let err = SourceIndex::build(t.path()).unwrap_err();
    match err {
        costfix_engine::Error::Invalid { span, message, .. } => {
            assert!(message.contains("HCL syntax error"), "{message}");
            assert!(span.offset() > 30, "{span:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ignore_comments_above_and_inside_blocks() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("main.tf"),
        "# costfix:ignore gp2_volumes migrating next quarter\n# another comment\nresource \"aws_ebs_volume\" \"a\" {\n  size = 10 # costfix:ignore untagged_costly shared volume\n  type = \"gp2\"\n}\n\nresource \"aws_ebs_volume\" \"b\" {\n  size = 10\n}\n",
    )
    .unwrap();
    let index = SourceIndex::build(t.path()).unwrap();
    let a = index.locate(&"aws_ebs_volume.a".parse().unwrap()).unwrap();
    let ids: Vec<&str> = a.ignores.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        ["gp2_volumes"],
        "a trailing comment on an attribute line is not a block comment line"
    );
    let b = index.locate(&"aws_ebs_volume.b".parse().unwrap()).unwrap();
    assert!(b.ignores.is_empty());
}
