//! Snapshots: what a resource looked like when a fix was planned, in a form anyone can hash again.
//!
//! **Canonical JSON** (used for every hash costfix records): objects with their keys sorted by
//! their UTF-8 bytes, no whitespace, strings escaped as `serde_json` escapes them (`"`, `\`, control
//! characters; everything else literal UTF-8), numbers as they appear in the input (`serde_json`'s
//! shortest round-trip form), `true`/`false`/`null`. The hash is the lowercase hex sha256 of those
//! bytes. In Python: `hashlib.sha256(json.dumps(v, sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False).encode()).hexdigest()` gives the same digest for the values Terraform writes
//! (strings, integers, booleans, lists, maps).
//!
//! A **block hash** is the sha256 of the exact bytes of the resource block in its file (from
//! `resource` to the closing brace).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::fsutil::{hex, sha256_hex};

/// The canonical JSON text of a value.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("strings serialise"));
                out.push(':');
                write_canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).expect("scalars serialise")),
    }
}

/// sha256 of the canonical JSON of a value.
pub fn hash_value(v: &Value) -> String {
    sha256_hex(canonical_json(v).as_bytes())
}

/// A resource block's text and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockSnapshot {
    pub file: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub text: String,
    pub sha256: String,
}

impl BlockSnapshot {
    /// Read the block at `start..end` of `file` now.
    pub fn read(file: &Path, start: usize, end: usize, line: usize) -> Option<BlockSnapshot> {
        let text = std::fs::read_to_string(file).ok()?;
        let block = text.get(start..end)?.to_string();
        Some(BlockSnapshot {
            file: file.display().to_string(),
            start,
            end,
            line,
            sha256: sha256_hex(block.as_bytes()),
            text: block,
        })
    }
}

/// A resource as it was: its attribute values (from the state, or the plan for a resource not
/// created yet) and its `.tf` block, each with its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub address: String,
    pub resource_type: String,
    /// `state` (prior state / `before` of the plan) or `plan` (`after`, for a resource to create).
    pub source: String,
    pub attributes: Value,
    pub attributes_sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<BlockSnapshot>,
}

impl Snapshot {
    pub fn new(
        address: &str,
        resource_type: &str,
        source: &str,
        attributes: Value,
        block: Option<BlockSnapshot>,
    ) -> Snapshot {
        Snapshot {
            address: address.to_string(),
            resource_type: resource_type.to_string(),
            source: source.to_string(),
            attributes_sha256: hash_value(&attributes),
            attributes,
            block,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_form_sorts_keys_and_drops_whitespace() {
        let v: Value =
            serde_json::from_str(r#"{ "b": [1, {"z": true, "a": null}], "a": "é\"x" }"#).unwrap();
        assert_eq!(
            canonical_json(&v),
            r#"{"a":"é\"x","b":[1,{"a":null,"z":true}]}"#
        );
        // The same value written another way hashes the same.
        let w = json!({"a": "é\"x", "b": [1, {"a": null, "z": true}]});
        assert_eq!(hash_value(&v), hash_value(&w));
        // sha256("") is well known.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
