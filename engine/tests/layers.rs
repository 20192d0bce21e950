//! The engine's layers only point down: each top-level module of `engine/src` may use the ones
//! before it in [`ORDER`] and none after it (no import cycles). `docs/architecture.md` draws the
//! same order. Test code is left out (`#[cfg(test)]` and what follows it in a file).

use std::collections::BTreeSet;
use std::path::Path;

/// Lowest first.
const ORDER: &[&str] = &[
    "error",
    "nesting",
    "fsutil",
    "yaml",
    "terraform",
    "hcl",
    "root",
    "pricing",
    "cost",
    "estimate",
    "policy",
    "slo",
    "check",
    "rules",
    "fix",
    "ops",
    "render",
    "config",
];

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The layers a file's non-test code names as `crate::LAYER`.
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = BTreeSet::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (i, _) in line.match_indices("crate::") {
            let name: String = line[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

#[test]
fn layers_only_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut seen = BTreeSet::new();
    let mut wrong = Vec::new();
    for f in &all {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let layer = top.trim_end_matches(".rs").to_string();
        if layer == "lib" {
            continue;
        }
        let Some(me) = ORDER.iter().position(|l| *l == layer) else {
            wrong.push(format!("{}: `{layer}` is not in ORDER", rel.display()));
            continue;
        };
        seen.insert(layer.clone());
        for used in uses(&std::fs::read_to_string(f).unwrap()) {
            if let Some(u) = ORDER.iter().position(|l| *l == used) {
                if u > me {
                    wrong.push(format!(
                        "{}: {layer} uses {used}, a layer above it",
                        rel.display()
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(seen.len(), ORDER.len(), "every layer exists: {seen:?}");
}

#[test]
fn the_check_can_fail() {
    assert!(
        uses("use crate::ops::log;\n// crate::fix\n#[cfg(test)]\nuse crate::rules;")
            .contains("ops")
    );
    assert!(!uses("// crate::fix\n").contains("fix"));
    assert!(!uses("#[cfg(test)]\nuse crate::rules;").contains("rules"));
}
