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
    /// User policy folders (or single `.rego` files).
    pub policies: Vec<PathBuf>,
    /// Data documents for the policies (`--data`: JSON or YAML files, or folders of them).
    pub data: Vec<PathBuf>,
    /// Load the shipped policies.
    pub default_policies: bool,
    pub namespaces: NamespaceChoice,
    pub full_input: bool,
    /// Where to write the policy input document, if anywhere.
    pub write_input: Option<PathBuf>,
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
    let first_user_file = policies.files.len();
    for dir in &req.policies {
        if policies.load_dir(dir, false)? == 0 {
            return Err(Error::Usage {
                message: format!("no policies found in {}", dir.display()),
                help: "--policy takes a folder of .rego files (searched recursively) or one .rego file".into(),
            });
        }
    }
    for path in &req.data {
        policies.load_data(path)?;
    }
    let namespace_warning = check_namespaces(&req.namespaces, &policies, first_user_file)?;
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
    if let Some(message) = namespace_warning {
        est.warnings.push(crate::terraform::plan::Warning {
            file: req.policies[0].display().to_string(),
            message,
        });
    }
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
        write_input: req.write_input.clone(),
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

/// Asked namespaces must be packages that were loaded: a typo or a glob would otherwise pass
/// silently, evaluating nothing.
/// With the default namespace, user policies none of which is in package `main` are a warning
/// (conftest evaluates `main` only).
fn check_namespaces(
    choice: &NamespaceChoice,
    policies: &PolicySet,
    first_user_file: usize,
) -> Result<Option<String>> {
    let loaded: Vec<&str> = policies
        .packages()
        .filter_map(|p| p.strip_prefix("data."))
        .collect();
    let names = match choice {
        NamespaceChoice::All => return Ok(None),
        NamespaceChoice::Default => {
            let user = policies.packages_from(first_user_file);
            if !user.is_empty()
                && !user.contains(&"main")
                && !user.iter().all(|p| p.starts_with("costfix.policies."))
            {
                return Ok(Some(format!(
                    "no policy is in package main, the namespace evaluated by default: the rules of {} are not evaluated; pass --namespace NAME or --all-namespaces",
                    user.join(", ")
                )));
            }
            return Ok(None);
        }
        NamespaceChoice::Only(names) => names,
    };
    for n in names {
        if n.contains('*') || n.contains('?') {
            return Err(Error::Usage {
                message: format!("--namespace {n}: namespaces are package names, not patterns"),
                help: "name each package with --namespace, or give --all-namespaces".into(),
            });
        }
        if !loaded.contains(&n.as_str()) {
            return Err(Error::Usage {
                message: format!("--namespace {n}: no loaded policy declares package {n}"),
                help: format!("the packages loaded are: {}", loaded.join(", ")),
            });
        }
    }
    Ok(None)
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
