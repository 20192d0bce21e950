//! Errors of the engine. Each is a [`miette::Diagnostic`] that names the file and, where one applies,
//! points at the line and column, and says what to do. The engine never prints them; the CLI does.

use std::path::PathBuf;

use std::borrow::Cow;

use miette::{Diagnostic, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Lines of context quoted on each side of the line of an error.
const CONTEXT_LINES: usize = 2;
/// Longest part of one line quoted by a diagnostic (bytes, cut on a char boundary): a plan
/// written on one line must not print its 67 KB.
pub(crate) const MAX_QUOTED_LINE: usize = 240;
/// Longest message text taken from a parser (serde_json quotes whole strings in its messages).
const MAX_MESSAGE: usize = 400;
/// What marks a cut in quoted text.
const ELLIPSIS: &str = "…";

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error("cannot read {}", path.display())]
    #[diagnostic(code(costfix::io), help("check that the path exists and is readable"))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write {}", path.display())]
    #[diagnostic(
        code(costfix::io::write),
        help("check the free space and that the folder is writable; the file was left as it was")
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is empty", path.display())]
    #[diagnostic(
        code(costfix::input::empty),
        help("produce the plan with `terraform show -json plan.out > plan.json`")
    )]
    Empty { path: PathBuf },

    #[error("{} has an encoding error at byte {offset}: {reason}", path.display())]
    #[diagnostic(
        code(costfix::input::encoding),
        help("Terraform writes UTF-8; re-create the file with `terraform show -json plan.out > plan.json`")
    )]
    Encoding {
        path: PathBuf,
        offset: usize,
        reason: String,
    },

    #[error("{} does not contain a JSON document", src.name())]
    #[diagnostic(
        code(costfix::input::not_json),
        help("costfix reads the JSON form of a plan: `terraform show -json plan.out > plan.json`")
    )]
    NotJson {
        #[source_code]
        src: Snippet,
        #[label("expected `{{` here")]
        span: SourceSpan,
    },

    #[error("{} is a binary plan file (a zip archive), not its JSON form", path.display())]
    #[diagnostic(
        code(costfix::input::binary_plan),
        help("run `terraform show -json {} > plan.json` and give costfix plan.json", path.display())
    )]
    BinaryPlan { path: PathBuf },

    #[error("{} is not valid JSON: {message}", src.name())]
    #[diagnostic(code(costfix::input::json), help("{help}"))]
    Json {
        #[source_code]
        src: Snippet,
        #[label("here")]
        span: SourceSpan,
        message: String,
        help: String,
    },

    #[error("{} has plan format_version {version}, which this costfix does not read", src.name())]
    #[diagnostic(
        code(costfix::plan::format_version),
        help("costfix reads plan format versions 0.x and 1.x; upgrade costfix or produce the plan with a Terraform release that writes format 1.x")
    )]
    FormatVersion {
        #[source_code]
        src: Snippet,
        #[label("unsupported version")]
        span: SourceSpan,
        version: String,
    },

    #[error("{} is a Terraform state of version {version}; costfix reads versions 3 and 4", path.display())]
    #[diagnostic(
        code(costfix::state::version),
        help("states of version 2 and older come from Terraform 0.8 or earlier: upgrade them with a current Terraform (`terraform init && terraform refresh`), or give `terraform show -json` output")
    )]
    StateVersion { path: PathBuf, version: String },

    #[error("{} is {found}, not {expected}", path.display())]
    #[diagnostic(code(costfix::input::kind), help("{help}"))]
    WrongKind {
        path: PathBuf,
        expected: &'static str,
        found: &'static str,
        help: String,
    },

    #[error("{}: {message}", src.name())]
    #[diagnostic(code(costfix::input::invalid))]
    Invalid {
        #[source_code]
        src: Snippet,
        #[label("{label}")]
        span: SourceSpan,
        message: String,
        label: String,
    },

    #[error("{}: {message}", path.display())]
    #[diagnostic(code(costfix::input::invalid))]
    InvalidNoSource { path: PathBuf, message: String },

    #[error("refused: {name} is not a file inside the root folder: {message}")]
    #[diagnostic(
        code(costfix::outside_root),
        help("costfix reads and writes only files inside the root folder (--dir, default the current folder), named relative to it; nothing was written")
    )]
    OutsideRoot { name: String, message: String },

    #[error(
        "the circuit breaker is open: the last {in_a_row} operations failed or were rolled back"
    )]
    #[diagnostic(
        code(costfix::ops::breaker),
        help(
            "look at `costfix log show`, fix the cause, then `costfix log reset-breaker --by NAME`"
        )
    )]
    Breaker { in_a_row: usize },

    #[error("{message}")]
    #[diagnostic(code(costfix::usage), help("{help}"))]
    Usage { message: String, help: String },

    #[error("{message}")]
    #[diagnostic(
        code(costfix::ops::rollback),
        help("`costfix log show` lists the operations; --force undoes what is still in place")
    )]
    Rollback { message: String },

    #[error("operation {id}: {message}")]
    #[diagnostic(code(costfix::operation))]
    Operation { id: String, message: String },

    #[error("policy error in {}: {message}", src.name())]
    #[diagnostic(code(costfix::policy), help("{detail}"))]
    Policy {
        #[source_code]
        src: Snippet,
        #[label("here")]
        span: SourceSpan,
        message: String,
        detail: String,
    },

    #[error("policy stopped while {what} ({files}): it {message}")]
    #[diagnostic(
        code(costfix::policy::limit),
        help("a policy file may take at most --policy-timeout seconds (default 10) to parse and per rule, and the policies --policy-memory MiB (default 2048); fix the policy, or raise the bound if it is legitimately heavy")
    )]
    PolicyLimit {
        what: String,
        files: String,
        message: String,
    },

    #[error("{}: {message}", src.name())]
    #[diagnostic(
        code(costfix::config),
        help("the settings: policies = [\"folder\", ...], default_policies = true|false, namespaces = [\"main\", ...], slo = [\"file or folder\", ...], prices = \"file\", usage = \"file\", region = \"us-east-1\", environment = \"production\", fail_on = \"deny\"|\"warn\", fail_on_unpriced = true|false, format = \"table\"|\"json\"|\"markdown\"|\"sarif\"|\"github\"|\"junit\", dir = \"folder\", baseline = \"file\", policy_timeout = seconds, policy_memory = MiB; paths are relative to the file")
    )]
    Config {
        #[source_code]
        src: Snippet,
        #[label("{label}")]
        span: SourceSpan,
        message: String,
        label: String,
    },

    #[error("{}: {message}", src.name())]
    #[diagnostic(code(costfix::slo))]
    Slo {
        #[source_code]
        src: Snippet,
        #[label("{label}")]
        span: SourceSpan,
        message: String,
        label: String,
    },
}

