//! Usage files: the usage-based quantities (requests, GB stored or transferred) that a plan cannot
//! know, keyed by resource address. The format is infracost's usage file (YAML), so existing files
//! work unchanged:
//!
//! ```yaml
//! version: 0.1
//! resource_type_default_usage:
//!   aws_lambda_function:
//!     monthly_requests: 1000000
//! resource_usage:
//!   aws_lambda_function.hello_world:
//!     monthly_requests: 100000000
//!     request_duration_ms: 250
//!   aws_instance.web[*]:          # every instance of a count/for_each resource
//!     operating_system: linux
//! ```
//!
//! Lookup order for an address: the exact address, the address with every index replaced by `[*]`,
//! then the resource type's default.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::terraform::address::Address;
use crate::terraform::values::parse_decimal;

/// A loaded usage file.
#[derive(Debug, Default)]
pub struct Usage {
    by_address: BTreeMap<String, Value>,
    by_type: BTreeMap<String, Value>,
}

/// The usage values of one resource: the exact address's entry over the `[*]` wildcard's over the
/// resource type's default, merged key by key (as infracost merges them).
#[derive(Debug, Clone, Copy)]
pub struct UsageEntry<'u> {
    layers: [Option<&'u Value>; 3],
}

impl<'u> UsageEntry<'u> {
    fn lookup(&self, path: &[&str]) -> Option<&'u Value> {
        self.layers.iter().flatten().find_map(|layer| {
            let mut v: &'u Value = layer;
            for k in path {
                v = v.get(k)?;
            }
            (!v.is_null()).then_some(v)
        })
    }

    /// A number at a path of keys (`["standard", "storage_gb"]`).
    pub fn num(&self, path: &[&str]) -> Option<Decimal> {
        match self.lookup(path)? {
            Value::Number(n) => parse_decimal(&n.to_string()),
            Value::String(s) => parse_decimal(s),
            _ => None,
        }
    }

    /// A string at a key.
    pub fn str(&self, key: &str) -> Option<&'u str> {
        self.lookup(&[key])?.as_str()
    }
}

impl Usage {
    /// Read a usage file.
    pub fn load(path: &Path) -> Result<Usage> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parse usage file text.
    pub fn parse(path: &Path, text: &str) -> Result<Usage> {
        let name = path.display().to_string();
        let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| {
            let offset = e.location().map_or(0, |l| l.index());
            let (src, span) = Error::source_window(&name, text, offset);
            Error::Invalid {
                src,
                span,
                message: crate::error::cap_message(&format!(
                    "the usage file is not valid YAML: {e}"
                )),
                label: "here".into(),
            }
        })?;
        let invalid = |needle: &str, message: String| {
            let (src, span) = Error::source_window(&name, text, text.find(needle).unwrap_or(0));
            Error::Invalid {
                src,
                span,
                message,
                label: "here".into(),
            }
        };
        let obj = match doc {
            Value::Object(o) => o,
            Value::Null => return Ok(Usage::default()),
            _ => {
                return Err(invalid(
                    "",
                    "a usage file is a YAML mapping with `version` and `resource_usage`".into(),
                ))
            }
        };
        let mut usage = Usage::default();
        for (k, v) in obj {
            match k.as_str() {
                "version" => {
                    let ok = match &v {
                        Value::String(s) => s.starts_with("0."),
                        Value::Number(n) => n.as_f64().is_some_and(|f| f < 1.0),
                        _ => false,
                    };
                    if !ok {
                        return Err(invalid("version", format!("unsupported usage file version {v}; costfix reads version 0.1")));
                    }
                }
                "resource_usage" | "resource_type_default_usage" => {
                    let Value::Object(entries) = v else {
                        if v.is_null() {
                            continue;
                        }
                        return Err(invalid(&k, format!("`{k}` must be a mapping of resource address to usage values")));
                    };
                    for (addr, vals) in entries {
                        if !(vals.is_object() || vals.is_null()) {
                            return Err(invalid(&addr, format!("the usage of `{addr}` must be a mapping of keys to values")));
                        }
                        if k == "resource_usage" {
                            usage.by_address.insert(addr, vals);
                        } else {
                            usage.by_type.insert(addr, vals);
                        }
                    }
                }
                other => return Err(invalid(other, format!("unknown key `{other}`; a usage file has `version`, `resource_usage` and `resource_type_default_usage`"))),
            }
        }
        Ok(usage)
    }

    /// The usage of one resource instance.
    pub fn get(&self, addr: &Address) -> Option<UsageEntry<'_>> {
        if self.by_address.is_empty() && self.by_type.is_empty() {
            return None;
        }
        let exact = self.by_address.get(&addr.to_string());
        let wild = if addr.key.is_some() || addr.module.iter().any(|m| m.key.is_some()) {
            self.by_address.get(&wildcard(addr))
        } else {
            None
        };
        let by_type = self.by_type.get(&addr.resource_type);
        let layers = [exact, wild, by_type];
        layers
            .iter()
            .any(Option::is_some)
            .then_some(UsageEntry { layers })
    }
}

