//! Errors of the engine. Each is a [`miette::Diagnostic`] that names the file and, where one applies,
//! points at the line and column, and says what to do. The engine never prints them; the CLI does.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Largest source text attached to a diagnostic; past it only the region around the error is kept.
const MAX_SNIPPET_SOURCE: usize = 64 * 1024;

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
        src: NamedSource<String>,
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
        src: NamedSource<String>,
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
        src: NamedSource<String>,
        #[label("unsupported version")]
        span: SourceSpan,
        version: String,
    },

    #[error("{} is a Terraform state of version {version}; costfix reads version 4", path.display())]
    #[diagnostic(
        code(costfix::state::version),
        help("states of version 3 and older come from Terraform 0.11 or earlier: run `terraform init && terraform refresh` with a current Terraform, or give `terraform show -json` output")
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
        src: NamedSource<String>,
        #[label("{label}")]
        span: SourceSpan,
        message: String,
        label: String,
    },

    #[error("{}: {message}", path.display())]
    #[diagnostic(code(costfix::input::invalid))]
    InvalidNoSource { path: PathBuf, message: String },

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
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
        message: String,
        detail: String,
    },

    #[error("{}: {message}", src.name())]
    #[diagnostic(code(costfix::config), help("see docs/configuration.md"))]
    Config {
        #[source_code]
        src: NamedSource<String>,
        #[label("{label}")]
        span: SourceSpan,
        message: String,
        label: String,
    },

    #[error("{}: {message}", src.name())]
    #[diagnostic(code(costfix::slo))]
    Slo {
        #[source_code]
        src: NamedSource<String>,
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
            message: format!("{what}: {e}"),
            label: "here".into(),
        }
    }

    /// A diagnostic pointing into `text` at `offset` (with a window when the text is large).
    pub(crate) fn source_window(
        name: &str,
        text: &str,
        offset: usize,
    ) -> (NamedSource<String>, SourceSpan) {
        let offset = offset.min(text.len());
        if text.len() <= MAX_SNIPPET_SOURCE {
            let len = usize::from(offset < text.len());
            return (
                NamedSource::new(name, text.to_owned()),
                (offset, len).into(),
            );
        }
        // Keep the region around the error. When it starts at a line start, pad with empty lines
        // so that the line numbers miette shows stay right (the message carries line:column too).
        let mut lo = offset.saturating_sub(MAX_SNIPPET_SOURCE / 2);
        while !text.is_char_boundary(lo) {
            lo -= 1;
        }
        let line_start = text[..lo].rfind('\n').map_or(0, |i| i + 1);
        let mut window = String::new();
        if lo - line_start < 1024 {
            lo = line_start;
            let lines_before = text[..lo].bytes().filter(|&b| b == b'\n').count();
            window.push_str(&"\n".repeat(lines_before));
        }
        let mut hi = (offset + MAX_SNIPPET_SOURCE / 2).min(text.len());
        while !text.is_char_boundary(hi) {
            hi += 1;
        }
        let base = window.len();
        window.push_str(&text[lo..hi]);
        let span_off = base + (offset - lo);
        let len = usize::from(span_off < window.len());
        (NamedSource::new(name, window), (span_off, len).into())
    }
}
