//! Every ```console example in README.md and docs/ is run and its output compared, so the docs
//! stay true as the tool changes.
//!
//! A block is a sequence of commands, each `$ costfix ARGS` (continued on the next line after a
//! trailing `\`), optionally followed by `? N` (the exit status; 0 when absent), then the expected
//! stdout. A command ending in `2>&1` shows its stderr after its stdout. In expected output a
//! line `...` stands for any number of lines and `[..]` for any text within a line; trailing
//! whitespace is not compared. Nothing else of a shell is understood: no pipes, redirections or
//! variables, and the program must be `costfix`.
//!
//! Commands run at the repository root with `SOURCE_DATE_EPOCH=1767225600` and `NO_COLOR=1`. A
//! block whose info string says `copy=DIR` (```console copy=fixtures/fix/shapes) runs in a fresh
//! copy of DIR instead, its commands one after another, so examples that write files work on
//! copies; `tmp` runs it in an empty folder. Blocks that only list commands to type use ```sh and are not run.
//!
//! `COSTFIX_REGENERATE=1` rewrites the expected output of blocks without `...` or `[..]`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_dir, repo};

const EPOCH: &str = "1767225600";

#[derive(Debug)]
struct Step {
    /// The command as written (for messages), without `$ `.
    shown: String,
    args: Vec<String>,
    merge_stderr: bool,
    status: i32,
    /// Line range of the expected output in the file.
    expected: std::ops::Range<usize>,
}

#[derive(Debug)]
struct Block {
    file: PathBuf,
    /// 1-based line of the opening fence.
    line: usize,
    copy: Option<String>,
    /// Run in an empty temporary folder.
    tmp: bool,
    steps: Vec<Step>,
}

fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    let mut stack = vec![repo().join("docs")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn blocks(file: &Path, lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].strip_prefix("```console") else {
            i += 1;
            continue;
        };
        let copy = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("copy="))
            .map(str::to_owned);
        let mut block = Block {
            file: file.to_owned(),
            line: i + 1,
            copy,
            tmp: info.split_whitespace().any(|w| w == "tmp"),
            steps: Vec::new(),
        };
        i += 1;
        while i < lines.len() && !lines[i].starts_with("```") {
            let Some(first) = lines[i].strip_prefix("$ ") else {
                panic!(
                    "{}:{}: expected `$ costfix ...` in a console block, found {:?}",
                    file.display(),
                    i + 1,
                    lines[i]
                );
            };
            let mut command = first.to_string();
            while command.ends_with('\\') {
                command.pop();
                i += 1;
                command.push(' ');
                command.push_str(lines[i].trim());
            }
            i += 1;
            let mut status = 0;
            if let Some(s) = lines.get(i).and_then(|l| l.strip_prefix("? ")) {
                status = s
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{}:{}: bad status line", file.display(), i + 1));
                i += 1;
            }
            let start = i;
            while i < lines.len() && !lines[i].starts_with("```") && !lines[i].starts_with("$ ") {
                i += 1;
            }
            let mut args = shlex::split(&command)
                .unwrap_or_else(|| panic!("{}:{}: unbalanced quotes", file.display(), block.line));
            let merge_stderr = args.last().is_some_and(|a| a == "2>&1");
            if merge_stderr {
                args.pop();
            }
            for a in &args {
                assert!(
                    !["|", ">", ">>", "<", "&&", ";", "||"].contains(&a.as_str())
                        && !a.starts_with('$'),
                    "{}:{}: `{command}`: examples are run without a shell",
                    file.display(),
                    block.line
                );
            }
            assert_eq!(
                args.first().map(String::as_str),
                Some("costfix"),
                "{}:{}: only costfix commands are run",
                file.display(),
                block.line
            );
            args.remove(0);
            block.steps.push(Step {
                shown: command,
                args,
                merge_stderr,
                status,
                expected: start..i,
            });
        }
        i += 1;
        out.push(block);
    }
    out
}

/// Whether `actual` matches `expected`, with `...` lines and `[..]` wildcards.
fn matches(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, arest)| line_matches(e, a) && matches(rest, arest)),
    }
}

fn line_matches(expected: &str, actual: &str) -> bool {
    let (e, a) = (expected.trim_end(), actual.trim_end());
    let parts: Vec<&str> = e.split("[..]").collect();
    if parts.len() == 1 {
        return e == a;
    }
    let mut rest = a;
    for (n, p) in parts.iter().enumerate() {
        if n == 0 {
            let Some(r) = rest.strip_prefix(p) else {
                return false;
            };
            rest = r;
        } else if n == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            let Some(at) = rest.find(p) else { return false };
            rest = &rest[at + p.len()..];
        }
    }
    true
}

fn trim_blank_end<'a>(mut lines: &'a [&'a str]) -> &'a [&'a str] {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines = &lines[..lines.len() - 1];
    }
    lines
}

