//! Renderings of the reports for people and tools: tables, Markdown, SARIF, GitHub annotations,
//! JUnit, diffs. Each writes to the `Write` it is given (the CLI gives stdout); JSON is each
//! report's model serialised. Like ripgrep's `printer` crate, formats live in the library.

pub mod check;
pub mod estimate;
pub mod fix;
pub mod ops;
pub mod rules;

/// Text from outside (a policy's message, a budget's name) as Markdown that shows it as it is:
/// HTML (`</details>` would end the comment's fold), emphasis, links, code and table pipes
/// escaped; newlines made spaces (users.md D34).
pub(crate) fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A name (an address, a rule id) as a code span in a table cell: a longer fence when it holds
/// a backtick, its pipes escaped (GFM splits cells on them even in code).
pub(crate) fn md_code(s: &str) -> String {
    let s = s.replace('|', "\\|").replace(['\n', '\r'], " ");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}
