//! Rule documentation: a rule's `//!` comment read at its fixed headings ([`RuleDoc`]), and the
//! rule catalogue generated from them (`docs/rules.md`, `costfix rules --format markdown`).
//!
//! A rule's doc comment has ruff's headings, in this order: `## What it does`, `## Why is this
//! bad?`, `## Example` (an ```` ```hcl ```` block, `Use instead:`, and the block after the fix)
//! and `## Fix safety`.
//!
//! The comment is read from the rule's own source, embedded with `include_str!` (`Rule.source`),
//! at run time. That keeps the `//!` comment the one copy (rustdoc shows the same text) with no
//! build step: `macro_rules!` cannot read a module's inner doc comment, and a `build.rs` or
//! proc-macro that extracted it at compile time would add a build script or a crate to save a
//! parse of fifteen short comments, done only by `costfix rules`.

use super::{all, Rule};

/// The headings of a rule's documentation, in order.
pub const HEADINGS: [&str; 4] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Fix safety",
];

/// A rule's documentation, split at its headings (the text under each, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    pub what_it_does: String,
    pub why_is_this_bad: String,
    pub example: Example,
    pub fix_safety: String,
}

/// A rule's `## Example`: HCL that the rule finds, and the HCL after the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The whole section, as written.
    pub text: String,
    /// The first ```` ```hcl ```` block before `Use instead:`.
    pub before: String,
    /// The first ```` ```hcl ```` block after `Use instead:`.
    pub after: String,
}

impl Rule {
    /// The rule's documentation: the `//!` lines of its file, without the markers.
    pub fn doc(&self) -> String {
        crate::fsutil::module_doc(self.source)
    }

    /// The documentation at its headings; why not, when a heading is missing, out of order or
    /// empty, or the example lacks a block before or after `Use instead:`.
    pub fn doc_sections(&self) -> Result<RuleDoc, String> {
        let doc = self.doc();
        let mut bodies: Vec<String> = Vec::new();
        let mut current: Option<String> = None;
        let mut fence = false;
        for line in doc.lines() {
            fence ^= line.trim_start().starts_with("```");
            if !fence && line.starts_with("## ") {
                let want = HEADINGS.get(bodies.len() + usize::from(current.is_some()));
                if want != Some(&line.trim_end()) {
                    return Err(format!(
                        "{}: heading `{line}` where `{}` was expected",
                        self.id,
                        want.unwrap_or(&"no further heading")
                    ));
                }
                bodies.extend(current.replace(String::new()));
                continue;
            }
            match &mut current {
                Some(body) => {
                    body.push_str(line);
                    body.push('\n');
                }
                None if line.trim().is_empty() => {}
                None => return Err(format!("{}: text before `{}`", self.id, HEADINGS[0])),
            }
        }
        bodies.extend(current);
        let mut bodies = bodies.into_iter().map(|b| b.trim().to_string());
        let mut next = |heading: &str| match bodies.next() {
            Some(b) if !b.is_empty() => Ok(b),
            Some(_) => Err(format!("{}: `{heading}` is empty", self.id)),
            None => Err(format!("{}: no `{heading}`", self.id)),
        };
        Ok(RuleDoc {
            what_it_does: next(HEADINGS[0])?,
            why_is_this_bad: next(HEADINGS[1])?,
            example: example(self.id, next(HEADINGS[2])?)?,
            fix_safety: next(HEADINGS[3])?,
        })
    }
}

/// The before and after blocks of an `## Example` section.
fn example(id: &str, text: String) -> Result<Example, String> {
    let Some((before, after)) = text.split_once("\nUse instead:\n") else {
        return Err(format!("{id}: the example has no `Use instead:` line"));
    };
    let block = |part: &str, which: &str| {
        hcl_block(part).ok_or_else(|| format!("{id}: the example has no ```hcl block {which}"))
    };
    Ok(Example {
        before: block(before, "before `Use instead:`")?,
        after: block(after, "after `Use instead:`")?,
        text,
    })
}

/// The text of the first ```` ```hcl ```` block in `text`, with a final newline.
fn hcl_block(text: &str) -> Option<String> {
    let start = text.find("```hcl\n")? + "```hcl\n".len();
    let len = text[start..].find("```")?;
    Some(text[start..start + len].to_string())
}

