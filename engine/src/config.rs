//! `.costfix.hcl`: project defaults, so that CI needs a one-word command.
//!
//! ```hcl
//! policies         = ["policy"]           # folders of Rego policies (relative to this file)
//! default_policies = true                 # evaluate the policies shipped with costfix
//! namespaces       = ["main"]
//! slo              = ["slo"]              # budget files or folders
//! prices           = "prices.csv"
//! usage            = "infracost-usage.yml"
//! region           = "us-east-1"
//! environment      = "production"
//! fail_on          = "warn"               # or "deny"
//! fail_on_unpriced = true                 # a resource that cannot be priced fails `check`
//! format           = "markdown"           # check's output format
//! dir              = "."                  # .tf sources, for locations and costfix:ignore
//! baseline         = ".costfix-baseline.json"
//! policy_timeout   = 10                   # seconds a policy may take to parse, and per rule
//! policy_memory    = 2048                 # MiB the policies may allocate (0: unbounded)
//! ```
//!
//! The file is found by walking up from the working directory; paths in it are relative to its
//! folder. Command-line options win over it.

use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Body, Structure};
use hcl::edit::Span;

use crate::check::FailOn;
use crate::error::{Error, Result};

pub const FILE_NAME: &str = ".costfix.hcl";

/// The settings of a configuration file (paths already resolved against its folder).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub path: PathBuf,
    pub policies: Vec<PathBuf>,
    pub default_policies: Option<bool>,
    pub namespaces: Vec<String>,
    pub slo: Vec<PathBuf>,
    pub prices: Option<PathBuf>,
    pub usage: Option<PathBuf>,
    pub region: Option<String>,
    pub environment: Option<String>,
    pub fail_on: Option<FailOn>,
    pub fail_on_unpriced: Option<bool>,
    pub format: Option<String>,
    pub dir: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    /// Seconds a policy file may take to parse, and a rule to evaluate.
    pub policy_timeout: Option<f64>,
    /// MiB the policy phase may allocate (0: unbounded).
    pub policy_memory: Option<u64>,
}

/// The nearest `.costfix.hcl` from `start` upwards.
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

const KEYS: &[&str] = &[
    "policies",
    "default_policies",
    "namespaces",
    "slo",
    "prices",
    "usage",
    "region",
    "environment",
    "fail_on",
    "fail_on_unpriced",
    "format",
    "dir",
    "baseline",
    "policy_timeout",
    "policy_memory",
];

/// Read a configuration file.
pub fn load(path: &Path) -> Result<Config> {
    let text = crate::fsutil::read_text_capped(
        path,
        "a configuration file",
        crate::fsutil::MAX_SETTINGS_FILE,
    )?;
    parse(path, &text)
}

/// Parse configuration text; relative paths are resolved against `path`'s folder.
pub fn parse(path: &Path, text: &str) -> Result<Config> {
    let cx = Ctx {
        name: path.display().to_string(),
        text,
        base: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let body: Body = crate::hcl::guard::parse_body(text).map_err(|e| {
        let o = e.offset();
        cx.err(
            Some(o..o + 1),
            format!("not valid HCL: {}", e.message()),
            "here",
        )
    })?;
    let mut c = Config {
        path: path.to_owned(),
        ..Config::default()
    };
    for s in body.iter() {
        let a = setting(&cx, s)?;
        c.set(&cx, a.key.as_str(), &a.value)?;
    }
    Ok(c)
}

/// The file being parsed: its name and text (for diagnostics) and folder (for relative paths).
struct Ctx<'t> {
    name: String,
    text: &'t str,
    base: PathBuf,
}

impl Ctx<'_> {
    /// An error at `span` (the file's start when there is none).
    fn err(&self, span: Option<Range<usize>>, message: String, label: &str) -> Error {
        let span = span.unwrap_or(0..0);
        let (src, span) = Error::source_range(&self.name, self.text, span.start, span.len().max(1));
        Error::Config {
            src,
            span,
            message,
            label: label.to_string(),
        }
    }

    /// A path from the file, resolved against its folder unless it is absolute.
    fn resolve(&self, p: String) -> PathBuf {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            self.base.join(p)
        }
    }
}

/// A top-level structure as a setting: an attribute with one of the [`KEYS`]; blocks and other
/// keys are errors.
fn setting<'s>(cx: &Ctx<'_>, s: &'s Structure) -> Result<&'s Attribute> {
    let a = match s {
        Structure::Attribute(a) => a,
        Structure::Block(b) => {
            return Err(cx.err(
                b.span(),
                format!("unexpected block `{}`", b.ident.as_str()),
                "settings are `key = value`",
            ))
        }
    };
    let key = a.key.as_str();
    if !KEYS.contains(&key) {
        return Err(cx.err(
            a.key.span(),
            format!(
                "unknown setting `{key}`; the settings are: {}",
                KEYS.join(", ")
            ),
            "unknown setting",
        ));
    }
    Ok(a)
}

