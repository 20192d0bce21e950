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
use crate::term::{say, Phases};

pub fn run_estimate(a: &EstimateArgs, config: &Config) -> Result<ExitCode> {
    let mut phases = Phases::new(false);
    let est = estimate::run(&settings::estimate(a, config), &|w| phases.start(w))?;
    phases.done();
    emit(&est, a.pricing.format, "estimate")?;
    phases.lap("render");
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
