//! The operation log: `.costfix/oplog.jsonl`, append-only, one event per line, hash-chained.
//!
//! Each entry is a JSON object: `seq` (1, 2, ...), `time` (RFC 3339 UTC, from [`now_epoch`]), `op`
//! (the operation id, or `run`/`breaker`), `transition` (an [`Event`]: `Pending->ValidatingSafety`,
//! ...; `start`/`end` of a run, `reset` of the breaker; empty for plain events), `level` (`info`, `warn`, `error`), `message`, `details` (check results, hashes,
//! approver, costs), `prev` (the previous entry's `hash`; 64 zeros for the first) and `hash`: the
//! sha256 of the entry's canonical JSON without `hash` ([`crate::ops::snapshot`]). Lines are written
//! with one `write` of the whole line to a file opened for appending, then fsync.
//!
//! [`verify`] finds any edited entry (hash), deleted, inserted or reordered entry (`seq` and
//! `prev` chain), and a torn last line (no newline or not JSON: a crash mid-write), and says at
//! which line. Appending to a log whose tail is torn is refused until `costfix recover`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::ops::model::OpState;
use crate::ops::snapshot::{canonical_json, sha256_hex};
pub use crate::root::Lock;
use crate::root::{no_follow, Root};

use super::anchor::{check_head, check_macs};
pub use super::anchor::{key, mac_of, since, HEAD_FILE, KEY_VAR};
pub use super::breaker::{
    applied_in_last_hour, failures_in_a_row, ENVIRONMENT_PREFIX, RECOVER_PREFIX, ROLLBACK_REQUESTED,
};
pub use crate::ops::clock::{now_epoch, parse_rfc3339, rfc3339};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records. On disk it is the `transition` text; only [`Log::transition`] writes an
/// [`Event::Transition`], and only a legal one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An operation moved from one state to another (`Applying->Applied`).
    Transition(OpState, OpState),
    /// A `costfix apply` run started (`start`, op `run`).
    RunStart,
    /// It ended (`end`).
    RunEnd,
    /// The circuit breaker was closed by someone (`reset`, op `breaker`).
    BreakerReset,
    /// A plain event: a skip, an approval, checks passed (empty text).
    Note,
    /// A text costfix does not write (read from an edited log; its hash tells).
    Other(String),
}

impl Event {
    pub fn text(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Event::Transition(a, b) => format!("{}->{}", a.name(), b.name()).into(),
            Event::RunStart => "start".into(),
            Event::RunEnd => "end".into(),
            Event::BreakerReset => "reset".into(),
            Event::Note => "".into(),
            Event::Other(s) => s.clone().into(),
        }
    }

    pub fn parse(s: &str) -> Event {
        match s {
            "" => Event::Note,
            "start" => Event::RunStart,
            "end" => Event::RunEnd,
            "reset" => Event::BreakerReset,
            _ => s
                .split_once("->")
                .and_then(|(a, b)| Some(Event::Transition(OpState::parse(a)?, OpState::parse(b)?)))
                .unwrap_or_else(|| Event::Other(s.to_string())),
        }
    }

    /// The state a transition goes to.
    pub fn to(&self) -> Option<OpState> {
        match self {
            Event::Transition(_, b) => Some(*b),
            _ => None,
        }
    }
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Event, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(Event::parse(&s))
    }
}

/// How serious an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub time: String,
    pub op: String,
    pub transition: Event,
    pub level: Level,
    pub message: String,
    pub details: Value,
    pub prev: String,
    pub hash: String,
    /// HMAC-SHA256 of `hash` with the key in `COSTFIX_LOG_KEY`, when one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

impl Entry {
    /// The hash this entry should have (over the entry without `hash` and `mac`).
    pub fn compute_hash(&self) -> String {
        let mut v = serde_json::to_value(self).expect("entries serialise");
        let o = v.as_object_mut().expect("an object");
        o.remove("hash");
        o.remove("mac");
        sha256_hex(canonical_json(&v).as_bytes())
    }
}

/// The longest torn tail `recover` cuts: more is not an entry being written.
const MAX_TORN: usize = 16 << 20;

/// A problem [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line of the log file.
    pub line: usize,
    pub kind: &'static str,
    pub message: String,
}

/// What [`read`] found in a log file.
#[derive(Debug, Default)]
pub struct Contents {
    /// Entries that parsed, with their line numbers.
    pub entries: Vec<(usize, Entry)>,
    pub problems: Vec<Problem>,
    /// The last line is incomplete (a crash while it was written).
    pub torn_tail: bool,
    /// The head records the entry after the last one (a crash between writing the head and the
    /// line): `costfix recover` appends it.
    pub head_ahead: Option<Entry>,
}