fn wildcard(addr: &Address) -> String {
    let mut s = String::new();
    for m in &addr.module {
        s.push_str("module.");
        s.push_str(&m.name);
        if m.key.is_some() {
            s.push_str("[*]");
        }
        s.push('.');
    }
    if addr.mode == crate::terraform::address::Mode::Data {
        s.push_str("data.");
    }
    s.push_str(&addr.resource_type);
    s.push('.');
    s.push_str(&addr.name);
    if addr.key.is_some() {
        s.push_str("[*]");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_order() {
        let u = Usage::parse(
            Path::new("u.yml"),
            "version: 0.1\nresource_type_default_usage:\n  aws_lambda_function:\n    monthly_requests: 5\nresource_usage:\n  aws_lambda_function.a:\n    monthly_requests: 1\n  aws_lambda_function.b[*]:\n    monthly_requests: 2\n  aws_s3_bucket.s:\n    standard:\n      storage_gb: 10\n",
        )
        .unwrap();
        let get = |a: &str| {
            u.get(&a.parse().unwrap())
                .and_then(|e| e.num(&["monthly_requests"]))
        };
        // Layers merge key by key: the type default fills what the address does not set.
        let u2 = Usage::parse(
            Path::new("u.yml"),
            "resource_type_default_usage:\n  aws_x:\n    a: 1\n    b: 1\nresource_usage:\n  aws_x.y[*]:\n    b: 2\n  aws_x.y[0]:\n    c: 3\n",
        )
        .unwrap();
        let e = u2.get(&"aws_x.y[0]".parse().unwrap()).unwrap();
        assert_eq!(
            (e.num(&["a"]), e.num(&["b"]), e.num(&["c"])),
            (
                Some(Decimal::from(1)),
                Some(Decimal::from(2)),
                Some(Decimal::from(3))
            )
        );
        assert_eq!(get("aws_lambda_function.a"), Some(Decimal::from(1)));
        assert_eq!(get("aws_lambda_function.b[3]"), Some(Decimal::from(2)));
        assert_eq!(get("aws_lambda_function.c"), Some(Decimal::from(5)));
        let s = u.get(&"aws_s3_bucket.s".parse().unwrap()).unwrap();
        assert_eq!(s.num(&["standard", "storage_gb"]), Some(Decimal::from(10)));
    }

    #[test]
    fn errors_point_at_the_line() {
        let e =
            Usage::parse(Path::new("u.yml"), "version: 0.1\nresource_usage: [1, 2\n").unwrap_err();
        assert!(matches!(e, Error::Invalid { .. }));
        let e = Usage::parse(Path::new("u.yml"), "version: 0.1\nbogus: 1\n").unwrap_err();
        assert!(e.to_string().contains("unknown key `bogus`"));
    }
}
