//! The rule catalogue (`docs/rules.md`, `costfix rules --format markdown`), generated from the
//! rules' doc comments.

use super::{all, Applicability};

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
         | Rule | Name | Resource types | Applicability | Finds |\n\
         |---|---|---|---|---|\n",
    );
    for r in all() {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} | {} |\n",
            r.id,
            format!("{}-{}", r.id, r.name).to_ascii_lowercase(),
            r.name,
            r.types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            applicability_name(r.applicability),
            r.summary
        ));
    }
    for r in all() {
        out.push_str(&format!(
            "\n## {} {}\n\n*{}* · applicability: **{}** · types: {}\n\n{}\n",
            r.id,
            r.name,
            r.summary,
            applicability_name(r.applicability),
            r.types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            r.doc()
        ));
    }
    out
}

/// `safe`, `unsafe`, `display-only`.
pub fn applicability_name(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
        Applicability::DisplayOnly => "display-only",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicability_names_are_the_serde_names() {
        for a in [
            Applicability::Safe,
            Applicability::Unsafe,
            Applicability::DisplayOnly,
        ] {
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                serde_json::Value::from(applicability_name(a))
            );
        }
    }
}
