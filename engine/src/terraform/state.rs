//! Terraform state: raw `terraform.tfstate` (version 4) and `terraform show -json` state output
//! (also the plan's `prior_state`), both read into one borrowed form.

use std::borrow::Cow;

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
    /// The attribute values.
    pub values: Option<&'a RawValue>,
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
                values: inst.attributes,
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
            values: r.values,
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
