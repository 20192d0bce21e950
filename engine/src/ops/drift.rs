//! Drift: how a resource's attributes now differ from its snapshot.
//!
//! Attributes are compared leaf by leaf (nested blocks and maps flattened to paths like
//! `root_block_device[0].volume_type`, `tags.Owner`). Severity comes from the number of drifted
//! attributes: none; minor 1–2 (proceed with a warning); moderate 3–5 (caution); major 6–10 and
//! critical over 10 (blocked). Each drifted attribute is classed by impact: `cost` (type, size,
//! capacity, volume, IOPS, ...), `security` (security groups, IAM, encryption, public access,
//! policies, keys), `availability` (zones, Multi-AZ, backups, replicas, deletion protection), or
//! `other`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    None,
    Minor,
    Moderate,
    Major,
    Critical,
}

impl Severity {
    pub fn of(count: usize) -> Severity {
        match count {
            0 => Severity::None,
            1..=2 => Severity::Minor,
            3..=5 => Severity::Moderate,
            6..=10 => Severity::Major,
            _ => Severity::Critical,
        }
    }
    /// Major and critical drift block an operation.
    pub fn blocks(self) -> bool {
        self >= Severity::Major
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    Cost,
    Security,
    Availability,
    Other,
}

/// The impact class of an attribute path.
pub fn impact(path: &str) -> Impact {
    let p = path.to_ascii_lowercase();
    const SECURITY: &[&str] = &[
        "security_group",
        "iam",
        "role",
        "policy",
        "encrypt",
        "kms",
        "public",
        "password",
        "secret",
        "key_name",
        "acl",
        "ingress",
        "egress",
        "cidr",
        "ssl",
        "tls",
        "certificate",
        "metadata_options",
    ];
    const AVAILABILITY: &[&str] = &[
        "availability_zone",
        "multi_az",
        "backup",
        "replica",
        "deletion_protection",
        "snapshot",
        "subnet",
        "retention",
        "maintenance_window",
        "num_cache",
        "desired_capacity",
        "min_size",
        "max_size",
    ];
    const COST: &[&str] = &[
        "instance_type",
        "instance_class",
        "node_type",
        "instance_types",
        "size",
        "volume_type",
        "type",
        "iops",
        "throughput",
        "capacity",
        "storage",
        "memory",
        "architectures",
        "billing_mode",
        "count",
    ];
    if SECURITY.iter().any(|k| p.contains(k)) {
        Impact::Security
    } else if AVAILABILITY.iter().any(|k| p.contains(k)) {
        Impact::Availability
    } else if COST.iter().any(|k| p.contains(k)) {
        Impact::Cost
    } else {
        Impact::Other
    }
}

/// One drifted attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drifted {
    pub path: String,
    pub before: Value,
    pub after: Value,
    pub impact: Impact,
}

/// The drift of a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub severity: Severity,
    pub attributes: Vec<Drifted>,
}

/// Compare the snapshot's attributes with the current ones.
pub fn diff(before: &Value, after: &Value) -> Drift {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Drift {
        severity: Severity::of(out.len()),
        attributes: out,
    }
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<Drifted>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(
                    &join(k),
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y))
            if x.iter().chain(y).all(|v| v.is_object()) && x.len() == y.len() =>
        {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                walk(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ if a != b => out.push(Drifted {
            path: path.to_string(),
            before: a.clone(),
            after: b.clone(),
            impact: impact(path),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drift_is_graded_and_classed() {
        let a = json!({"instance_type": "t2.micro", "tags": {"Owner": "a"},
                       "root_block_device": [{"volume_size": 8}], "vpc_security_group_ids": ["sg-1"]});
        let b = json!({"instance_type": "t3.micro", "tags": {"Owner": "b"},
                       "root_block_device": [{"volume_size": 8}], "vpc_security_group_ids": ["sg-2"]});
        let d = diff(&a, &b);
        assert_eq!(d.severity, Severity::Moderate);
        let classes: Vec<(&str, Impact)> = d
            .attributes
            .iter()
            .map(|x| (x.path.as_str(), x.impact))
            .collect();
        assert_eq!(
            classes,
            [
                ("instance_type", Impact::Cost),
                ("tags.Owner", Impact::Other),
                ("vpc_security_group_ids", Impact::Security)
            ]
        );
        assert_eq!(diff(&a, &a).severity, Severity::None);
        assert!(Severity::of(6).blocks() && !Severity::of(5).blocks());
    }
}
