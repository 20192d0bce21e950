//! The command line's arguments (clap): every command, flag and its help text. Help, the man
//! pages and the completions are generated from these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use costfix_engine::ops::Risk;
use rust_decimal::Decimal;

/// Drift-safe cost fixes for Terraform: estimate what a plan costs, offline.
#[derive(Parser, Debug)]
#[command(name = "costfix", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to use colour: auto (only on a terminal, and not with NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// The configuration file (default: the nearest .costfix.hcl from the working directory up).
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore .costfix.hcl files.
    #[arg(long, global = true)]
    pub no_config: bool,
    /// Print nothing on stderr but warnings and errors (no progress, no "wrote ..." lines).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether to colour a stream: `auto` means only on a terminal, and never with NO_COLOR.
    pub fn on(self, stream: &impl std::io::IsTerminal) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::env::var_os("NO_COLOR").is_none() && stream.is_terminal(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
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
    Fix(Box<FixArgs>),
    /// List the cost rules, or show one rule's documentation.
    Rules(RulesArgs),
    /// Apply the operations written by `fix --out`: the six safety checks again, then the edits,
    /// verified, logged, rolled back on failure.
    Apply(Box<ApplyArgs>),
    /// Undo an applied operation (or the last run) from the operation log.
    Rollback(RollbackArgs),
    /// Finish what a crashed apply left: roll unfinished operations back, repair a torn log tail.
    Recover(RecoverArgs),
    /// The operation log.
    #[command(subcommand)]
    Log(LogCommand),
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
pub enum PolicyCommand {
    /// Run the `test_*` rules of a policy folder (like `opa test` / `conftest verify`); without a
    /// folder, the shipped policies' own tests.
    Test {
        /// Folder of .rego files (and .json data files). Tests are `test_*` rules.
        dir: Option<PathBuf>,
        #[command(flatten)]
        limits: PolicyLimitArgs,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
    Markdown,
    Sarif,
    Github,
    Junit,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Deny,
    Warn,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The plan: `terraform show -json plan.out > plan.json`.
    pub plan: PathBuf,
    #[command(flatten)]
    pub limits: PolicyLimitArgs,
    /// The base plan or state (the target branch): budgets on the change compare with it.
    #[arg(long, value_name = "BASE_PLAN")]
    pub base: Option<PathBuf>,
    /// A folder of Rego policies (searched recursively, with the JSON and YAML data next to them),
    /// or one .rego file, added to the shipped ones. Repeatable.
    #[arg(long = "policy", value_name = "DIR|FILE")]
    pub policies: Vec<PathBuf>,
    /// A JSON or YAML data document for the policies, or a folder of them (as conftest's
    /// --data). Repeatable.
    #[arg(long = "data", value_name = "FILE|DIR")]
    pub data: Vec<PathBuf>,
    /// Do not evaluate the policies shipped with costfix.
    #[arg(long)]
    pub no_default_policies: bool,
    /// Package whose deny/violation/warn rules are collected (default `main`). Repeatable.
    #[arg(long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,
    /// Collect the rules of every package.
    #[arg(long, conflicts_with = "namespaces")]
    pub all_namespaces: bool,
    /// Give policies the whole plan document. By default they get the sections and change fields
    /// their text names (always `resource_changes` with `actions` and `after`, and `costfix`),
    /// which is much faster on large plans.
    #[arg(long)]
    pub full_input: bool,
    /// Also write the input document the policies were given to FILE (JSON), to run the same
    /// policies on it with `opa eval` or `conftest test`.
    #[arg(long, value_name = "FILE")]
    pub write_input: Option<PathBuf>,
    /// An SLO budget file, or a folder of them (.hcl). Repeatable.
    #[arg(long = "slo", value_name = "FILE_OR_DIR")]
    pub slos: Vec<PathBuf>,
    /// The environment of this plan (production, staging, ...), for policies [default:
    /// `environment` in .costfix.hcl, else TF_WORKSPACE].
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,
    /// What fails the check: deny results and blocking budgets (default), or warnings too.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// A resource that cannot be priced (no cost model, no price in its region, ...) fails the
    /// check, as does a budget that cannot be judged for it; by default they are warnings
    /// [default: `fail_on_unpriced` in .costfix.hcl].
    #[arg(long)]
    pub fail_on_unpriced: bool,
    /// The .tf sources of the plan: findings get file and line, and `# costfix:ignore ID reason`
    /// comments on resource blocks suppress them.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Accept the findings listed in this baseline file: only new ones count.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every current finding to this baseline file (and exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    #[command(flatten)]
    pub inputs: CostInputs,
    /// Output format [default: table].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<CheckFormat>,
    /// Also write the report in FORMAT to FILE (table, json, markdown, sarif, github, junit), as
    /// `--output sarif=costfix.sarif`. Repeatable: one run writes every report CI needs, all of
    /// them before the exit code says the verdict.
    #[arg(long = "output", short = 'o', value_name = "FORMAT=FILE", value_parser = format_and_file)]
    pub outputs: Vec<(CheckFormat, PathBuf)>,
    /// Exit 0 even when the check fails (conftest's `--no-fail`, ruff's `--exit-zero`): for a
    /// report-only step. Input errors still exit 2.
    #[arg(long, alias = "no-fail")]
    pub exit_zero: bool,
}

/// `FORMAT=FILE` for `--output`.
fn format_and_file(s: &str) -> Result<(CheckFormat, PathBuf), String> {
    let (format, file) = s
        .split_once('=')
        .ok_or_else(|| "FORMAT=FILE, as sarif=costfix.sarif".to_string())?;
    let format = CheckFormat::from_str(format, true).map_err(|_| {
        format!("unknown format `{format}`: table, json, markdown, sarif, github or junit")
    })?;
    if file.is_empty() {
        return Err("the FILE after `=` is empty".into());
    }
    Ok((format, PathBuf::from(file)))
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
pub struct CostInputs {
    /// Usage file (infracost format) with usage-based quantities per resource address.
    #[arg(long, value_name = "FILE")]
    pub usage: Option<PathBuf>,
    /// Price file (CSV: service,region,product,dimension,unit,usd) that overrides or adds prices.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// Region for resources whose AWS provider configuration sets none.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

#[derive(Args, Debug)]
pub struct PricingArgs {
    #[command(flatten)]
    pub inputs: CostInputs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct EstimateArgs {
    /// The plan: `terraform show -json plan.out > plan.json`. A state file works too (its current cost).
    pub plan: PathBuf,
    /// A state (raw terraform.tfstate v3/v4 or `terraform show -json`): resources it holds that the
    /// plan does not change are counted as unchanged.
    #[arg(long, value_name = "STATE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub pricing: PricingArgs,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The base plan or state (e.g. of the target branch).
    pub base: PathBuf,
    /// The head plan (e.g. of the pull request).
    pub head: PathBuf,
    #[command(flatten)]
    pub pricing: PricingArgs,
}

#[derive(Args, Debug)]
pub struct PricesArgs {
    /// Only this service (ec2, ebs, rds, rds_storage, elasticache, nat_gateway, eks, ...).
    #[arg(long)]
    pub service: Option<String>,
    /// Only this region.
    #[arg(long)]
    pub region: Option<String>,
    /// A price file to apply over the embedded catalog first.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FixFormat {
    /// A header per fix and its unified diff, then a summary.
    Diff,
    /// Findings, fixes and edits as JSON (`costfix.fix/v1`).
    Json,
}

#[derive(Args, Debug)]
pub struct FixArgs {
    /// The plan: `terraform show -json plan.out > plan.json` (`-`: standard input).
    #[arg(value_name = "PLAN", required_unless_present = "plan_option")]
    pub plan: Option<PathBuf>,
    /// The plan, as an option (the same as PLAN; kept for scripts written before PLAN).
    #[arg(
        long = "plan",
        id = "plan_option",
        value_name = "PLAN",
        conflicts_with = "plan"
    )]
    pub plan_option: Option<PathBuf>,
    /// The root folder of the .tf sources the plan was made from [default: . or `dir` in .costfix.hcl].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Only this rule (an id or a name from `costfix rules`). Repeatable.
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Only fixes saving at least this many USD a month (fixes with an unknown saving are left out).
    #[arg(long, value_name = "USD")]
    pub min_savings: Option<Decimal>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FixFormat::Diff)]
    pub format: FixFormat,
    /// Write the fixes into the .tf files (safe fixes; unsafe ones too with --unsafe-fixes).
    #[arg(long)]
    pub apply: bool,
    /// Include unsafe fixes in --apply and --patch-out.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Exit 0 even when findings remain (ruff's `--exit-zero`): for a step that only suggests
    /// fixes. Input errors still exit 2.
    #[arg(long, alias = "no-fail")]
    pub exit_zero: bool,
    /// Write the chosen fixes as a patch for `git apply` (paths relative to the working directory).
    #[arg(long, value_name = "FILE")]
    pub patch_out: Option<PathBuf>,
    /// Write the chosen fixes as drift-safe operations (snapshots, risk, approval, rollback plan)
    /// for `costfix apply`, instead of applying them.
    #[arg(long, value_name = "OPS_FILE", conflicts_with = "apply")]
    pub out: Option<PathBuf>,
    /// The environment of resources without an Environment tag (production, staging, dev, ...)
    /// [default: `environment` in .costfix.hcl, else TF_WORKSPACE].
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,
    #[command(flatten)]
    pub inputs: CostInputs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Show one rule's documentation (id or name).
    pub rule: Option<String>,
    /// Output format (markdown prints the whole catalogue, as in docs/rules.md).
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// The operations file written by `costfix fix --out`.
    pub ops: PathBuf,
    #[command(flatten)]
    pub limits: PolicyLimitArgs,
    /// Approve operations whose approval policy requires it, as NAME (recorded in the log).
    #[arg(long, value_name = "NAME")]
    pub approve_by: Option<String>,
    /// Apply operations up to this risk level (low, medium, high, critical).
    #[arg(long, value_name = "LEVEL", default_value = "high")]
    pub max_risk: Risk,
    /// Accept a small cost increase (up to $1/month or 1%) and unpriced savings. The default is
    /// strict: every fix must lower the cost.
    #[arg(long)]
    pub no_strict: bool,
    /// The current state (raw terraform.tfstate or `terraform show -json`), for the drift checks.
    #[arg(long, value_name = "STATE")]
    pub state: Option<PathBuf>,
    /// A fresh plan: its prior state is the current state, and it is what policies and budgets
    /// are evaluated on [default: the plan the operations were made from].
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Verify operations already applied against a plan made after the change: the planned
    /// values must be the fix's, and the cost lower; an operation that fails is rolled back.
    /// Nothing pending is applied in this mode.
    #[arg(long, value_name = "NEW_PLAN", conflicts_with = "plan")]
    pub verify_plan: Option<PathBuf>,
    /// The root folder: the files the operations name are resolved in it, and nothing outside
    /// it is read or written [default: `dir` in .costfix.hcl, else the current folder].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The environment of resources without an Environment tag, as given to `costfix fix`: the
    /// operations are derived again with it [default: `environment` in .costfix.hcl, else
    /// TF_WORKSPACE].
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    /// Rego policies to hold after the fix (added to the shipped ones). Repeatable.
    #[arg(long = "policy", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// SLO budget files or folders that must hold after the fix. Repeatable.
    #[arg(long = "slo", value_name = "FILE_OR_DIR")]
    pub slos: Vec<PathBuf>,
    /// At most this many operations in this run.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub max_operations: usize,
    /// At most this many operations applied in any hour (counted from the log).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub max_per_hour: usize,
    #[command(flatten)]
    pub inputs: CostInputs,
    #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
}

#[derive(Args, Debug)]
pub struct RollbackArgs {
    /// The operation to undo (see `costfix log show`).
    #[arg(required_unless_present = "last_run")]
    pub op: Option<String>,
    /// Undo every operation applied by the last `costfix apply`, newest first.
    #[arg(long, conflicts_with = "op")]
    pub last_run: bool,
    /// Write the files (without it, the reverse patch is only shown).
    #[arg(long)]
    pub apply: bool,
    /// Write the reverse patch to FILE (for `git apply`).
    #[arg(long, value_name = "FILE")]
    pub patch_out: Option<PathBuf>,
    /// Undo even if the files changed since the operation was applied.
    #[arg(long)]
    pub force: bool,
    /// The .tf root folder holding `.costfix/oplog.jsonl`.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct RecoverArgs {
    /// The .tf root folder holding `.costfix/oplog.jsonl`.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// Show the log, or one operation's events.
    Show {
        op: Option<String>,
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
    /// Check the hash chain, the head and (with COSTFIX_LOG_KEY) every entry's MAC: exit 1 and
    /// say where if an entry was edited, deleted, inserted, reordered or appended outside costfix,
    /// the log was cut or emptied, or the last line is torn.
    Verify {
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Also check that the log starts with the log as it was at REF: a git revision (the log
        /// committed there, read with `git show REF:.costfix/oplog.jsonl`) or a file.
        #[arg(long, value_name = "REF")]
        since: Option<String>,
    },
    /// Close the circuit breaker after three failures in a row (logged).
    ResetBreaker {
        #[arg(long, value_name = "NAME")]
        by: String,
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
}

impl FixArgs {
    /// The plan, given as PLAN or --plan (clap requires one).
    pub fn plan_path(&self) -> PathBuf {
        self.plan
            .clone()
            .or_else(|| self.plan_option.clone())
            .expect("clap requires PLAN or --plan")
    }
}

/// The bounds on Rego policies (check, apply, policy test).
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct PolicyLimitArgs {
    /// Seconds a Rego policy file may take to parse, and each rule to evaluate, before the
    /// command stops with an error naming it (default 10; `policy_timeout` in .costfix.hcl).
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub policy_timeout: Option<f64>,
    /// MiB the policies may allocate while they evaluate, 0 for no bound (default 2048;
    /// `policy_memory` in .costfix.hcl).
    #[arg(long, value_name = "MIB")]
    pub policy_memory: Option<u64>,
}

/// A number of seconds, more than 0 and at most a day.
fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(n) if n > 0.0 && n <= 86_400.0 => Ok(n),
        _ => Err("seconds, more than 0 and at most 86400".into()),
    }
}
