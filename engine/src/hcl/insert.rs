//! Inserting an attribute or a nested block into a `.tf` block, laid out like its neighbours
//! (indentation, `=` alignment, line endings), as an [`Edit`] to splice.

use std::ops::Range;
use std::path::Path;

use super::edit::{Edit, Expect};

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
            anchor: None,
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
            anchor: None,
        })
    }
}

// ---- `=` and comment alignment as `terraform fmt` does it ----
//
// hclwrite's formatter (which `terraform fmt` runs) splits each line into a lead, an assignment
// cell (from the first `=` of a line that is not its first token, when the rest of the line has as
// many closing brackets as opening ones) and a trailing comment. Consecutive lines with an
// assignment cell form a chain whose `=` stand one space after the longest lead; consecutive lines
// with a trailing comment form a chain whose comments stand one space after the longest text
// before them. Blank lines, comment lines, block headers and `}` lines break chains.

/// One line's cells, as byte offsets within the line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cells {
    /// (end of the lead, the `=`): the spaces between them are the assignment's padding.
    assign: Option<(usize, usize)>,
    /// (end of the text before the comment, the comment's start).
    comment: Option<(usize, usize)>,
}

/// A line of a text: where it starts, its content (without the line ending) and its cells.
#[derive(Debug, Clone)]
struct Line {
    start: usize,
    text: String,
    cells: Cells,
    /// Inside a heredoc or a `/* */` comment opened on an earlier line (hclwrite sees one line).
    cont: bool,
}

/// The lines of `text` and their cells. Lines inside a heredoc or a `/* */` comment have none
/// and continue the line that opened it.
fn lines_of(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut heredoc: Option<String> = None;
    let mut in_comment = false;
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches('\n').trim_end_matches('\r');
        let mut cells = Cells::default();
        let cont = heredoc.is_some() || in_comment;
        if let Some(marker) = &heredoc {
            if line.trim() == marker {
                heredoc = None;
            }
        } else if in_comment {
            if line.contains("*/") {
                in_comment = false;
            }
        } else {
            (cells, heredoc, in_comment) = cells_of(line);
        }
        out.push(Line {
            start,
            text: line.to_string(),
            cells,
            cont,
        });
        start += raw.len();
    }
    out
}

/// The cells of one line of code, and whether a heredoc (its marker) or a `/* */` comment is
/// still open at its end.
fn cells_of(line: &str) -> (Cells, Option<String>, bool) {
    let b = line.as_bytes();
    let mut tokens = 0;
    let mut last_end = 0; // end of the last token before the current position
    let mut eq: Option<(usize, usize)> = None; // (lead end, `=`)
    let mut net = 0i32;
    let mut counting = true;
    let mut heredoc = None;
    let mut i = 0;
    let mut comment = None;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\t' {
            i += 1;
            continue;
        }
        let tok_start = i;
        if c == b'#' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
            if tokens > 0 {
                comment = Some((last_end, tok_start));
            }
            break;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match line[i + 2..].find("*/") {
                Some(n) => {
                    let end = i + 2 + n + 2;
                    if line[end..].trim().is_empty() && tokens > 0 {
                        comment = Some((last_end, tok_start));
                        break;
                    }
                    i = end;
                    continue;
                }
                None => return (Cells::default(), None, true),
            }
        }
        tokens += 1;
        match c {
            b'"' => {
                // A quoted string, with its escapes and interpolations.
                i += 1;
                let mut depth = 0;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 1,
                        b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                            depth += 1;
                            i += 1;
                        }
                        b'}' if depth > 0 => depth -= 1,
                        b'"' if depth == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'<' if b.get(i + 1) == Some(&b'<') => {
                let mut j = i + 2;
                if b.get(j) == Some(&b'-') {
                    j += 1;
                }
                let m = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                if j > m && line[j..].trim().is_empty() {
                    heredoc = Some(line[m..j].to_string());
                    counting = false;
                    i = j;
                } else {
                    i += 2;
                }
            }
            b'=' => {
                let next = b.get(i + 1).copied();
                let prev = i.checked_sub(1).map(|p| b[p]);
                let operator = matches!(next, Some(b'=' | b'>'))
                    || matches!(prev, Some(b'!' | b'<' | b'>' | b'='));
                if !operator && eq.is_none() && tokens > 1 {
                    eq = Some((last_end, i));
                    net = 0;
                }
                i += if matches!(next, Some(b'=' | b'>')) {
                    2
                } else {
                    1
                };
            }
            b'{' | b'[' | b'(' => {
                if counting {
                    net += 1;
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                if counting {
                    net -= 1;
                }
                i += 1;
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'-'
                        || b[i] >= 0x80)
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        last_end = i.min(b.len());
        if eq.is_none() {
            net = 0;
        }
    }
    let assign = eq.filter(|_| net == 0);
    (Cells { assign, comment }, heredoc, false)
}

/// Whether an edit only changes the spaces before an `=` or a comment (as [`align_insertions`]
/// makes them).
pub fn is_padding(e: &Edit) -> bool {
    e.expect.is_empty() && !e.span.is_empty() && e.new_text.chars().all(|c| c == ' ')
}

