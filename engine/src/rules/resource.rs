//! [`Resource`]: what a rule sees of one resource instance.

use rust_decimal::Decimal;
use serde_json::Value;

use super::{Change, Environment, Facts};
use crate::pricing::usage::UsageEntry;
use crate::pricing::Catalog;
use crate::terraform::address::Address;

/// What a rule sees of one resource instance.
pub struct Resource<'a> {
    pub address: &'a Address,
    pub resource_type: &'a str,
    /// Planned values (`after`), unknown values as `null`.
    pub values: &'a Value,
    /// `after_unknown`.
    pub unknown: &'a Value,
    /// The block's `expressions` in the plan's configuration, if the plan has them.
    pub config: Option<&'a Value>,
    pub region: Option<&'a str>,
    pub environment: Environment,
    /// Where the environment came from (`tag Environment`, `--environment`, `TF_WORKSPACE`).
    pub environment_source: Option<&'a str>,
    pub catalog: &'a Catalog,
    /// The plan-wide facts the rule declared in `Rule.needs`.
    pub facts: &'a Facts,
    /// The resource's entry in the usage file.
    pub usage: Option<UsageEntry<'a>>,
    /// The monthly cost of the resource with some changes applied (None: region unknown). With no
    /// changes, its cost now. Rules use it to choose between candidates.
    pub cost_with: &'a (dyn Fn(&[Change]) -> Option<Decimal> + Sync),
}

impl Resource<'_> {
    /// A top-level string attribute.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(Value::as_str)
    }
    /// A top-level number.
    pub fn num(&self, key: &str) -> Option<f64> {
        self.values.get(key).and_then(Value::as_f64)
    }
    /// A top-level attribute's planned value, `null` when it is not set (a [`Change`]'s `from`).
    pub fn value(&self, key: &str) -> Value {
        self.values.get(key).cloned().unwrap_or(Value::Null)
    }
    /// Whether the configuration sets `key` (None when the plan carries no configuration).
    pub fn configured(&self, key: &str) -> Option<bool> {
        self.config.map(|c| c.get(key).is_some())
    }
    /// Whether a top-level attribute is unknown until apply.
    pub fn is_unknown(&self, key: &str) -> bool {
        self.unknown.get(key) == Some(&Value::Bool(true))
    }
    /// Nested blocks (`root_block_device`), as JSON objects.
    pub fn blocks(&self, key: &str) -> &[Value] {
        self.values
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
    /// The unknown-marks of the `i`th nested block `key`.
    pub fn block_unknown(&self, key: &str, i: usize) -> Option<&Value> {
        self.unknown.get(key).and_then(|u| u.get(i))
    }
    /// Text for findings: `in production (tag Environment)`.
    pub fn environment_text(&self) -> String {
        let env = match self.environment {
            Environment::Production => "production",
            Environment::NonProduction => "a non-production environment",
            Environment::Unknown => "an unknown environment",
        };
        match self.environment_source {
            Some(s) => format!("{env} ({s})"),
            None => env.to_string(),
        }
    }
}
