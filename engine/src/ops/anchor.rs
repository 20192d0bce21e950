//! An edit of an operation with its anchor: the text around it and its file's hash when it was
//! planned, so that it is found again when the file has moved since (earlier operations of a run,
//! other edits), and undone the same way.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::hcl::edit::{Edit, Expect};
use crate::ops::snapshot::sha256_hex;

/// One edit of an operation, with the hash of its file when it was planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpEdit {
    pub file: String,
    pub start: usize,
    pub end: usize,
    pub old_text: String,
    pub new_text: String,
    /// Attributes the edit must read back: (key, value start, value end) within `new_text`.
    pub expect: Vec<(String, usize, usize)>,
    pub file_sha256: String,
    /// The text before the edit from the start of the previous line, and after it to the end of
    /// its line: where the edit goes is found again by this context when the file has moved.
    pub context_before: String,
    pub context_after: String,
}

/// Where `e` applies in `text` now: the occurrence of its context and old text nearest `hint`.
pub fn relocate(text: &str, e: &OpEdit, hint: usize) -> Option<usize> {
    let pattern = format!("{}{}{}", e.context_before, e.old_text, e.context_after);
    text.match_indices(pattern.as_str())
        .map(|(i, _)| i + e.context_before.len())
        .min_by_key(|&at| at.abs_diff(hint))
}

pub(crate) fn contexts(text: &str, start: usize, end: usize) -> (String, String) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let prev_start = if line_start == 0 {
        0
    } else {
        text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1)
    };
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    (
        text[prev_start..start].to_string(),
        text[end..line_end].to_string(),
    )
}

impl OpEdit {
    pub(crate) fn to_edit(&self, start: usize) -> Edit {
        Edit {
            file: PathBuf::from(&self.file),
            span: start..start + (self.end - self.start),
            new_text: self.new_text.clone(),
            expect: self
                .expect
                .iter()
                .map(|(k, a, b)| Expect {
                    key: k.clone(),
                    value: *a..*b,
                })
                .collect(),
        }
    }
}

/// Edits that undo `edits` (with the text each replaced) on the text they produce (`new`), with
/// their context there so that they can be found again after later edits of the file.
pub(crate) fn reverse_edits(file: &str, new: &str, edits: &[(Edit, String)]) -> Vec<OpEdit> {
    let mut sorted: Vec<&(Edit, String)> = edits.iter().collect();
    sorted.sort_by_key(|(e, _)| e.span.start);
    let mut shift: isize = 0;
    sorted
        .into_iter()
        .map(|(e, old)| {
            let start = (e.span.start as isize + shift) as usize;
            shift += e.new_text.len() as isize - e.span.len() as isize;
            let end = start + e.new_text.len();
            let (context_before, context_after) = contexts(new, start, end);
            OpEdit {
                file: file.to_string(),
                start,
                end,
                old_text: e.new_text.clone(),
                new_text: old.clone(),
                expect: Vec::new(),
                file_sha256: sha256_hex(new.as_bytes()),
                context_before,
                context_after,
            }
        })
        .collect()
}
