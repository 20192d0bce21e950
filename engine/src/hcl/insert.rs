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
}
