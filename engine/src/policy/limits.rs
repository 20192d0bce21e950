//! What a policy may cost: policies come from pull requests like the plans they judge, so a
//! policy that loops, recurses or builds a huge value must fail with a diagnostic naming it, not
//! hang CI, exhaust its memory or abort the process.
//!
//! | attack | bound | where |
//! |---|---|---|
//! | a function calling itself (`f(x) := f(x + 1)`): the interpreter recurses until the stack overflows and the process aborts | refused when loaded, as OPA's compiler does (`rego_recursion_error`) | [`super::recursion`] |
//! | brackets nested deep (`x := [[[…30…]]]`): regorus's parser backtracks, twice the time per level | at most [`MAX_NESTING`] levels of `[`/`{`, checked before parsing; the parse itself under the deadline | [`check_nesting`], [`parse_within`] |
//! | a long or endless evaluation (`numbers.range(1, 1e8)`, large cross products) | the deadline per rule evaluation (default 10 s): regorus's execution timer | [`Limits::deadline`] |
//! | an evaluation that builds gigabytes | a memory bound over the whole policy phase (default 2 GiB more than when it started): regorus's allocator accounting | [`Limits::memory`] |
//!
//! The limits are process-wide (regorus's memory accounting is), set once by the command line
//! from `--policy-timeout` / `--policy-memory` or the configuration's `policy_timeout` /
//! `policy_memory`.

use std::sync::RwLock;
use std::time::Duration;

use crate::error::{Error, Result};

/// Deepest nesting of `[` and `{` a policy may have. Real policies stay under 8; regorus's
/// parser takes time doubling with every level (16 levels: a few milliseconds, 25: 15 s, 30:
/// minutes).
pub const MAX_NESTING: usize = 16;

/// The bounds on policy parsing and evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest a policy file may take to parse, and a rule to evaluate.
    pub deadline: Duration,
    /// Most memory (bytes) the policy phase may allocate beyond what the process held when it
    /// started. `None`: unbounded. Enforced only in builds with the `memory-limits` feature
    /// (the default: it makes regorus's allocator the process's).
    pub memory: Option<u64>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            deadline: Duration::from_secs(10),
            memory: Some(2 << 30),
        }
    }
}

static LIMITS: RwLock<Option<Limits>> = RwLock::new(None);

/// Set the limits of every later policy parse and evaluation in this process.
pub fn set(limits: Limits) {
    *LIMITS.write().unwrap_or_else(|e| e.into_inner()) = Some(limits);
}

/// The limits in force.
pub fn get() -> Limits {
    LIMITS
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_default()
}

/// The timer regorus checks while it evaluates.
pub(crate) fn timer(limits: &Limits) -> regorus::utils::limits::ExecutionTimerConfig {
    regorus::utils::limits::ExecutionTimerConfig {
        limit: limits.deadline,
        // Work units between clock readings: a reading costs ~20 ns, a unit far more.
        check_interval: std::num::NonZeroU32::new(64).expect("non-zero"),
    }
}

