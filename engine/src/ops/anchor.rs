//! What anchors the log outside its own chain (docs/operations.md): the head file, a copy of
//! the last entry written before it (a log cut at a line boundary, emptied or appended to no
//! longer ends with it); an HMAC of every entry with a key from the environment (a re-chained
//! log has no valid MAC); and the comparison with an earlier copy (`log verify --since`).

use std::path::Path;

use super::log::{Contents, Entry, Problem, GENESIS};
use crate::error::{Error, Result};

/// The environment variable holding the log's MAC key (a CI secret).
pub const KEY_VAR: &str = "COSTFIX_LOG_KEY";

/// The key of `COSTFIX_LOG_KEY`, if set and not empty.
pub fn key() -> Option<Vec<u8>> {
    std::env::var_os(KEY_VAR)
        .filter(|k| !k.is_empty())
        .map(|k| k.to_string_lossy().into_owned().into_bytes())
}

/// HMAC-SHA256 of an entry's hash, as lowercase hex.
pub fn mac_of(key: &[u8], hash: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key");
    m.update(hash.as_bytes());
    crate::fsutil::hex(&m.finalize().into_bytes())
}

/// The head's file name: a copy of the log's last line, written before the line is appended.
pub const HEAD_FILE: &str = "oplog.head";

/// Compare a log with an earlier copy of it (`log verify --since`): the earlier log must be where
/// this one starts, line for line. Problems name the first line that differs.
pub fn since(current: &[u8], earlier: &[u8], what: &str) -> Vec<Problem> {
    let now: Vec<&[u8]> = current.split_inclusive(|&b| b == b'\n').collect();
    let then: Vec<&[u8]> = earlier.split_inclusive(|&b| b == b'\n').collect();
    for (i, old) in then.iter().enumerate() {
        match now.get(i) {
            Some(new) if new == old => {}
            Some(_) => {
                return vec![Problem {
                    line: i + 1,
                    kind: "since",
                    message: format!(
                    "the line differs from line {} of the log at {what}: the history was rewritten",
                    i + 1
                ),
                }]
            }
            None => {
                return vec![Problem {
                    line: now.len(),
                    kind: "since",
                    message: format!(
                        "the log has {} lines, the log at {what} had {}: entries were removed",
                        now.len(),
                        then.len()
                    ),
                }]
            }
        }
    }
    Vec::new()
}

/// With a key, every entry must carry its MAC: an entry added or re-chained without the key
/// does not.
pub(super) fn check_macs(c: &mut Contents, key: Option<&[u8]>) {
    let Some(key) = key else { return };
    for (n, e) in &c.entries {
        let ok = e.mac.as_deref() == Some(mac_of(key, &e.hash).as_str());
        if !ok {
            c.problems.push(Problem {
                line: *n,
                kind: "mac",
                message: format!(
                    "entry {} {} ({KEY_VAR} is set): it was not written by costfix with this key",
                    e.seq,
                    if e.mac.is_some() {
                        "has a wrong MAC"
                    } else {
                        "has no MAC"
                    }
                ),
            });
        }
    }
}

/// The head (`.costfix/oplog.head`) names the log's last entry: a log cut at a line boundary,
/// emptied, shortened, or appended to by anything but costfix no longer ends with it.
pub(super) fn check_head(c: &mut Contents, head_path: &Path, lines: usize) -> Result<()> {
    let head = match std::fs::read(head_path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(Error::Io {
                path: head_path.to_owned(),
                source,
            })
        }
    };
    let last = c.entries.last().map(|(_, e)| e);
    let head: Option<Entry> = match head {
        None if last.is_none() => return Ok(()),
        None => {
            c.problems.push(Problem {
                line: lines,
                kind: "no-head",
                message: format!(
                    "the log has no head ({HEAD_FILE}, written with every entry): it was removed, or the log was not written by costfix"
                ),
            });
            return Ok(());
        }
        Some(b) => std::str::from_utf8(&b)
            .ok()
            .and_then(|t| serde_json::from_str(t.trim_end()).ok()),
    };
    let Some(head) = head else {
        c.problems.push(Problem {
            line: lines,
            kind: "head",
            message: format!("{HEAD_FILE} is not a log entry"),
        });
        return Ok(());
    };
    if last == Some(&head) {
        return Ok(());
    }
    let follows = |e: Option<&Entry>| match e {
        Some(l) => head.seq == l.seq + 1 && head.prev == l.hash,
        None => head.seq == 1 && head.prev == GENESIS,
    };
    if follows(last) && head.compute_hash() == head.hash {
        c.head_ahead = Some(head);
        c.problems.push(Problem {
            line: lines + 1,
            kind: "unfinished",
            message: "the last entry was not appended (a crash while it was written): run `costfix recover`".into(),
        });
    } else {
        c.problems.push(Problem {
            line: lines,
            kind: "cut",
            message: format!(
                "the log does not end with the entry its head records (entry {}): entries were removed, replaced or appended outside costfix",
                head.seq
            ),
        });
    }
    Ok(())
}
