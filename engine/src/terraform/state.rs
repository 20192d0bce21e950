//! Terraform state: raw `terraform.tfstate` (version 4, and version 3 of Terraform 0.11 and
//! earlier, upgraded as Terraform upgrades it) and `terraform show -json` state output (also the
//! plan's `prior_state`), all read into one borrowed form.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::Result;
use crate::terraform::address::{Address, IndexKey, Mode, ModuleStep};
use crate::terraform::input::InputFile;

/// A state, whichever file form it came from.
#[derive(Debug, Default)]
pub struct State<'a> {
    pub format_version: Option<Cow<'a, str>>,
    pub terraform_version: Option<Cow<'a, str>>,
    /// Resource instances, in file order (deposed objects included, marked).
    pub resources: Vec<StateResource<'a>>,
}

/// One resource instance in a state.
#[derive(Debug)]
pub struct StateResource<'a> {
    pub address: Address,
    pub provider: Option<Cow<'a, str>>,
    /// The attribute values: borrowed from the input, or built from the flat attributes of an
    /// old state (version 3, or a version 4 upgraded from one: `attributes_flat`).
    pub values: Option<Cow<'a, RawValue>>,
    /// Set for a deposed object (a replaced instance not yet destroyed).
    pub deposed: Option<Cow<'a, str>>,
}

impl<'a> State<'a> {
    /// The current (not deposed) instance at `addr`.
    pub fn get(&self, addr: &Address) -> Option<&StateResource<'a>> {
        self.resources
            .iter()
            .find(|r| r.deposed.is_none() && &r.address == addr)
    }
}

// ---- raw terraform.tfstate v4 ----

#[derive(Debug, Deserialize)]
pub(crate) struct RawStateResource<'a> {
    #[serde(borrow, default)]
    module: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    mode: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    resource_type: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    provider: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    instances: Vec<RawInstance<'a>>,
}

#[derive(Debug, Deserialize)]
struct RawInstance<'a> {
    #[serde(borrow, default)]
    index_key: Option<&'a RawValue>,
    #[serde(borrow, default)]
    deposed: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    attributes: Option<&'a RawValue>,
    /// Terraform 0.12 wrote the instances it upgraded from a version 3 state this way until the
    /// provider next rewrote them.
    #[serde(borrow, default)]
    attributes_flat: Option<BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
}

pub(crate) fn from_raw_tfstate<'a>(
    terraform_version: Option<Cow<'a, str>>,
    resources: Vec<RawStateResource<'a>>,
    file: &InputFile,
) -> Result<State<'a>> {
    let mut out = Vec::new();
    for r in resources {
        let module = match r.module.as_deref() {
            None => Vec::new(),
            Some(m) => match format!("{m}.x.y").parse::<Address>() {
                Ok(a) => a.module,
                Err(e) => return Err(not_terraform(file, m, &e.to_string())),
            },
        };
        let mode = if r.mode.as_deref() == Some("data") {
            Mode::Data
        } else {
            Mode::Managed
        };
        for inst in r.instances {
            out.push(StateResource {
                address: Address {
                    module: module.clone(),
                    mode,
                    resource_type: r.resource_type.to_string(),
                    name: r.name.to_string(),
                    key: inst.index_key.and_then(IndexKey::from_raw),
                },
                provider: r.provider.clone(),
                values: match (inst.attributes, inst.attributes_flat) {
                    (Some(a), _) => Some(Cow::Borrowed(a)),
                    (None, Some(flat)) => Some(Cow::Owned(unflatten(&flat, None))),
                    (None, None) => None,
                },
                deposed: inst.deposed,
            });
        }
    }
    valid(
        file,
        State {
            format_version: None,
            terraform_version,
            resources: out,
        },
    )
}

// ---- raw terraform.tfstate v3 (Terraform 0.11 and earlier) ----

/// One entry of a version 3 state's `modules`.
#[derive(Debug, Deserialize)]
struct RawV3Module<'a> {
    #[serde(borrow, default)]
    path: Vec<Cow<'a, str>>,
    /// Keyed by the legacy instance address: `aws_instance.web`, `aws_instance.web.2`,
    /// `data.aws_ami.x`.
    #[serde(borrow, default)]
    resources: Option<BTreeMap<Cow<'a, str>, RawV3Resource<'a>>>,
}

#[derive(Debug, Deserialize)]
struct RawV3Resource<'a> {
    #[serde(borrow, default)]
    provider: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    primary: Option<RawV3Instance<'a>>,
    #[serde(borrow, default)]
    deposed: Option<Vec<RawV3Instance<'a>>>,
}

