//! Parsing HCL with a guard against pathological input.
//!
//! hcl-edit 0.10 backtracks exponentially on some malformed files: a `{` never closed after a
//! chain of binary operators (`x = a + b + {` repeated) takes twice as long per line — 1.5 KB
//! found by fuzzing ran for more than ten minutes. Every HCL text costfix reads (`.tf` files, SLO
//! files, `.costfix.hcl`) goes through [`parse_body`]: a quick lexical scan looks for a `{` that
//! is never closed (outside comments, strings and heredocs); only then is the parse run on a
//! separate thread with a deadline, and a parse that misses it is reported as the unclosed `{`.
//! Well-formed files take the direct path.
//!
//! hcl-edit refuses an object literal that repeats a key (`{ Name = "a", Name = "b" }`); HCL and
//! Terraform keep the last. [`parse_body`] accepts it: each repeat is renamed in a copy of the
//! text to a placeholder of the same length (so every span still points into the original text),
//! the copy is parsed, and in each object the repeat's value then replaces the earlier one's
//! under the earlier key.

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

/// Most repeated object keys renamed in one parse (each costs a parse of the file).
const MAX_REPEATED_KEYS: usize = 64;

/// What hcl-edit says of an object key seen twice.
const REDEFINED_OBJECT_KEY: &str = "found redefined object key";

/// Parse an HCL body (see the module documentation).
pub fn parse_body(text: &str) -> Result<Body, ParseError> {
    let first = match parse_guarded(text) {
        Err(ParseError::Syntax(e)) if e.message().contains(REDEFINED_OBJECT_KEY) => e,
        r => return r,
    };
    let mut copy = text.to_string();
    let mut renamed: Vec<Renamed> = Vec::new();
    let mut error = first;
    loop {
        let Some(r) = rename_repeat(&mut copy, error.location().offset()) else {
            return Err(ParseError::Syntax(error));
        };
        renamed.push(r);
        match parse_guarded(&copy) {
            Ok(mut body) => {
                hcl::edit::visit_mut::VisitMut::visit_body_mut(&mut LastWins(&renamed), &mut body);
                return Ok(body);
            }
            Err(ParseError::Syntax(e))
                if e.message().contains(REDEFINED_OBJECT_KEY)
                    && renamed.len() < MAX_REPEATED_KEYS =>
            {
                error = e
            }
            // Report errors at the original text's positions (which the copy keeps).
            Err(e) => return Err(e),
        }
    }
}

/// A repeated object key renamed in the parsed copy: where, and the key it stands for.
struct Renamed {
    offset: usize,
    key: hcl::edit::expr::ObjectKey,
}

/// Rename the repeated key at `offset` of `text` to a placeholder of the same length found
/// nowhere in the text (so it repeats no key). Keys handled: identifiers and plain quoted strings
/// (no escapes or templates); None for any other.
fn rename_repeat(text: &mut String, offset: usize) -> Option<Renamed> {
    use hcl::edit::expr::{Expression, ObjectKey};
    use hcl::edit::{Decorated, Ident};
    let rest = text.get(offset..)?;
    let (inner, quoted) = if let Some(q) = rest.strip_prefix('"') {
        let end = q.find('"')?;
        let inner = &q[..end];
        if inner.is_empty()
            || inner.contains(['\\', '\n'])
            || inner.contains("${")
            || inner.contains("%{")
        {
            return None;
        }
        (inner.to_string(), true)
    } else {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        (rest[..end].to_string(), false)
    };
    let ident = Ident::try_new(inner.as_str()).ok();
    let key = match (quoted, ident) {
        (true, _) => ObjectKey::Expression(Expression::String(Decorated::new(inner.clone()))),
        (false, Some(i)) => ObjectKey::Ident(Decorated::new(i)),
        (false, None) => return None,
    };
    let start = offset + usize::from(quoted);
    let placeholder = (0u64..100_000)
        .map(|n| placeholder(n, inner.len()))
        .find(|p| !text.contains(p.as_str()))?;
    text.replace_range(start..start + inner.len(), &placeholder);
    Some(Renamed { offset, key })
}

