//! Where a resource runs, for rules that only apply outside production: [`Environment`], read
//! from the resource's tags ([`environment_tag`]) or else the run's default (`--environment`,
//! `environment` in `.costfix.hcl`, `TF_WORKSPACE`).

use serde::Serialize;
use serde_json::Value;

/// Where a resource runs, for rules that only apply outside production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    Production,
    NonProduction,
    Unknown,
}

impl Environment {
    /// Classify an environment name: `prod`, `production`, `prd`, `live` are production; `dev`,
    /// `development`, `test`, `testing`, `qa`, `staging`, `stage`, `stg`, `sandbox`, `nonprod`,
    /// `non-prod`, `preview`, `uat`, `demo`, `ci` are not. Anything else is unknown.
    pub fn classify(name: &str) -> Environment {
        let n = name.trim().to_ascii_lowercase();
        let n = n.as_str();
        const PROD: &[&str] = &["prod", "production", "prd", "live"];
        const NON_PROD: &[&str] = &[
            "dev",
            "development",
            "test",
            "testing",
            "qa",
            "staging",
            "stage",
            "stg",
            "sandbox",
            "nonprod",
            "non-prod",
            "non-production",
            "preview",
            "uat",
            "demo",
            "ci",
        ];
        if PROD.contains(&n) {
            Environment::Production
        } else if NON_PROD.contains(&n) {
            Environment::NonProduction
        } else {
            Environment::Unknown
        }
    }
}

/// Tag keys read for a resource's environment, in order.
pub const ENVIRONMENT_TAGS: &[&str] = &[
    "Environment",
    "environment",
    "Env",
    "env",
    "Stage",
    "stage",
    "Tier",
    "tier",
];

/// The first environment tag of a resource's values that names a known environment:
/// (tag, value). `tags_all` is read before `tags`.
pub fn environment_tag(values: &Value) -> Option<(&'static str, &str)> {
    for key in ["tags_all", "tags"] {
        if let Some(tags) = values.get(key).and_then(Value::as_object) {
            for t in ENVIRONMENT_TAGS {
                if let Some(v) = tags.get(*t).and_then(Value::as_str) {
                    if Environment::classify(v) != Environment::Unknown {
                        return Some((t, v));
                    }
                }
            }
        }
    }
    None
}

/// The run's environment for resources without an environment tag, with where it came from
/// (`--environment "dev"`).
#[derive(Debug, Clone)]
pub(super) struct DefaultEnvironment {
    pub environment: Environment,
    pub source: String,
}

impl DefaultEnvironment {
    /// From a name and where it was given (`--environment`, `TF_WORKSPACE`).
    pub fn new(name: &str, given_by: Option<&str>) -> DefaultEnvironment {
        DefaultEnvironment {
            environment: Environment::classify(name),
            source: format!("{} \"{name}\"", given_by.unwrap_or("environment")),
        }
    }
}

/// The environment of a resource: its tags, else the run's default; with where it came from.
pub(super) fn environment_of(
    values: &Value,
    default: Option<&DefaultEnvironment>,
) -> (Environment, Option<String>) {
    if let Some((t, v)) = environment_tag(values) {
        return (Environment::classify(v), Some(format!("tag {t} = \"{v}\"")));
    }
    match default {
        Some(d) => (d.environment, Some(d.source.clone())),
        None => (Environment::Unknown, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_tag_wins_over_the_default() {
        let dev = DefaultEnvironment::new("dev", Some("--environment"));
        let tagged = json!({"tags": {"Env": "prod"}, "tags_all": {"Env": "prod"}});
        assert_eq!(
            environment_of(&tagged, Some(&dev)),
            (Environment::Production, Some("tag Env = \"prod\"".into()))
        );
        assert_eq!(
            environment_of(&json!({"tags": {"Env": "blue"}}), Some(&dev)),
            (
                Environment::NonProduction,
                Some("--environment \"dev\"".into())
            )
        );
        assert_eq!(
            environment_of(&json!({}), None),
            (Environment::Unknown, None)
        );
    }
}