#[derive(Debug, Deserialize)]
struct RawV3Instance<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    /// Flat `"a.b.0" = "value"` strings.
    #[serde(borrow, default)]
    attributes: Option<BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
}

/// A version 3 state, read as Terraform reads and upgrades it (`upgradeStateV3ToV4`): one
/// instance per legacy address, the module path without its `root`, deposed objects numbered
/// from 1, and the flat attributes expanded ([`unflatten`]), `id` taken from `primary.id` when
/// the attributes have none.
pub(crate) fn from_raw_tfstate_v3<'a>(
    terraform_version: Option<Cow<'a, str>>,
    modules: Option<&'a RawValue>,
    file: &InputFile,
) -> Result<State<'a>> {
    let modules: Vec<RawV3Module<'a>> = match modules {
        Some(raw) => serde_json::from_str(raw.get()).map_err(|e| {
            // The error's line and column are relative to `modules`: find it in the file.
            let at = raw.get().as_ptr() as usize - file.json().as_ptr() as usize;
            let inner = &file.json()[at..];
            let skip: usize = inner
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum();
            let offset = file.start + at + skip + e.column().saturating_sub(1);
            let (src, span) =
                crate::Error::source_window(&file.display_name(), file.text(), offset);
            crate::Error::Invalid {
                src,
                span,
                message: crate::error::cap_message(&format!(
                    "this version 3 state's `modules` are not what Terraform 0.11 wrote: {e}"
                )),
                label: "here".into(),
            }
        })?,
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for m in modules {
        let module = match m.path.split_first() {
            Some((root, rest)) if root == "root" && rest.iter().all(|n| is_ident(n)) => rest
                .iter()
                .map(|n| ModuleStep {
                    name: n.to_string(),
                    key: None,
                })
                .collect::<Vec<_>>(),
            _ => {
                let path = serde_json::to_string(&m.path).unwrap_or_default();
                let first = m.path.first().map_or("path", |p| p.as_ref());
                return Err(not_terraform(
                    file,
                    first,
                    &format!("module path {path} does not start with \"root\" and names"),
                ));
            }
        };
        for (key, r) in m.resources.unwrap_or_default() {
            let Some((mode, rtype, name, index)) = legacy_address(&key) else {
                return Err(not_terraform(
                    file,
                    &key,
                    &format!("`{key}` is not a legacy resource address (TYPE.NAME[.INDEX])"),
                ));
            };
            let address = Address {
                module: module.clone(),
                mode,
                resource_type: rtype.to_string(),
                name: name.to_string(),
                key: index.map(IndexKey::Int),
            };
            let objects = r.primary.into_iter().map(|i| (None, i)).chain(
                r.deposed
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .map(|(n, i)| (Some(Cow::Owned(format!("{:08x}", n + 1))), i)),
            );
            for (deposed, inst) in objects {
                let flat = inst.attributes.unwrap_or_default();
                out.push(StateResource {
                    address: address.clone(),
                    provider: r.provider.clone(),
                    values: Some(Cow::Owned(unflatten(&flat, inst.id.as_deref()))),
                    deposed,
                });
            }
        }
    }
    valid(
        file,
        State {
            format_version: None,
            terraform_version,
            resources: out,
        },
    )
}

/// A legacy instance address (`TYPE.NAME`, `TYPE.NAME.INDEX`, `data.TYPE.NAME[.INDEX]`), as
/// Terraform's `parseLegacyResourceAddress` reads it.
fn legacy_address(s: &str) -> Option<(Mode, &str, &str, Option<i64>)> {
    let mut parts: Vec<&str> = s.split('.').collect();
    if !(2..=4).contains(&parts.len()) {
        return None;
    }
    let mut mode = Mode::Managed;
    if parts.len() > 2 && parts[0] == "data" {
        mode = Mode::Data;
        parts.remove(0);
    }
    if parts.len() > 3 {
        return None;
    }
    let index = match parts.get(2) {
        Some(i) => Some(i.parse::<i64>().ok()?),
        None => None,
    };
    Some((mode, parts[0], parts[1], index))
}