#[test]
fn console_examples_in_the_docs_are_true() {
    let regenerate = std::env::var_os("COSTFIX_REGENERATE").is_some();
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut replacements: Vec<(std::ops::Range<usize>, Vec<String>)> = Vec::new();
        for block in blocks(&file, &lines) {
            let tmp = tempfile::tempdir().unwrap();
            let cwd = match &block.copy {
                Some(dir) => {
                    copy_dir(&repo().join(dir), tmp.path());
                    tmp.path().to_owned()
                }
                None if block.tmp => tmp.path().to_owned(),
                None => repo(),
            };
            for step in &block.steps {
                ran += 1;
                let out = Command::new(env!("CARGO_BIN_EXE_costfix"))
                    .args(&step.args)
                    .current_dir(&cwd)
                    .env("SOURCE_DATE_EPOCH", EPOCH)
                    .env("NO_COLOR", "1")
                    .env_remove("CLICOLOR_FORCE")
                    .env_remove("TF_WORKSPACE")
                    .env_remove("COSTFIX_TIMINGS")
                    .output()
                    .expect("run costfix");
                let mut shown = String::from_utf8(out.stdout).expect("UTF-8 stdout");
                let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
                assert!(!stderr.contains("panicked"), "costfix panicked: {stderr}");
                if step.merge_stderr {
                    shown.push_str(&stderr);
                }
                let actual: Vec<&str> = shown.lines().collect();
                let actual = trim_blank_end(&actual);
                let expected = trim_blank_end(&lines[step.expected.clone()]);
                let code = out.status.code().unwrap_or(-1);
                let wildcards = expected
                    .iter()
                    .any(|l| l.trim() == "..." || l.contains("[..]"));
                let where_ = format!(
                    "{}:{} `{}`",
                    block
                        .file
                        .strip_prefix(repo())
                        .unwrap_or(&block.file)
                        .display(),
                    step.expected.start,
                    step.shown
                );
                if code != step.status {
                    failures.push(format!(
                        "{where_}: exit status {code}, the docs say {}\n{stderr}",
                        step.status
                    ));
                } else if !matches(expected, actual) {
                    if regenerate && !wildcards {
                        let mut new: Vec<String> = actual.iter().map(|l| l.to_string()).collect();
                        if step.expected.end < lines.len()
                            && lines[step.expected.end].starts_with("$ ")
                        {
                            new.push(String::new());
                        }
                        replacements.push((step.expected.clone(), new));
                    } else {
                        let diff =
                            similar::TextDiff::from_lines(&expected.join("\n"), &actual.join("\n"))
                                .unified_diff()
                                .header("docs", "actual")
                                .to_string();
                        failures.push(format!("{where_}: output differs\n{diff}"));
                    }
                }
            }
        }
        if !replacements.is_empty() {
            let mut out: Vec<String> = Vec::new();
            let mut i = 0;
            for (range, new) in replacements {
                out.extend(lines[i..range.start].iter().map(|l| l.to_string()));
                out.extend(new);
                i = range.end;
            }
            out.extend(lines[i..].iter().map(|l| l.to_string()));
            let mut text = out.join("\n");
            text.push('\n');
            std::fs::write(&file, text).unwrap();
        }
    }
    assert!(ran >= 20, "only {ran} examples found");
    assert!(
        failures.is_empty(),
        "{} example(s) differ from the docs (COSTFIX_REGENERATE=1 rewrites those without wildcards):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_matcher_can_fail() {
    assert!(matches(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["a [..] c"], &["a b c"]));
    assert!(!matches(&["a", "d"], &["a", "b", "d"]));
    assert!(!matches(&["a [..] c"], &["a b d"]));
    assert!(!matches(&["a", "..."], &[]));
}

/// The lines of the first fenced block of `lang` in `text` after the line holding `after`.
fn fenced_after<'a>(text: &'a str, after: &str, lang: &str) -> Vec<&'a str> {
    let start = text.find(after).expect("marker in docs/ci.md");
    let mut lines = text[start..].lines();
    lines.find(|l| l.trim() == format!("```{lang}"));
    lines.take_while(|l| l.trim() != "```").collect()
}

/// Run `script` with `bash -e` in a copy of the bundled example (plan.json, its .tf tree, slo/),
/// with costfix on PATH and as ./bin/costfix; its exit code and the folder.
fn run_recipe(script: &str) -> (i32, tempfile::TempDir) {
    let t = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("fixtures/corpus/infracost/examples/terraform"),
        t.path(),
    );
    copy_dir(&repo().join("slo"), &t.path().join("slo"));
    let bin = Path::new(env!("CARGO_BIN_EXE_costfix"));
    std::fs::create_dir_all(t.path().join("bin")).unwrap();
    std::os::unix::fs::symlink(bin, t.path().join("bin/costfix")).unwrap();
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-e", "-c", script])
        .current_dir(t.path())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), t)
}

