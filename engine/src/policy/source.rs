//! What costfix reads from policy files without regorus: which files are policies (folders of
//! test inputs are not), the rules a module declares, and its OPA `# METADATA`.

use std::path::{Path, PathBuf};

/// What a policy file says of itself in its OPA `# METADATA` block (`title`, `description`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyDoc {
    pub title: Option<String>,
    pub description: Option<String>,
}

/// The first `# METADATA` block of a policy (YAML in comments, as OPA reads it), if any.
pub fn metadata(text: &str) -> Option<PolicyDoc> {
    let mut lines = text.lines().skip_while(|l| l.trim() != "# METADATA");
    lines.next()?;
    let yaml: String = lines
        .map_while(|l| l.strip_prefix('#'))
        .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
        .collect();
    let v: serde_json::Value = serde_yaml_ng::from_str(&yaml).ok()?;
    let field = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .map(|s| s.trim().to_string())
    };
    Some(PolicyDoc {
        title: field("title"),
        description: field("description"),
    })
}

/// A folder of test inputs rather than policies or their data.
pub(super) fn is_test_folder(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name == "testdata"
        || name == "fixtures"
        || name.ends_with("_test")
        || (name.starts_with('.') && name != "." && name != "..")
}

pub(super) fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Names of the rules a module declares (identifiers at the start of a line, before `{`, `if`,
/// `=`, `:=`, `[`, `contains` or `(`).
pub(super) fn rule_heads(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with(char::is_whitespace) {
            continue;
        }
        let ident: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() || matches!(ident.as_str(), "package" | "import" | "default" | "else") {
            if ident == "default" {
                let rest = line["default".len()..].trim_start();
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && !out.contains(&name) {
                    out.push(name);
                }
            }
            continue;
        }
        let rest = line[ident.len()..].trim_start();
        let head = rest.starts_with('{')
            || rest.starts_with("if")
            || rest.starts_with('=')
            || rest.starts_with(":=")
            || rest.starts_with('[')
            || rest.starts_with("contains")
            || rest.starts_with('(');
        if head && !out.contains(&ident) {
            out.push(ident);
        }
    }
    out
}
