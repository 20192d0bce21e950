//! The `costfix` command line: argument parsing, file loading, rendering and exit codes.
//! All logic lives in `costfix-engine`.

#![allow(clippy::result_large_err)]

mod check_render;
mod fix_cmd;
mod ops_cmd;

mod render;

/// mimalloc: costing a large plan makes many small allocations (component names, addresses);
/// it is measurably faster there than the system allocator (see docs/performance.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use costfix_engine::config::Config;
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
    /// The configuration file (default: the nearest .costfix.hcl from the working directory up).
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore .costfix.hcl files.
    #[arg(long, global = true)]
    no_config: bool,
    /// Print nothing on stderr but warnings and errors (no progress, no "wrote ..." lines).
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether to colour a stream: `auto` means only on a terminal, and never with NO_COLOR.
    fn on(self, stream: &impl std::io::IsTerminal) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::env::var_os("NO_COLOR").is_none() && stream.is_terminal(),
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Monthly cost of a plan, per resource, module and in total, before and after the change.
    Estimate(EstimateArgs),
    /// Cost difference between a base plan (or state) and a head plan: the pre-merge check.
    Diff(DiffArgs),
    /// Print the price catalog (embedded, plus --prices overrides) in the price-file format.
    Prices(PricesArgs),
    /// Review a plan for CI: cost estimate, Rego policies and SLO budgets, with a verdict as the
    /// exit code (0 pass, 1 failures, 2 usage or input error).
    Check(Box<CheckArgs>),
    /// Find cost waste in a plan and fix it in the .tf sources: a unified diff by default,
    /// written with --apply (exit 0 when nothing is left to fix, 1 when findings remain).
    Fix(Box<fix_cmd::FixArgs>),
    /// List the cost rules, or show one rule's documentation.
    Rules(fix_cmd::RulesArgs),
    /// Apply the operations written by `fix --out`: the six safety checks again, then the edits,
    /// verified, logged, rolled back on failure.
    Apply(Box<ops_cmd::ApplyArgs>),
    /// Undo an applied operation (or the last run) from the operation log.
    Rollback(ops_cmd::RollbackArgs),
    /// Finish what a crashed apply left: roll unfinished operations back, repair a torn log tail.
    Recover(ops_cmd::RecoverArgs),
    /// The operation log.
    #[command(subcommand)]
    Log(ops_cmd::LogCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Write the man pages (costfix.1 and one per command) into a folder.
    Man {
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// Work with Rego policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Run the `test_*` rules of a policy folder (like `opa test` / `conftest verify`); without a
    /// folder, the shipped policies' own tests.
    Test {
        /// Folder of .rego files (and .json data files). Tests are `test_*` rules.
        dir: Option<PathBuf>,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    Table,
    Json,
    Markdown,
    Sarif,
    Github,
    Junit,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum FailOnArg {
    Deny,
    Warn,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The plan: `terraform show -json plan.out > plan.json`.
    plan: PathBuf,
    /// The base plan or state (the target branch): budgets on the change compare with it.
    #[arg(long, value_name = "BASE_PLAN")]
    base: Option<PathBuf>,
    /// A folder of Rego policies (and JSON data), added to the shipped ones. Repeatable.
    #[arg(long = "policy", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// Do not evaluate the policies shipped with costfix.
    #[arg(long)]
    no_default_policies: bool,
    /// Package whose deny/violation/warn rules are collected (default `main`). Repeatable.
    #[arg(long = "namespace", value_name = "NAMESPACE")]
    namespaces: Vec<String>,
    /// Collect the rules of every package.
    #[arg(long, conflicts_with = "namespaces")]
    all_namespaces: bool,
    /// Give policies the whole plan document. By default they get the sections and change fields
    /// their text names (always `resource_changes` with `actions` and `after`, and `costfix`),
    /// which is much faster on large plans.
    #[arg(long)]
    full_input: bool,
    /// An SLO budget file, or a folder of them (.hcl). Repeatable.
    #[arg(long = "slo", value_name = "FILE_OR_DIR")]
    slos: Vec<PathBuf>,
    /// The environment of this plan (production, staging, ...), for policies.
    #[arg(long, value_name = "ENV")]
    environment: Option<String>,
    /// What fails the check: deny results and blocking budgets (default), or warnings too.
    #[arg(long, value_enum)]
    fail_on: Option<FailOnArg>,
    /// The .tf sources of the plan: findings get file and line, and `# costfix:ignore ID reason`
    /// comments on resource blocks suppress them.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Accept the findings listed in this baseline file: only new ones count.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write every current finding to this baseline file (and exit 0).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    #[command(flatten)]
    inputs: CostInputs,
    /// Output format [default: table].
    #[arg(long, short = 'f', value_enum)]
    format: Option<CheckFormat>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
pub(crate) struct CostInputs {
    /// Usage file (infracost format) with usage-based quantities per resource address.
    #[arg(long, value_name = "FILE")]
    usage: Option<PathBuf>,
    /// Price file (CSV: service,region,product,dimension,unit,usd) that overrides or adds prices.
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
    /// Region for resources whose AWS provider configuration sets none.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
}

#[derive(Args, Debug)]
struct PricingArgs {
    #[command(flatten)]
    inputs: CostInputs,
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
    /// Only this service (ec2, ebs, rds, rds_storage, elasticache, nat_gateway, eks, ...).
    #[arg(long)]
    service: Option<String>,
    /// Only this region.
    #[arg(long)]
    region: Option<String>,
    /// A price file to apply over the embedded catalog first.
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
}

/// `--quiet`: informational stderr lines are not printed.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Print an informational line on stderr (not with `--quiet`).
macro_rules! note {
    ($($t:tt)*) => {
        if !$crate::QUIET.load(std::sync::atomic::Ordering::Relaxed) {
            $crate::say!($($t)*);
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
    let cli = Cli::parse();
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
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
    let config = match load_config(cli.config.as_deref(), cli.no_config) {
        Ok(c) => c,
        Err(report) => {
            say!("{report:?}");
            return ExitCode::from(2);
        }
    };
    let stdout_color = cli.color.on(&std::io::stdout());
    match run(cli.command, config.unwrap_or_default(), stdout_color) {
        Ok(code) => code,
        // The reader went away (`costfix prices | head`): stop quietly, as ripgrep and grep do.
        Err(report) if broken_pipe(&report) => ExitCode::SUCCESS,
        Err(report) => {
            say!("{report:?}");
            ExitCode::from(2)
        }
    }
}

fn load_config(path: Option<&Path>, skip: bool) -> Result<Option<Config>> {
    if skip {
        return Ok(None);
    }
    let path = match path {
        Some(p) => Some(p.to_owned()),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| costfix_engine::config::find(&d)),
    };
    Ok(match path {
        Some(p) => Some(costfix_engine::config::load(&p)?),
        None => None,
    })
}

/// Fill pricing options the command line left out from the configuration file.
pub(crate) fn with_config(mut p: CostInputs, c: &Config) -> CostInputs {
    p.usage = p.usage.or_else(|| c.usage.clone());
    p.prices = p.prices.or_else(|| c.prices.clone());
    p.region = p.region.or_else(|| c.region.clone());
    p
}

/// The catalog, usage and estimate options of these inputs.
pub(crate) fn cost_setup(p: &CostInputs) -> Result<(Catalog, Usage, Options)> {
    Ok((
        load_catalog(p.prices.as_deref())?,
        load_usage(p.usage.as_deref())?,
        Options {
            region: p.region.clone(),
        },
    ))
}

fn run(cmd: Command, config: Config, color: bool) -> Result<ExitCode> {
    match cmd {
        Command::Estimate(mut a) => {
            a.pricing.inputs = with_config(a.pricing.inputs, &config);
            let t = Timer::start();
            let (catalog, usage, opts) = cost_setup(&a.pricing.inputs)?;
            t.lap("catalog");
            let file = InputFile::read(&a.plan)?;
            t.lap("read");
            let (doc, mut warnings) = parse_document(&file)?;
            // Costing reads the resources' values again; the rest need not stay resident.
            file.release_pages();
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
        Command::Diff(mut a) => {
            a.pricing.inputs = with_config(a.pricing.inputs, &config);
            let (catalog, usage, opts) = cost_setup(&a.pricing.inputs)?;
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
        Command::Check(a) => run_check(*a, &config, color),
        Command::Fix(a) => fix_cmd::run_fix(*a, &config, color),
        Command::Rules(a) => fix_cmd::run_rules(a),
        Command::Apply(a) => ops_cmd::run_apply(*a, &config),
        Command::Rollback(a) => ops_cmd::run_rollback(a),
        Command::Recover(a) => ops_cmd::run_recover(a),
        Command::Log(c) => ops_cmd::run_log(c),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "costfix", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out } => {
            use clap::CommandFactory;
            std::fs::create_dir_all(&out).into_diagnostic()?;
            let cmd = Cli::command();
            clap_mangen::generate_to(cmd, &out).into_diagnostic()?;
            note!("wrote the man pages to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy(PolicyCommand::Test { dir }) => run_policy_test(dir.as_deref()),
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

fn run_check(mut a: CheckArgs, config: &Config, color: bool) -> Result<ExitCode> {
    use costfix_engine::check::{self, Baseline, CheckOptions, FailOn};
    use costfix_engine::policy::{Namespaces, PolicySet};
    use costfix_engine::source::SourceIndex;

    // The configuration file fills what the command line leaves out.
    if a.policies.is_empty() {
        a.policies = config.policies.clone();
    }
    if a.slos.is_empty() {
        a.slos = config.slo.clone();
    }
    if a.namespaces.is_empty() && !a.all_namespaces {
        a.namespaces = config.namespaces.clone();
    }
    a.no_default_policies |= config.default_policies == Some(false);
    a.inputs = with_config(a.inputs, config);
    a.environment = a.environment.or_else(|| config.environment.clone());
    a.dir = a.dir.or_else(|| config.dir.clone());
    a.baseline = a.baseline.or_else(|| config.baseline.clone());
    let fail_on = a.fail_on.unwrap_or(match config.fail_on.as_deref() {
        Some("warn") => FailOnArg::Warn,
        _ => FailOnArg::Deny,
    });
    let format = a.format.unwrap_or(match config.format.as_deref() {
        Some("json") => CheckFormat::Json,
        Some("markdown") => CheckFormat::Markdown,
        Some("sarif") => CheckFormat::Sarif,
        Some("github") => CheckFormat::Github,
        Some("junit") => CheckFormat::Junit,
        _ => CheckFormat::Table,
    });

    let t = Timer::start();
    let (catalog, usage, opts) = cost_setup(&a.inputs)?;
    let mut policies = if a.no_default_policies {
        PolicySet::new()
    } else {
        PolicySet::embedded()?
    };
    for dir in &a.policies {
        policies.load_dir(dir, false)?;
    }
    let mut budgets = Vec::new();
    for s in &a.slos {
        budgets.extend(costfix_engine::slo::load(s)?);
    }
    t.lap("load");
    let file = InputFile::read(&a.plan)?;
    let (doc, mut warnings) = parse_document(&file)?;
    file.release_pages();
    if let Document::State(_) = doc {
        return Err(costfix_engine::Error::WrongKind {
            path: file.path.clone(),
            expected: "a Terraform plan",
            found: "a Terraform state",
            help: "check reviews a plan: `terraform plan -out plan.out && terraform show -json plan.out > plan.json`; a state can be the --base".into(),
        }
        .into());
    }
    let base_file = a.base.as_deref().map(InputFile::read).transpose()?;
    let base_doc = match &base_file {
        Some(f) => {
            let (d, w) = parse_document(f)?;
            warnings.extend(w);
            Some(d)
        }
        None => None,
    };
    t.lap("parse");
    let mut est = estimate::estimate(&doc, &file.display_name(), None, &catalog, &usage, &opts);
    est.warnings.splice(0..0, warnings);
    let base_est = match (&base_doc, &base_file) {
        (Some(d), Some(f)) => Some(estimate::estimate(
            d,
            &f.display_name(),
            None,
            &catalog,
            &usage,
            &opts,
        )),
        _ => None,
    };
    // Building the policy input reads the `after` values again; the rest need not stay resident.
    file.release_pages();
    t.lap("cost");
    let mut namespaces = if a.namespaces.is_empty() {
        vec!["main".to_string()]
    } else {
        a.namespaces.clone()
    };
    if !a.no_default_policies {
        namespaces.extend(
            policies
                .packages()
                .filter_map(|p| p.strip_prefix("data."))
                .filter(|p| p.starts_with("costfix.policies."))
                .map(str::to_owned),
        );
    }
    let check_opts = CheckOptions {
        namespaces: if a.all_namespaces {
            Namespaces::All
        } else {
            Namespaces::Only(namespaces)
        },
        environment: a.environment.clone(),
        full_input: a.full_input,
        fail_on: match fail_on {
            FailOnArg::Deny => FailOn::Deny,
            FailOnArg::Warn => FailOn::Warn,
        },
    };
    let Document::Plan(plan) = &doc else {
        unreachable!("a state was refused above")
    };
    let mut report = check::check(
        plan,
        file.json(),
        est,
        base_est.as_ref(),
        &policies,
        &budgets,
        &check_opts,
        &|| file.release_pages(),
    )?;
    t.lap("policies and budgets");
    if let Some(dir) = &a.dir {
        report.apply_sources(&SourceIndex::build(dir)?);
    }
    if let Some(path) = &a.baseline {
        report.apply_baseline(&Baseline::load(path)?);
    }
    for w in &report.estimate.warnings {
        say!("warning: {}: {}", w.file, w.message);
    }
    if let Some(path) = &a.write_baseline {
        let text = serde_json::to_string_pretty(&report.to_baseline()).into_diagnostic()?;
        write_atomically(path, format!("{text}\n").as_bytes())?;
        note!(
            "wrote {} finding(s) to {}",
            report.findings.len(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        CheckFormat::Table => check_render::table(&mut out, &report, color).into_diagnostic()?,
        CheckFormat::Json => {
            report.write_json(&mut out).into_diagnostic()?;
            writeln!(out).into_diagnostic()?;
        }
        CheckFormat::Markdown => check_render::markdown(&mut out, &report).into_diagnostic()?,
        CheckFormat::Sarif => {
            check_render::sarif(&mut out, &report, &file.display_name()).into_diagnostic()?
        }
        CheckFormat::Github => check_render::github(&mut out, &report).into_diagnostic()?,
        CheckFormat::Junit => check_render::junit(&mut out, &report).into_diagnostic()?,
    }
    out.flush().into_diagnostic()?;
    t.lap("render");
    Ok(if report.verdict.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_policy_test(dir: Option<&Path>) -> Result<ExitCode> {
    use costfix_engine::policy::{PolicyFile, PolicySet};
    let set = match dir {
        Some(d) => {
            let mut set = PolicySet::new();
            set.load_dir(d, true)?;
            set
        }
        None => {
            let mut set = PolicySet::embedded()?;
            for (name, text) in costfix_engine::policy::EMBEDDED_TESTS {
                set.add(PolicyFile {
                    name: (*name).to_string(),
                    text: (*text).to_string(),
                })?;
            }
            set
        }
    };
    let outcomes = set.run_tests();
    let mut out = std::io::stdout().lock();
    let (mut passed, mut failed) = (0, 0);
    for t in &outcomes {
        if t.passed {
            passed += 1;
            writeln!(
                out,
                "PASS  {}.{}  ({})",
                t.package.trim_start_matches("data."),
                t.name,
                t.file
            )
            .into_diagnostic()?;
        } else {
            failed += 1;
            writeln!(
                out,
                "FAIL  {}.{}  ({})",
                t.package.trim_start_matches("data."),
                t.name,
                t.file
            )
            .into_diagnostic()?;
            if let Some(e) = &t.error {
                for line in e.lines().filter(|l| !l.trim().is_empty()) {
                    writeln!(out, "      {line}").into_diagnostic()?;
                }
            }
        }
    }
    writeln!(out, "{passed} passed, {failed} failed").into_diagnostic()?;
    if outcomes.is_empty() {
        say!("warning: no test_* rules found");
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Write a file atomically: a temporary file in the same folder, fsync, rename.
/// Write an output file atomically (the engine's one atomic writer).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    Ok(costfix_engine::fix::write_atomic(path, bytes)?)
}

pub(crate) fn load_catalog(prices: Option<&Path>) -> Result<Catalog> {
    let mut catalog = Catalog::embedded();
    if let Some(p) = prices {
        catalog.load_overrides(p)?;
    }
    Ok(catalog)
}

pub(crate) fn load_usage(path: Option<&Path>) -> Result<Usage> {
    Ok(match path {
        Some(p) => Usage::load(p)?,
        None => Usage::default(),
    })
}

fn emit(est: &Estimate, format: Format, command: &str) -> Result<ExitCode> {
    for w in &est.warnings {
        say!("warning: {}: {}", w.file, w.message);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            est.write_json(&mut out).into_diagnostic()?;
            writeln!(out).into_diagnostic()?;
        }
        Format::Table => render::table(&mut out, est, command).into_diagnostic()?,
        Format::Markdown => render::markdown(&mut out, est, command).into_diagnostic()?,
    }
    out.flush().into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}
