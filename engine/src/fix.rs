//! Edits to `.tf` files that keep every other byte: splice new text at a value's span in the
//! original bytes (never re-serialise), refuse overlapping edits, check the result parses and
//! reads back the intended text, and write atomically.
//!
//! hcl-edit gives the spans; it turns CRLF into LF and rejects a byte-order mark when it *writes*,
//! so costfix never lets it write: the original text is kept and only the edited ranges change.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::Span;
use serde::Serialize;

use crate::error::{Error, Result};

/// One change of a file: replace `span` (bytes of the original file) by `new_text`. An empty span
/// inserts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub file: PathBuf,
    pub span: Range<usize>,
    pub new_text: String,
    /// What the edited file must read back: attribute `key` whose value is `value` (a range of
    /// `new_text`).
    #[serde(skip)]
    pub expect: Vec<Expect>,
}

/// The attribute an edit writes, checked after the edit by parsing the file again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub key: String,
    /// The value's bytes within the edit's `new_text`.
    pub value: Range<usize>,
}

/// How far a fix may be trusted, in ruff's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Applied by `--apply`.
    Safe,
    /// Applied only with `--unsafe-fixes`.
    Unsafe,
    /// Shown, never applied.
    DisplayOnly,
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

/// Splice edits into `original`. Edits must not overlap (two edits at the same insertion point
/// overlap too); they may come in any order.
pub fn splice(original: &str, edits: &[&Edit]) -> std::result::Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    for w in sorted.windows(2) {
        let (a, b) = (&w[0].span, &w[1].span);
        if b.start < a.end || (a.start == b.start) {
            return Err(EditError::Overlap(a.clone(), b.clone()));
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
    crate::hcl_guard::parse_body(&text[bom..])
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

/// An edit that adds `key = value` at the end of the block spanning `block_span`, indented like
/// the block's other attributes and with the file's line ending.
pub fn insert_attribute(
    file: &Path,
    text: &str,
    block_span: &Range<usize>,
    key: &str,
    value: &str,
) -> Option<Edit> {
    insert_lines(file, text, block_span, |l| {
        // Line the `=` up with the attribute above when it is aligned (as `terraform fmt` does).
        let pad = match l.eq_column {
            Some(col) if col >= key.len() => col - key.len() + 1,
            _ => 1,
        };
        let head = format!("{}{key}{} = ", l.inner, " ".repeat(pad - 1));
        let at = head.len();
        (
            format!("{head}{value}{}", l.nl),
            Expect {
                key: key.to_string(),
                value: at..at + value.len(),
            },
        )
    })
}

/// An edit that adds a nested block `name { key = value }` (on three lines) at the end of the
/// block spanning `block_span`.
pub fn insert_block(
    file: &Path,
    text: &str,
    block_span: &Range<usize>,
    name: &str,
    key: &str,
    value: &str,
) -> Option<Edit> {
    insert_lines(file, text, block_span, |l| {
        let (inner, unit, nl) = (l.inner.as_str(), l.unit.as_str(), l.nl);
        let head = format!("{inner}{name} {{{nl}{inner}{unit}");
        let at = head.len() + key.len() + 3;
        (
            format!("{head}{key} = {value}{nl}{inner}}}{nl}"),
            Expect {
                key: key.to_string(),
                value: at..at + value.len(),
            },
        )
    })
}

/// How a block's inside is laid out.
struct Layout {
    /// Indentation of the block's attributes, and one level of indentation.
    inner: String,
    unit: String,
    nl: &'static str,
    /// Where the `=` of the last attribute line stands (after the indentation), if that line is
    /// `key<spaces> = value`.
    eq_column: Option<usize>,
}

/// Insert lines before the closing brace of a block. `lines(layout)` gives the text (ending with
/// a newline) and what it must read back.
fn insert_lines(
    file: &Path,
    text: &str,
    block_span: &Range<usize>,
    lines: impl Fn(&Layout) -> (String, Expect),
) -> Option<Edit> {
    let block = text.get(block_span.clone())?;
    let close = block.rfind('}')? + block_span.start;
    let crlf = text.contains("\r\n");
    let nl = if crlf { "\r\n" } else { "\n" };
    // Indentation: that of the first non-empty line inside the block, else the block's plus two.
    let block_line_start = text[..block_span.start].rfind('\n').map_or(0, |i| i + 1);
    let block_indent: String = text[block_line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let inner_indent = block
        .lines()
        .skip(1)
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('}'))
        .map(|l| {
            l.chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect::<String>()
        })
        .filter(|i| i.len() > block_indent.len())
        .unwrap_or_else(|| format!("{block_indent}  "));
    let unit = if inner_indent.starts_with('\t') {
        "\t".to_string()
    } else {
        " ".repeat((inner_indent.len() - block_indent.len()).max(1))
    };
    let close_line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
    let before_close = &text[close_line_start..close];
    let eq_column = text
        .get(block_span.start..close_line_start.max(block_span.start))
        .unwrap_or_default()
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| {
            let rest = l
                .trim_end_matches('\r')
                .strip_prefix(inner_indent.as_str())?;
            let key_len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .filter(|&n| n > 0)?;
            let eq = rest.find(" = ")?;
            (rest[key_len..eq].chars().all(|c| c == ' ')).then_some(eq)
        });
    let layout = Layout {
        inner: inner_indent.clone(),
        unit,
        nl,
        eq_column,
    };
    if before_close.trim().is_empty() {
        // `}` on its own line: insert lines before it.
        let (new_text, expect) = lines(&layout);
        Some(Edit {
            file: file.to_owned(),
            span: close_line_start..close_line_start,
            new_text,
            expect: vec![expect],
        })
    } else {
        // `resource "x" "y" {}` or `... }` after content on the same line: break the line.
        let (body, mut expect) = lines(&Layout {
            eq_column: None,
            ..layout
        });
        let shift = nl.len();
        expect.value = expect.value.start + shift..expect.value.end + shift;
        Some(Edit {
            file: file.to_owned(),
            span: close..close,
            new_text: format!("{nl}{body}{block_indent}"),
            expect: vec![expect],
        })
    }
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename over
/// the original (keeping its permissions), fsync of the folder. A read-only file is refused
/// before anything is written.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).ok();
    if meta.as_ref().is_some_and(|m| m.permissions().readonly()) {
        return Err(Error::InvalidNoSource {
            path: path.to_owned(),
            message: "the file is read-only: nothing was written".into(),
        });
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".costfix-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    if let Some(m) = &meta {
        tmp.as_file().set_permissions(m.permissions()).map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
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

    #[test]
    fn inserted_attributes_follow_indentation_and_line_endings() {
        let text = "resource \"aws_cloudwatch_log_group\" \"l\" {\r\n    name = \"x\"\r\n}\r\n";
        let e = insert_attribute(
            Path::new("main.tf"),
            text,
            &(0..text.len() - 2),
            "retention_in_days",
            "30",
        )
        .unwrap();
        let out = apply_verified(text, &[&e]).unwrap();
        assert_eq!(out, "resource \"aws_cloudwatch_log_group\" \"l\" {\r\n    name = \"x\"\r\n    retention_in_days = 30\r\n}\r\n");
        let text = "  resource \"a\" \"b\" {}\n";
        let e =
            insert_attribute(Path::new("main.tf"), text, &(2..text.len() - 1), "k", "1").unwrap();
        let out = apply_verified(text, &[&e]).unwrap();
        assert_eq!(out, "  resource \"a\" \"b\" {\n    k = 1\n  }\n");
    }

    #[test]
    fn atomic_writes_keep_permissions_and_refuse_read_only_files() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("main.tf");
        std::fs::write(&p, "a = 1\n").unwrap();
        write_atomic(&p, b"a = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a = 2\n");
        let mut perm = std::fs::metadata(&p).unwrap().permissions();
        perm.set_readonly(true);
        std::fs::set_permissions(&p, perm).unwrap();
        assert!(write_atomic(&p, b"a = 3\n").is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a = 2\n");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
