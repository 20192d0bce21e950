//! Edits to `.tf` files that keep every other byte: splice new text at a value's span in the
//! original bytes (never re-serialise), refuse overlapping edits, check the result parses and
//! reads back the intended text (writing is [`crate::fsutil`]'s).
//!
//! hcl-edit gives the spans; it turns CRLF into LF and rejects a byte-order mark when it *writes*,
//! so costfix never lets it write: the original text is kept and only the edited ranges change.

use std::ops::Range;
use std::path::PathBuf;

use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::Span;
use serde::{Deserialize, Serialize};

use crate::fsutil::sha256_hex;

/// One change of a file: replace `span` (bytes of the file) by `new_text`. An empty span inserts.
/// The one edit type, from a rule's fix to an operation's edits and the log's reverse edits: an
/// edit that must be found again later (the file may have moved) carries its [`Anchor`].
///
/// Serialised (operations files, the log) as `file`, `start`, `end`, `old_text`, `new_text`,
/// `expect` (`[key, value start, value end]` within `new_text`), `file_sha256`,
/// `context_before`, `context_after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "EditRecord", from = "EditRecord")]
pub struct Edit {
    pub file: PathBuf,
    pub span: Range<usize>,
    pub new_text: String,
    /// What the edited file must read back: attribute `key` whose value is `value` (a range of
    /// `new_text`).
    pub expect: Vec<Expect>,
    /// Where the edit was made, to find it again.
    pub anchor: Option<Anchor>,
}

/// What an edit remembers of its place: the text it replaces, the text around it (from the start
/// of the previous line, and to the end of its line) and its file's sha256 then.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchor {
    pub old_text: String,
    pub file_sha256: String,
    pub context_before: String,
    pub context_after: String,
}

/// The serialised form of an [`Edit`].
#[derive(Serialize, Deserialize)]
struct EditRecord {
    file: String,
    start: usize,
    end: usize,
    old_text: String,
    new_text: String,
    expect: Vec<(String, usize, usize)>,
    file_sha256: String,
    context_before: String,
    context_after: String,
}

impl From<Edit> for EditRecord {
    fn from(e: Edit) -> EditRecord {
        let a = e.anchor.unwrap_or_default();
        EditRecord {
            file: e.file.display().to_string(),
            start: e.span.start,
            end: e.span.end,
            old_text: a.old_text,
            new_text: e.new_text,
            expect: e
                .expect
                .into_iter()
                .map(|x| (x.key, x.value.start, x.value.end))
                .collect(),
            file_sha256: a.file_sha256,
            context_before: a.context_before,
            context_after: a.context_after,
        }
    }
}

impl From<EditRecord> for Edit {
    fn from(r: EditRecord) -> Edit {
        Edit {
            file: PathBuf::from(r.file),
            span: r.start..r.end,
            new_text: r.new_text,
            expect: r
                .expect
                .into_iter()
                .map(|(key, a, b)| Expect { key, value: a..b })
                .collect(),
            anchor: Some(Anchor {
                old_text: r.old_text,
                file_sha256: r.file_sha256,
                context_before: r.context_before,
                context_after: r.context_after,
            }),
        }
    }
}

impl Edit {
    /// The edit anchored in `text` (its file now): `old_text` is what it replaces.
    pub fn anchored(mut self, text: &str, old_text: String) -> Edit {
        let (context_before, context_after) = if text.len() >= self.span.end {
            contexts(text, self.span.start, self.span.end)
        } else {
            (String::new(), String::new())
        };
        self.anchor = Some(Anchor {
            old_text,
            file_sha256: sha256_hex(text.as_bytes()),
            context_before,
            context_after,
        });
        self
    }

    /// The text the edit replaces, as anchored (empty without an anchor, or for an insertion).
    pub fn old_text(&self) -> &str {
        self.anchor.as_ref().map_or("", |a| a.old_text.as_str())
    }

    /// Where the edit applies in `text` now: the occurrence of its context and old text nearest
    /// `hint`. None without an anchor, or when the text around it is gone.
    pub fn relocate(&self, text: &str, hint: usize) -> Option<usize> {
        let a = self.anchor.as_ref()?;
        let pattern = format!("{}{}{}", a.context_before, a.old_text, a.context_after);
        text.match_indices(pattern.as_str())
            .map(|(i, _)| i + a.context_before.len())
            .min_by_key(|&at| at.abs_diff(hint))
    }

    /// The same edit at byte `start`.
    pub fn moved_to(&self, start: usize) -> Edit {
        Edit {
            span: start..start + self.span.len(),
            ..self.clone()
        }
    }
}

