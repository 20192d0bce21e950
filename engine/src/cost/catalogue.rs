//! The priced-types part of `docs/cost-model.md`, generated from the `//!` comments of the type
//! files (`engine/src/cost/aws/*.rs`) and their [`PricedType`] values. The rest of that page is
//! written by hand; a test checks that the generated part is current
//! (`COSTFIX_REGENERATE=1 cargo test -p costfix-engine --lib cost_model` rewrites it).

use super::{PricedType, REGISTRY};

/// The sections every type's doc comment has, in this order, after its title paragraph.
pub const SECTIONS: &[&str] = &[
    "Components",
    "Attributes",
    "Usage keys",
    "Defaults",
    "Not priced",
];

/// The line before and the line after the generated part of `docs/cost-model.md`.
const BEGIN: &str = "<!-- BEGIN priced types: generated from the //! comments of engine/src/cost/aws/*.rs (COSTFIX_REGENERATE=1 cargo test -p costfix-engine --lib cost_model rewrites it) -->";
const END: &str = "<!-- END priced types -->";

impl PricedType {
    /// The type's documentation: the `//!` lines of its file, without the markers.
    pub fn doc(&self) -> String {
        crate::fsutil::module_doc(self.source)
    }
}

/// A type's doc comment in parts: the title paragraph (`` `aws_eip`: an Elastic IP address. ``)
/// and the text of each of [`SECTIONS`].
struct Doc {
    title: String,
    sections: Vec<(String, String)>,
}

fn parse(t: &PricedType) -> Result<Doc, String> {
    let doc = t.doc();
    let mut paragraphs = doc.split("\n\n").map(|p| p.replace('\n', " "));
    let title = paragraphs.next().unwrap_or_default();
    let names = std::iter::once(t.name).chain(t.aliases.iter().copied());
    let named = names
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    if !title.starts_with(&format!("{named}: ")) {
        return Err(format!(
            "{t:?}: the doc comment starts `{named}: what it is.`"
        ));
    }
    let mut sections = Vec::new();
    for p in paragraphs {
        let Some((heading, text)) = p.strip_prefix("**").and_then(|p| p.split_once(".** ")) else {
            return Err(format!(
                "{t:?}: a paragraph that is not a **Section.**: {p}"
            ));
        };
        sections.push((heading.to_string(), text.to_string()));
    }
    let headings: Vec<&str> = sections.iter().map(|(h, _)| h.as_str()).collect();
    if headings != SECTIONS {
        return Err(format!(
            "{t:?}: the sections are {headings:?}, not {SECTIONS:?}"
        ));
    }
    Ok(Doc { title, sections })
}

fn code_list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items
        .into_iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a type reads of other resources: `` `aws_launch_template` (`launch_template`) ``.
fn reads(t: &PricedType) -> String {
    let reads: Vec<String> = t
        .references
        .iter()
        .map(|r| format!("`{}` (`{}`)", r.target, r.attribute))
        .collect();
    if reads.is_empty() {
        "—".into()
    } else {
        reads.join(", ")
    }
}

/// The generated part of `docs/cost-model.md` (between its BEGIN and END markers): a table of the
/// priced types, then a section per type with its doc comment. Panics on a doc comment that lacks
/// the title or a section (a test runs it).
pub fn catalogue_markdown() -> String {
    let mut out =
        String::from("| type | what | price tables | reads from the plan |\n|---|---|---|---|\n");
    let docs: Vec<(&PricedType, Doc)> = REGISTRY
        .iter()
        .map(|t| (*t, parse(t).unwrap_or_else(|e| panic!("{e}"))))
        .collect();
    for (t, doc) in &docs {
        let (names, what) = doc.title.split_once(": ").unwrap_or_default();
        out.push_str(&format!(
            "| [{names}](#{}) | {} | {} | {} |\n",
            t.name,
            what.trim_end_matches('.'),
            code_list(t.services),
            reads(t)
        ));
    }
    for (t, doc) in &docs {
        out.push_str(&format!(
            "\n### {}\n\n{}\n\nPrice tables: {}.",
            t.name,
            doc.title,
            code_list(t.services),
        ));
        if !t.references.is_empty() {
            out.push_str(&format!(" Reads from the plan: {}.", reads(t)));
        }
        out.push('\n');
        for (heading, text) in &doc.sections {
            out.push_str(&format!("\n**{heading}.** {text}\n"));
        }
    }
    out
}

/// `docs/cost-model.md`'s text with its generated part made current (None without the markers).
pub fn with_current_catalogue(doc: &str) -> Option<String> {
    let (head, rest) = doc.split_once(BEGIN)?;
    let (_, tail) = rest.split_once(END)?;
    Some(format!(
        "{head}{BEGIN}\n\n{}\n{END}{tail}",
        catalogue_markdown()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_doc_has_its_title_and_sections() {
        for t in REGISTRY {
            if let Err(e) = parse(t) {
                panic!("{e}");
            }
        }
    }

    /// `docs/cost-model.md`'s priced-types part is what the type files' docs generate.
    #[test]
    fn cost_model_doc_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cost-model.md");
        let text = std::fs::read_to_string(&path).expect("docs/cost-model.md");
        let want = with_current_catalogue(&text).expect("the BEGIN and END markers");
        if std::env::var_os("COSTFIX_REGENERATE").is_some() {
            std::fs::write(&path, want).unwrap();
        } else {
            assert!(
                text == want,
                "docs/cost-model.md is stale: COSTFIX_REGENERATE=1 cargo test -p costfix-engine --lib cost_model"
            );
        }
    }
}
