//! The document-level parse: what a JSON file holds (a plan, a raw `terraform.tfstate`, a
//! `terraform show -json` state, or something else), told apart in one borrowed parse of its
//! top-level fields, and the warnings about inputs that were read anyway.
//!
//! This file is the `document` child module of [`super`] (`terraform/plan.rs`), which re-exports
//! it, so that [`parse_document`] can build a [`Plan`] with its private index.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Configuration, Plan, RelevantAttribute, ResourceChange, Variable};
use crate::error::{Error, Result};
use crate::terraform::input::InputFile;
use crate::terraform::state::{self, State};

/// The newest plan format minor version this build knows (for major version 1).
pub const KNOWN_FORMAT_MINOR: u32 = 2;

/// What kind of document a file holds.
#[derive(Debug)]
pub enum Document<'a> {
    Plan(Box<Plan<'a>>),
    State(State<'a>),
}

impl Document<'_> {
    /// What the document is, in words: "a Terraform plan" or "a Terraform state".
    pub fn kind(&self) -> &'static str {
        match self {
            Document::Plan(_) => "a Terraform plan",
            Document::State(_) => "a Terraform state",
        }
    }
}

/// A warning about an input that was read anyway.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub file: String,
    pub message: String,
}

/// The union of every top-level field of the formats read, so one parse serves all of them.
#[derive(Deserialize)]
struct RawDocument<'a> {
    #[serde(borrow, default)]
    format_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    terraform_version: Option<Cow<'a, str>>,
    // raw terraform.tfstate
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    lineage: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    resources: Option<Vec<state::RawStateResource<'a>>>,
    /// A version 3 state's modules (parsed only when the version is 3).
    #[serde(borrow, default)]
    modules: Option<&'a RawValue>,
    // plan
    #[serde(borrow, default)]
    resource_changes: Option<Vec<ResourceChange<'a>>>,
    #[serde(borrow, default)]
    resource_drift: Option<Vec<ResourceChange<'a>>>,
    #[serde(borrow, default)]
    planned_values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    prior_state: Option<&'a RawValue>,
    #[serde(borrow, default)]
    configuration: Option<Configuration<'a>>,
    #[serde(borrow, default)]
    variables: Option<BTreeMap<Cow<'a, str>, Variable<'a>>>,
    #[serde(borrow, default)]
    relevant_attributes: Option<Vec<RelevantAttribute<'a>>>,
    #[serde(default)]
    errored: Option<bool>,
    // `terraform show -json` of a state
    #[serde(borrow, default)]
    values: Option<&'a RawValue>,
    // `terraform providers schema -json`: recognised only to say what it is
    #[serde(borrow, default)]
    provider_schemas: Option<&'a RawValue>,
}
impl RawDocument<'_> {
    /// Whether it has a section only a plan has.
    fn is_plan(&self) -> bool {
        self.resource_changes.is_some()
            || self.planned_values.is_some()
            || self.configuration.is_some()
            || self.prior_state.is_some()
    }

    /// Whether it looks like a raw `terraform.tfstate` (a `version` and resources, modules or a
    /// lineage).
    fn is_raw_state(&self) -> bool {
        self.version.is_some()
            && (self.resources.is_some() || self.modules.is_some() || self.lineage.is_some())
    }
}

/// A warning about `file`.
fn warning(file: &InputFile, message: impl Into<String>) -> Warning {
    Warning {
        file: file.display_name(),
        message: message.into(),
    }
}

/// Parse a file as a plan or a state, whichever it is.
pub fn parse_document<'a>(file: &'a InputFile) -> Result<(Document<'a>, Vec<Warning>)> {
    let mut warnings: Vec<Warning> = file
        .notes
        .iter()
        .map(|n| warning(file, n.clone()))
        .collect();
    let raw = read_raw(file, &mut warnings)?;
    let is_plan = raw.is_plan();
    if raw.is_raw_state() && !is_plan {
        return Ok((
            Document::State(raw_tfstate(raw, file, &mut warnings)?),
            warnings,
        ));
    }
    if raw.provider_schemas.is_some() && !is_plan {
        return Err(Error::WrongKind {
            path: file.path.clone(),
            expected: "a Terraform plan or state",
            found: "a provider schema (`terraform providers schema -json`)",
            help: "give the plan: `terraform plan -out plan.out && terraform show -json plan.out > plan.json`".into(),
        });
    }
    check_format_version(file, raw.format_version.as_deref(), &mut warnings)?;
    if !is_plan {
        return Ok((Document::State(show_json_state(raw, file)?), warnings));
    }
    let plan = plan(raw, file, &mut warnings)?;
    Ok((Document::Plan(Box::new(plan)), warnings))
}