/// The text before `start..end` from the start of the previous line, and after it to the end of
/// its line.
pub fn contexts(text: &str, start: usize, end: usize) -> (String, String) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let prev_start = if line_start == 0 {
        0
    } else {
        text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1)
    };
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    (
        text[prev_start..start].to_string(),
        text[end..line_end].to_string(),
    )
}

/// The attribute an edit writes, checked after the edit by parsing the file again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub key: String,
    /// The value's bytes within the edit's `new_text`.
    pub value: Range<usize>,
}

/// Why a set of edits cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("edits overlap at bytes {0:?} and {1:?}")]
    Overlap(Range<usize>, Range<usize>),
    #[error("edit span {0:?} is outside the file or splits a character")]
    OutOfBounds(Range<usize>),
    #[error("the edited file no longer parses: {0}")]
    Unparsable(String),
    #[error("after the edit, bytes {0:?} read `{1}` instead of `{2}`")]
    ReadBack(Range<usize>, String, String),
}

impl Edit {
    /// Whether two edits of one file touch the same bytes: their ranges intersect, or they start
    /// at the same place (two insertions at one point overlap too). The one overlap rule, used
    /// by [`splice`] and by the choice of fixes.
    pub fn overlaps(&self, other: &Edit) -> bool {
        let (a, b) = (&self.span, &other.span);
        (a.start < b.end && b.start < a.end) || a.start == b.start
    }

    /// The same edit (range and text).
    pub fn same_as(&self, other: &Edit) -> bool {
        self.span == other.span && self.new_text == other.new_text
    }
}

/// Splice edits into `original`. Edits must not overlap (two edits at the same insertion point
/// overlap too); they may come in any order.
pub fn splice(original: &str, edits: &[&Edit]) -> std::result::Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    for w in sorted.windows(2) {
        if w[0].overlaps(w[1]) {
            return Err(EditError::Overlap(w[0].span.clone(), w[1].span.clone()));
        }
    }
    for e in &sorted {
        if e.span.start > e.span.end
            || e.span.end > original.len()
            || !original.is_char_boundary(e.span.start)
            || !original.is_char_boundary(e.span.end)
        {
            return Err(EditError::OutOfBounds(e.span.clone()));
        }
    }
    let mut out = String::with_capacity(original.len() + 64);
    let mut at = 0;
    for e in &sorted {
        out.push_str(&original[at..e.span.start]);
        out.push_str(&e.new_text);
        at = e.span.end;
    }
    out.push_str(&original[at..]);
    Ok(out)
}

/// Where each edit's new text lands in the edited file.
fn new_spans<'e>(edits: &[&'e Edit]) -> Vec<(Range<usize>, &'e Edit)> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| e.span.start);
    let mut shift: isize = 0;
    sorted
        .into_iter()
        .map(|e| {
            let start = (e.span.start as isize + shift) as usize;
            shift += e.new_text.len() as isize - e.span.len() as isize;
            (start..start + e.new_text.len(), e)
        })
        .collect()
}

/// Every attribute of a body, nested blocks included: (key, value span).
fn attributes(body: &Body, bom: usize, out: &mut Vec<(String, Range<usize>)>) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                if let Some(sp) = a.value.span() {
                    out.push((a.key.as_str().to_string(), sp.start + bom..sp.end + bom));
                }
            }
            Structure::Block(b) => attributes(&b.body, bom, out),
        }
    }
}

fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') {
        3
    } else {
        0
    }
}

/// Parse HCL text (after a byte-order mark, whose length is returned to shift spans).
pub fn parse(text: &str) -> std::result::Result<(Body, usize), String> {
    let bom = bom_len(text);
    crate::hcl::guard::parse_body(&text[bom..])
        .map(|b| (b, bom))
        .map_err(|e| e.to_string())
}

/// Merge insertions at the same point into one edit (their lines one after the other). Other
/// edits are left as they are.
pub fn merge_insertions(edits: Vec<Edit>) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    for e in edits {
        if e.span.is_empty() {
            if let Some(prev) = out
                .iter_mut()
                .find(|p| p.file == e.file && p.span.is_empty() && p.span.start == e.span.start)
            {
                if prev.new_text == e.new_text {
                    continue;
                }
                let shift = prev.new_text.len();
                prev.new_text.push_str(&e.new_text);
                prev.expect.extend(e.expect.into_iter().map(|x| Expect {
                    key: x.key,
                    value: x.value.start + shift..x.value.end + shift,
                }));
                continue;
            }
        }
        out.push(e);
    }
    out
}