impl Error {
    /// A diagnostic for a serde_json error in `text` (the file at `path`) at its line and column:
    /// `what` says what the file should have been.
    pub fn json_in(path: &std::path::Path, text: &str, e: &serde_json::Error, what: &str) -> Error {
        let offset = text
            .split_inclusive('\n')
            .take(e.line().saturating_sub(1))
            .map(str::len)
            .sum::<usize>()
            + e.column().saturating_sub(1);
        let (src, span) = Error::source_window(&path.display().to_string(), text, offset);
        Error::Invalid {
            src,
            span,
            message: cap_message(&format!("{what}: {e}")),
            label: "here".into(),
        }
    }

    /// A diagnostic pointing into `text` at `offset`: a [`Snippet`] of the lines around it.
    pub(crate) fn source_window(name: &str, text: &str, offset: usize) -> (Snippet, SourceSpan) {
        Snippet::around(name, text, offset, 1)
    }

    /// A diagnostic pointing into `text` at `offset..offset + len` (the label is cut at the end
    /// of the quoted part of its first line).
    pub(crate) fn source_range(
        name: &str,
        text: &str,
        offset: usize,
        len: usize,
    ) -> (Snippet, SourceSpan) {
        Snippet::around(name, text, offset, len)
    }
}

/// `s`, or its head and tail around an ellipsis when it is longer than `max` bytes (cut on char
/// boundaries). For text from the input quoted in a message: the tail keeps a parser's
/// `at line L column C`.
pub(crate) fn cap_text(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let tail_len = max / 4;
    let head = floor_boundary(s, max - tail_len);
    let tail = ceil_boundary(s, s.len() - tail_len);
    Cow::Owned(format!("{}{ELLIPSIS}{}", &s[..head], &s[tail..]))
}

