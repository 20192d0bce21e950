//! `costfix check`: one entry point, from file paths and options to a report.

use std::path::PathBuf;

use crate::check::{check, Baseline, CheckOptions, CheckReport, FailOn};
use crate::error::{Error, Result};
use crate::estimate::{Pricing, PricingRequest};
use crate::hcl::source::SourceIndex;
use crate::policy::{Namespaces, PolicySet};
use crate::slo;
use crate::terraform::input::InputFile;
use crate::terraform::plan::{parse_document, Document};

/// Which packages' deny/violation/warn rules are collected.
#[derive(Debug, Clone, Default)]
pub enum NamespaceChoice {
    /// `main` (conftest's default) and the shipped policies' packages.
    #[default]
    Default,
    /// These packages (and the shipped policies' packages when they are loaded).
    Only(Vec<String>),
    /// Every package.
    All,
}

#[derive(Debug, Default)]
pub struct CheckRequest {
    pub plan: PathBuf,
    /// The base plan or state: budgets on the change compare with it.
    pub base: Option<PathBuf>,
    /// User policy folders.
    pub policies: Vec<PathBuf>,
    /// Load the shipped policies.
    pub default_policies: bool,
    pub namespaces: NamespaceChoice,
    pub full_input: bool,
    pub slos: Vec<PathBuf>,
    pub environment: Option<String>,
    pub fail_on: Option<FailOn>,
    /// Resources that cannot be priced fail the check (`--fail-on-unpriced`).
    pub fail_on_unpriced: bool,
    /// The sources, for file and line and `costfix:ignore`.
    pub dir: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub pricing: PricingRequest,
}

/// A report, and the name of the plan it is about.
#[derive(Debug)]
pub struct CheckRun {
    pub report: CheckReport,
    pub plan_name: String,
}

/// Review a plan: estimate, policies, budgets, sources and baseline. `phase` is told each step
/// as it starts.
pub fn run(req: &CheckRequest, phase: &dyn Fn(&str)) -> Result<CheckRun> {
    phase("load");
    let pricing = Pricing::load_request(&req.pricing)?;
    let mut policies = if req.default_policies {
        PolicySet::embedded()?
    } else {
        PolicySet::new()
    };
    for dir in &req.policies {
        policies.load_dir(dir, false)?;
    }
    let mut budgets = Vec::new();
    for s in &req.slos {
        budgets.extend(slo::load(s)?);
    }
    phase("parse");
    let file = InputFile::read(&req.plan)?;
    let (doc, mut warnings) = parse_document(&file)?;
    file.release_pages();
    let Document::Plan(plan) = &doc else {
        return Err(Error::WrongKind {
            path: file.path.clone(),
            expected: "a Terraform plan",
            found: "a Terraform state",
            help: "check reviews a plan: `terraform plan -out plan.out && terraform show -json plan.out > plan.json`; a state can be the --base".into(),
        });
    };
    let base_file = req.base.as_deref().map(InputFile::read).transpose()?;
    let base_doc = match &base_file {
        Some(f) => {
            let (d, w) = parse_document(f)?;
            warnings.extend(w);
            Some(d)
        }
        None => None,
    };
    phase("cost");
    let mut est = pricing.estimate(&doc, &file.display_name(), None);
    est.warnings.splice(0..0, warnings);
    let base_est = match (&base_doc, &base_file) {
        (Some(d), Some(f)) => Some(pricing.estimate(d, &f.display_name(), None)),
        _ => None,
    };
    // Building the policy input reads the `after` values again; the rest need not stay resident.
    file.release_pages();
    phase("policies and budgets");
    let opts = CheckOptions {
        namespaces: namespaces(&req.namespaces, &policies, req.default_policies),
        environment: req.environment.clone(),
        full_input: req.full_input,
        fail_on: req.fail_on.unwrap_or(FailOn::Deny),
        fail_on_unpriced: req.fail_on_unpriced,
    };
    let mut report = check(
        plan,
        file.json(),
        est,
        base_est.as_ref(),
        &policies,
        &budgets,
        &opts,
        &|| file.release_pages(),
    )?;
    phase("sources and baseline");
    if let Some(dir) = &req.dir {
        report.apply_sources(&SourceIndex::build(dir)?);
    }
    if let Some(path) = &req.baseline {
        report.apply_baseline(&Baseline::load(path)?);
    }
    Ok(CheckRun {
        report,
        plan_name: file.display_name(),
    })
}

/// The packages collected: the asked ones (`main` by default), plus every shipped
/// `costfix.policies.*` package when the shipped policies are loaded.
fn namespaces(choice: &NamespaceChoice, policies: &PolicySet, shipped: bool) -> Namespaces {
    let mut names = match choice {
        NamespaceChoice::All => return Namespaces::All,
        NamespaceChoice::Default => vec!["main".to_string()],
        NamespaceChoice::Only(n) => n.clone(),
    };
    if shipped {
        names.extend(
            policies
                .packages()
                .filter_map(|p| p.strip_prefix("data."))
                .filter(|p| p.starts_with("costfix.policies."))
                .map(str::to_owned),
        );
    }
    Namespaces::Only(names)
}
