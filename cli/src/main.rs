//! The `costfix` command line: parse the arguments ([`args`]), merge them with the configuration
//! into a request ([`settings`]), call the one engine entry point of the command ([`cmd`]),
//! render, and exit with its code. All logic lives in `costfix-engine`.

#![allow(clippy::result_large_err)]

mod args;
mod cmd;
mod settings;
mod term;

// mimalloc is the global allocator (feature `mimalloc`): costing a large plan makes many small
// allocations, and it is measurably faster there than the system allocator (docs/performance.md).
// regorus installs it (its regorus-mimalloc, with the allocation accounting that bounds the
// memory of policy evaluation) when the engine's `memory-limits` feature is on.

use std::process::ExitCode;

use clap::Parser;
use costfix_engine::config::Config;
use miette::Result;

use crate::args::{Cli, Command, PolicyCommand};
use crate::term::say;

/// mimalloc returns freed memory to the system after 10 ms by default; costfix is a short-lived
/// process that frees and reallocates a lot (building the policy input after the estimate), and
/// the kernel zeroed every page handed back again: a third of `check`'s time on a 50k-resource
/// plan. Keep freed memory for reuse instead (the peak is the same). `MIMALLOC_PURGE_DELAY` in
/// the environment still wins.
#[cfg(feature = "mimalloc")]
fn tune_allocator() {
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    /// `mi_option_purge_delay` in mimalloc.h (v2 and v3).
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option; mimalloc reads it when it next considers purging.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

fn broken_pipe(report: &miette::Report) -> bool {
    report.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    }) || report.to_string().contains("Broken pipe")
}

fn main() -> ExitCode {
    #[cfg(feature = "mimalloc")]
    tune_allocator();
    // A file-size limit (`ulimit -f`) makes a write fail with EFBIG, reported like any other
    // write error, instead of SIGXFSZ killing the process mid-run.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN before any thread starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = Cli::parse();
    term::QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    let color = cli.color.on(&std::io::stderr());
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .width(100)
                .build(),
        )
    }));
    let config = match settings::load_config(cli.config.as_deref(), cli.no_config) {
        Ok(c) => c,
        Err(report) => {
            say!("{report:?}");
            return ExitCode::from(2);
        }
    };
    let stdout_color = cli.color.on(&std::io::stdout());
    match run(cli.command, config, stdout_color) {
        Ok(code) => code,
        // The reader went away (`costfix prices | head`): stop quietly, as ripgrep and grep do.
        Err(report) if broken_pipe(&report) => ExitCode::SUCCESS,
        Err(report) => {
            say!("{report:?}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command, config: Config, color: bool) -> Result<ExitCode> {
    match command {
        Command::Estimate(a) => cmd::estimate::run_estimate(&a, &config),
        Command::Diff(a) => cmd::estimate::run_diff(&a, &config),
        Command::Prices(a) => cmd::estimate::run_prices(&a),
        Command::Check(a) => {
            settings::set_policy_limits(&a.limits, &config);
            cmd::check::run_check(&a, &config, color)
        }
        Command::Policy(PolicyCommand::Test { dir, limits }) => {
            settings::set_policy_limits(&limits, &config);
            cmd::check::run_policy_test(dir.as_deref())
        }
        Command::Fix(a) => cmd::fix::run_fix(&a, &config, color),
        Command::Rules(a) => cmd::fix::run_rules(&a),
        Command::Apply(a) => {
            settings::set_policy_limits(&a.limits, &config);
            cmd::ops::run_apply(&a, &config)
        }
        Command::Rollback(a) => cmd::ops::run_rollback(&a),
        Command::Recover(a) => cmd::ops::run_recover(&a),
        Command::Log(c) => cmd::ops::run_log(&c),
        Command::Completions { shell } => cmd::meta::run_completions(shell),
        Command::Man { out } => cmd::meta::run_man(&out),
    }
}