/// A parser's message, capped ([`cap_text`]).
pub(crate) fn cap_message(s: &str) -> String {
    cap_text(s, MAX_MESSAGE).into_owned()
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The source text a diagnostic quotes: the line of the error and [`CONTEXT_LINES`] on each side,
/// each cut to [`MAX_QUOTED_LINE`] bytes (the error's line around the error) with an ellipsis
/// where text was left out. It knows where it was taken from, so miette still prints the file's
/// own line and column.
#[derive(Debug, Clone)]
pub struct Snippet {
    name: String,
    text: String,
    /// The file's line (0-based) of the snippet's first line.
    first_line: usize,
    /// The snippet line (0-based) whose start was cut, and the file's column of the first byte
    /// after its ellipsis.
    cut: Option<(usize, usize)>,
}

impl Snippet {
    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The quoted text.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn around(name: &str, text: &str, offset: usize, len: usize) -> (Snippet, SourceSpan) {
        let offset = floor_boundary(text, offset);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let first_line = text[..line_start].bytes().filter(|&b| b == b'\n').count();

        // Context lines before: at most CONTEXT_LINES, each cut at its end.
        let mut starts = Vec::new();
        let mut at = line_start;
        while starts.len() < CONTEXT_LINES && at > 0 {
            let prev = text[..at - 1].rfind('\n').map_or(0, |i| i + 1);
            starts.push(prev);
            at = prev;
        }
        starts.reverse();
        let mut out = String::new();
        for &s in &starts {
            let e = text[s..].find('\n').map_or(text.len(), |i| s + i);
            push_head(&mut out, &text[s..e]);
            out.push('\n');
        }

        // The error's line, centred on the error when it is long.
        let mut lo = line_start;
        let mut hi = line_end;
        if hi - lo > MAX_QUOTED_LINE {
            lo = floor_boundary(
                text,
                offset.saturating_sub(MAX_QUOTED_LINE / 2).max(line_start),
            );
            hi = ceil_boundary(text, (lo + MAX_QUOTED_LINE).min(line_end));
        }
        let mut cut = None;
        if lo > line_start {
            cut = Some((starts.len(), lo - line_start));
            out.push_str(ELLIPSIS);
        }
        let span_at = out.len() + (offset - lo);
        out.push_str(&text[lo..hi]);
        let label_end = out.len();
        if hi < line_end {
            out.push_str(ELLIPSIS);
        }

        // Context lines after.
        let mut s = line_end;
        for _ in 0..CONTEXT_LINES {
            if s >= text.len() {
                break;
            }
            s += 1;
            let e = text[s..].find('\n').map_or(text.len(), |i| s + i);
            out.push('\n');
            push_head(&mut out, &text[s..e]);
            s = e;
        }

        let span_len = if len == 0 {
            0
        } else {
            len.min(label_end.saturating_sub(span_at))
                .max(usize::from(span_at < out.len()))
        };
        let snippet = Snippet {
            name: name.to_owned(),
            text: out,
            first_line: first_line - starts.len(),
            cut,
        };
        (snippet, (span_at, span_len).into())
    }
}

/// A context line, cut after [`MAX_QUOTED_LINE`] bytes.
fn push_head(out: &mut String, line: &str) {
    if line.len() <= MAX_QUOTED_LINE {
        out.push_str(line);
    } else {
        out.push_str(&line[..floor_boundary(line, MAX_QUOTED_LINE)]);
        out.push_str(ELLIPSIS);
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> std::result::Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let mut column = c.column();
        if let Some((line, file_column)) = self.cut {
            if c.line() == line && column >= ELLIPSIS.len() {
                column = column - ELLIPSIS.len() + file_column;
            }
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line() + self.first_line,
            column,
            c.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column (0-based) that miette reports for the label, and the quoted text.
    fn at(text: &str, offset: usize) -> (usize, usize, String) {
        let (snippet, span) = Error::source_window("f", text, offset);
        let c = snippet.read_span(&span, 0, 0).unwrap();
        (c.line(), c.column(), snippet.text().to_owned())
    }

    #[test]
    fn short_text_is_quoted_whole_around_the_line() {
        let text = "a\nb\nc = 1\nd\ne\nf\n";
        let (line, col, quoted) = at(text, text.find("1").unwrap());
        assert_eq!((line, col), (2, 4));
        assert_eq!(quoted, "a\nb\nc = 1\nd\ne");
    }

    #[test]
    fn a_long_line_is_cut_around_the_error_on_char_boundaries() {
        // Multi-byte characters everywhere, so that a cut in the middle of one would panic.
        let line = "é".repeat(50_000);
        let text = format!("first\n{line}X{line}\nlast {line}\n");
        let offset = text.find('X').unwrap();
        let (l, col, quoted) = at(&text, offset);
        assert_eq!((l, col), (1, offset - "first\n".len()));
        assert!(quoted.len() < 3 * MAX_QUOTED_LINE, "{}", quoted.len());
        let lines: Vec<&str> = quoted.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "first");
        assert!(lines[1].starts_with(ELLIPSIS) && lines[1].ends_with(ELLIPSIS));
        assert!(lines[1].contains('X'));
        assert!(lines[2].starts_with("last ") && lines[2].ends_with(ELLIPSIS));
    }

    #[test]
    fn line_numbers_stay_right_far_into_a_file() {
        let text: String = (0..100_000).map(|i| format!("line {i}\n")).collect();
        let offset = text.find("line 99990\n").unwrap();
        let (l, col, quoted) = at(&text, offset);
        assert_eq!((l, col), (99_990, 0));
        assert_eq!(quoted.lines().count(), 5);
    }

    #[test]
    fn messages_are_capped_keeping_their_tail() {
        let m = format!(
            "invalid type: string \"{}\" at line 3 column 9",
            "x".repeat(70_000)
        );
        let capped = cap_message(&m);
        assert!(capped.len() <= MAX_MESSAGE + ELLIPSIS.len());
        assert!(capped.ends_with("at line 3 column 9"));
        assert_eq!(cap_message("short"), "short");
        // On a char boundary.
        assert!(cap_text(&"é".repeat(1000), 101).contains(ELLIPSIS));
    }
}
