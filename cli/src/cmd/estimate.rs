//! `costfix estimate`, `costfix diff` and `costfix prices`.

use std::io::Write;
use std::process::ExitCode;

use costfix_engine::config::Config;
use costfix_engine::estimate::{self, Estimate};
use costfix_engine::render;
use miette::Result;

use crate::args::{DiffArgs, EstimateArgs, Format, PricesArgs};
use crate::cmd::to_stdout;
use crate::settings;
use crate::term::{say, Timer};

pub fn run_estimate(a: &EstimateArgs, config: &Config) -> Result<ExitCode> {
    let t = Timer::start();
    let est = estimate::run(&settings::estimate(a, config), &t.phases())?;
    emit(&est, a.pricing.format, "estimate")?;
    t.lap("render");
    // The process ends here: let the OS reclaim the memory.
    std::mem::forget(est);
    Ok(ExitCode::SUCCESS)
}

pub fn run_diff(a: &DiffArgs, config: &Config) -> Result<ExitCode> {
    let est = estimate::run_diff(&settings::diff(a, config))?;
    emit(&est, a.pricing.format, "diff")?;
    Ok(ExitCode::SUCCESS)
}

fn emit(est: &Estimate, format: Format, command: &str) -> Result<()> {
    for w in &est.warnings {
        say!("warning: {}: {}", w.file, w.message);
    }
    to_stdout(|out| match format {
        Format::Json => {
            est.write_json(&mut *out)?;
            writeln!(out)
        }
        Format::Table => render::estimate::table(out, est, command),
        Format::Markdown => render::estimate::markdown(out, est, command),
    })
}

pub fn run_prices(a: &PricesArgs) -> Result<ExitCode> {
    let pricing = estimate::Pricing::load(a.prices.as_deref(), None, None)?;
    to_stdout(|out| {
        render::estimate::prices(
            out,
            &pricing.catalog,
            a.service.as_deref(),
            a.region.as_deref(),
        )
    })?;
    Ok(ExitCode::SUCCESS)
}