/// Deserialise the top-level fields. Text after the document is an error, unless the file had a
/// preamble (a wrapper's output) before it: then it is ignored with a warning.
fn read_raw<'a>(file: &'a InputFile, warnings: &mut Vec<Warning>) -> Result<RawDocument<'a>> {
    let mut de = serde_json::Deserializer::from_str(file.json());
    let raw: RawDocument<'a> =
        serde::Deserialize::deserialize(&mut de).map_err(|e| file.json_error(&e))?;
    if let Err(e) = de.end() {
        // Text after the document. Accept what a wrapper prints after a preamble; otherwise it is
        // more likely two files glued together, which is an error.
        if file.start == 0 || file.notes.iter().all(|n| !n.contains("non-JSON text")) {
            return Err(file.json_error(&e));
        }
        warnings.push(warning(file, "ignored text after the JSON document"));
    }
    Ok(raw)
}

/// A raw `terraform.tfstate` of version 4, or of version 3 (Terraform 0.11 and earlier), read
/// as Terraform upgrades it, with a warning.
fn raw_tfstate<'a>(
    raw: RawDocument<'a>,
    file: &'a InputFile,
    warnings: &mut Vec<Warning>,
) -> Result<State<'a>> {
    let version = raw.version.map(|v| v.get().to_string()).unwrap_or_default();
    if version == "3" {
        if raw.modules.is_none() && raw.resources.is_some() {
            let at = file.json().find("\"version\"").unwrap_or(0);
            let (src, span) =
                Error::source_window(&file.display_name(), file.text(), file.start + at);
            return Err(Error::Invalid {
                src,
                span,
                message: "this state says version 3 but has version 4's `resources` list, not `modules`: edited by hand or damaged".into(),
                label: "version 3".into(),
            });
        }
        warnings.push(warning(
            file,
            "a version 3 state (Terraform 0.11 or earlier): read as Terraform upgrades it, attributes from their flat strings",
        ));
        return state::from_raw_tfstate_v3(raw.terraform_version, raw.modules, file);
    }
    if version != "4" {
        return Err(Error::StateVersion {
            path: file.path.clone(),
            version,
        });
    }
    state::from_raw_tfstate(
        raw.terraform_version,
        raw.resources.unwrap_or_default(),
        file,
    )
}

/// A `terraform show -json` state: its `values`, or no resources for an empty state. JSON that has
/// neither is not a Terraform document.
fn show_json_state<'a>(raw: RawDocument<'a>, file: &'a InputFile) -> Result<State<'a>> {
    if let Some(values) = raw.values {
        let mut st = state::parse_show_json_values_inner(values, file)?;
        st.terraform_version = raw.terraform_version;
        st.format_version = raw.format_version;
        return Ok(st);
    }
    if raw.format_version.is_some() {
        // `terraform show -json` of an empty state: `{"format_version":"1.0"}`.
        return Ok(State {
            format_version: raw.format_version,
            terraform_version: raw.terraform_version,
            resources: Vec::new(),
        });
    }
    let (src, span) = Error::source_window(&file.display_name(), file.text(), file.start);
    Err(Error::Invalid {
        src,
        span,
        message: "this JSON is neither a Terraform plan nor a Terraform state".into(),
        label: "expected `resource_changes` (plan), `values` (state) or `version: 4` (tfstate)"
            .into(),
    })
}

/// The plan of a document, with warnings for a missing format_version and an `errored` plan.
fn plan<'a>(
    raw: RawDocument<'a>,
    file: &InputFile,
    warnings: &mut Vec<Warning>,
) -> Result<Plan<'a>> {
    if raw.format_version.is_none() {
        warnings.push(warning(
            file,
            "the plan has no format_version; read as format 0.1",
        ));
    }
    let mut resource_changes = match raw.resource_changes {
        Some(changes) => changes,
        None => {
            let changes = changes_from_values(raw.planned_values, raw.prior_state, file)?;
            if !changes.is_empty() {
                warnings.push(warning(
                    file,
                    format!(
                        "the plan has no `resource_changes`: read its {} resource(s) from `planned_values` (after) and `prior_state` (before), as older Terraform wrote them; each action is inferred from the two (a replacement reads as an update)",
                        changes.len()
                    ),
                ));
            }
            changes
        }
    };
    let mut resource_drift = raw.resource_drift.unwrap_or_default();
    for rc in resource_changes.iter_mut().chain(resource_drift.iter_mut()) {
        rc.fill_address();
    }
    let plan = Plan {
        format_version: raw.format_version,
        terraform_version: raw.terraform_version,
        resource_changes,
        resource_drift,
        planned_values: raw.planned_values,
        prior_state: raw.prior_state,
        configuration: raw.configuration.unwrap_or_default(),
        variables: raw.variables.unwrap_or_default(),
        relevant_attributes: raw.relevant_attributes.unwrap_or_default(),
        errored: raw.errored.unwrap_or(false),
        config_index: std::sync::OnceLock::new(),
    };
    if plan.errored {
        warnings.push(warning(
            file,
            "the plan is marked `errored`: Terraform could not finish it, so it may be incomplete",
        ));
    }
    Ok(plan)
}

