//! `costfix completions` and `costfix man`: generated from the argument types.

use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;
use miette::{IntoDiagnostic, Result};

use crate::args::Cli;
use crate::term::note;

pub fn run_completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    // Generated into memory: clap_complete panics when its writer fails (a closed stdout).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "costfix", &mut script);
    crate::cmd::to_stdout(|out| std::io::Write::write_all(out, &script))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_man(out: &Path) -> Result<ExitCode> {
    std::fs::create_dir_all(out).into_diagnostic()?;
    clap_mangen::generate_to(Cli::command(), out).into_diagnostic()?;
    note!("wrote the man pages to {}", out.display());
    Ok(ExitCode::SUCCESS)
}
