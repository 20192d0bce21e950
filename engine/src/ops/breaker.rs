//! The circuit breaker's view of the log: which operations count as failures in a row, and how
//! many were applied in the last hour (the rate limit).

use super::clock::parse_rfc3339;
use super::log::{Entry, Event};
use super::model::OpState;

/// The message of a rollback asked for with `costfix rollback` (not a failure).
pub const ROLLBACK_REQUESTED: &str = "rollback requested";

/// How messages of `costfix recover` start (what it does after a crash is not a failure).
pub const RECOVER_PREFIX: &str = "recover:";

/// How the message of a rollback forced by the environment starts (a full disk, a file-size
/// limit, a read-only file): not the fix's failure, so the breaker does not count it, and the
/// same apply succeeds once the space is freed.
pub const ENVIRONMENT_PREFIX: &str = "could not write:";

/// Consecutive failed or automatically rolled-back operations (most recent first) since the last
/// success or breaker reset. Not failures: a rollback the user asked for, what `costfix recover`
/// did after a crash, and a rollback forced by the environment ([`ENVIRONMENT_PREFIX`]).
pub fn failures_in_a_row(entries: &[Entry]) -> usize {
    use OpState::*;
    let by_user = |e: &Entry| {
        e.message == ROLLBACK_REQUESTED
            || e.message.starts_with(RECOVER_PREFIX)
            || e.message.starts_with(ENVIRONMENT_PREFIX)
    };
    let mut requested = std::collections::HashSet::new();
    let mut asked: std::collections::HashSet<&str> = Default::default();
    for e in entries {
        match e.transition {
            Event::Transition(_, RollingBack) if by_user(e) => {
                asked.insert(&e.op);
            }
            Event::Transition(_, RollingBack) => {
                asked.remove(e.op.as_str());
            }
            Event::Transition(RollingBack, RolledBack) if asked.remove(e.op.as_str()) => {
                requested.insert(e.seq);
            }
            Event::Transition(_, Failed) if by_user(e) => {
                requested.insert(e.seq);
            }
            _ => {}
        }
    }
    let mut n = 0;
    for e in entries.iter().rev().filter(|e| !requested.contains(&e.seq)) {
        if e.op == "breaker" && e.transition == Event::BreakerReset {
            break;
        }
        match e.transition.to() {
            Some(Applied) => break,
            Some(Failed | RolledBack | RollbackFailed) => n += 1,
            _ => {}
        }
    }
    n
}

/// Operations applied in the hour before `now` (epoch seconds).
pub fn applied_in_last_hour(entries: &[Entry], now: i64) -> usize {
    entries
        .iter()
        .filter(|e| e.transition.to() == Some(OpState::Applied))
        .filter(|e| parse_rfc3339(&e.time).is_some_and(|t| now - t < 3600 && t <= now))
        .count()
}
