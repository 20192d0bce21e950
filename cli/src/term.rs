//! The terminal: informational lines (`note!`, silenced by `--quiet`), lines that cannot fail
//! (`say!`), progress on a terminal, and phase timings for the benchmarks.

use std::io::Write;

/// `--quiet`: informational stderr lines are not printed.
pub static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Print an informational line on stderr (not with `--quiet`).
macro_rules! note {
    ($($t:tt)*) => {
        if !$crate::term::QUIET.load(std::sync::atomic::Ordering::Relaxed) {
            $crate::term::say!($($t)*);
        }
    };
}
pub(crate) use note;

/// A line on stderr. Unlike `eprintln!`, a stderr that cannot be written (a full disk, a closed
/// pipe) is not a panic: the exit code still says what happened.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}
pub(crate) use say;

/// Progress of a long run, on stderr, only on a terminal and without `--quiet`: one line
/// rewritten in place, cleared at the end.
pub(crate) struct Progress {
    on: bool,
}

impl Progress {
    pub(crate) fn new() -> Progress {
        use std::io::IsTerminal;
        Progress {
            on: std::io::stderr().is_terminal()
                && !QUIET.load(std::sync::atomic::Ordering::Relaxed),
        }
    }
    pub(crate) fn phase(&self, what: &str) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[2Kcostfix: {what}…");
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// Phase timings on stderr when `COSTFIX_TIMINGS` is set (used by `bench/run.sh`).
pub(crate) struct Timer {
    on: bool,
    last: std::cell::Cell<std::time::Instant>,
}

impl Timer {
    pub(crate) fn start() -> Timer {
        Timer {
            on: std::env::var_os("COSTFIX_TIMINGS").is_some(),
            last: std::cell::Cell::new(std::time::Instant::now()),
        }
    }
    pub(crate) fn lap(&self, phase: &str) {
        if self.on {
            let now = std::time::Instant::now();
            say!(
                "timing: {phase} {:.1} ms",
                (now - self.last.get()).as_secs_f64() * 1000.0
            );
            self.last.set(now);
        }
    }
}

/// The phase callback given to the engine's entry points, which announce each step as it starts:
/// the step shows as progress (on a terminal) and its time is written when the next one starts
/// or at [`Phases::done`].
pub(crate) struct Phases {
    timer: Timer,
    progress: Option<Progress>,
    current: std::cell::RefCell<Option<String>>,
}

impl Phases {
    /// Timings only (`progress`: also show the step on a terminal).
    pub(crate) fn new(progress: bool) -> Phases {
        Phases {
            timer: Timer::start(),
            progress: progress.then(Progress::new),
            current: Default::default(),
        }
    }

    /// Step `what` starts.
    pub(crate) fn start(&self, what: &str) {
        if let Some(prev) = self.current.replace(Some(what.to_string())) {
            self.timer.lap(&prev);
        }
        if let Some(p) = &self.progress {
            p.phase(what);
        }
    }

    /// The last step ended; the progress line is cleared.
    pub(crate) fn done(&mut self) {
        if let Some(prev) = self.current.take() {
            self.timer.lap(&prev);
        }
        self.progress = None;
    }

    pub(crate) fn lap(&self, what: &str) {
        self.timer.lap(what);
    }
}
