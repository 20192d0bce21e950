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
//! format           = "markdown"           # check's output format
//! dir              = "."                  # .tf sources, for locations and costfix:ignore
//! baseline         = ".costfix-baseline.json"
//! ```
//!
//! The file is found by walking up from the working directory; paths in it are relative to its
//! folder. Command-line options win over it.

use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::structure::{Body, Structure};
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
    pub format: Option<String>,
    pub dir: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
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
    "format",
    "dir",
    "baseline",
];

/// Read a configuration file.
pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Parse configuration text; relative paths are resolved against `path`'s folder.
pub fn parse(path: &Path, text: &str) -> Result<Config> {
    let name = path.display().to_string();
    let err = |span: Option<std::ops::Range<usize>>, message: String, label: &str| {
        let span = span.unwrap_or(0..0);
        let (src, _) = Error::source_window(&name, text, span.start);
        Error::Config {
            src,
            span: (span.start, span.len().max(1)).into(),
            message,
            label: label.to_string(),
        }
    };
    let body: Body = crate::hcl::guard::parse_body(text).map_err(|e| {
        let o = e.offset();
        err(
            Some(o..o + 1),
            format!("not valid HCL: {}", e.message()),
            "here",
        )
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |p: String| -> PathBuf {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            base.join(p)
        }
    };
    let mut c = Config {
        path: path.to_owned(),
        ..Config::default()
    };
    for s in body.iter() {
        let a = match s {
            Structure::Attribute(a) => a,
            Structure::Block(b) => {
                return Err(err(
                    b.span(),
                    format!("unexpected block `{}`", b.ident.as_str()),
                    "settings are `key = value`",
                ))
            }
        };
        let key = a.key.as_str();
        if !KEYS.contains(&key) {
            return Err(err(
                a.key.span(),
                format!(
                    "unknown setting `{key}`; the settings are: {}",
                    KEYS.join(", ")
                ),
                "unknown setting",
            ));
        }
        let v = &a.value;
        let string = || match v {
            Expression::String(s) => Ok(s.as_str().to_string()),
            _ => Err(err(
                v.span(),
                format!("`{key}` must be a string"),
                "expected a string",
            )),
        };
        let strings = || match v {
            Expression::Array(items) => items
                .iter()
                .map(|e| match e {
                    Expression::String(s) => Ok(s.as_str().to_string()),
                    _ => Err(err(
                        e.span(),
                        format!("`{key}` must be a list of strings"),
                        "expected a string",
                    )),
                })
                .collect::<Result<Vec<_>>>(),
            Expression::String(s) => Ok(vec![s.as_str().to_string()]),
            _ => Err(err(
                v.span(),
                format!("`{key}` must be a list of strings"),
                "expected a list",
            )),
        };
        let one_of = |value: String, allowed: &[&str]| {
            if allowed.contains(&value.as_str()) {
                Ok(value)
            } else {
                Err(err(
                    v.span(),
                    format!("`{key}` is one of {}, not \"{value}\"", allowed.join(", ")),
                    "not allowed",
                ))
            }
        };
        match key {
            "policies" => c.policies = strings()?.into_iter().map(resolve).collect(),
            "slo" => c.slo = strings()?.into_iter().map(resolve).collect(),
            "namespaces" => c.namespaces = strings()?,
            "default_policies" => match v {
                Expression::Bool(b) => c.default_policies = Some(*b.value()),
                _ => {
                    return Err(err(
                        v.span(),
                        "`default_policies` must be true or false".into(),
                        "expected a boolean",
                    ))
                }
            },
            "prices" => c.prices = Some(resolve(string()?)),
            "usage" => c.usage = Some(resolve(string()?)),
            "dir" => c.dir = Some(resolve(string()?)),
            "baseline" => c.baseline = Some(resolve(string()?)),
            "region" => c.region = Some(string()?),
            "environment" => c.environment = Some(string()?),
            "fail_on" => {
                c.fail_on = Some(match one_of(string()?, &["deny", "warn"])?.as_str() {
                    "warn" => FailOn::Warn,
                    _ => FailOn::Deny,
                })
            }
            "format" => {
                c.format = Some(one_of(
                    string()?,
                    &["table", "json", "markdown", "sarif", "github", "junit"],
                )?)
            }
            _ => unreachable!("checked against KEYS"),
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

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