/// Splice and verify: the result parses, each edit's new text is where it should be, and each
/// edit's attribute reads back from the parsed file with the intended value.
pub fn apply_verified(original: &str, edits: &[&Edit]) -> std::result::Result<String, EditError> {
    let out = splice(original, edits)?;
    let (body, bom) = parse(&out).map_err(EditError::Unparsable)?;
    let mut attrs = Vec::new();
    if edits.iter().any(|e| !e.expect.is_empty()) {
        attributes(&body, bom, &mut attrs);
    }
    for (span, edit) in new_spans(edits) {
        let got = out.get(span.clone()).unwrap_or_default();
        if got != edit.new_text {
            return Err(EditError::ReadBack(
                span,
                got.to_string(),
                edit.new_text.clone(),
            ));
        }
        for x in &edit.expect {
            let value = span.start + x.value.start..span.start + x.value.end;
            if !attrs.iter().any(|(k, v)| k == &x.key && *v == value) {
                let want = format!("{} = {}", x.key, &edit.new_text[x.value.clone()]);
                return Err(EditError::ReadBack(value, "something else".into(), want));
            }
        }
    }
    Ok(out)
}

/// The span of an attribute value in the block starting at byte `block_start`, following nested
/// blocks by name (`["root_block_device", "volume_type"]`; the first nested block of that name).
pub fn attribute_value_span(text: &str, block_start: usize, path: &[&str]) -> Option<Range<usize>> {
    let (body, bom) = parse(text).ok()?;
    let block = top_block_at(&body, block_start - bom.min(block_start), bom)?;
    let (last, blocks) = path.split_last()?;
    let mut body = &block.body;
    for name in blocks {
        body = &body
            .iter()
            .find_map(|s| match s {
                Structure::Block(b) if b.ident.as_str() == *name => Some(b),
                _ => None,
            })?
            .body;
    }
    let attr = body.get_attribute(last)?;
    attr.value.span().map(|s| s.start + bom..s.end + bom)
}

fn top_block_at(body: &Body, start: usize, _bom: usize) -> Option<&Block> {
    body.iter().find_map(|s| match s {
        Structure::Block(b) if b.span().is_some_and(|sp| sp.start == start) => Some(b),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(span: Range<usize>, t: &str) -> Edit {
        Edit {
            file: "main.tf".into(),
            span,
            new_text: t.into(),
            expect: Vec::new(),
            anchor: None,
        }
    }

    #[test]
    fn splices_and_refuses_overlaps() {
        let s = "abcdef";
        assert_eq!(
            splice(s, &[&edit(4..6, "XY"), &edit(0..1, "Z")]).unwrap(),
            "ZbcdXY"
        );
        assert!(matches!(
            splice(s, &[&edit(0..3, "x"), &edit(2..4, "y")]),
            Err(EditError::Overlap(..))
        ));
        assert!(matches!(
            splice(s, &[&edit(1..1, "x"), &edit(1..1, "y")]),
            Err(EditError::Overlap(..))
        ));
        assert!(matches!(
            splice(s, &[&edit(5..9, "x")]),
            Err(EditError::OutOfBounds(..))
        ));
    }

    #[test]
    fn value_edit_keeps_every_other_byte_crlf_bom_comments() {
        let text = "\u{feff}resource \"aws_ebs_volume\" \"v\" {\r\n  size = 10   # keep me\r\n  type = \"gp2\" // and me\r\n}\r\n\r\nlocals {\r\n  doc = <<EOT\r\n  gp2 stays here\r\nEOT\r\n}";
        let span = attribute_value_span(text, 3, &["type"]).unwrap();
        assert_eq!(&text[span.clone()], "\"gp2\"");
        let e = edit(span.clone(), "\"gp3\"");
        let out = apply_verified(text, &[&e]).unwrap();
        assert_eq!(out, text.replacen("\"gp2\"", "\"gp3\"", 1));
        assert!(out.starts_with('\u{feff}') && out.contains("\r\n") && !out.ends_with('\n'));
        assert!(out.contains("gp2 stays here"));
    }

    #[test]
    fn nested_block_values() {
        let text = "resource \"aws_instance\" \"w\" {\n  instance_type = \"t2.micro\"\n  root_block_device {\n    volume_type = \"gp2\"\n  }\n}\n";
        let span = attribute_value_span(text, 0, &["root_block_device", "volume_type"]).unwrap();
        assert_eq!(&text[span], "\"gp2\"");
        assert!(attribute_value_span(text, 0, &["ebs_block_device", "volume_type"]).is_none());
    }

    #[test]
    fn verification_refuses_broken_results() {
        let text = "resource \"a\" \"b\" {\n  x = 1\n}\n";
        let span = attribute_value_span(text, 0, &["x"]).unwrap();
        let bad = edit(span, "{");
        assert!(matches!(
            apply_verified(text, &[&bad]),
            Err(EditError::Unparsable(_))
        ));
    }
}