/// The attribute object of Terraform's flat attribute strings (Terraform 0.11's `flatmap`):
/// `name.#` counts a list or set (`name.0.x`, or `name.HASH.x` for a set: ordered by index),
/// `name.%` a map (whose keys may hold dots: `tags.kubernetes.io/role`), any other `a.b` an
/// object. Values stay strings, as the state wrote them; the attribute views read numbers and
/// booleans from strings. `id` is the instance's `primary.id` when the attributes have none.
pub(crate) fn unflatten(
    flat: &BTreeMap<Cow<'_, str>, Cow<'_, str>>,
    id: Option<&str>,
) -> Box<RawValue> {
    let entries: Vec<(&str, &str)> = flat.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    let mut v = expand_object(&entries);
    if let (serde_json::Value::Object(o), Some(id)) = (&mut v, id.filter(|i| !i.is_empty())) {
        if o.get("id")
            .and_then(serde_json::Value::as_str)
            .is_none_or(str::is_empty)
        {
            o.insert("id".into(), id.into());
        }
    }
    RawValue::from_string(v.to_string()).expect("a serialised Value is valid JSON")
}

/// `entries` grouped by their first `.`-separated part: (the entry of exactly that name, the
/// rest of the longer ones).
type Groups<'a> = BTreeMap<&'a str, (Option<&'a str>, Vec<(&'a str, &'a str)>)>;

fn group<'a>(entries: &[(&'a str, &'a str)]) -> Groups<'a> {
    let mut groups: Groups<'a> = BTreeMap::new();
    for &(k, v) in entries {
        match k.split_once('.') {
            Some((head, rest)) => groups.entry(head).or_default().1.push((rest, v)),
            None => groups.entry(k).or_default().0 = Some(v),
        }
    }
    groups
}

fn expand_value(exact: Option<&str>, rest: &[(&str, &str)]) -> serde_json::Value {
    if let Some(v) = exact.filter(|_| rest.is_empty()) {
        return v.into();
    }
    if rest.iter().any(|(k, _)| *k == "#") {
        return expand_list(rest);
    }
    if rest.iter().any(|(k, _)| *k == "%") {
        return expand_map(rest);
    }
    match exact {
        Some(v) => v.into(),
        None => expand_object(rest),
    }
}

fn expand_object(entries: &[(&str, &str)]) -> serde_json::Value {
    let o = group(entries)
        .into_iter()
        .map(|(k, (exact, rest))| (k.to_string(), expand_value(exact, &rest)))
        .collect();
    serde_json::Value::Object(o)
}

fn expand_list(entries: &[(&str, &str)]) -> serde_json::Value {
    let entries: Vec<(&str, &str)> = entries.iter().copied().filter(|(k, _)| *k != "#").collect();
    let mut items: Vec<_> = group(&entries).into_iter().collect();
    // List indexes and set hashes are numbers: order them as numbers.
    items.sort_by_key(|(k, _)| (k.parse::<u64>().ok(), k.to_string()));
    serde_json::Value::Array(
        items
            .into_iter()
            .map(|(_, (exact, rest))| expand_value(exact, &rest))
            .collect(),
    )
}

fn expand_map(entries: &[(&str, &str)]) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    for (k, (exact, rest)) in group(entries) {
        if k == "%" {
            continue;
        }
        let nested = rest.iter().any(|(r, _)| *r == "#" || *r == "%");
        if nested {
            o.insert(k.to_string(), expand_value(exact, &rest));
            continue;
        }
        // Map keys may hold dots: each entry is one key.
        if let Some(v) = exact {
            o.insert(k.to_string(), v.into());
        }
        for (r, v) in rest {
            o.insert(format!("{k}.{r}"), v.into());
        }
    }
    serde_json::Value::Object(o)
}

/// A state whose every address is one Terraform could have written: it prints and parses back
/// to itself. Anything else (a resource type with a comma, a name with a space) is a state
/// edited by hand or damaged, and is refused rather than matched against plans by accident.
fn valid<'a>(file: &InputFile, state: State<'a>) -> Result<State<'a>> {
    for r in &state.resources {
        let reason = match r.address.to_string().parse::<Address>() {
            Ok(a) if a == r.address => continue,
            Ok(_) => "it does not read back as itself".to_string(),
            Err(e) => e.to_string(),
        };
        // Point at the part that cannot be an identifier.
        let part = if is_ident(&r.address.resource_type) {
            &r.address.name
        } else {
            &r.address.resource_type
        };
        return Err(not_terraform(file, part, &reason));
    }
    Ok(state)
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn not_terraform(file: &InputFile, part: &str, reason: &str) -> crate::Error {
    let needle = serde_json::to_string(part).unwrap_or_default();
    let at = file.json().find(&needle).unwrap_or(0);
    let (src, span) =
        crate::Error::source_window(&file.display_name(), file.text(), file.start + at);
    crate::Error::Invalid {
        src,
        span,
        message: format!(
            "this state holds a resource address Terraform cannot write ({reason}): edited by hand or damaged"
        ),
        label: "here".into(),
    }
}

