//! `costfix rollback OP|--last-run`: the reverse patch of applied operations, from the log. Each
//! applied text must still be where the fix put it (else refused, unless `force`); several
//! operations on one file are undone in sequence, in memory, newest first.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::ops::log::{self, Entry, Event, Lock, Log};
use crate::ops::model::OpState;
use crate::ops::snapshot::sha256_hex;
use crate::ops::undo::{applied_changes, known_hashes, restore, undo_in, Restored};
use crate::root::Root;

/// Which operations to undo.
#[derive(Debug, Clone)]
pub enum RollbackTarget {
    /// One operation, by id.
    Operation(String),
    /// Every operation the last `costfix apply` that applied something applied.
    LastRun,
}

#[derive(Debug)]
pub struct RollbackRequest {
    /// The `.tf` root holding `.costfix/oplog.jsonl`.
    pub dir: PathBuf,
    pub target: RollbackTarget,
    /// Write the files (else only the patch is made).
    pub apply: bool,
    /// Undo even if the files changed since.
    pub force: bool,
    /// Write the reverse patch here.
    pub patch_out: Option<PathBuf>,
}

#[derive(Debug)]
pub struct RollbackReport {
    /// The operations undone (or to undo), newest first.
    pub operations: Vec<String>,
    /// The reverse patch (`git apply`-able).
    pub patch: String,
    /// Whether the files were written.
    pub applied: bool,
}

/// Make (and with `apply`, write) the rollback of applied operations.
pub fn rollback(req: &RollbackRequest) -> Result<RollbackReport> {
    let root = Root::open(&req.dir)?;
    let _lock = if req.apply {
        Some(Lock::acquire(&root)?)
    } else {
        None
    };
    let mut log = Log::open(&root)?;
    let entries = log.entries().to_vec();
    refuse_unfinished(&entries)?;
    let ids = match &req.target {
        RollbackTarget::Operation(id) => vec![id.clone()],
        RollbackTarget::LastRun => last_run(&entries).ok_or_else(|| Error::InvalidNoSource {
            path: log.path().to_owned(),
            message: "the log has no apply run".into(),
        })?,
    };
    // Undo op after op in memory (several operations may have edited one file), newest first.
    // Files are named relative to the root in the log, and resolved in it.
    let mut texts: BTreeMap<String, (PathBuf, String, String)> = BTreeMap::new();
    let mut per_op: Vec<(String, Vec<Restored>)> = Vec::new();
    for id in &ids {
        let changes = applied_changes(&entries, id).ok_or_else(|| Error::Operation {
            id: id.clone(),
            message: "not an applied operation (or it was rolled back already); `costfix log show` lists the operations".into(),
        })?;
        let mut files = Vec::new();
        for c in changes.iter().rev() {
            if !texts.contains_key(&c.file) {
                let path = root.resolve(&c.file)?;
                let t = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                if !req.force
                    && !known_hashes(&entries, &c.file).contains(&sha256_hex(t.as_bytes()))
                {
                    return Err(Error::Rollback {
                        message: format!(
                            "{}: the file changed outside costfix since it was last written (the log records no such sha256): refusing without --force",
                            c.file
                        ),
                    });
                }
                texts.insert(c.file.clone(), (path, t.clone(), t));
            }
            let entry = texts.get_mut(&c.file).expect("inserted above");
            let undone =
                undo_in(&entry.2, c, req.force).map_err(|message| Error::Rollback { message })?;
            let restored = Restored::new(c, entry.0.clone(), &entry.2, undone);
            entry.2 = restored.text.clone();
            files.push(restored);
        }
        per_op.push((id.clone(), files));
    }
    let patch: String = texts
        .iter()
        .map(|(f, (_, orig, now))| crate::fix::unified_diff(f, orig, now))
        .collect();
    if let Some(p) = &req.patch_out {
        write_atomic(p, patch.as_bytes())?;
    }
    if req.apply {
        for (id, files) in &per_op {
            restore(&mut log, id, files, log::ROLLBACK_REQUESTED)?;
        }
    }
    Ok(RollbackReport {
        operations: ids,
        patch,
        applied: req.apply,
    })
}

/// An operation the log leaves between two states (a crash) is for `costfix recover` first.
pub(crate) fn refuse_unfinished(entries: &[Entry]) -> Result<()> {
    let mut last: BTreeMap<&str, OpState> = BTreeMap::new();
    for e in entries {
        if let Some(to) = e.transition.to() {
            last.insert(&e.op, to);
        }
    }
    let unfinished: Vec<String> = last
        .iter()
        .filter(|(_, s)| {
            matches!(
                s,
                OpState::ValidatingSafety | OpState::Applying | OpState::RollingBack
            )
        })
        .map(|(op, s)| format!("{op} ({})", s.name()))
        .collect();
    if unfinished.is_empty() {
        return Ok(());
    }
    Err(Error::Usage {
        message: format!(
            "the log ends with unfinished operation(s): {} (costfix was interrupted)",
            unfinished.join(", ")
        ),
        help: "run `costfix recover` first: it finishes or undoes them, file by file".into(),
    })
}

/// The operations of the last run that applied something (a run that only skipped is passed
/// over), still applied, newest first. None: the log has no run.
fn last_run(entries: &[Entry]) -> Option<Vec<String>> {
    let starts: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.op == "run" && e.transition == Event::RunStart)
        .map(|(i, _)| i)
        .collect();
    let last = starts.len().checked_sub(1)?;
    let run_of = |k: usize| {
        let end = starts.get(k + 1).copied().unwrap_or(entries.len());
        &entries[starts[k]..end]
    };
    let applied = Event::Transition(OpState::Applying, OpState::Applied);
    let k = (0..starts.len())
        .rev()
        .find(|&k| run_of(k).iter().any(|e| e.transition == applied))
        .unwrap_or(last);
    let mut ids: Vec<String> = run_of(k)
        .iter()
        .filter(|e| e.transition == applied)
        .map(|e| e.op.clone())
        .filter(|id| applied_changes(entries, id).is_some())
        .collect();
    ids.reverse();
    Some(ids)
}
