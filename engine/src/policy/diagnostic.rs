//! regorus's errors as diagnostics that point at the policy's line.

use std::path::PathBuf;

use super::PolicyFile;
use crate::error::Error;

pub(super) fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (off + col.saturating_sub(1)).min(text.len());
        }
        off += l.len();
    }
    text.len()
}

/// A regorus error as a diagnostic. Its text reads `--> FILE:LINE:COL`, the source line, a caret
/// and `error: MESSAGE`.
pub(crate) fn rego_error(files: &[PolicyFile], text: &str) -> Error {
    let message = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("error: "))
        .unwrap_or_else(|| text.trim())
        .to_string();
    for f in files {
        let Some(i) = text.find(&format!("{}:", f.name)) else {
            continue;
        };
        let mut parts =
            text[i + f.name.len() + 1..].splitn(3, |c: char| c == ':' || c.is_whitespace());
        let line = parts.next().and_then(|p| p.trim().parse::<usize>().ok());
        let col = parts.next().and_then(|p| p.trim().parse::<usize>().ok());
        if let (Some(line), Some(col)) = (line, col) {
            let offset = line_col_offset(&f.text, line, col);
            let (src, span) = Error::source_window(&f.name, &f.text, offset);
            return Error::Policy {
                src,
                span,
                message: crate::error::cap_message(&message),
                detail: format!("at {}:{line}:{col}", f.name),
            };
        }
    }
    Error::InvalidNoSource {
        path: PathBuf::from(files.first().map_or("<policies>", |f| f.name.as_str())),
        message: format!("policy error: {message}"),
    }
}
