//! Parsing HCL with a guard against pathological input.
//!
//! hcl-edit 0.10 backtracks exponentially on some malformed files: a `{` never closed after a
//! chain of binary operators (`x = a + b + {` repeated) takes twice as long per line — 1.5 KB
//! found by fuzzing ran for more than ten minutes. Every HCL text costfix reads (`.tf` files, SLO
//! files, `.costfix.hcl`) goes through [`parse_body`]: a quick lexical scan looks for a `{` that
//! is never closed (outside comments, strings and heredocs); only then is the parse run on a
//! separate thread with a deadline, and a parse that misses it is reported as the unclosed `{`.
//! Well-formed files take the direct path.

use std::time::Duration;

use hcl::edit::structure::Body;

/// How long a suspicious file may take to parse.
const DEADLINE: Duration = Duration::from_secs(3);

/// Why a text did not parse.
#[derive(Debug)]
pub enum ParseError {
    Syntax(hcl::edit::parser::Error),
    /// The parser did not finish in time on a file with an unclosed `{` at `offset`.
    Unclosed {
        offset: usize,
    },
}

impl ParseError {
    /// Byte offset of the error in the text.
    pub fn offset(&self) -> usize {
        match self {
            ParseError::Syntax(e) => e.location().offset(),
            ParseError::Unclosed { offset } => *offset,
        }
    }
    pub fn message(&self) -> String {
        match self {
            ParseError::Syntax(e) => e.message().to_string(),
            ParseError::Unclosed { .. } => "this `{` is never closed".into(),
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Syntax(e) => write!(f, "{e}"),
            ParseError::Unclosed { offset } => {
                write!(f, "the `{{` at byte {offset} is never closed")
            }
        }
    }
}

/// Parse an HCL body (see the module documentation).
pub fn parse_body(text: &str) -> Result<Body, ParseError> {
    let Some(offset) = unclosed_brace(text) else {
        return hcl::edit::parser::parse_body(text).map_err(ParseError::Syntax);
    };
    let owned = text.to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = tx.send(hcl::edit::parser::parse_body(&owned));
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(r) => {
            // It has sent its result and is returning: wait for it, so that no thread outlives
            // the parse (the fuzzer's leak check found one still exiting).
            let _ = worker.join();
            r.map_err(ParseError::Syntax)
        }
        // The thread is left to finish on its own (it cannot be stopped); the caller reports
        // the error, and the command exits with it.
        Err(_) => Err(ParseError::Unclosed { offset }),
    }
}

/// The offset of the first `{` of code that is never closed, if any. Comments, quoted strings
/// (with their `${ }` and `%{ }` interpolations, whose braces are code) and heredocs are skipped.
pub fn unclosed_brace(text: &str) -> Option<usize> {
    let mut scan = Scan {
        text,
        b: text.as_bytes(),
        stack: vec![Ctx::Code],
        open: Vec::new(),
    };
    let mut i = 0;
    while i < scan.b.len() {
        // Each step returns the last byte it consumed.
        i = match *scan.stack.last().expect("never empty") {
            Ctx::Str => scan.in_string(i),
            ctx => scan.in_code(ctx, i),
        } + 1;
    }
    scan.open.first().copied()
}

/// What the scan is inside of.
#[derive(Clone, Copy)]
enum Ctx {
    Code,
    Str,
    /// Code inside an interpolation: braces open here so far.
    Interp(usize),
}

/// The state of [`unclosed_brace`]'s scan: the nested contexts, and the `{` of code still open.
struct Scan<'t> {
    text: &'t str,
    b: &'t [u8],
    stack: Vec<Ctx>,
    open: Vec<usize>,
}

impl Scan<'_> {
    /// One byte of a quoted string: an escape, the closing quote, or the start of an interpolation.
    fn in_string(&mut self, i: usize) -> usize {
        let c = self.b[i];
        match c {
            b'\\' => i + 1,
            b'"' => {
                self.stack.pop();
                i
            }
            b'$' | b'%' if self.b.get(i + 1) == Some(&b'{') => {
                if self.b.get(i.wrapping_sub(1)) != Some(&c) {
                    self.stack.push(Ctx::Interp(0));
                }
                i + 1
            }
            b'\n' => {
                self.stack.pop(); // strings do not span lines: let the parser report it
                i
            }
            _ => i,
        }
    }

    /// One byte of code (`ctx` is `Code` or `Interp`): comments and heredocs are skipped whole.
    fn in_code(&mut self, ctx: Ctx, i: usize) -> usize {
        let b = self.b;
        match b[i] {
            b'#' => line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut i = i + 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i + 1
            }
            b'"' => {
                self.stack.push(Ctx::Str);
                i
            }
            b'<' if b.get(i + 1) == Some(&b'<') => self.heredoc(i),
            b'{' => {
                if let Ctx::Interp(n) = ctx {
                    *self.stack.last_mut().expect("never empty") = Ctx::Interp(n + 1);
                } else {
                    self.open.push(i);
                }
                i
            }
            b'}' => {
                match ctx {
                    Ctx::Interp(0) => {
                        self.stack.pop();
                    }
                    Ctx::Interp(n) => {
                        *self.stack.last_mut().expect("never empty") = Ctx::Interp(n - 1)
                    }
                    _ => {
                        self.open.pop();
                    }
                }
                i
            }
            _ => i,
        }
    }

    /// A heredoc at the `<<` at `i`: `<<EOT` or `<<-EOT`, then lines up to the marker alone. Not
    /// a heredoc (no marker, or no line break after it): only the first `<` is consumed.
    fn heredoc(&self, i: usize) -> usize {
        let (text, b) = (self.text, self.b);
        let mut j = i + 2;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        let start = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        let marker = &text[start..j];
        if b.get(j) == Some(&b'\r') {
            j += 1;
        }
        if marker.is_empty() || b.get(j) != Some(&b'\n') {
            return i + 1;
        }
        let mut k = j + 1;
        loop {
            let end = text[k..].find('\n').map_or(b.len(), |n| k + n);
            if text[k..end].trim() == marker || end >= b.len() {
                return end;
            }
            k = end + 1;
        }
    }
}

/// The end of the line at `i`: its `\n`, or the end of the text.
fn line_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_files_are_not_suspicious() {
        for ok in [
            "resource \"a\" \"b\" {\n  x = \"${var.y}\" # {\n  z = <<EOT\n{ not code\nEOT\n}\n",
            "a = { b = \"%{ if c }d%{ endif }\" } // {\n/* { */\n",
            "x = \"$${literal\" \n",
            "p = <<EOF\r\n{ \"unbalanced\": [\r\nEOF\r\n",
        ] {
            assert_eq!(unclosed_brace(ok), None, "{ok}");
        }
        assert_eq!(unclosed_brace("a {\n b = {\n}\n"), Some(2));
    }

    #[test]
    fn the_pathological_file_fails_fast() {
        let text = "x = a + b + {\n".repeat(40);
        let t = std::time::Instant::now();
        let e = parse_body(&text).unwrap_err();
        assert!(t.elapsed() < DEADLINE + Duration::from_secs(2));
        assert_eq!(e.offset(), 12);
    }
}