/// The log's file name in [`crate::root::STATE_DIR`].
pub const LOG_FILE: &str = "oplog.jsonl";

/// The log of a tree: `ROOT/.costfix/oplog.jsonl` (refused when it or `.costfix` is a link).
pub fn path_in(root: &Root) -> Result<PathBuf> {
    root.state_file(LOG_FILE, false)
}

/// Read a log (a missing file is an empty log) and check it: hashes, chain, sequence, tail.
pub fn read(path: &Path) -> Result<Contents> {
    let text = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
        Err(source) => {
            return Err(Error::Io {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut c = Contents::default();
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let mut prev = GENESIS.to_string();
    let mut expect_seq = 1u64;
    for (i, raw) in lines.iter().enumerate() {
        let n = i + 1;
        let complete = raw.ends_with(b"\n");
        let body = raw.strip_suffix(b"\n").unwrap_or(raw);
        let parsed = std::str::from_utf8(body)
            .ok()
            .and_then(|s| serde_json::from_str::<Entry>(s).ok());
        let Some(e) = parsed.filter(|_| complete) else {
            if i + 1 == lines.len() && !complete {
                c.torn_tail = true;
                c.problems.push(Problem {
                    line: n,
                    kind: "torn",
                    message: "the last line is incomplete: a write was interrupted (run `costfix recover`)".into(),
                });
            } else {
                c.problems.push(Problem {
                    line: n,
                    kind: "unreadable",
                    message: "the line is not a log entry".into(),
                });
            }
            continue;
        };
        if e.compute_hash() != e.hash {
            c.problems.push(Problem {
                line: n,
                kind: "edited",
                message: format!(
                    "entry {} does not hash to its recorded hash: it was edited",
                    e.seq
                ),
            });
        }
        if e.seq != expect_seq {
            let kind = if e.seq > expect_seq {
                "deleted"
            } else {
                "inserted or reordered"
            };
            c.problems.push(Problem {
                line: n,
                kind: if e.seq > expect_seq {
                    "deleted"
                } else {
                    "reordered"
                },
                message: format!("expected entry {expect_seq} here, found {} ({kind})", e.seq),
            });
        }
        if e.prev != prev {
            c.problems.push(Problem {
                line: n,
                kind: "chain",
                message: format!(
                    "entry {} does not follow the entry before it (its `prev` is not that entry's hash)",
                    e.seq
                ),
            });
        }
        prev = e.hash.clone();
        expect_seq = e.seq + 1;
        c.entries.push((n, e));
    }
    check_macs(&mut c, key().as_deref());
    check_head(&mut c, &path.with_file_name(HEAD_FILE), lines.len())?;
    Ok(c)
}

/// The append handle of a log.
pub struct Log {
    root: Root,
    path: PathBuf,
    last_hash: String,
    next_seq: u64,
    entries: Vec<Entry>,
}

impl Log {
    /// Open a tree's log for appending. A log with problems (tampering, a torn tail) is refused.
    pub fn open(root: &Root) -> Result<Log> {
        let path = path_in(root)?;
        let c = read(&path)?;
        if let Some(p) = c.problems.first() {
            return Err(Error::InvalidNoSource {
                path: path.clone(),
                message: format!(
                    "line {}: {} (`costfix log verify` lists every problem; nothing was applied)",
                    p.line, p.message
                ),
            });
        }
        let entries: Vec<Entry> = c.entries.into_iter().map(|(_, e)| e).collect();
        Ok(Log {
            last_hash: entries
                .last()
                .map_or(GENESIS.to_string(), |e| e.hash.clone()),
            next_seq: entries.last().map_or(1, |e| e.seq + 1),
            entries,
            path,
            root: root.clone(),
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Log a legal state change of operation `op` (the level follows the state it goes to).
    pub fn transition(
        &mut self,
        op: &str,
        from: OpState,
        to: OpState,
        message: impl Into<String>,
        details: Value,
    ) -> Result<Entry> {
        if !from.can_go(to) {
            return Err(Error::Operation {
                id: op.to_string(),
                message: format!("illegal transition {} -> {}", from.name(), to.name()),
            });
        }
        self.append(
            op,
            Event::Transition(from, to),
            to.level(),
            message,
            details,
        )
    }

    /// Log a plain event of `op` (a skip, an approval, a verification).
    pub fn note(
        &mut self,
        op: &str,
        level: Level,
        message: impl Into<String>,
        details: Value,
    ) -> Result<Entry> {
        self.append(op, Event::Note, level, message, details)
    }

    /// Log the start (`start = true`) or the end of an apply run.
    pub fn run(
        &mut self,
        start: bool,
        message: impl Into<String>,
        details: Value,
    ) -> Result<Entry> {
        let event = if start {
            Event::RunStart
        } else {
            Event::RunEnd
        };
        self.append("run", event, Level::Info, message, details)
    }

    /// Log that `by` closed the circuit breaker.
    pub fn reset_breaker(&mut self, by: &str) -> Result<Entry> {
        self.append(
            "breaker",
            Event::BreakerReset,
            Level::Warn,
            format!("circuit breaker reset by {by}"),
            serde_json::json!({ "by": by }),
        )
    }

    /// Append an event, durably.
    fn append(
        &mut self,
        op: &str,
        transition: Event,
        level: Level,
        message: impl Into<String>,
        details: Value,
    ) -> Result<Entry> {
        let mut e = Entry {
            seq: self.next_seq,
            time: rfc3339(now_epoch()),
            op: op.to_string(),
            transition,
            level,
            message: message.into(),
            details,
            prev: self.last_hash.clone(),
            hash: String::new(),
            mac: None,
        };
        e.hash = e.compute_hash();
        e.mac = key().map(|k| mac_of(&k, &e.hash));
        let mut line = serde_json::to_string(&e).expect("entries serialise");
        line.push('\n');
        // The head first: a crash after it and before the line leaves a head one entry ahead,
        // which `recover` completes; any other mismatch is tampering.
        let head = self.root.state_file(HEAD_FILE, true)?;
        let previous_head = std::fs::read(&head).ok();
        crate::fsutil::write_atomic(&head, line.as_bytes())?;
        let io = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        // Checked again at each entry: `.costfix` and the log must not have become links.
        self.root.state_file(LOG_FILE, true)?;
        let write = |source| Error::Write {
            path: self.path.clone(),
            source,
        };
        let mut f = no_follow(std::fs::OpenOptions::new().create(true).append(true))
            .open(&self.path)
            .map_err(write)?;
        let len = f.metadata().map_err(io)?.len();
        if let Err(e) = f.write_all(line.as_bytes()).and_then(|_| f.sync_all()) {
            // A full disk can take part of the line: cut it off again, so that the log stays a
            // valid chain (if even that fails, `costfix recover` removes the torn line).
            let _ = f.set_len(len).and_then(|_| f.sync_all());
            let _ = match &previous_head {
                Some(b) => crate::fsutil::write_atomic(&head, b),
                None => std::fs::remove_file(&head).map_err(|source| Error::Write {
                    path: head.clone(),
                    source,
                }),
            };
            return Err(write(e));
        }
        self.last_hash = e.hash.clone();
        self.next_seq += 1;
        self.entries.push(e.clone());
        Ok(e)
    }

    /// Drop a torn last line (after `costfix recover` reported it): the file is cut back to the
    /// last complete entry, atomically. Returns the bytes removed.
    pub fn cut_torn_tail(root: &Root) -> Result<Option<String>> {
        let path = path_in(root)?;
        let c = read(&path)?;
        if !c.torn_tail {
            return Ok(None);
        }
        // Only the tail of an otherwise intact log (an entry being appended): a cut inside the
        // log, or a file that is not a log, is not a crash.
        if let Some(p) = c
            .problems
            .iter()
            .find(|p| !matches!(p.kind, "torn" | "unfinished"))
        {
            return Err(Error::InvalidNoSource {
                path,
                message: format!(
                    "line {}: {}: not the torn tail a crash leaves; the log was left as it is (`costfix log verify` lists the problems)",
                    p.line, p.message
                ),
            });
        }
        let text = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if text.len() - keep > MAX_TORN {
            return Err(Error::InvalidNoSource {
                path,
                message: format!(
                    "its last {} bytes are not a log entry, and more than any entry a crash could tear: the log was left as it is",
                    text.len() - keep
                ),
            });
        }
        let torn = String::from_utf8_lossy(&text[keep..]).to_string();
        crate::fsutil::write_atomic(&path, &text[..keep])?;
        Ok(Some(torn))
    }

    /// Append the entry the head records when the log stops one entry before it (a crash after
    /// the head was written). Returns whether it did.
    pub fn complete_from_head(root: &Root) -> Result<bool> {
        let path = path_in(root)?;
        let c = read(&path)?;
        let Some(head) = c.head_ahead else {
            return Ok(false);
        };
        let mut line = serde_json::to_string(&head).expect("entries serialise");
        line.push('\n');
        let mut f = no_follow(std::fs::OpenOptions::new().create(true).append(true))
            .open(&path)
            .map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        f.write_all(line.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|source| Error::Write { path, source })?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requested_rollbacks_do_not_open_the_breaker() {
        let mut seq = 0;
        let mut e = |op: &str, transition: &str, message: &str| {
            seq += 1;
            Entry {
                seq,
                time: String::new(),
                op: op.into(),
                transition: Event::parse(transition),
                level: Level::Info,
                message: message.into(),
                details: Value::Null,
                prev: String::new(),
                hash: String::new(),
                mac: None,
            }
        };
        let mut log = Vec::new();
        for op in ["a", "b", "c", "d"] {
            log.push(e(op, "Applying->Applied", "applied"));
        }
        for op in ["a", "b", "c", "d"] {
            log.push(e(op, "Applied->RollingBack", ROLLBACK_REQUESTED));
            log.push(e(op, "RollingBack->RolledBack", "rolled back"));
        }
        assert_eq!(failures_in_a_row(&log), 0);
        // Nor does what recover did after a crash.
        log.push(e("r", "ValidatingSafety->Failed", "recover: interrupted"));
        log.push(e("q", "Applying->RollingBack", "recover: rolling back"));
        log.push(e("q", "RollingBack->RolledBack", "recovered"));
        assert_eq!(failures_in_a_row(&log), 0);
        // Automatic rollbacks (a failed verification) and failures count.
        log.push(e(
            "x",
            "Applied->RollingBack",
            "the plan after the change differs",
        ));
        log.push(e("x", "RollingBack->RolledBack", "rolled back"));
        log.push(e("y", "ValidatingSafety->Failed", "blocked"));
        assert_eq!(failures_in_a_row(&log), 2);
        // A rollback forced by a full disk is the environment's failure, not the fix's.
        log.push(e(
            "z",
            "Applying->RollingBack",
            "could not write: No space left on device; rolling back",
        ));
        log.push(e("z", "RollingBack->RolledBack", "rolled back"));
        assert_eq!(failures_in_a_row(&log), 2);
    }

    #[test]
    fn the_chain_detects_edits_deletions_reorders_and_torn_tails() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::open(dir.path()).unwrap();
        let mut log = Log::open(&root).unwrap();
        for i in 0..4 {
            log.note("op-1", Level::Info, format!("event {i}"), json!({"i": i}))
                .unwrap();
        }
        let path = path_in(&root).unwrap();
        assert!(read(&path).unwrap().problems.is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let check = |t: String| {
            std::fs::write(&path, t).unwrap();
            read(&path).unwrap().problems
        };
        // Edited.
        let p = check(text.replace("event 2", "event X"));
        assert_eq!((p[0].line, p[0].kind), (3, "edited"));
        // Deleted.
        let p = check(format!("{}\n{}\n{}\n", lines[0], lines[1], lines[3]));
        assert!(
            p.iter().any(|x| x.line == 3 && x.kind == "deleted"),
            "{p:?}"
        );
        // Reordered.
        let p = check(format!(
            "{}\n{}\n{}\n{}\n",
            lines[0], lines[2], lines[1], lines[3]
        ));
        assert!(p.iter().any(|x| x.line == 2), "{p:?}");
        // Torn.
        let p = check(format!("{text}{}", &lines[3][..20]));
        assert_eq!((p[0].line, p[0].kind), (5, "torn"));
        assert!(Log::open(&root).is_err(), "a torn log is not appended to");
        assert!(Log::cut_torn_tail(&root).unwrap().is_some());
        assert!(Log::open(&root).is_ok());
    }

    #[test]
    fn only_legal_transitions_are_logged() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::open(dir.path()).unwrap();
        let mut log = Log::open(&root).unwrap();
        let e = log
            .transition(
                "op-1",
                OpState::Pending,
                OpState::ValidatingSafety,
                "validating",
                Value::Null,
            )
            .unwrap();
        assert_eq!(e.transition.text(), "Pending->ValidatingSafety");
        assert_eq!(e.level, Level::Info);
        // Nothing is applied unchecked: refused, and nothing written.
        let err = log
            .transition(
                "op-1",
                OpState::Pending,
                OpState::Applied,
                "applied",
                Value::Null,
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("illegal transition Pending -> Applied"),
            "{err}"
        );
        let c = read(&path_in(&root).unwrap()).unwrap();
        assert_eq!(c.entries.len(), 1);
        assert!(c.problems.is_empty());
        // The text on disk reads back as the same typed event.
        assert_eq!(
            c.entries[0].1.transition,
            Event::Transition(OpState::Pending, OpState::ValidatingSafety)
        );
        assert_eq!(Event::parse("start"), Event::RunStart);
        assert_eq!(Event::parse("A->B"), Event::Other("A->B".into()));
    }

    #[test]
    fn one_lock_per_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::open(dir.path()).unwrap();
        let held = Lock::acquire(&root).unwrap();
        assert!(Lock::acquire(&root).is_err());
        drop(held);
        assert!(Lock::acquire(&root).is_ok());
    }
}
