//! Undoing an applied operation: its reverse edits found again in the files as they are now, the
//! files restored atomically and read back, and the rollback logged through the state machine.
//! `costfix rollback`, `costfix recover` and `apply --verify-plan` all restore through [`restore`].

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::hcl::edit::{self, Edit};
use crate::ops::log::{Entry, Event, Log};
use crate::ops::model::OpState;
use crate::ops::snapshot::sha256_hex;
use crate::ops::write::FileChange;

/// The file changes of an applied operation, from its `Applying->Applied` entry; None when it was
/// never applied or was rolled back since.
pub fn applied_changes(entries: &[Entry], op: &str) -> Option<Vec<FileChange>> {
    let applied = entries.iter().rev().find(|e| {
        e.op == op && e.transition == Event::Transition(OpState::Applying, OpState::Applied)
    })?;
    if entries
        .iter()
        .skip_while(|e| e.seq <= applied.seq)
        .any(|e| {
            e.op == op && e.transition == Event::Transition(OpState::Applied, OpState::RollingBack)
        })
    {
        return None;
    }
    serde_json::from_value(applied.details["files"].clone()).ok()
}

/// Every sha256 the log records for file `name` (before or after an operation, or restored by a
/// rollback): a file whose hash is not among them changed outside costfix, and is not rolled back
/// without `--force` (nor is a file a forged entry names without knowing its content).
pub fn known_hashes(entries: &[Entry], name: &str) -> std::collections::HashSet<String> {
    let mut known = std::collections::HashSet::new();
    for e in entries {
        let Some(files) = e.details["files"].as_array() else {
            continue;
        };
        for f in files.iter().filter(|f| f["file"] == name) {
            for k in ["sha256_before", "sha256_after", "sha256"] {
                if let Some(h) = f[k].as_str() {
                    known.insert(h.to_string());
                }
            }
        }
    }
    known
}

/// A file as a rollback restores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// Its name in the log (relative to the root).
    pub file: String,
    /// Where it is (resolved in the root).
    pub path: PathBuf,
    /// The text to write back.
    pub text: String,
    /// The sha256 of the file when the rollback starts (what it must still be when written).
    pub sha256_from: String,
    /// The reverse edits that turn that text into `text` (logged, so that a crash during the
    /// rollback can be recovered).
    pub reverse: Vec<Edit>,
    /// The file's sha256 before the operation.
    pub sha256_before: String,
}

impl Restored {
    /// The file undone from `from` (its text when the rollback starts) to `text`.
    pub fn new(change: &FileChange, path: PathBuf, from: &str, undo: Undone) -> Restored {
        Restored {
            file: change.file.clone(),
            path,
            sha256_from: sha256_hex(from.as_bytes()),
            text: undo.text,
            reverse: undo.reverse,
            sha256_before: change.sha256_before.clone(),
        }
    }

    /// As a file change of the `->RollingBack` entry: from the text now (`sha256_after`) to the
    /// restored one (`sha256_before`), by the reverse edits; `costfix recover` reads it after a
    /// crash as it reads an `Applying` entry.
    fn as_change(&self) -> FileChange {
        FileChange {
            file: self.file.clone(),
            sha256_before: sha256_hex(self.text.as_bytes()),
            sha256_after: self.sha256_from.clone(),
            reverse: self.reverse.clone(),
        }
    }
}

/// Restore an applied operation's files (`Applied -> RollingBack -> RolledBack`), reading each
/// back. `why` is the message of the rollback (what asked for it). A file that does not read back
/// as restored ends in `RollbackFailed` and an error.
pub fn restore(log: &mut Log, id: &str, files: &[Restored], why: &str) -> Result<()> {
    let changes: Vec<FileChange> = files.iter().map(Restored::as_change).collect();
    log.transition(
        id,
        OpState::Applied,
        OpState::RollingBack,
        why,
        json!({ "files": changes }),
    )?;
    let mut ok = true;
    let mut failure = None;
    for f in files {
        // Each file must still be as the rollback read it (the lock keeps costfix out, not
        // other editors).
        let now = std::fs::read(&f.path)
            .map(|b| sha256_hex(&b))
            .unwrap_or_default();
        if now != f.sha256_from && now != sha256_hex(f.text.as_bytes()) {
            ok = false;
            failure = Some(format!("{} changed while it was rolled back", f.file));
            break;
        }
        if let Err(e) = write_atomic(&f.path, f.text.as_bytes()) {
            ok = false;
            failure = Some(e.to_string());
            break;
        }
        let sha = std::fs::read(&f.path)
            .map(|b| sha256_hex(&b))
            .unwrap_or_default();
        ok &= sha == sha256_hex(f.text.as_bytes());
    }
    let exact = files
        .iter()
        .all(|f| sha256_hex(f.text.as_bytes()) == f.sha256_before);
    if ok {
        let details = json!({"files": files.iter().map(|f| json!({"file": f.file, "sha256": sha256_hex(f.text.as_bytes())})).collect::<Vec<_>>()});
        let msg = if exact {
            "rolled back: the files are as before the fix"
        } else {
            "rolled back: the fix's text is undone; later changes to the same files are kept"
        };
        log.transition(id, OpState::RollingBack, OpState::RolledBack, msg, details)?;
        Ok(())
    } else {
        let why = failure.unwrap_or_else(|| "a file does not read back as restored".into());
        let msg = format!("rollback failed: {why}; `costfix recover` finishes it");
        // Left in RollingBack (with its files logged): `recover` finishes or reports it. A
        // RollbackFailed here would claim what recover could still do.
        Err(Error::Operation {
            id: id.to_string(),
            message: msg,
        })
    }
}

/// A file change undone on a text: the restored text and the reverse edits that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    pub text: String,
    pub reverse: Vec<Edit>,
}

/// Undo a file change on the file as it is now (`path`, the change's file resolved in the root):
/// each applied text must still be at its place (found by its context; later operations' edits
/// of the file are kept), else `Err` with what moved, unless `force` (which undoes what it still
/// finds). Returns (text now, undone); the restored text parses. Callers check first that the
/// file is one the log describes ([`known_hashes`]).
pub fn undo_text(
    change: &FileChange,
    path: &Path,
    force: bool,
) -> std::result::Result<(String, Undone), String> {
    let now = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", change.file))?;
    let undone = undo_in(&now, change, force)?;
    Ok((now, undone))
}

/// [`undo_text`] on a text given (the file as earlier rollbacks of the same run left it).
pub fn undo_in(now: &str, change: &FileChange, force: bool) -> std::result::Result<Undone, String> {
    let mut edits = Vec::new();
    let mut reverse = Vec::new();
    for r in &change.reverse {
        match r.relocate(now, r.span.start) {
            Some(at) => {
                edits.push(Edit {
                    file: PathBuf::from(&change.file),
                    span: at..at + r.old_text().len(),
                    new_text: r.new_text.clone(),
                    expect: Vec::new(),
                    anchor: None,
                });
                reverse.push(r.moved_to(at));
            }
            None if force => {}
            None => {
                return Err(format!(
                    "{}: {:?} (written by the fix) is no longer where the fix put it: the file changed since; refusing without --force",
                    change.file, r.old_text()
                ))
            }
        }
    }
    let refs: Vec<&Edit> = edits.iter().collect();
    let text = edit::apply_verified(now, &refs).map_err(|e| format!("{}: {e}", change.file))?;
    Ok(Undone { text, reverse })
}
