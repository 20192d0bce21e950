//! `costfix completions` and `costfix man`: generated from the argument types.

use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;
use miette::Result;

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
    let write_error = |source| costfix_engine::error::Error::Write {
        path: out.to_owned(),
        source,
    };
    if out.exists() && !out.is_dir() {
        return Err(write_error(std::io::Error::other(
            "it is a file: --out takes a folder (the pages are costfix.1, costfix-check.1, ...)",
        ))
        .into());
    }
    std::fs::create_dir_all(out).map_err(write_error)?;
    clap_mangen::generate_to(Cli::command(), out).map_err(write_error)?;
    note!("wrote the man pages to {}", out.display());
    Ok(ExitCode::SUCCESS)
}