/// The bound a limit error of regorus's states, in words (`None`: not a limit error).
pub(crate) fn limit_message(e: &anyhow::Error) -> Option<String> {
    let limit = e
        .chain()
        .find_map(|c| c.downcast_ref::<regorus::LimitError>().copied())
        .or_else(|| {
            // regorus sometimes re-wraps the error as text.
            let text = e.to_string();
            if text.contains("memory limit") {
                Some(regorus::LimitError::MemoryLimitExceeded { usage: 0, limit: 0 })
            } else {
                text.contains("time limit")
                    .then_some(regorus::LimitError::TimeLimitExceeded {
                        elapsed: Duration::ZERO,
                        limit: get().deadline,
                    })
            }
        })?;
    Some(match limit {
        regorus::LimitError::TimeLimitExceeded { limit, .. } => {
            format!("took longer than the {} s deadline", seconds(limit))
        }
        regorus::LimitError::MemoryLimitExceeded { .. } => match get().memory {
            Some(bound) => format!(
                "allocated more than the {} MiB the policies may",
                bound >> 20
            ),
            None => "allocated more memory than the policies may".into(),
        },
        regorus::LimitError::RegexSizeLimitExceeded { limit } => {
            format!("compiles a regular expression larger than {limit} bytes")
        }
    })
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

/// The error of a rule that hit a limit.
pub(crate) fn exceeded(what: &str, files: &[String], message: &str) -> Error {
    Error::PolicyLimit {
        what: what.to_string(),
        files: if files.is_empty() {
            "the policies".into()
        } else {
            files.join(", ")
        },
        message: message.to_string(),
    }
}

/// Refuse a policy whose `[`/`{` nest deeper than [`MAX_NESTING`], before regorus parses it:
/// the diagnostic points at the bracket that goes one level too deep.
pub(crate) fn check_nesting(name: &str, text: &str) -> Result<()> {
    let Some(i) = crate::nesting::too_deep(text, MAX_NESTING, &crate::nesting::REGO) else {
        return Ok(());
    };
    let (src, span) = Error::source_window(name, text, i);
    Err(Error::Policy {
        src,
        span,
        message: format!(
            "brackets nested more than {MAX_NESTING} deep: refused before parsing (the parser's time doubles with each level)"
        ),
        detail: "write deep values as data (a .json file beside the policy) or split the expression"
            .into(),
    })
}

/// Run `parse` (which adds one file to an engine) on a thread of its own and give up after the
/// deadline: the parser has no timer of its own. A parse given up on runs to its end in the
/// background (its engine is dropped); the command fails meanwhile.
pub(crate) fn parse_within<T: Send + 'static>(
    name: &str,
    parse: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let deadline = get().deadline;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("costfix-rego-parse".into())
        .spawn(move || {
            let _ = tx.send(parse());
        })
        .map_err(|e| Error::InvalidNoSource {
            path: name.into(),
            message: format!("cannot start the policy parser: {e}"),
        })?;
    rx.recv_timeout(deadline).map_err(|_| {
        exceeded(
            "parsing",
            &[name.to_string()],
            &format!("took longer than the {} s deadline", seconds(deadline)),
        )
    })
}

/// Run `f` (the policy phase) with the memory bound armed: the process may allocate at most
/// [`Limits::memory`] more bytes than it holds now. Nested calls keep the outer bound.
pub(crate) fn with_memory_bound<T>(f: impl FnOnce() -> T) -> T {
    memory::with_bound(get().memory, f)
}

#[cfg(feature = "memory-limits")]
mod memory {
    use std::sync::Mutex;

    /// How many policy phases run (evaluations of several plans may overlap on threads).
    static ARMED: Mutex<usize> = Mutex::new(0);

    pub(super) fn with_bound<T>(bound: Option<u64>, f: impl FnOnce() -> T) -> T {
        let Some(bound) = bound else { return f() };
        {
            let mut armed = ARMED.lock().unwrap_or_else(|e| e.into_inner());
            if *armed == 0 {
                regorus::flush_thread_memory_counters();
                let now = in_use();
                regorus::set_global_memory_limit(Some(now.saturating_add(bound)));
            }
            *armed += 1;
        }
        let out = f();
        let mut armed = ARMED.lock().unwrap_or_else(|e| e.into_inner());
        *armed -= 1;
        if *armed == 0 {
            regorus::set_global_memory_limit(None);
        }
        out
    }

    /// Bytes the allocator counts as allocated now.
    fn in_use() -> u64 {
        // With the limit at 0 every check fails and reports the usage it saw.
        regorus::set_global_memory_limit(Some(0));
        let usage = match regorus::check_global_memory_limit() {
            Err(regorus::LimitError::MemoryLimitExceeded { usage, .. }) => usage,
            _ => 0,
        };
        regorus::set_global_memory_limit(None);
        usage
    }
}

#[cfg(not(feature = "memory-limits"))]
mod memory {
    pub(super) fn with_bound<T>(_bound: Option<u64>, f: impl FnOnce() -> T) -> T {
        f()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        let ok = format!("package p\nx := {}{}\n", "[".repeat(16), "]".repeat(16));
        assert!(check_nesting("p.rego", &ok).is_ok());
        let deep = format!("package p\nx := {}{}\n", "[".repeat(17), "]".repeat(17));
        let e = check_nesting("p.rego", &deep).unwrap_err();
        assert!(e.to_string().contains("nested more than 16 deep"), "{e}");
        let quoted = format!(
            "package p\n# {}\nx := \"{}\"\ny := `{}`\n",
            "[".repeat(40),
            "{".repeat(40),
            "[".repeat(40)
        );
        assert!(check_nesting("p.rego", &quoted).is_ok());
    }

    #[test]
    fn a_parse_within_the_deadline_returns_its_value() {
        // The slow path (given up on) runs through the binary with a short deadline in
        // tests/hostile_input.rs: the limits are process-wide.
        assert_eq!(parse_within("fast.rego", || 7).unwrap(), 7);
    }
}
