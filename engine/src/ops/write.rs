//! Writing validated operations: per file, find each edit again, splice, verify (parse, read
//! back), log the file hashes and reverse edits (so that a crash can be recovered), write
//! atomically, read back; a failure rolls back every file written so far, in reverse order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::Result;
use crate::fsutil::write_atomic;
use crate::hcl::edit::{self, Edit};
use crate::ops::checks::Validated;
use crate::ops::log::{Log, ENVIRONMENT_PREFIX};
use crate::ops::model::{OpState, Operation};
use crate::ops::snapshot::sha256_hex;
use crate::root::Root;

/// One file as an operation changed it: hashes before and after, and the edits to undo it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub file: String,
    pub sha256_before: String,
    pub sha256_after: String,
    /// Reverse edits, on the file as the operation left it.
    pub reverse: Vec<Edit>,
}

/// A file to write: its path, its text now and the text with the operation's edits.
struct Write {
    path: PathBuf,
    original: String,
    new: String,
}

/// Apply validated operations, in order. Only a [`Validated`] operation can be given here.
pub fn apply(ops: Vec<Validated>, root: &Root, log: &mut Log) -> Result<Vec<Operation>> {
    let mut out = Vec::new();
    for v in ops {
        let (mut op, shifts) = v.into_parts();
        let planned = splice_files(&op, &shifts, root);
        let (changes, writes, error) = match planned {
            Ok((c, w)) => (c, w, None),
            Err(e) => (Vec::new(), Vec::new(), Some(e)),
        };
        op.transition(
            OpState::Applying,
            log,
            "applying",
            json!({ "files": changes }),
        )?;
        if let Some(e) = error {
            let msg = format!("not applied: {e}; no file was written");
            op.transition(OpState::Failed, log, &msg, Value::Null)?;
        } else {
            write_files(&mut op, &changes, &writes, log)?;
        }
        out.push(op);
    }
    Ok(out)
}

/// The files an operation changes, spliced and verified in memory. Each edit is found again in
/// the file as it is now (earlier operations of the run may have moved it): by its context,
/// nearest where validation saw it.
fn splice_files(
    op: &Operation,
    shifts: &[isize],
    root: &Root,
) -> std::result::Result<(Vec<FileChange>, Vec<Write>), String> {
    let mut by_file: BTreeMap<PathBuf, Vec<(Edit, String)>> = BTreeMap::new();
    for (e, s) in op
        .target
        .edits
        .iter()
        .zip(shifts.iter().chain(std::iter::repeat(&0)))
    {
        let text = std::fs::read_to_string(&e.file).unwrap_or_default();
        let hint = (e.span.start as isize + s).max(0) as usize;
        let at = e
            .relocate(&text, hint)
            .ok_or_else(|| format!("{}: the text to replace moved or changed", e.file.display()))?;
        by_file
            .entry(e.file.clone())
            .or_default()
            .push((e.moved_to(at), e.old_text().to_string()));
    }
    let mut changes = Vec::new();
    let mut writes = Vec::new();
    for (path, edits) in &by_file {
        let shown = path.display();
        let original = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let refs: Vec<&Edit> = edits.iter().map(|(e, _)| e).collect();
        let new = edit::apply_verified(&original, &refs).map_err(|e| format!("{shown}: {e}"))?;
        // The log names the file relative to the root (what rollback and recover resolve).
        let file = root.name_of(path);
        changes.push(FileChange {
            reverse: reverse_edits(&file, &new, edits),
            file,
            sha256_before: sha256_hex(original.as_bytes()),
            sha256_after: sha256_hex(new.as_bytes()),
        });
        writes.push(Write {
            path: path.clone(),
            original,
            new,
        });
    }
    Ok((changes, writes))
}

/// Write the files of an operation in `Applying`, read each back, and end in `Applied`, or roll
/// back what was written (`RolledBack`, or `RollbackFailed` with the files to restore by hand).
fn write_files(
    op: &mut Operation,
    changes: &[FileChange],
    writes: &[Write],
    log: &mut Log,
) -> Result<()> {
    let mut written: Vec<&Write> = Vec::new();
    let mut failure = None;
    for w in writes {
        // Another process may have changed the file since it was read (the tree's lock keeps
        // out costfix runs on this root, the file's lock those on a root that shares the file):
        // its change is not overwritten.
        let _guard = match crate::root::lock_file(&w.path) {
            Ok(g) => g,
            Err(e) => {
                failure = Some(e.to_string());
                break;
            }
        };
        if !reads_back(&w.path, &w.original) {
            failure = Some(format!(
                "{} changed since it was read (another process edited it); it was not written",
                w.path.display()
            ));
            break;
        }
        if let Err(e) = write_atomic(&w.path, w.new.as_bytes()) {
            // A full disk, a file-size limit, a read-only file: the environment, not the fix.
            let cause = std::error::Error::source(&e).map_or(String::new(), |s| format!(": {s}"));
            failure = Some(format!("{ENVIRONMENT_PREFIX} {e}{cause}"));
            break;
        }
        written.push(w);
        if !reads_back(&w.path, &w.new) {
            failure = Some(format!(
                "{} does not read back as written",
                w.path.display()
            ));
            break;
        }
    }
    let Some(why) = failure else {
        let details =
            json!({"files": changes, "monthly_saving": op.monthly_saving.map(|s| s.to_string())});
        return op.transition(OpState::Applied, log, "applied and verified", details);
    };
    let msg = if why.starts_with(ENVIRONMENT_PREFIX) {
        format!("{why}; rolling back")
    } else {
        format!("verification failed: {why}; rolling back")
    };
    // The files go with the entry: a crash during the rollback is recovered from it.
    op.transition(OpState::RollingBack, log, &msg, json!({ "files": changes }))?;
    let mut ok = true;
    for w in written.iter().rev() {
        ok &= write_atomic(&w.path, w.original.as_bytes()).is_ok()
            && reads_back(&w.path, &w.original);
    }
    if ok {
        let msg = "rolled back: every file is as before";
        op.transition(OpState::RolledBack, log, msg, Value::Null)
    } else {
        let msg = "rollback failed: restore the files listed in the Applying entry by hand";
        op.transition(
            OpState::RollbackFailed,
            log,
            msg,
            json!({ "files": changes }),
        )
    }
}

/// Whether the file on disk now is `text`.
fn reads_back(file: &Path, text: &str) -> bool {
    std::fs::read(file).map(|b| sha256_hex(&b)).ok() == Some(sha256_hex(text.as_bytes()))
}

/// Edits that undo `edits` (with the text each replaced) on the text they produce (`new`), with
/// their context there so that they can be found again after later edits of the file.
fn reverse_edits(file: &str, new: &str, edits: &[(Edit, String)]) -> Vec<Edit> {
    let mut sorted: Vec<&(Edit, String)> = edits.iter().collect();
    sorted.sort_by_key(|(e, _)| e.span.start);
    let mut shift: isize = 0;
    sorted
        .into_iter()
        .map(|(e, old)| {
            let start = (e.span.start as isize + shift) as usize;
            shift += e.new_text.len() as isize - e.span.len() as isize;
            let end = start + e.new_text.len();
            let undo = Edit {
                file: PathBuf::from(file),
                span: start..end,
                new_text: old.clone(),
                expect: Vec::new(),
                anchor: None,
            };
            undo.anchored(new, e.new_text.clone())
        })
        .collect()
}