impl Config {
    /// Set one setting (a key of [`KEYS`]) from its value.
    fn set(&mut self, cx: &Ctx<'_>, key: &str, v: &Expression) -> Result<()> {
        match key {
            "policies" => self.policies = paths(cx, key, v)?,
            "slo" => self.slo = paths(cx, key, v)?,
            "namespaces" => self.namespaces = strings(cx, key, v)?,
            "default_policies" => self.default_policies = Some(boolean(cx, key, v)?),
            "fail_on_unpriced" => self.fail_on_unpriced = Some(boolean(cx, key, v)?),
            "prices" => self.prices = Some(cx.resolve(string(cx, key, v)?)),
            "usage" => self.usage = Some(cx.resolve(string(cx, key, v)?)),
            "dir" => self.dir = Some(cx.resolve(string(cx, key, v)?)),
            "baseline" => self.baseline = Some(cx.resolve(string(cx, key, v)?)),
            "region" => self.region = Some(string(cx, key, v)?),
            "policy_timeout" => {
                let n = number(cx, key, v)?;
                if !(n > 0.0 && n <= 86_400.0) {
                    return Err(cx.err(
                        v.span(),
                        "`policy_timeout` is seconds, more than 0 and at most 86400".into(),
                        "out of range",
                    ));
                }
                self.policy_timeout = Some(n)
            }
            "policy_memory" => {
                let n = number(cx, key, v)?;
                if !(n >= 0.0 && n.fract() == 0.0 && n <= 1_048_576.0) {
                    return Err(cx.err(
                        v.span(),
                        "`policy_memory` is a whole number of MiB, 0 (unbounded) to 1048576".into(),
                        "out of range",
                    ));
                }
                self.policy_memory = Some(n as u64)
            }
            "environment" => self.environment = Some(string(cx, key, v)?),
            "fail_on" => {
                self.fail_on = Some(match one_of(cx, key, v, &["deny", "warn"])?.as_str() {
                    "warn" => FailOn::Warn,
                    _ => FailOn::Deny,
                })
            }
            "format" => {
                self.format = Some(one_of(
                    cx,
                    key,
                    v,
                    &["table", "json", "markdown", "sarif", "github", "junit"],
                )?)
            }
            _ => unreachable!("checked against KEYS"),
        }
        Ok(())
    }
}

/// A number value.
fn number(cx: &Ctx<'_>, key: &str, v: &Expression) -> Result<f64> {
    match v {
        Expression::Number(n) => Ok(n.value().as_f64().unwrap_or(f64::NAN)),
        _ => Err(cx.err(
            v.span(),
            format!("`{key}` must be a number"),
            "expected a number",
        )),
    }
}

/// A string value.
fn string(cx: &Ctx<'_>, key: &str, v: &Expression) -> Result<String> {
    match v {
        Expression::String(s) => Ok(s.as_str().to_string()),
        _ => Err(cx.err(
            v.span(),
            format!("`{key}` must be a string"),
            "expected a string",
        )),
    }
}

/// A list of strings, or one string as a list of one.
fn strings(cx: &Ctx<'_>, key: &str, v: &Expression) -> Result<Vec<String>> {
    match v {
        Expression::Array(items) => items
            .iter()
            .map(|e| match e {
                Expression::String(s) => Ok(s.as_str().to_string()),
                _ => Err(cx.err(
                    e.span(),
                    format!("`{key}` must be a list of strings"),
                    "expected a string",
                )),
            })
            .collect::<Result<Vec<_>>>(),
        Expression::String(s) => Ok(vec![s.as_str().to_string()]),
        _ => Err(cx.err(
            v.span(),
            format!("`{key}` must be a list of strings"),
            "expected a list",
        )),
    }
}

/// A list of paths (or one path), each resolved against the file's folder.
fn paths(cx: &Ctx<'_>, key: &str, v: &Expression) -> Result<Vec<PathBuf>> {
    Ok(strings(cx, key, v)?
        .into_iter()
        .map(|p| cx.resolve(p))
        .collect())
}

/// A string that is one of `allowed`.
fn one_of(cx: &Ctx<'_>, key: &str, v: &Expression, allowed: &[&str]) -> Result<String> {
    let value = string(cx, key, v)?;
    if allowed.contains(&value.as_str()) {
        Ok(value)
    } else {
        Err(cx.err(
            v.span(),
            format!("`{key}` is one of {}, not \"{value}\"", allowed.join(", ")),
            "not allowed",
        ))
    }
}

/// A boolean value.
fn boolean(cx: &Ctx<'_>, key: &str, v: &Expression) -> Result<bool> {
    match v {
        Expression::Bool(b) => Ok(*b.value()),
        _ => Err(cx.err(
            v.span(),
            format!("`{key}` must be true or false"),
            "expected a boolean",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diagnostics_help_names_every_setting() {
        // users.md D33: the help pointed at docs/configuration.md, a path users do not have;
        // it describes the settings itself, so it must name every one.
        let e = parse(Path::new(".costfix.hcl"), "slos = [\"slo\"]\n").unwrap_err();
        let help = miette::Diagnostic::help(&e).unwrap().to_string();
        for key in KEYS {
            assert!(
                help.contains(&format!("{key} = ")),
                "{key} missing from: {help}"
            );
        }
    }

    #[test]
    fn parses_and_resolves_paths() {
        let c = parse(
            Path::new("/repo/.costfix.hcl"),
            "policies = [\"policy\"]\nslo = \"slo\"\nregion = \"eu-west-1\"\nfail_on = \"warn\"\ndefault_policies = false\n",
        )
        .unwrap();
        assert_eq!(c.policies, [PathBuf::from("/repo/policy")]);
        assert_eq!(c.slo, [PathBuf::from("/repo/slo")]);
        assert_eq!(c.region.as_deref(), Some("eu-west-1"));
        assert_eq!(c.default_policies, Some(false));
    }

    #[test]
    fn mistakes_have_spans() {
        let e = parse(Path::new("c.hcl"), "regoin = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown setting `regoin`"), "{e}");
        let e = parse(Path::new("c.hcl"), "fail_on = \"sometimes\"\n").unwrap_err();
        assert!(e.to_string().contains("one of deny, warn"), "{e}");
    }
}