// ---- `terraform show -json` state (and a plan's prior_state) ----

#[derive(Debug, Deserialize)]
struct ShowState<'a> {
    #[serde(borrow, default)]
    format_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    terraform_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    values: Option<ShowValues<'a>>,
}

#[derive(Debug, Deserialize)]
struct ShowValues<'a> {
    #[serde(borrow, default)]
    root_module: Option<ShowModule<'a>>,
}

#[derive(Debug, Deserialize)]
struct ShowModule<'a> {
    #[serde(borrow, default)]
    address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    resources: Vec<ShowResource<'a>>,
    #[serde(borrow, default)]
    child_modules: Vec<ShowModule<'a>>,
}

#[derive(Debug, Deserialize)]
struct ShowResource<'a> {
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(borrow, default)]
    mode: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    resource_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    index: Option<&'a RawValue>,
    #[serde(borrow, default)]
    provider_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    deposed_key: Option<Cow<'a, str>>,
}

fn flatten<'a>(m: ShowModule<'a>, parent: &[ModuleStep], out: &mut Vec<StateResource<'a>>) {
    let module: Vec<ModuleStep> = m
        .address
        .as_deref()
        .and_then(|a| format!("{a}.x.y").parse::<Address>().ok())
        .map_or_else(|| parent.to_vec(), |a| a.module);
    for r in m.resources {
        // Terraform 0.12 wrote module resources with addresses relative to their module and
        // without the index key; rebuild those from the parts.
        let parsed = r.address.parse::<Address>().ok();
        let address = match (parsed, &r.resource_type, &r.name) {
            (Some(a), _, _)
                if !a.module.is_empty()
                    || a.key.is_some()
                    || (module.is_empty() && r.index.is_none()) =>
            {
                a
            }
            (_, Some(t), Some(n)) => Address {
                module: module.clone(),
                mode: if r.mode.as_deref() == Some("data") {
                    Mode::Data
                } else {
                    Mode::Managed
                },
                resource_type: t.to_string(),
                name: n.to_string(),
                key: r.index.and_then(IndexKey::from_raw),
            },
            (Some(a), _, _) => a,
            (None, _, _) => continue,
        };
        out.push(StateResource {
            address,
            provider: r.provider_name,
            values: r.values.map(Cow::Borrowed),
            deposed: r.deposed_key,
        });
    }
    for c in m.child_modules {
        flatten(c, &module, out);
    }
}

/// Parse a `{format_version, values: {root_module}}` object (a plan's `prior_state`).
pub(crate) fn parse_show_json_values<'a>(raw: &'a RawValue, file: &InputFile) -> Result<State<'a>> {
    let s: ShowState<'a> = serde_json::from_str(raw.get()).map_err(|e| file.json_error(&e))?;
    let mut resources = Vec::new();
    if let Some(root) = s.values.and_then(|v| v.root_module) {
        flatten(root, &[], &mut resources);
    }
    valid(
        file,
        State {
            format_version: s.format_version,
            terraform_version: s.terraform_version,
            resources,
        },
    )
}

