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
use crate::pricing::quantity;
use crate::terraform::address::Address;
use crate::terraform::values::report_problem;

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

    /// A number at a path of keys (`["standard", "storage_gb"]`). A value that is not a number
    /// (a word, a mapping, `true`) is reported ([`report_problem`]: the resource being costed is
    /// unpriced, naming the key) and read as not set; numbers were checked when the file was read.
    pub fn num(&self, path: &[&str]) -> Option<Decimal> {
        let v = self.lookup(path)?;
        let text = match v {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => String::new(),
        };
        let key = path.last().copied().unwrap_or_default();
        match quantity::judge(key, &text) {
            Ok(d) => Some(d),
            Err(why) => {
                report_problem(|| {
                    format!(
                        "usage {}",
                        quantity::reason(&path.join("."), &v.to_string(), why)
                    )
                });
                None
            }
        }
    }

    /// A string at a key. Another value (a number, a list) is reported as for [`UsageEntry::num`].
    pub fn str(&self, key: &str) -> Option<&'u str> {
        let v = self.lookup(&[key])?;
        if v.as_str().is_none() {
            report_problem(|| {
                format!(
                    "usage {key} = {} is not valid here (a string is expected)",
                    quantity::quoted(&v.to_string())
                )
            });
        }
        v.as_str()
    }
}

/// The values of one entry of `section` (the usage of the resource `addr`, or of every resource
/// of the type `addr`), checked as [`check_values`] says; the diagnostic names the key, the
/// resource and the value, at the key's line.
fn check_entry(name: &str, text: &str, section: &str, addr: &str, vals: &Value) -> Result<()> {
    let owner = if section == "resource_usage" {
        format!("`{addr}`")
    } else {
        format!("the default usage of `{addr}`")
    };
    let refuse = |path: &str, why: &str| {
        let offset = offset_of(text, section, addr, path);
        let (src, span) = Error::source_window(name, text, offset);
        Err(Error::Invalid {
            src,
            span,
            message: format!("usage key `{path}` of {owner}: {why}"),
            label: "here".into(),
        })
    };
    if let Some((path, why)) = check_values(vals, &mut Vec::new()) {
        return refuse(&path, &why);
    }
    let mut nulls = Vec::new();
    null_paths(vals, &mut Vec::new(), &mut nulls);
    if !nulls.is_empty() {
        if let Some((path, why)) = not_finite(text, section, addr, &nulls) {
            return refuse(&path, &why);
        }
    }
    Ok(())
}

/// Usage keys whose values are words (`operating_system: linux`), not quantities.
const STRING_KEYS: &[&str] = &["operating_system", "reserved_instance_type"];

/// The first value of one resource's usage `vals` that cannot be used, with its key's path
/// (`standard.storage_gb`) and why: a list, a number (or a number written as a string) that is
/// negative, not whole where a count is, or beyond the ceiling of its kind ([`quantity::judge`]),
/// or a [`STRING_KEYS`] value that is not a string. Words at other keys are left to the cost
/// model, which reports one where it reads a number ([`UsageEntry::num`]): infracost has keys
/// costfix does not read (`reserved_instance_payment_option: no_upfront`).
fn check_values(vals: &Value, path: &mut Vec<String>) -> Option<(String, String)> {
    let Value::Object(map) = vals else {
        return None;
    };
    for (k, v) in map {
        path.push(k.clone());
        let why = match v {
            Value::Object(_) => {
                if let Some(found) = check_values(v, path) {
                    return Some(found);
                }
                None
            }
            Value::Array(_) => Some(format!(
                "{} is a list; a usage value is a number, a string or a mapping",
                quantity::quoted(&v.to_string())
            )),
            _ if STRING_KEYS.contains(&k.as_str()) => (!v.is_string()).then(|| {
                format!(
                    "{} is not valid here (a string is expected)",
                    quantity::quoted(&v.to_string())
                )
            }),
            Value::Number(n) => quantity::judge(k, &n.to_string()).err().map(|why| {
                format!(
                    "{} is not a valid quantity ({why})",
                    quantity::quoted(&n.to_string())
                )
            }),
            // A word is fine (a key costfix may not read); a number written as a string is checked.
            Value::String(s) if s.trim().parse::<f64>().is_ok() => {
                quantity::judge(k, s).err().map(|why| {
                    format!(
                        "{} is not a valid quantity ({why})",
                        quantity::quoted(&v.to_string())
                    )
                })
            }
            _ => None,
        };
        if let Some(why) = why {
            return Some((path.join("."), why));
        }
        path.pop();
    }
    None
}

/// The paths of the null values in `vals` (a YAML `.nan` or `.inf` is read as null).
fn null_paths(vals: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Value::Object(map) = vals {
        for (k, v) in map {
            path.push(k.clone());
            match v {
                Value::Null => out.push(path.clone()),
                Value::Object(_) => null_paths(v, path, out),
                _ => {}
            }
            path.pop();
        }
    }
}

