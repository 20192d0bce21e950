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
    pub operations: Vec<Recovered>,
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
    let _lock = Lock::acquire(dir)?;
    let torn = Log::cut_torn_tail(dir)?;
    let mut log = Log::open(dir)?;
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
        operations: Vec::new(),
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
                report.operations.push(roll_back(&mut log, op, e, state)?);
            }
            _ => {}
        }
    }
    Ok(report)
}

/// Roll back an operation interrupted in `state`: each file as after it is restored, each as
/// before it is left; any other file is for a person.
fn roll_back(log: &mut Log, op: &str, e: &Entry, state: OpState) -> Result<Recovered> {
    let changes: Vec<FileChange> =
        serde_json::from_value(e.details["files"].clone()).unwrap_or_default();
    if state == OpState::Applying {
        let msg = format!("{RECOVER_PREFIX} rolling back an unfinished operation");
        log.transition(op, state, OpState::RollingBack, msg, Value::Null)?;
    }
    let mut manual = Vec::new();
    for c in changes.iter().rev() {
        let sha = std::fs::read(&c.file)
            .map(|b| sha256_hex(&b))
            .unwrap_or_default();
        if sha == c.sha256_before {
            continue; // never written
        }
        let restored = (sha == c.sha256_after)
            .then(|| undo_text(c, false).ok())
            .flatten();
        match restored {
            Some((_, text)) => write_atomic(&PathBuf::from(&c.file), text.as_bytes())?,
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