/// Parse the `values` object of a `terraform show -json` state document.
pub(crate) fn parse_show_json_values_inner<'a>(
    values: &'a RawValue,
    file: &InputFile,
) -> Result<State<'a>> {
    let v: ShowValues<'a> = serde_json::from_str(values.get()).map_err(|e| file.json_error(&e))?;
    let mut resources = Vec::new();
    if let Some(root) = v.root_module {
        flatten(root, &[], &mut resources);
    }
    valid(
        file,
        State {
            format_version: None,
            terraform_version: None,
            resources,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::plan::{parse_document, Document};

    fn flat(pairs: &[(&'static str, &'static str)]) -> serde_json::Value {
        let m: BTreeMap<Cow<'_, str>, Cow<'_, str>> = pairs
            .iter()
            .map(|&(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
            .collect();
        serde_json::from_str(unflatten(&m, Some("i-1")).get()).unwrap()
    }

    #[test]
    fn flat_attributes_expand_as_terraform_0_11_wrote_them() {
        let v = flat(&[
            ("instance_type", "m5.large"),
            ("tags.%", "2"),
            ("tags.Name", "web"),
            ("tags.kubernetes.io/cluster/x", "owned"),
            ("root_block_device.#", "1"),
            ("root_block_device.0.volume_size", "50"),
            ("ebs_block_device.#", "2"),
            ("ebs_block_device.99.volume_size", "2"),
            ("ebs_block_device.100.volume_size", "3"),
            ("security_groups.#", "1"),
            ("security_groups.3814588639", "sg-1"),
            ("ipv6_addresses.#", "0"),
            ("timeouts.create", "10m"),
        ]);
        assert_eq!(
            v,
            serde_json::json!({
                "id": "i-1",
                "instance_type": "m5.large",
                "tags": {"Name": "web", "kubernetes.io/cluster/x": "owned"},
                "root_block_device": [{"volume_size": "50"}],
                // A set's hashes ordered as numbers.
                "ebs_block_device": [{"volume_size": "2"}, {"volume_size": "3"}],
                "security_groups": ["sg-1"],
                "ipv6_addresses": [],
                "timeouts": {"create": "10m"},
            })
        );
        // An `id` attribute wins over `primary.id`.
        assert_eq!(flat(&[("id", "i-2")])["id"], "i-2");
    }

    fn state(text: &str) -> (InputFile, usize) {
        let file = InputFile::from_bytes(std::path::Path::new("t.tfstate"), text.into()).unwrap();
        let n = match parse_document(&file).unwrap().0 {
            Document::State(s) => s.resources.len(),
            Document::Plan(_) => panic!("a plan"),
        };
        (file, n)
    }

    #[test]
    fn version_3_addresses_modules_and_deposed_objects() {
        let text = r#"{"version":3,"lineage":"x","modules":[
            {"path":["root"],"resources":{
                "aws_instance.a":{"type":"aws_instance","primary":{"id":"i-1","attributes":{"instance_type":"t3.micro"}},
                    "deposed":[{"id":"i-0","attributes":{}}]},
                "data.aws_ami.b.1":{"type":"aws_ami","primary":{"id":"ami-1","attributes":{}}}}},
            {"path":["root","child"],"resources":{
                "aws_instance.c.2":{"type":"aws_instance","primary":{"id":"i-3","attributes":{}}}}}]}"#;
        let file = InputFile::from_bytes(std::path::Path::new("t.tfstate"), text.into()).unwrap();
        let Document::State(s) = parse_document(&file).unwrap().0 else {
            panic!("not a state")
        };
        let got: Vec<(String, Option<&str>)> = s
            .resources
            .iter()
            .map(|r| (r.address.to_string(), r.deposed.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("aws_instance.a".to_string(), None),
                ("aws_instance.a".to_string(), Some("00000001")),
                ("data.aws_ami.b[1]".to_string(), None),
                ("module.child.aws_instance.c[2]".to_string(), None),
            ]
        );
        let v: serde_json::Value =
            serde_json::from_str(s.resources[0].values.as_deref().unwrap().get()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"id": "i-1", "instance_type": "t3.micro"})
        );
        // An empty version 3 state, and a module path that does not start at root.
        assert_eq!(state(r#"{"version":3,"lineage":"x","modules":[]}"#).1, 0);
        let bad = r#"{"version":3,"lineage":"x","modules":[{"path":["child"],"resources":{}}]}"#;
        let file = InputFile::from_bytes(std::path::Path::new("t.tfstate"), bad.into()).unwrap();
        assert!(parse_document(&file).is_err());
    }

    #[test]
    fn version_4_attributes_flat_are_expanded() {
        // Terraform 0.12 kept an upgraded version 3 instance's flat attributes until the
        // provider rewrote it.
        let text = r#"{"version":4,"terraform_version":"0.12.0","lineage":"x","resources":[
            {"mode":"managed","type":"aws_instance","name":"a","provider":"provider.aws",
             "instances":[{"schema_version":1,"attributes_flat":{"id":"i-1","instance_type":"m5.large",
               "root_block_device.#":"1","root_block_device.0.volume_size":"30"}}]}]}"#;
        let file = InputFile::from_bytes(std::path::Path::new("t.tfstate"), text.into()).unwrap();
        let Document::State(s) = parse_document(&file).unwrap().0 else {
            panic!("not a state")
        };
        let v: serde_json::Value =
            serde_json::from_str(s.resources[0].values.as_deref().unwrap().get()).unwrap();
        assert_eq!(v["root_block_device"][0]["volume_size"], "30");
        assert_eq!(v["instance_type"], "m5.large");
    }
}
