//! Running the `costfix` binary in end-to-end tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (tests run from `cli/`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What a run of the binary gave.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `costfix ARGS` in `dir`, without colour; a panic is always a test failure.
pub fn run_in(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_costfix"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("TF_WORKSPACE")
        .output()
        .expect("run costfix");
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    };
    assert!(
        !o.stderr.contains("panicked"),
        "costfix panicked: {}",
        o.stderr
    );
    o
}

/// Run `costfix ARGS` at the repository root.
pub fn run(args: &[&str]) -> Out {
    run_in(&repo(), args)
}

/// Copy a folder recursively, files made writable (corpus copies are read-only in the repo).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
}

/// Whether an external tool a test checks its results with is here. Without it the test part is
/// skipped, saying so on stderr, unless `COSTFIX_REQUIRE_TOOLS=1` (set by `scripts/test` once it
/// has installed them, and by CI), where a missing tool fails the test instead.
pub fn tool_available(what: &str, present: bool, install: &str) -> bool {
    if present {
        return true;
    }
    let required = std::env::var("COSTFIX_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{what} is required (COSTFIX_REQUIRE_TOOLS=1) but missing: {install}"
    );
    eprintln!("skipped: {what} is not installed ({install}, or run scripts/test)");
    false
}

/// The fields of the first table after `heading` in docs/json-schema.md (its `| \`field\` |` rows).
pub fn documented_fields(heading: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("docs/json-schema.md")).unwrap();
    let start = text
        .find(heading)
        .expect("the heading in docs/json-schema.md");
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| field"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect()
}
