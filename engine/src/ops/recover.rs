//! `costfix recover`: after a crash, cut a torn log tail, fail the operations interrupted during
//! their checks (nothing was written), and roll back those interrupted while applying or rolling
//! back, file by file, by hash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::error::Result;
use crate::fsutil::write_atomic;
use crate::ops::log::{Entry, Lock, Log, RECOVER_PREFIX};
use crate::ops::model::OpState;
use crate::ops::snapshot::sha256_hex;
use crate::ops::undo::undo_text;
use crate::ops::write::FileChange;
use crate::root::Root;

/// What happened to one unfinished operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// Interrupted during the safety checks: marked failed, nothing had been written.
    Failed(String),
    /// Interrupted while applying or rolling back: every file is as before it.
    RolledBack(String),
    /// Some file is neither as before nor as after the operation: restore these by hand.
    Manual { op: String, files: Vec<String> },
}

#[derive(Debug, Default)]
pub struct RecoverReport {
    /// The torn last line of the log that was cut off.
    pub torn: Option<String>,
    /// The last entry, written to the head but not to the log by a crash, was appended.
    pub completed: bool,
    pub operations: Vec<Recovered>,
    /// Temporary files of interrupted writes that were removed.
    pub temp_files: Vec<String>,
}

impl RecoverReport {
    /// Whether something is left to do by hand (the exit code).
    pub fn needs_manual(&self) -> bool {
        self.operations
            .iter()
            .any(|r| matches!(r, Recovered::Manual { .. }))
    }
}

/// Recover the tree at `dir` after a crash.
pub fn recover(dir: &Path) -> Result<RecoverReport> {
    let root = Root::open(dir)?;
    let _lock = Lock::acquire(&root)?;
    let torn = Log::cut_torn_tail(&root)?;
    let completed = Log::complete_from_head(&root)?;
    let mut log = Log::open(&root)?;
    let entries = log.entries().to_vec();
    // The last transition of each operation.
    let mut last: BTreeMap<&str, (&Entry, OpState)> = BTreeMap::new();
    for e in &entries {
        if let Some(to) = e.transition.to() {
            last.insert(e.op.as_str(), (e, to));
        }
    }
    let mut report = RecoverReport {
        torn,
        completed,
        operations: Vec::new(),
        temp_files: Vec::new(),
    };
    for (op, (e, state)) in last {
        match state {
            OpState::ValidatingSafety => {
                let msg = format!(
                    "{RECOVER_PREFIX} interrupted during the safety checks; nothing was written"
                );
                log.transition(op, state, OpState::Failed, msg, Value::Null)?;
                report.operations.push(Recovered::Failed(op.to_string()));
            }
            OpState::Applying | OpState::RollingBack => {
                report.operations.push(roll_back(
                    &mut log,
                    &root,
                    op,
                    files_of(&entries, op, e),
                    state,
                )?);
            }
            _ => {}
        }
    }
    report.temp_files = remove_temp_files(&root, &entries);
    Ok(report)
}

/// Roll back an operation interrupted in `state`: each file as after it is restored, each as
/// before it is left; any other file is for a person. The files and their hashes come from the
/// entry that put it in `state` (`Applying`, or `->RollingBack`, which carries them too); a
/// file outside the root is refused.
fn roll_back(
    log: &mut Log,
    root: &Root,
    op: &str,
    changes: Vec<FileChange>,
    state: OpState,
) -> Result<Recovered> {
    let paths: Vec<PathBuf> = changes
        .iter()
        .map(|c| root.resolve(&c.file))
        .collect::<Result<_>>()?;
    if state == OpState::Applying {
        let msg = format!("{RECOVER_PREFIX} rolling back an unfinished operation");
        let details = json!({ "files": changes });
        log.transition(op, state, OpState::RollingBack, msg, details)?;
    }
    let mut manual = Vec::new();
    for (c, path) in changes.iter().zip(&paths).rev() {
        let sha = std::fs::read(path)
            .map(|b| sha256_hex(&b))
            .unwrap_or_default();
        if sha == c.sha256_before {
            continue; // never written, or already restored
        }
        // Only a file the log describes (its hash is the one after the change), and only to the
        // bytes the log's reverse edits make of it.
        let restored = (sha == c.sha256_after)
            .then(|| undo_text(c, path, false).ok())
            .flatten()
            .filter(|(_, u)| sha256_hex(u.text.as_bytes()) == c.sha256_before);
        match restored {
            Some((_, undone)) => write_atomic(path, undone.text.as_bytes())?,
            None => manual.push(c.file.clone()),
        }
    }
    if manual.is_empty() {
        let msg = "recovered: every file is as before the operation";
        log.transition(
            op,
            OpState::RollingBack,
            OpState::RolledBack,
            msg,
            Value::Null,
        )?;
        Ok(Recovered::RolledBack(op.to_string()))
    } else {
        let msg = "recover could not restore every file";
        let details = json!({ "files": changes });
        log.transition(
            op,
            OpState::RollingBack,
            OpState::RollbackFailed,
            msg,
            details,
        )?;
        Ok(Recovered::Manual {
            op: op.to_string(),
            files: manual,
        })
    }
}

/// The files of the entry `e` that left `op` unfinished; for a `->RollingBack` entry written
/// before it carried them, those of the operation's latest entry that has them.
fn files_of(entries: &[Entry], op: &str, e: &Entry) -> Vec<FileChange> {
    let of = |e: &Entry| -> Vec<FileChange> {
        serde_json::from_value(e.details["files"].clone()).unwrap_or_default()
    };
    let own = of(e);
    if !own.is_empty() {
        return own;
    }
    entries
        .iter()
        .rev()
        .filter(|x| x.op == op && x.seq < e.seq)
        .map(of)
        .find(|f| !f.is_empty())
        .unwrap_or_default()
}

/// Remove the temporary files an interrupted atomic write leaves (`.costfix-*.tmp`) in the root,
/// `.costfix/` and the folders of the files the log names; returns their names.
fn remove_temp_files(root: &Root, entries: &[Entry]) -> Vec<String> {
    let mut folders: std::collections::BTreeSet<PathBuf> = Default::default();
    folders.insert(root.dir().to_path_buf());
    folders.insert(root.dir().join(crate::root::STATE_DIR));
    for e in entries {
        let changes: Vec<FileChange> =
            serde_json::from_value(e.details["files"].clone()).unwrap_or_default();
        for c in changes {
            if let Some(parent) = root.resolve(&c.file).ok().and_then(|p| {
                p.parent().map(|d| {
                    if d.as_os_str().is_empty() {
                        root.dir().to_path_buf()
                    } else {
                        d.to_path_buf()
                    }
                })
            }) {
                folders.insert(parent);
            }
        }
    }
    let mut removed = Vec::new();
    for dir in folders {
        let Ok(listing) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in listing.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            if regular
                && name.starts_with(".costfix-")
                && name.ends_with(".tmp")
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed.push(root.name_of(&entry.path()));
            }
        }
    }
    removed
}