/// Where to point at the key `path` of `owner`'s usage in `text`: the last key after the owner's
/// name in `section`, else the owner, else the section, else the start.
fn offset_of(text: &str, section: &str, owner: &str, path: &str) -> usize {
    let after = |from: usize, needle: &str| text[from..].find(needle).map(|i| from + i);
    let section = after(0, &format!("{section}:")).unwrap_or(0);
    let Some(start) = after(section, owner) else {
        return section;
    };
    let key = path.rsplit('.').next().unwrap_or(path);
    after(start, &format!("{key}:")).unwrap_or(start)
}

impl Usage {
    /// Read a usage file.
    pub fn load(path: &Path) -> Result<Usage> {
        let text = crate::fsutil::read_text_capped(
            path,
            "a usage file",
            crate::fsutil::MAX_SETTINGS_FILE,
        )?;
        Self::parse(path, &text)
    }

    /// Parse usage file text.
    pub fn parse(path: &Path, text: &str) -> Result<Usage> {
        let name = path.display().to_string();
        crate::yaml::check_nesting(&name, text)?;
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
                        check_entry(&name, text, &k, &addr, &vals)?;
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

/// Whether one of the null values at `nulls` under `section`.`addr` was a YAML `.nan` or `.inf`
/// (serde_json has no such numbers and reads them as null): the file is read again as YAML values
/// to tell, only when the usage has a null.
fn not_finite(
    text: &str,
    section: &str,
    addr: &str,
    nulls: &[Vec<String>],
) -> Option<(String, String)> {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).ok()?;
    let entry = doc.get(section)?.get(addr)?;
    nulls.iter().find_map(|path| {
        let v = path.iter().try_fold(entry, |v, k| v.get(k.as_str()))?;
        let f = v.as_f64().filter(|f| !f.is_finite())?;
        let shown = if f.is_nan() {
            ".nan"
        } else if f > 0.0 {
            ".inf"
        } else {
            "-.inf"
        };
        Some((
            path.join("."),
            format!("{shown} is not a valid quantity (not a finite number)"),
        ))
    })
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
    fn negative_absurd_and_mistyped_values_are_refused_at_their_line() {
        let parse = |body: &str| {
            Usage::parse(
                Path::new("u.yml"),
                &format!(
                    "version: 0.1\nresource_usage:\n  aws_x.a:\n    other: 1\n  aws_x.y:\n{body}"
                ),
            )
        };
        for (body, says) in [
            (
                "    monthly_hrs: -730\n",
                "usage key `monthly_hrs` of `aws_x.y`: -730 is not a valid quantity (negative)",
            ),
            (
                "    standard:\n      storage_gb: -1\n",
                "usage key `standard.storage_gb` of `aws_x.y`: -1 is not",
            ),
            (
                "    monthly_requests: \"-5\"\n",
                "\"-5\" is not a valid quantity (negative)",
            ),
            ("    monthly_requests: 1e16\n", "10^15"),
            (
                "    monthly_requests: .inf\n",
                ".inf is not a valid quantity (not a finite number)",
            ),
            ("    instances: 2.5\n", "not a whole number"),
            ("    operating_system: [1, 2, 3]\n", "[1,2,3] is a list"),
            ("    operating_system: 5\n", "a string is expected"),
        ] {
            let e = parse(body).unwrap_err();
            assert!(e.to_string().contains(says), "{body}: {e}");
        }
        // The label is on the key under its resource, not the same key of another resource.
        let text = "resource_usage:\n  aws_x.y:\n    monthly_hrs: 1\nresource_type_default_usage:\n  aws_x:\n    monthly_hrs: -1\n";
        let at = offset_of(text, "resource_type_default_usage", "aws_x", "monthly_hrs");
        assert!(text[at..].starts_with("monthly_hrs: -1"), "{at}");
        // Words at keys costfix does not read, zero, and nulls are fine.
        let u = parse(
            "    reserved_instance_payment_option: no_upfront\n    monthly_hrs: 0\n    x: ~\n",
        )
        .unwrap();
        let e = u.get(&"aws_x.y".parse().unwrap()).unwrap();
        assert_eq!(e.num(&["monthly_hrs"]), Some(Decimal::ZERO));
    }

    #[test]
    fn a_word_where_a_number_is_read_is_reported_while_costing() {
        let u = Usage::parse(
            Path::new("u.yml"),
            "resource_usage:\n  aws_x.y:\n    monthly_hrs: lots\n    operating_system: linux\n",
        )
        .unwrap();
        let e = u.get(&"aws_x.y".parse().unwrap()).unwrap();
        let (got, problems) = crate::terraform::values::check_numbers(
            |_, _| Ok(None),
            || (e.num(&["monthly_hrs"]), e.str("operating_system")),
        );
        assert_eq!(got, (None, Some("linux")));
        assert_eq!(
            problems,
            vec!["usage monthly_hrs = \"lots\" is not a valid quantity (not a number)".to_string()]
        );
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