/// The changes of a plan that has no `resource_changes`, from its `planned_values` (the after
/// side) and `prior_state` (the before side), matched by address: a resource on both sides is
/// unchanged when its values are equal and updated otherwise, one only planned is
/// created, one only in the prior state is deleted. Deposed objects are left out.
fn changes_from_values<'a>(
    planned: Option<&'a RawValue>,
    prior: Option<&'a RawValue>,
    file: &InputFile,
) -> Result<Vec<ResourceChange<'a>>> {
    let present = |raw: Option<&'a RawValue>| raw.filter(|r| r.get() != "null");
    let after = match present(planned) {
        Some(raw) => state::parse_show_json_values_inner(raw, file)?.resources,
        None => Vec::new(),
    };
    let before = match present(prior) {
        Some(raw) => state::parse_show_json_values(raw, file)?.resources,
        None => Vec::new(),
    };
    let borrowed = |r: &state::StateResource<'a>| match &r.values {
        Some(Cow::Borrowed(v)) => Some(*v),
        _ => None,
    };
    let before_of: std::collections::HashMap<
        &crate::terraform::address::Address,
        Option<&'a RawValue>,
    > = before
        .iter()
        .filter(|r| r.deposed.is_none())
        .map(|r| (&r.address, borrowed(r)))
        .collect();
    let change = |r: &state::StateResource<'a>,
                  before: Option<&'a RawValue>,
                  after: Option<&'a RawValue>| {
        use super::{Action, Change};
        let actions = match (before, after) {
            (None, _) => vec![Action::Create],
            (_, None) => vec![Action::Delete],
            (Some(b), Some(a)) if same_value(b, a) => vec![Action::NoOp],
            _ => vec![Action::Update],
        };
        let a = &r.address;
        let module = a.module_path();
        ResourceChange {
            address: Cow::Owned(a.to_string()),
            module_address: (!module.is_empty()).then_some(Cow::Owned(module)),
            previous_address: None,
            mode: Some(Cow::Borrowed(
                if a.mode == crate::terraform::address::Mode::Data {
                    "data"
                } else {
                    "managed"
                },
            )),
            resource_type: Cow::Owned(a.resource_type.clone()),
            name: Cow::Owned(a.name.clone()),
            index: None,
            provider_name: r.provider.clone(),
            deposed: None,
            change: Change {
                actions,
                before,
                after,
                after_unknown: None,
                before_sensitive: None,
                after_sensitive: None,
                replace_paths: None,
                importing: None,
            },
            action_reason: None,
        }
    };
    let planned_addresses: std::collections::HashSet<_> =
        after.iter().map(|r| &r.address).collect();
    let mut out: Vec<ResourceChange<'a>> = after
        .iter()
        .filter(|r| r.deposed.is_none())
        .map(|r| {
            let b = before_of.get(&r.address).copied().flatten();
            // Present on both sides even when the prior state has no values for it.
            let b = b.or_else(|| before_of.contains_key(&r.address).then(empty_object));
            change(r, b, borrowed(r).or_else(|| Some(empty_object())))
        })
        .collect();
    out.extend(
        before
            .iter()
            .filter(|r| r.deposed.is_none() && !planned_addresses.contains(&r.address))
            .map(|r| change(r, borrowed(r).or_else(|| Some(empty_object())), None)),
    );
    Ok(out)
}

/// Whether two JSON values are equal (the same text, or the same once parsed: a pretty-printed
/// plan indents `prior_state` one level deeper than `planned_values`).
fn same_value(a: &RawValue, b: &RawValue) -> bool {
    a.get() == b.get()
        || matches!(
            (
                serde_json::from_str::<serde_json::Value>(a.get()),
                serde_json::from_str::<serde_json::Value>(b.get()),
            ),
            (Ok(x), Ok(y)) if x == y
        )
}

fn empty_object() -> &'static RawValue {
    static EMPTY: std::sync::OnceLock<Box<RawValue>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| RawValue::from_string("{}".into()).expect("valid JSON"))
}

/// Check a plan's `format_version`: 0.x and 1.x are read (a 1.x newer than this build knows with
/// a warning); any other major version is an error pointing at it.
fn check_format_version(
    file: &InputFile,
    version: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let Some(v) = version else { return Ok(()) };
    let mut parts = v.split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts
        .next()
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(0);
    match major {
        Some(0) => Ok(()),
        Some(1) => {
            if minor > KNOWN_FORMAT_MINOR {
                warnings.push(warning(
                    file,
                    format!(
                        "format_version {v} is newer than the 1.{KNOWN_FORMAT_MINOR} this costfix knows; read anyway (new fields are ignored)"
                    ),
                ));
            }
            Ok(())
        }
        _ => {
            let json = file.json();
            let at = json
                .find("\"format_version\"")
                .and_then(|k| json[k..].find(v).map(|i| k + i))
                .unwrap_or(0);
            let (src, span) =
                Error::source_window(&file.display_name(), file.text(), file.start + at);
            Err(Error::FormatVersion {
                src,
                span,
                version: v.to_string(),
            })
        }
    }
}
