//! One file per command family: build the request (through [`crate::settings`]), call the one
//! engine entry point, render, and map the outcome to an exit code.

pub mod check;
pub mod estimate;
pub mod fix;
pub mod meta;
pub mod ops;

use std::io::{BufWriter, StdoutLock, Write};
use std::process::ExitCode;

use miette::{IntoDiagnostic, Result};

/// Render to a buffered stdout, flushed at the end.
///
/// A reader that goes away (`costfix check plan.json | head -1`) stops the output quietly, and the
/// command still exits with its own code: under `set -o pipefail` a failed check stays a failure.
pub fn to_stdout(
    render: impl FnOnce(&mut BufWriter<StdoutLock<'static>>) -> std::io::Result<()>,
) -> Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = render(&mut out).and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            // Drop what is buffered without trying to write it again.
            let _ = out.into_parts();
            Ok(())
        }
        other => other.into_diagnostic(),
    }
}

/// 0 when `ok`, else 1 (a failed check, findings left, an operation not applied).
pub fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