#[test]
fn the_ci_recipes_run_under_bash_e() {
    // users.md D7a/D7b: under `set -e` (and GitLab's script:) a command after a failing check
    // never ran, and `fix` failed the job whenever findings remained. The recipes as written,
    // the terraform lines left out (the plan is there already): every report is written, and
    // the job fails by the verdict (the bundled example has denials).
    let text = std::fs::read_to_string(repo().join("docs/ci.md")).unwrap();
    let block: Vec<&str> = fenced_after(&text, "Every integration runs", "sh")
        .into_iter()
        .filter(|l| !l.trim_start().starts_with("terraform"))
        .collect();
    let (code, dir) = run_recipe(&block.join("\n"));
    assert_eq!(code, 1, "{block:?}");
    for f in ["costfix.md", "costfix.sarif", "costfix.patch"] {
        let len = std::fs::metadata(dir.path().join(f)).map_or(0, |m| m.len());
        assert!(len > 0, "{f} was not written by {block:?}");
    }
    let gitlab = fenced_after(&text, "## GitLab CI", "yaml");
    let cost = gitlab.iter().position(|l| l.starts_with("cost:")).unwrap();
    let script: Vec<String> = gitlab[cost..]
        .iter()
        .skip_while(|l| l.trim() != "script:")
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("- "))
        .map(|l| l.trim_start().trim_start_matches("- ").to_string())
        .filter(|l| !l.starts_with("terraform"))
        .collect();
    assert!(!script.is_empty());
    let (code, dir) = run_recipe(&script.join("\n"));
    assert_eq!(code, 1, "{script:?}");
    for f in ["costfix.xml", "costfix.md"] {
        assert!(
            dir.path().join(f).is_file(),
            "{f} was not written by {script:?}"
        );
    }
}

/// The `run: |` script of the step with `id` in action.yml.
fn action_script(id: &str) -> String {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let step = text.find(&format!("id: {id}")).expect("the step");
    let run = step + text[step..].find("run: |\n").expect("its run") + "run: |\n".len();
    text[run..]
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with("        "))
        .map(|l| l.strip_prefix("        ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_actions_check_step_writes_its_reports_and_fails_by_the_verdict() {
    // users.md D31: a fixed heredoc delimiter, costfix.md left in the workspace, an empty SARIF
    // after an input error. The step's script as action.yml has it, with the runner's variables.
    let script = action_script("check");
    let run = |plan: &str| {
        let t = tempfile::tempdir().unwrap();
        let ws = t.path().join("ws");
        copy_dir(
            &repo().join("fixtures/corpus/infracost/examples/terraform"),
            &ws,
        );
        let runner = t.path().join("runner");
        std::fs::create_dir_all(&runner).unwrap();
        let before: Vec<_> = std::fs::read_dir(&ws)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        let out = Command::new("bash")
            .args(["-c", &script])
            .current_dir(&ws)
            .env("COSTFIX", env!("CARGO_BIN_EXE_costfix"))
            .env("PLAN", plan)
            .env("DIR", ".")
            .env("SLO", repo().join("slo"))
            .env("BASE", "")
            .env("FAIL_ON", "deny")
            .env("SARIF", "costfix.sarif")
            .env("PATCH", "costfix.patch")
            .env("ARGS", "")
            .env("RUNNER_TEMP", &runner)
            .env("GITHUB_STEP_SUMMARY", runner.join("summary.md"))
            .env("GITHUB_OUTPUT", runner.join("output"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let mut after: Vec<_> = std::fs::read_dir(&ws)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        after.retain(|f| !before.contains(f));
        (out.status.code().unwrap_or(-1), t, runner, ws, after)
    };
    let (code, _t, runner, ws, new) = run("plan.json");
    assert_eq!(code, 1);
    let mut new: Vec<String> = new
        .iter()
        .map(|f| f.to_string_lossy().to_string())
        .collect();
    new.sort();
    assert_eq!(
        new,
        ["costfix.patch", "costfix.sarif"],
        "only the files asked for"
    );
    assert!(std::fs::metadata(ws.join("costfix.sarif")).unwrap().len() > 0);
    let output = std::fs::read_to_string(runner.join("output")).unwrap();
    let first = output.lines().next().unwrap();
    let delim = first.strip_prefix("markdown<<COSTFIX_").expect(first);
    assert_eq!(delim.len(), 32, "a random delimiter: {first}");
    assert!(
        output.contains(&format!("\nCOSTFIX_{delim}\nexit-code=1\n")),
        "{output}"
    );
    assert!(output.contains("## ❌ costfix check FAILED"), "{output}");
    let summary = std::fs::read_to_string(runner.join("summary.md")).unwrap();
    assert!(summary.starts_with("## ❌"), "{summary}");

    // An input error: exit 2 and no report, so no empty SARIF is uploaded.
    let (code, _t, _runner, ws, _) = run("missing.json");
    assert_eq!(code, 2);
    assert!(!ws.join("costfix.sarif").exists());
}
