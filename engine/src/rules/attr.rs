//! Attribute paths and the changes rules propose: [`AttrPath`] (`root_block_device[0].volume_type`)
//! made of [`Seg`]s, a [`Change`] that sets one, and [`apply_changes`], which writes changes into a
//! resource's planned values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One step of an attribute path: an attribute or nested block name, or the index of a nested
/// block among those of its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(untagged)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// An attribute path, `root_block_device[0].volume_type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrPath(pub Vec<Seg>);

impl AttrPath {
    pub fn key(k: &str) -> AttrPath {
        AttrPath(vec![Seg::Key(k.to_string())])
    }
    pub fn nested(block: &str, index: usize, key: &str) -> AttrPath {
        AttrPath(vec![
            Seg::Key(block.to_string()),
            Seg::Index(index),
            Seg::Key(key.to_string()),
        ])
    }
    /// `prefix` followed by the attribute `key`.
    pub fn under(prefix: &[Seg], key: &str) -> AttrPath {
        let mut p = prefix.to_vec();
        p.push(Seg::Key(key.to_string()));
        AttrPath(p)
    }
    /// The value at this path in `values`, if there is one.
    pub fn get<'v>(&self, values: &'v Value) -> Option<&'v Value> {
        self.0.iter().try_fold(values, |cur, s| match s {
            Seg::Key(k) => cur.get(k),
            Seg::Index(i) => cur.get(i),
        })
    }
    /// Set the value at this path in `root`, making the objects and arrays on the way.
    pub fn set(&self, root: &mut Value, to: Value) {
        set_path(root, &self.0, to);
    }
}

impl std::fmt::Display for AttrPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => f.write_str(k)?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for AttrPath {
    type Err = String;
    /// `root_block_device[0].volume_type` → its segments.
    fn from_str(s: &str) -> Result<AttrPath, String> {
        let mut segs = Vec::new();
        for part in s.split('.') {
            let (name, mut rest) = part.split_once('[').map_or((part, ""), |(a, b)| (a, b));
            if name.is_empty() {
                return Err(format!("`{s}` is not an attribute path"));
            }
            segs.push(Seg::Key(name.to_string()));
            while !rest.is_empty() {
                let (n, after) = rest
                    .split_once(']')
                    .ok_or_else(|| format!("`{s}` is not an attribute path"))?;
                segs.push(Seg::Index(
                    n.parse()
                        .map_err(|_| format!("`{s}` is not an attribute path"))?,
                ));
                rest = after.strip_prefix('[').unwrap_or(after);
            }
        }
        Ok(AttrPath(segs))
    }
}

impl<'de> Deserialize<'de> for AttrPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for AttrPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Set one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub path: AttrPath,
    /// The planned value now (`null` when not set or unknown until apply).
    pub from: Value,
    pub to: Value,
}

impl Change {
    pub fn set(path: AttrPath, from: Value, to: impl Into<Value>) -> Change {
        Change {
            path,
            from,
            to: to.into(),
        }
    }
}

/// The planned values with the changes applied (and their unknown marks cleared).
pub fn apply_changes(values: &Value, unknown: &Value, changes: &[Change]) -> (Value, Value) {
    let mut v = values.clone();
    let mut u = unknown.clone();
    for c in changes {
        c.path.set(&mut v, c.to.clone());
        if u.is_object() {
            c.path.set(&mut u, Value::Bool(false));
        }
    }
    (v, u)
}

fn set_path(root: &mut Value, path: &[Seg], to: Value) {
    let Some((first, rest)) = path.split_first() else {
        *root = to;
        return;
    };
    match first {
        Seg::Key(k) => {
            if !root.is_object() {
                *root = Value::Object(Default::default());
            }
            let obj = root.as_object_mut().expect("just made an object");
            let slot = obj.entry(k.clone()).or_insert(Value::Null);
            set_path(slot, rest, to);
        }
        Seg::Index(i) => {
            if !root.is_array() {
                *root = Value::Array(Vec::new());
            }
            let arr = root.as_array_mut().expect("just made an array");
            while arr.len() <= *i {
                arr.push(Value::Object(Default::default()));
            }
            set_path(&mut arr[*i], rest, to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_print_parse_get_and_set() {
        let p: AttrPath = "block_device_mappings[0].ebs[0].volume_type"
            .parse()
            .unwrap();
        assert_eq!(p.to_string(), "block_device_mappings[0].ebs[0].volume_type");
        assert!("a..b".parse::<AttrPath>().is_err());
        assert!("a[x]".parse::<AttrPath>().is_err());
        let mut v = json!({"block_device_mappings": [{"ebs": [{"volume_type": "gp2"}]}]});
        assert_eq!(p.get(&v), Some(&json!("gp2")));
        assert_eq!(AttrPath::key("nope").get(&v), None);
        p.set(&mut v, json!("gp3"));
        assert_eq!(p.get(&v), Some(&json!("gp3")));
        // Setting makes the blocks on the way.
        let mut empty = json!({});
        AttrPath::nested("root_block_device", 1, "volume_type").set(&mut empty, json!("gp3"));
        assert_eq!(
            empty,
            json!({"root_block_device": [{}, {"volume_type": "gp3"}]})
        );
    }
}