/// The `n`th identifier of `len` bytes: `_` and then `n` in base 36, or for one byte a letter.
fn placeholder(n: u64, len: usize) -> String {
    const DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    if len == 1 {
        return char::from(DIGITS[(n % 26) as usize]).to_string();
    }
    let mut out = vec![b'_'; len];
    let mut n = n;
    for b in out.iter_mut().skip(1).rev() {
        *b = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out).expect("ASCII")
}

/// Puts each renamed repeat's value under the earlier key it repeats: the last one wins.
struct LastWins<'r>(&'r [Renamed]);

impl hcl::edit::visit_mut::VisitMut for LastWins<'_> {
    fn visit_object_mut(&mut self, node: &mut hcl::edit::expr::Object) {
        use hcl::edit::expr::ObjectKey;
        use hcl::edit::Span;
        hcl::edit::visit_mut::visit_object_mut(self, node);
        let starts = |k: &ObjectKey| match k {
            ObjectKey::Ident(i) => i.span().map(|s| s.start),
            ObjectKey::Expression(e) => e.span().map(|s| s.start),
        };
        let repeats: Vec<(ObjectKey, &Renamed)> = node
            .iter()
            .filter_map(|(k, _)| {
                let at = starts(k)?;
                let r = self.0.iter().find(|r| r.offset == at)?;
                Some((k.clone(), r))
            })
            .collect();
        for (placeholder, r) in repeats {
            if let Some(value) = node.remove(&placeholder) {
                node.insert(r.key.clone(), value);
            }
        }
    }
}

/// [`parse_body`] without the repeated keys.
fn parse_guarded(text: &str) -> Result<Body, ParseError> {
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

#[cfg(test)]
mod repeated_keys {
    use super::*;
    use hcl::edit::expr::{Expression, ObjectKey};
    use hcl::edit::Span;

    fn object(body: &Body, attr: &str) -> hcl::edit::expr::Object {
        match body.get_attribute(attr).map(|a| &a.value) {
            Some(Expression::Object(o)) => o.clone(),
            other => panic!("not an object: {other:?}"),
        }
    }

    fn string(e: &Expression) -> &str {
        match e {
            Expression::String(s) => s.value(),
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn the_last_value_of_a_repeated_key_wins() {
        let text = "tags = {\n  Name = \"a\"\n  Team = \"t\"\n  Name = \"b\"\n  \"Q\" = 1\n  Name = \"c\"\n  \"Q\" = 2\n}\nnested = { x = { k = 1, k = 2 }, x = { k = 3 } }\n";
        let body = parse_body(text).unwrap();
        let tags = object(&body, "tags");
        let keys: Vec<String> = tags
            .iter()
            .map(|(k, _)| match k {
                ObjectKey::Ident(i) => i.as_str().to_string(),
                ObjectKey::Expression(e) => format!("\"{}\"", string(e)),
            })
            .collect();
        assert_eq!(keys, ["Name", "Team", "\"Q\""]);
        let name = tags
            .iter()
            .find(|(k, _)| k.as_ident().is_some_and(|i| i.as_str() == "Name"))
            .unwrap()
            .1;
        assert_eq!(string(name.expr()), "c");
        // The value's span is into the original text.
        let span = name.expr().span().unwrap();
        assert_eq!(&text[span], "\"c\"");
        let nested = object(&body, "nested");
        assert_eq!(nested.len(), 1);
        let x = nested.iter().next().unwrap().1.expr();
        assert_eq!(x.span().map(|s| &text[s]), Some("{ k = 3 }"));
    }

    #[test]
    fn other_errors_and_repeated_attributes_are_still_errors() {
        // Terraform refuses a repeated attribute in a block.
        let e = parse_body("a = 1\na = 2\n").unwrap_err();
        assert!(
            e.message().contains("redefined attribute"),
            "{}",
            e.message()
        );
        // A syntax error after a repeated key is reported at its place in the original text.
        let text = "t = { k = 1, k = 2 }\nx = = 3\n";
        let e = parse_body(text).unwrap_err();
        assert_eq!(e.offset(), text.find("= 3").unwrap());
        // A placeholder never collides with a key of the text.
        let text = "t = { _a00 = 1, _a01 = 2, _a00 = 3, _a01 = 4 }\n";
        let t = object(&parse_body(text).unwrap(), "t");
        assert_eq!(t.len(), 2);
    }
}
