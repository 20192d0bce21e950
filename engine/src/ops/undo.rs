//! Undoing an applied operation: its reverse edits found again in the files as they are now, the
//! files restored atomically and read back, and the rollback logged through the state machine.
//! `costfix rollback`, `costfix recover` and `apply --verify-plan` all restore through [`restore`].

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

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

/// A file as a rollback restores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub file: String,
    /// The text to write back.
    pub text: String,
    /// The file's sha256 before the operation.
    pub sha256_before: String,
}

/// Restore an applied operation's files (`Applied -> RollingBack -> RolledBack`), reading each
/// back. `why` is the message of the rollback (what asked for it). A file that does not read back
/// as restored ends in `RollbackFailed` and an error.
pub fn restore(log: &mut Log, id: &str, files: &[Restored], why: &str) -> Result<()> {
    log.transition(id, OpState::Applied, OpState::RollingBack, why, Value::Null)?;
    let mut ok = true;
    for f in files {
        write_atomic(Path::new(&f.file), f.text.as_bytes())?;
        let sha = std::fs::read(&f.file)
            .map(|b| sha256_hex(&b))
            .unwrap_or_default();
        ok &= sha == sha256_hex(f.text.as_bytes());
    }
    let exact = files
        .iter()
        .all(|f| sha256_hex(f.text.as_bytes()) == f.sha256_before);
    let details = json!({"files": files.iter().map(|f| json!({"file": f.file, "sha256": sha256_hex(f.text.as_bytes())})).collect::<Vec<_>>()});
    if ok {
        let msg = if exact {
            "rolled back: the files are as before the fix"
        } else {
            "rolled back: the fix's text is undone; later changes to the same files are kept"
        };
        log.transition(id, OpState::RollingBack, OpState::RolledBack, msg, details)?;
        Ok(())
    } else {
        log.transition(
            id,
            OpState::RollingBack,
            OpState::RollbackFailed,
            "a file does not read back as restored",
            details,
        )?;
        Err(Error::Operation {
            id: id.to_string(),
            message: format!(
                "rollback did not restore the files exactly; see costfix log show {id}"
            ),
        })
    }
}

/// Undo a file change on the file as it is now: each applied text must still be at its place
/// (found by its context; other edits of the file since are kept), else `Err` with what moved,
/// unless `force` (which undoes what it still finds). Returns (text now, restored text); the
/// restored text parses.
pub fn undo_text(
    change: &FileChange,
    force: bool,
) -> std::result::Result<(String, String), String> {
    let now = std::fs::read_to_string(&change.file).map_err(|e| format!("{}: {e}", change.file))?;
    let restored = undo_in(&now, change, force)?;
    Ok((now, restored))
}

/// [`undo_text`] on a text given (the file as earlier rollbacks of the same run left it).
pub fn undo_in(now: &str, change: &FileChange, force: bool) -> std::result::Result<String, String> {
    let mut edits = Vec::new();
    for r in &change.reverse {
        match r.relocate(now, r.span.start) {
            Some(at) => edits.push(Edit {
                file: PathBuf::from(&change.file),
                span: at..at + r.old_text().len(),
                new_text: r.new_text.clone(),
                expect: Vec::new(),
                anchor: None,
            }),
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
    edit::apply_verified(now, &refs).map_err(|e| format!("{}: {e}", change.file))
}
