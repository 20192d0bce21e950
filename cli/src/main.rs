//! The `costfix` command line: argument parsing, file loading, rendering and exit codes.
//! All logic lives in `costfix-engine`.

#![allow(clippy::result_large_err)]

mod money;
mod render;

/// mimalloc: costing a large plan makes many small allocations (component names, addresses);
/// it is measurably faster there than the system allocator (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use costfix_engine::estimate::{self, Estimate, Options};
use costfix_engine::plan::{Document, Warning};
use costfix_engine::usage::Usage;
use costfix_engine::{parse_document, Catalog, InputFile};
use miette::{IntoDiagnostic, Result};

/// Drift-safe cost fixes for Terraform: estimate what a plan costs, offline.
#[derive(Parser, Debug)]
#[command(name = "costfix", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// When to use colour: auto (only on a terminal, and not with NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Monthly cost of a plan, per resource, module and in total, before and after the change.
    Estimate(EstimateArgs),
    /// Cost difference between a base plan (or state) and a head plan: the pre-merge check.
    Diff(DiffArgs),
    /// Print the price catalog (embedded, plus --prices overrides) in the price-file format.
    Prices(PricesArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
struct PricingArgs {
    /// Usage file (infracost format) with usage-based quantities per resource address.
    #[arg(long, value_name = "FILE")]
    usage: Option<PathBuf>,
    /// Price file (CSV: service,region,product,dimension,unit,usd) that overrides or adds prices.
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
    /// Region for resources whose AWS provider configuration sets none.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Args, Debug)]
struct EstimateArgs {
    /// The plan: `terraform show -json plan.out > plan.json`. A state file works too (its current cost).
    plan: PathBuf,
    /// A state (raw terraform.tfstate v4 or `terraform show -json`): resources it holds that the
    /// plan does not change are counted as unchanged.
    #[arg(long, value_name = "STATE")]
    state: Option<PathBuf>,
    #[command(flatten)]
    pricing: PricingArgs,
}

#[derive(Args, Debug)]
struct DiffArgs {
    /// The base plan or state (e.g. of the target branch).
    base: PathBuf,
    /// The head plan (e.g. of the pull request).
    head: PathBuf,
    #[command(flatten)]
    pricing: PricingArgs,
}

#[derive(Args, Debug)]
struct PricesArgs {
    /// Only this service (ec2, ebs, rds, rds_storage, elasticache, nat_gateway, ...).
    #[arg(long)]
    service: Option<String>,
    /// Only this region.
    #[arg(long)]
    region: Option<String>,
    /// A price file to apply over the embedded catalog first.
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none()
                && std::io::IsTerminal::is_terminal(&std::io::stderr())
        }
    };
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
    match run(cli.command) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Estimate(a) => {
            let t = Timer::start();
            let catalog = load_catalog(a.pricing.prices.as_deref())?;
            let usage = load_usage(a.pricing.usage.as_deref())?;
            let opts = Options {
                region: a.pricing.region.clone(),
            };
            t.lap("catalog");
            let file = InputFile::read(&a.plan)?;
            t.lap("read");
            let (doc, mut warnings) = parse_document(&file)?;
            t.lap("parse");
            let state_file = a.state.as_deref().map(InputFile::read).transpose()?;
            let state_doc = match &state_file {
                Some(f) => {
                    let (d, w) = parse_document(f)?;
                    warnings.extend(w);
                    match d {
                        Document::State(s) => Some(s),
                        Document::Plan(_) => {
                            return Err(costfix_engine::Error::WrongKind {
                                path: f.path.clone(),
                                expected: "a Terraform state",
                                found: "a Terraform plan",
                                help: "--state takes terraform.tfstate or `terraform show -json` of a state; give the plan as the first argument".into(),
                            }
                            .into())
                        }
                    }
                }
                None => None,
            };
            if matches!(doc, Document::State(_)) {
                warnings.push(Warning {
                    file: file.display_name(),
                    message:
                        "this is a state, not a plan: showing its current cost (before = after)"
                            .into(),
                });
            }
            let mut est = estimate::estimate(
                &doc,
                &file.display_name(),
                state_doc.as_ref(),
                &catalog,
                &usage,
                &opts,
            );
            t.lap("cost");
            est.warnings.splice(0..0, warnings);
            let code = emit(&est, a.pricing.format, "estimate");
            t.lap("render");
            // The process ends here: let the OS reclaim the memory instead of freeing a large
            // plan's structures one by one.
            std::mem::forget(est);
            std::mem::forget(state_doc);
            std::mem::forget(doc);
            std::mem::forget(state_file);
            std::mem::forget(file);
            code
        }
        Command::Diff(a) => {
            let catalog = load_catalog(a.pricing.prices.as_deref())?;
            let usage = load_usage(a.pricing.usage.as_deref())?;
            let opts = Options {
                region: a.pricing.region.clone(),
            };
            let base_file = InputFile::read(&a.base)?;
            let head_file = InputFile::read(&a.head)?;
            let (base_doc, mut warnings) = parse_document(&base_file)?;
            let (head_doc, w) = parse_document(&head_file)?;
            warnings.extend(w);
            let base = estimate::estimate(
                &base_doc,
                &base_file.display_name(),
                None,
                &catalog,
                &usage,
                &opts,
            );
            let head = estimate::estimate(
                &head_doc,
                &head_file.display_name(),
                None,
                &catalog,
                &usage,
                &opts,
            );
            let mut est = estimate::diff(&base, &head, &catalog);
            est.warnings.splice(0..0, warnings);
            emit(&est, a.pricing.format, "diff")
        }
        Command::Prices(a) => {
            let catalog = load_catalog(a.prices.as_deref())?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            writeln!(out, "service,region,product,dimension,unit,usd,source").into_diagnostic()?;
            for (k, p) in catalog.rows() {
                if a.service.as_deref().is_some_and(|s| s != k[0])
                    || a.region.as_deref().is_some_and(|r| r != k[1])
                {
                    continue;
                }
                let source = match &p.source {
                    costfix_engine::pricing::PriceSource::Embedded { table } => {
                        format!("embedded:{table}")
                    }
                    costfix_engine::pricing::PriceSource::Override { file, line } => {
                        format!("{file}:{line}")
                    }
                };
                writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    k[0],
                    k[1],
                    k[2],
                    k[3],
                    p.unit,
                    p.usd.normalize(),
                    source
                )
                .into_diagnostic()?;
            }
            out.flush().into_diagnostic()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Phase timings on stderr when `COSTFIX_TIMINGS` is set (used by `bench/run.sh`).
struct Timer {
    on: bool,
    last: std::cell::Cell<std::time::Instant>,
}

impl Timer {
    fn start() -> Timer {
        Timer {
            on: std::env::var_os("COSTFIX_TIMINGS").is_some(),
            last: std::cell::Cell::new(std::time::Instant::now()),
        }
    }
    fn lap(&self, phase: &str) {
        if self.on {
            let now = std::time::Instant::now();
            eprintln!(
                "timing: {phase} {:.1} ms",
                (now - self.last.get()).as_secs_f64() * 1000.0
            );
            self.last.set(now);
        }
    }
}

fn load_catalog(prices: Option<&Path>) -> Result<Catalog> {
    let mut catalog = Catalog::embedded();
    if let Some(p) = prices {
        catalog.load_overrides(p)?;
    }
    Ok(catalog)
}

fn load_usage(path: Option<&Path>) -> Result<Usage> {
    Ok(match path {
        Some(p) => Usage::load(p)?,
        None => Usage::default(),
    })
}

fn emit(est: &Estimate, format: Format, command: &str) -> Result<ExitCode> {
    for w in &est.warnings {
        eprintln!("warning: {}: {}", w.file, w.message);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            serde_json::to_writer(&mut out, est).into_diagnostic()?;
            writeln!(out).into_diagnostic()?;
        }
        Format::Table => render::table(&mut out, est, command).into_diagnostic()?,
        Format::Markdown => render::markdown(&mut out, est, command).into_diagnostic()?,
    }
    out.flush().into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}
