//! Unified diffs of edited files, for previews and `git apply` patches.

use crate::hcl::edit::{self, Edit, EditError};

/// A unified diff of one file (`git apply`-able), with `a/` and `b/` prefixes on `label`. Empty
/// when nothing changed.
pub fn unified_diff(label: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = format!("diff --git a/{label} b/{label}\n");
    out.push_str(
        &diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{label}"), &format!("b/{label}"))
            .to_string(),
    );
    out
}

/// The unified diff of `edits` on `original` (`label` names the file), computed on windows of
/// lines around the edits only: fast when a big file has a small fix. Same text as
/// [`unified_diff`] of the whole file, headers aside.
pub fn edits_diff(label: &str, original: &str, edits: &[&Edit]) -> Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    // Line starts of the original.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(original.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i <= original.len())
        .collect();
    let line_of = |offset: usize| match starts.binary_search(&offset) {
        Ok(i) => i,
        Err(i) => i - 1,
    };
    let line_start = |line: usize| starts.get(line).copied().unwrap_or(original.len());
    const CONTEXT: usize = 3;
    // Windows of whole lines, edits grouped when their windows touch.
    let mut windows: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for e in sorted {
        let first = line_of(e.span.start).saturating_sub(CONTEXT);
        let last = (line_of(e.span.end) + CONTEXT + 1).min(starts.len());
        match windows.last_mut() {
            Some(w) if first <= w.1 => {
                w.1 = w.1.max(last);
                w.2.push(e);
            }
            _ => windows.push((first, last, vec![e])),
        }
    }
    let mut out = format!("--- a/{label}\n+++ b/{label}\n");
    for (first, last, group) in windows {
        let (w0, w1) = (line_start(first), line_start(last));
        let shifted: Vec<Edit> = group
            .iter()
            .map(|e| Edit {
                span: e.span.start - w0..e.span.end - w0,
                ..(*e).clone()
            })
            .collect();
        let refs: Vec<&Edit> = shifted.iter().collect();
        let old = &original[w0..w1];
        let new = edit::splice(old, &refs)?;
        let diff = similar::TextDiff::from_lines(old, new.as_str());
        for hunk in diff.grouped_ops(CONTEXT) {
            let (Some(a), Some(b)) = (hunk.first(), hunk.last()) else {
                continue;
            };
            let (os, oe) = (a.old_range().start, b.old_range().end);
            let (ns, ne) = (a.new_range().start, b.new_range().end);
            let pos = |start: usize, len: usize| {
                if len == 0 {
                    first + start
                } else {
                    first + start + 1
                }
            };
            out.push_str(&format!(
                "@@ -{},{} +{},{} @@\n",
                pos(os, oe - os),
                oe - os,
                pos(ns, ne - ns),
                ne - ns
            ));
            for op in &hunk {
                for change in diff.iter_changes(op) {
                    let sign = match change.tag() {
                        similar::ChangeTag::Equal => ' ',
                        similar::ChangeTag::Delete => '-',
                        similar::ChangeTag::Insert => '+',
                    };
                    out.push(sign);
                    out.push_str(change.value());
                    if change.missing_newline() {
                        out.push_str("\n\\ No newline at end of file\n");
                    }
                }
            }
        }
    }
    Ok(out)
}