fn columns(s: &str) -> usize {
    s.chars().count()
}

/// A line as it will be: an original line (its index) or an inserted one, its text and cells.
#[derive(Debug, Clone)]
struct Virtual {
    orig: Option<usize>,
    line: Line,
}

/// The edits of one file with each attribute insertion laid out as `terraform fmt` would: the
/// inserted lines' `=` aligned with the chain of attribute lines they join, the chain's other
/// lines (and the trailing comments of the lines whose `=` moved) re-padded by whitespace-only
/// edits. Padding edits already in `edits` for the same spaces are replaced. A file that is
/// `terraform fmt`-clean stays so; other lines are left as they are.
pub fn align_insertions(text: &str, edits: Vec<Edit>) -> Vec<Edit> {
    let originals = lines_of(text);
    let is_insertion = |e: &Edit| {
        e.span.is_empty()
            && !e.expect.is_empty()
            && (e.span.start == 0 || text.as_bytes().get(e.span.start - 1) == Some(&b'\n'))
    };
    if !edits.iter().any(is_insertion) {
        return edits;
    }
    // The file's lines with the inserted ones spliced in.
    let mut v: Vec<Virtual> = Vec::new();
    let mut inserted_at: Vec<(usize, usize, usize)> = Vec::new(); // (edit, first, end) in v
    let mut order: Vec<usize> = (0..edits.len())
        .filter(|&i| is_insertion(&edits[i]))
        .collect();
    order.sort_by_key(|&i| edits[i].span.start);
    let mut next = order.iter().peekable();
    for (n, l) in originals.iter().enumerate() {
        while let Some(&&i) = next.peek() {
            if edits[i].span.start > l.start {
                break;
            }
            let first = v.len();
            for il in lines_of(&edits[i].new_text) {
                if il.text.is_empty() && il.start >= edits[i].new_text.len() {
                    continue;
                }
                v.push(Virtual {
                    orig: None,
                    line: il,
                });
            }
            inserted_at.push((i, first, v.len()));
            next.next();
        }
        v.push(Virtual {
            orig: Some(n),
            line: l.clone(),
        });
    }
    for &i in next {
        let first = v.len();
        for il in lines_of(&edits[i].new_text) {
            v.push(Virtual {
                orig: None,
                line: il,
            });
        }
        inserted_at.push((i, first, v.len()));
    }

    // Chains are of logical lines: a heredoc's lines belong to the line that opens it.
    let logical: Vec<usize> = (0..v.len()).filter(|&k| !v[k].line.cont).collect();
    let assign = |p: usize| v[logical[p]].line.cells.assign.is_some();
    let commented = |p: usize| v[logical[p]].line.cells.comment.is_some();

    // New assignment padding (spaces before `=`) per line of v, for the chains holding inserted
    // attribute lines.
    let mut pad: Vec<Option<usize>> = vec![None; v.len()];
    let mut touched = vec![false; v.len()];
    for &(_, first, end) in &inserted_at {
        for (p, &k) in logical.iter().enumerate() {
            if k < first || k >= end || !assign(p) || touched[k] {
                continue;
            }
            let mut lo = p;
            while lo > 0 && assign(lo - 1) {
                lo -= 1;
            }
            let mut hi = p + 1;
            while hi < logical.len() && assign(hi) {
                hi += 1;
            }
            let lead = |x: &Virtual| {
                let (lead_end, _) = x.line.cells.assign.expect("an assignment line");
                columns(&x.line.text[..lead_end])
            };
            let max = logical[lo..hi]
                .iter()
                .map(|&j| lead(&v[j]))
                .max()
                .unwrap_or(0);
            for &j in &logical[lo..hi] {
                pad[j] = Some(max - lead(&v[j]) + 1);
                touched[j] = true;
            }
        }
    }
    // The width before each line's comment once its `=` moved.
    let width = |j: usize| -> Option<usize> {
        let l = &v[j].line;
        let (text_end, _) = l.cells.comment?;
        let w = columns(&l.text[..text_end]);
        Some(match (l.cells.assign, pad[j]) {
            (Some((lead_end, eq)), Some(p)) if eq <= text_end => {
                w + p - columns(&l.text[lead_end..eq])
            }
            _ => w,
        })
    };
    // Comment chains next to a changed line or to an insertion.
    let mut comment_pad: Vec<Option<usize>> = vec![None; v.len()];
    let mut near = touched.clone();
    for &(_, first, end) in &inserted_at {
        near[first.saturating_sub(1)] = true;
        if end < v.len() {
            near[end] = true;
        }
    }
    let mut p = 0;
    while p < logical.len() {
        if !commented(p) {
            p += 1;
            continue;
        }
        let lo = p;
        while p < logical.len() && commented(p) {
            p += 1;
        }
        let chain = &logical[lo..p];
        if chain.iter().any(|&k| near[k]) {
            let max = chain.iter().filter_map(|&k| width(k)).max().unwrap_or(0);
            for &k in chain {
                comment_pad[k] = width(k).map(|w| max - w + 1);
            }
        }
    }

    // Edits: padding of original lines, and the inserted texts rebuilt.
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    let mut padding: Vec<Edit> = Vec::new();
    let mut considered: Vec<Range<usize>> = Vec::new();
    for (k, x) in v.iter().enumerate() {
        let Some(n) = x.orig else { continue };
        let l = &originals[n];
        let file = &edits[order[0]].file;
        let mut add = |from: usize, to: usize, spaces: usize| {
            considered.push(l.start + from..l.start + to);
            if to - from != spaces || !l.text[from..to].chars().all(|c| c == ' ') {
                padding.push(Edit {
                    file: file.clone(),
                    span: l.start + from..l.start + to,
                    new_text: " ".repeat(spaces),
                    expect: Vec::new(),
                    anchor: None,
                });
            }
        };
        if let (Some((lead_end, eq)), Some(p)) = (l.cells.assign, pad[k]) {
            add(lead_end, eq, p);
        }
        if let (Some((text_end, at)), Some(p)) = (l.cells.comment, comment_pad[k]) {
            add(text_end, at, p);
        }
    }
    for (i, e) in edits.iter().enumerate() {
        if is_padding(e) && considered.contains(&e.span) {
            continue; // made again below, for all the insertions together
        }
        let Some(&(_, first, end)) = inserted_at.iter().find(|(x, _, _)| *x == i) else {
            out.push(e.clone());
            continue;
        };
        let mut e = e.clone();
        // Rebuild from the end so that earlier offsets stay right.
        for k in (first..end).rev() {
            let l = &v[k].line;
            for (cell, p) in [(l.cells.comment, comment_pad[k]), (l.cells.assign, pad[k])] {
                let (Some((from, to)), Some(p)) = (cell, p) else {
                    continue;
                };
                let (from, to) = (l.start + from, l.start + to);
                let delta = p as isize - (to - from) as isize;
                e.new_text.replace_range(from..to, &" ".repeat(p));
                for x in &mut e.expect {
                    if x.value.start >= to {
                        x.value = (x.value.start as isize + delta) as usize
                            ..(x.value.end as isize + delta) as usize;
                    }
                }
            }
        }
        out.push(e);
    }
    out.extend(padding);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::edit::apply_verified;

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

    /// Insert `attrs` at the end of the block that is the whole of `text` (its last line `}`),
    /// all in one merged edit, aligned.
    fn insert_all(text: &str, attrs: &[(&str, &str)]) -> String {
        let span = 0..text.trim_end().len();
        let edits: Vec<Edit> = attrs
            .iter()
            .map(|(k, v)| insert_attribute(Path::new("main.tf"), text, &span, k, v).unwrap())
            .collect();
        let merged = crate::hcl::edit::merge_insertions(edits);
        let aligned = align_insertions(text, merged);
        // Aligning again changes nothing.
        let again = align_insertions(text, aligned.clone());
        assert_eq!(
            again
                .iter()
                .map(|e| (&e.span, &e.new_text))
                .collect::<Vec<_>>(),
            aligned
                .iter()
                .map(|e| (&e.span, &e.new_text))
                .collect::<Vec<_>>()
        );
        let refs: Vec<&Edit> = aligned.iter().collect();
        apply_verified(text, &refs).unwrap()
    }

    #[test]
    fn inserted_attributes_are_aligned_as_terraform_fmt_aligns_them() {
        // Two insertions in one block: the chain aligned to the longest of all.
        let text = "r \"a\" \"b\" {\n  name = \"x\" # c\n  size = 1   # d\n}\n";
        assert_eq!(
            insert_all(text, &[("iops", "3000"), ("throughput", "125")]),
            "r \"a\" \"b\" {\n  name       = \"x\" # c\n  size       = 1   # d\n  iops       = 3000\n  throughput = 125\n}\n"
        );
        // `=` inside strings and operators are not assignments; a multi-line value ends a chain.
        let text = "r \"a\" \"b\" {\n  tags = {\n    k = \"a = b\"\n  }\n  count = var.x == 1 ? 1 : 0\n}\n";
        assert_eq!(
            insert_all(text, &[("throughput", "125")]),
            "r \"a\" \"b\" {\n  tags = {\n    k = \"a = b\"\n  }\n  count      = var.x == 1 ? 1 : 0\n  throughput = 125\n}\n"
        );
        // A heredoc's lines are not attributes: with the line that opens it they are one line
        // of the chain (as hclwrite sees them).
        let text = "r \"a\" \"b\" {\n  policy = <<EOT\n  x = 1\nEOT\n}\n";
        assert_eq!(
            insert_all(text, &[("long_key", "1")]),
            "r \"a\" \"b\" {\n  policy   = <<EOT\n  x = 1\nEOT\n  long_key = 1\n}\n"
        );
        let text = "r \"a\" \"b\" {\n  a = 1\n  b = <<EOT\nx\nEOT\n}\n";
        assert_eq!(
            insert_all(text, &[("ccc", "1")]),
            "r \"a\" \"b\" {\n  a   = 1\n  b   = <<EOT\nx\nEOT\n  ccc = 1\n}\n"
        );
    }
}
