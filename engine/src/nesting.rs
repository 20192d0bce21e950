//! How deep `[` and `{` nest in a text, found before a parser that backtracks (regorus's Rego
//! parser doubles its time with each level) or slows down quadratically (libyaml) sees it.
//! Comments and quoted strings are skipped, as each syntax writes them.

/// A kind of quoted string the scan skips.
pub(crate) struct Quote {
    pub ch: u8,
    /// A backslash escapes the next byte.
    pub escapes: bool,
    /// The string ends at the end of its line at the latest.
    pub single_line: bool,
    /// Opens a string only where no letter or digit comes right before it (YAML's plain
    /// scalars hold quotes: `it's`).
    pub not_after_word: bool,
}

/// How a syntax writes what the scan skips.
pub(crate) struct Syntax {
    /// `#` starts a comment only at a line's start or after whitespace (YAML), else anywhere.
    pub comment_after_space: bool,
    pub quotes: &'static [Quote],
}

/// Rego: `# comments`, `"strings"` with escapes, `` `raw strings` `` over several lines.
pub(crate) const REGO: Syntax = Syntax {
    comment_after_space: false,
    quotes: &[
        Quote {
            ch: b'"',
            escapes: true,
            single_line: true,
            not_after_word: false,
        },
        Quote {
            ch: b'`',
            escapes: false,
            single_line: false,
            not_after_word: false,
        },
    ],
};

/// YAML: `# comments` after whitespace, `"double"` (with escapes) and `'single'` quoted scalars.
pub(crate) const YAML: Syntax = Syntax {
    comment_after_space: true,
    quotes: &[
        Quote {
            ch: b'"',
            escapes: true,
            single_line: false,
            not_after_word: true,
        },
        Quote {
            ch: b'\'',
            escapes: false,
            single_line: false,
            not_after_word: true,
        },
    ],
};

/// The byte offset of the first bracket that opens a level deeper than `max`, if any.
pub(crate) fn too_deep(text: &str, max: usize, syntax: &Syntax) -> Option<usize> {
    let bytes = text.as_bytes();
    let after_word = |i: usize| i > 0 && bytes[i - 1].is_ascii_alphanumeric();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'#'
            && (!syntax.comment_after_space || i == 0 || bytes[i - 1].is_ascii_whitespace())
        {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if let Some(q) = syntax
            .quotes
            .iter()
            .find(|q| q.ch == b && !(q.not_after_word && after_word(i)))
        {
            i += 1;
            while i < bytes.len() && bytes[i] != q.ch && !(q.single_line && bytes[i] == b'\n') {
                if q.escapes && bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
        } else if b == b'[' || b == b'{' {
            depth += 1;
            if depth > max {
                return Some(i);
            }
        } else if b == b']' || b == b'}' {
            depth = depth.saturating_sub(1);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_syntax_skips_its_own_comments_and_strings() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(too_deep(&deep(3), 3, &REGO), None);
        assert_eq!(too_deep(&format!("x := {}", deep(4)), 3, &REGO), Some(8));
        // Rego: a `#` anywhere is a comment; YAML: only after whitespace.
        assert_eq!(too_deep("a#[[[[", 3, &REGO), None);
        assert_eq!(too_deep("a#[[[[", 3, &YAML), Some(5));
        // A quote after a letter opens no string in YAML (`it's`), always in Rego.
        assert_eq!(too_deep("it's [[[[", 3, &YAML), Some(8));
        assert_eq!(too_deep("x := \"[[[[\"", 3, &REGO), None);
        assert_eq!(too_deep("x := `[[[[\n[[[[`", 3, &REGO), None);
        // A Rego string ends at its line.
        assert_eq!(too_deep("\"\n[[[[", 3, &REGO), Some(5));
    }
}
