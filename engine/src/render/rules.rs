//! The output of `costfix rules`: the catalogue as a table or JSON, one rule's documentation.
//! Markdown is [`crate::rules::catalogue_markdown`] (docs/rules.md).

use std::io::{self, Write};

use serde::Serialize;

use crate::rules::{self, Rule};

/// One rule's documentation, as `costfix rules ID` prints it.
pub fn rule(out: &mut impl Write, r: &Rule) -> io::Result<()> {
    writeln!(
        out,
        "{} {}\n{}\napplicability: {}\ntypes: {}\n\n{}",
        r.id,
        r.name,
        r.summary,
        r.applicability.name(),
        r.types.join(", "),
        r.doc()
    )
}

/// The catalogue, a rule a line.
pub fn table(out: &mut impl Write) -> io::Result<()> {
    for r in rules::all() {
        writeln!(
            out,
            "{}  {:<32} {:<13} {}",
            r.id,
            r.name,
            r.applicability.name(),
            r.summary
        )?;
    }
    Ok(())
}

/// The catalogue as JSON.
pub fn json(out: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct R {
        id: &'static str,
        name: &'static str,
        summary: &'static str,
        types: &'static [&'static str],
        applicability: &'static str,
        doc: String,
    }
    let list: Vec<R> = rules::all()
        .iter()
        .map(|r| R {
            id: r.id,
            name: r.name,
            summary: r.summary,
            types: r.types,
            applicability: r.applicability.name(),
            doc: r.doc(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)
}
