//! Settings: the command line, `.costfix.hcl` and the environment merged once into the engine's
//! typed requests (ripgrep's `HiArgs`). A flag wins over the configuration file, which wins over
//! the environment; nothing else in the CLI reads the configuration.

use std::path::{Path, PathBuf};

use costfix_engine::check::{CheckRequest, FailOn, NamespaceChoice};
use costfix_engine::config::{self, Config};
use costfix_engine::estimate::{DiffRequest, EstimateRequest, PricingRequest};
use costfix_engine::fix::FixRequest;
use costfix_engine::ops::{ApplyRequest, VerifyRequest};
use miette::Result;

use crate::args::{
    ApplyArgs, CheckArgs, CheckFormat, CostInputs, DiffArgs, EstimateArgs, FailOnArg, FixArgs,
    FixFormat,
};

/// The configuration file: `--config`, else the nearest `.costfix.hcl` up from the working
/// directory; none with `--no-config`.
pub fn load_config(path: Option<&Path>, skip: bool) -> Result<Config> {
    if skip {
        return Ok(Config::default());
    }
    let path = match path {
        Some(p) => Some(p.to_owned()),
        None => std::env::current_dir().ok().and_then(|d| config::find(&d)),
    };
    Ok(match path {
        Some(p) => config::load(&p)?,
        None => Config::default(),
    })
}

/// Pricing inputs: flags, else the configuration file.
pub fn pricing(p: &CostInputs, c: &Config) -> PricingRequest {
    PricingRequest {
        prices: p.prices.clone().or_else(|| c.prices.clone()),
        usage: p.usage.clone().or_else(|| c.usage.clone()),
        region: p.region.clone().or_else(|| c.region.clone()),
    }
}

/// The run's environment and where it came from: `--environment`, else `environment` in
/// `.costfix.hcl`, else `TF_WORKSPACE` (not `default`).
pub fn environment(flag: Option<&String>, c: &Config) -> Option<(String, String)> {
    if let Some(e) = flag {
        return Some((e.clone(), "--environment".into()));
    }
    if let Some(e) = &c.environment {
        return Some((e.clone(), "environment in .costfix.hcl".into()));
    }
    match std::env::var("TF_WORKSPACE") {
        Ok(w) if !w.is_empty() && w != "default" => Some((w, "TF_WORKSPACE".into())),
        _ => None,
    }
}

pub fn estimate(a: &EstimateArgs, c: &Config) -> EstimateRequest {
    EstimateRequest {
        plan: a.plan.clone(),
        state: a.state.clone(),
        pricing: pricing(&a.pricing.inputs, c),
        exiting: true,
    }
}

pub fn diff(a: &DiffArgs, c: &Config) -> DiffRequest {
    DiffRequest {
        base: a.base.clone(),
        head: a.head.clone(),
        pricing: pricing(&a.pricing.inputs, c),
    }
}

/// The check request and the output format.
pub fn check(a: &CheckArgs, c: &Config) -> (CheckRequest, CheckFormat) {
    let or_config = |flag: &Vec<PathBuf>, conf: &Vec<PathBuf>| {
        if flag.is_empty() {
            conf.clone()
        } else {
            flag.clone()
        }
    };
    let namespaces = if a.all_namespaces {
        NamespaceChoice::All
    } else if !a.namespaces.is_empty() {
        NamespaceChoice::Only(a.namespaces.clone())
    } else if !c.namespaces.is_empty() {
        NamespaceChoice::Only(c.namespaces.clone())
    } else {
        NamespaceChoice::Default
    };
    let fail_on = match a.fail_on {
        Some(FailOnArg::Warn) => FailOn::Warn,
        Some(FailOnArg::Deny) => FailOn::Deny,
        None => c.fail_on.unwrap_or(FailOn::Deny),
    };
    let format = a.format.unwrap_or(match c.format.as_deref() {
        Some("json") => CheckFormat::Json,
        Some("markdown") => CheckFormat::Markdown,
        Some("sarif") => CheckFormat::Sarif,
        Some("github") => CheckFormat::Github,
        Some("junit") => CheckFormat::Junit,
        _ => CheckFormat::Table,
    });
    let req = CheckRequest {
        plan: a.plan.clone(),
        base: a.base.clone(),
        policies: or_config(&a.policies, &c.policies),
        data: a.data.clone(),
        default_policies: !(a.no_default_policies || c.default_policies == Some(false)),
        namespaces,
        full_input: a.full_input,
        write_input: a.write_input.clone(),
        slos: or_config(&a.slos, &c.slo),
        environment: environment(a.environment.as_ref(), c).map(|(e, _)| e),
        fail_on: Some(fail_on),
        fail_on_unpriced: a.fail_on_unpriced || c.fail_on_unpriced == Some(true),
        dir: a.dir.clone().or_else(|| c.dir.clone()),
        baseline: a.baseline.clone().or_else(|| c.baseline.clone()),
        pricing: pricing(&a.inputs, c),
    };
    (req, format)
}

pub fn fix(a: &FixArgs, c: &Config) -> FixRequest {
    FixRequest {
        plan: a.plan_path(),
        dir: a
            .dir
            .clone()
            .or_else(|| c.dir.clone())
            .unwrap_or_else(|| PathBuf::from(".")),
        rules: a.rules.clone(),
        min_savings: a.min_savings,
        unsafe_fixes: a.unsafe_fixes,
        apply: a.apply,
        patch_out: a.patch_out.clone(),
        ops_out: a.out.clone(),
        environment: environment(a.environment.as_ref(), c),
        keep_texts: a.format == FixFormat::Diff,
        pricing: pricing(&a.inputs, c),
    }
}

pub fn apply(a: &ApplyArgs, c: &Config) -> ApplyRequest {
    ApplyRequest {
        ops_file: a.ops.clone(),
        dir: apply_dir(a, c),
        environment: environment(a.environment.as_ref(), c),
        plan: a.plan.clone(),
        state: a.state.clone(),
        approve_by: a.approve_by.clone(),
        max_risk: a.max_risk,
        strict: !a.no_strict,
        policies: a.policies.clone(),
        slos: if a.slos.is_empty() {
            c.slo.clone()
        } else {
            a.slos.clone()
        },
        max_operations: a.max_operations,
        max_per_hour: a.max_per_hour,
        pricing: pricing(&a.inputs, c),
    }
}

/// The root of `apply`: `--dir`, else `dir` in .costfix.hcl, else the current folder (never the
/// `dir` an operations file records: it is a request, not a fact).
fn apply_dir(a: &ApplyArgs, c: &Config) -> PathBuf {
    a.dir
        .clone()
        .or_else(|| c.dir.clone())
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn verify(a: &ApplyArgs, new_plan: &Path, c: &Config) -> VerifyRequest {
    VerifyRequest {
        ops_file: a.ops.clone(),
        new_plan: new_plan.to_owned(),
        dir: apply_dir(a, c),
        pricing: pricing(&a.inputs, c),
    }
}

/// Bound policy parsing and evaluation: the flags, else the configuration, else the defaults.
pub fn set_policy_limits(args: &crate::args::PolicyLimitArgs, config: &Config) {
    let mut limits = costfix_engine::policy::limits::Limits::default();
    if let Some(s) = args.policy_timeout.or(config.policy_timeout) {
        limits.deadline = std::time::Duration::from_secs_f64(s);
    }
    if let Some(mib) = args.policy_memory.or(config.policy_memory) {
        limits.memory = (mib > 0).then(|| mib.saturating_mul(1 << 20));
    }
    costfix_engine::policy::limits::set(limits);
}