/// The rule catalogue in Markdown (`docs/rules.md`), generated from the rules' doc comments.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Rule catalogue\n\n\
         <!-- Generated from the rules' doc comments (engine/src/rules/cf*.rs) by\n     \
         `costfix rules --format markdown > docs/rules.md`; a test checks it is current. -->\n\n\
         Each rule finds one kind of waste in a plan and, where an attribute edit can fix it,\n\
         proposes the edit. The saving is computed from the price catalog by costing the resource\n\
         again with the fix applied (see [fix.md](fix.md)). Applicability, as in ruff:\n\n\
         - **safe**: applied by `costfix fix --apply`;\n\
         - **unsafe**: applied only with `--unsafe-fixes`;\n\
         - **display-only**: shown, never applied.\n\n\
         A rule's applicability is the highest a fix of it gets; a fix is lowered to unsafe when the\n\
         edited literal is shared with other resources or the case is riskier (the rule says when).\n\
         Suppress a finding with `# costfix:ignore CF001 reason` on the resource block.\n\n\
         Each rule says what it does, why it is bad, shows an example and says when its fix is\n\
         safe. The examples come from the rules' test fixtures (`fixtures/rules/cfNNN/main.tf`);\n\
         for a rule whose fix costfix applies, the block after `Use instead:` is what\n\
         `costfix fix --apply` writes there (a test checks it), and for a display-only rule it is\n\
         the change to make by hand.\n\n\
         | Rule | Name | Resource types | Applicability | Finds |\n\
         |---|---|---|---|---|\n",
    );
    for r in all() {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} | {} |\n",
            r.id,
            format!("{}-{}", r.id, r.name).to_ascii_lowercase(),
            r.name,
            types(r),
            r.applicability.name(),
            r.summary
        ));
    }
    for r in all() {
        out.push_str(&format!(
            "\n## {} {}\n\n*{}* · applicability: **{}** · types: {}\n\n{}\n",
            r.id,
            r.name,
            r.summary,
            r.applicability.name(),
            types(r),
            demote_headings(&r.doc())
        ));
    }
    out
}

fn types(r: &Rule) -> String {
    r.types
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A rule's `## ` headings one level down (`### `), under the catalogue's `## CF001 name`.
fn demote_headings(doc: &str) -> String {
    let mut fence = false;
    let lines: Vec<String> = doc
        .lines()
        .map(|line| {
            fence ^= line.trim_start().starts_with("```");
            if !fence && line.starts_with("## ") {
                format!("#{line}")
            } else {
                line.to_string()
            }
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(source: &'static str) -> Rule {
        Rule {
            source,
            ..*super::super::find("CF003").unwrap()
        }
    }

    #[test]
    fn docs_are_read_at_their_headings() {
        let ok = rule(
            "//! ## What it does\n//!\n//! Finds.\n//!\n//! ## Why is this bad?\n//!\n//! Costs.\n\
             //!\n//! ## Example\n//!\n//! ```hcl\n//! a = 1\n//! ## not a heading\n//! ```\n//!\n\
             //! Use instead:\n//!\n//! ```hcl\n//! a = 2\n//! ```\n//!\n//! ## Fix safety\n//!\n\
             //! Safe.\n\nuse x;\n//! not docs\n",
        );
        let doc = ok.doc_sections().unwrap();
        assert_eq!(doc.what_it_does, "Finds.");
        assert_eq!(doc.example.before, "a = 1\n## not a heading\n");
        assert_eq!(doc.example.after, "a = 2\n");
        assert_eq!(doc.fix_safety, "Safe.");
        assert!(demote_headings(&ok.doc()).contains("\n### Fix safety\n"));
        assert!(demote_headings(&ok.doc()).contains("\n## not a heading\n"));

        let out_of_order = rule("//! ## Why is this bad?\n//!\n//! Costs.\n");
        assert!(out_of_order.doc_sections().unwrap_err().contains("where"));
        let no_after = rule(
            "//! ## What it does\n//! a\n//! ## Why is this bad?\n//! b\n//! ## Example\n\
             //! ```hcl\n//! a = 1\n//! ```\n//! ## Fix safety\n//! c\n",
        );
        assert!(no_after.doc_sections().unwrap_err().contains("Use instead"));
        let empty = rule("//! ## What it does\n//! ## Why is this bad?\n//! b\n");
        assert!(empty.doc_sections().unwrap_err().contains("empty"));
    }
}
