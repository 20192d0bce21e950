//! Terraform's JSON documents: plans (`terraform show -json plan.out`, format 0.1 to 1.x) and states
//! (raw `terraform.tfstate` version 4, or `terraform show -json` of a state).
//!
//! One parse of the whole file into borrowed, typed structs: strings are `Cow<str>` (borrowed unless
//! they hold escapes) and bulky sections (`before`, `after`, `planned_values`, `prior_state`, module
//! `expressions`) are `&RawValue` slices of the input, parsed again only where needed.
//!
//! This file holds the plan's types; telling a plan from a state and parsing either
//! ([`parse_document`]) is in `terraform/document.rs`, re-exported here.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::Result;
use crate::terraform::address::{Address, IndexKey, Mode, ModuleStep};
use crate::terraform::input::InputFile;
use crate::terraform::state::{self, State};

// A file beside this one but a child module of it, so that it can build a `Plan` (whose
// configuration index is private).
#[path = "document.rs"]
mod document;

pub use document::{parse_document, Document, Warning, KNOWN_FORMAT_MINOR};

/// A parsed plan.
#[derive(Debug)]
pub struct Plan<'a> {
    pub format_version: Option<Cow<'a, str>>,
    pub terraform_version: Option<Cow<'a, str>>,
    pub resource_changes: Vec<ResourceChange<'a>>,
    pub resource_drift: Vec<ResourceChange<'a>>,
    pub planned_values: Option<&'a RawValue>,
    /// `prior_state` (the refreshed state the plan was made from), in `show -json` state form.
    pub prior_state: Option<&'a RawValue>,
    pub configuration: Configuration<'a>,
    pub variables: BTreeMap<Cow<'a, str>, Variable<'a>>,
    pub relevant_attributes: Vec<RelevantAttribute<'a>>,
    pub errored: bool,
    /// `configuration` resources by (module names, mode, type, name) → index in their module's
    /// list, built on first use (a linear search per resource is quadratic on big modules).
    config_index: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
}

fn config_key(modules: &[&str], data: bool, rtype: &str, name: &str) -> String {
    let mut k = modules.join(".");
    k.push('|');
    if data {
        k.push_str("data.");
    }
    k.push_str(rtype);
    k.push('.');
    k.push_str(name);
    k
}

/// One entry of `resource_changes` (or `resource_drift`).
#[derive(Debug, Deserialize)]
pub struct ResourceChange<'a> {
    /// Empty when the input had none (the `resource_drift` of Terraform 0.15.4 to 1.0.0); the
    /// document parse then fills it in from the other fields ([`ResourceChange::fill_address`]).
    #[serde(borrow, default)]
    pub address: Cow<'a, str>,
    #[serde(borrow, default)]
    pub module_address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub previous_address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub mode: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    pub resource_type: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub index: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub provider_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub deposed: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub change: Change<'a>,
    #[serde(borrow, default)]
    pub action_reason: Option<Cow<'a, str>>,
}

impl ResourceChange<'_> {
    pub fn is_data(&self) -> bool {
        self.mode.as_deref() == Some("data")
    }

    /// The index key (`count` integer or `for_each` string), if any.
    pub fn index_key(&self) -> Option<IndexKey> {
        IndexKey::from_raw(self.index?)
    }

    /// Give an entry without an `address` the one Terraform would have written: its module
    /// address, `data.` for a data source, type, name and index key. Terraform 0.15.4 to 1.0.0
    /// left the address out of `resource_drift` entries (fixed in hashicorp/terraform#28975).
    pub fn fill_address(&mut self) {
        if self.address.is_empty() {
            self.address = Cow::Owned(self.parsed_address().to_string());
        }
    }

    /// The address as a typed value. Terraform writes addresses it can always re-read; if one does
    /// not parse, it is rebuilt from the change's own fields.
    pub fn parsed_address(&self) -> Address {
        self.address.parse().unwrap_or_else(|_| Address {
            module: self
                .module_address
                .as_deref()
                .and_then(|m| format!("{m}.x.y").parse::<Address>().ok())
                .map(|a| a.module)
                .unwrap_or_default(),
            mode: if self.is_data() {
                Mode::Data
            } else {
                Mode::Managed
            },
            resource_type: self.resource_type.to_string(),
            name: self.name.to_string(),
            key: self.index_key(),
        })
    }
}

/// One change action as Terraform writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    Delete,
    Forget,
    #[serde(other)]
    Other,
}

/// The `change` object of a resource change.
#[derive(Debug, Deserialize)]
pub struct Change<'a> {
    #[serde(default)]
    pub actions: Vec<Action>,
    #[serde(borrow, default)]
    pub before: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub after_unknown: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub before_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub after_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub replace_paths: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub importing: Option<&'a RawValue>,
}

/// What a change does to a resource, folded from its action list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Create,
    Update,
    Replace,
    Delete,
    NoOp,
    Read,
    Forget,
    Unknown,
}

impl ChangeKind {
    pub fn from_actions(actions: &[Action]) -> ChangeKind {
        use Action::*;
        match actions {
            [NoOp] | [] => ChangeKind::NoOp,
            [Create] => ChangeKind::Create,
            [Update] => ChangeKind::Update,
            [Delete] => ChangeKind::Delete,
            [Read] => ChangeKind::Read,
            [Forget] => ChangeKind::Forget,
            [Delete, Create] | [Create, Delete] => ChangeKind::Replace,
            _ => ChangeKind::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Replace => "replace",
            ChangeKind::Delete => "delete",
            ChangeKind::NoOp => "no-op",
            ChangeKind::Read => "read",
            ChangeKind::Forget => "forget",
            ChangeKind::Unknown => "unknown",
        }
    }

    /// Whether the resource exists before the change.
    pub fn has_before(self) -> bool {
        !matches!(self, ChangeKind::Create | ChangeKind::Read)
    }

    /// Whether the resource exists (and is managed) after the change.
    pub fn has_after(self) -> bool {
        !matches!(
            self,
            ChangeKind::Delete | ChangeKind::Forget | ChangeKind::Read
        )
    }
}

impl Change<'_> {
    pub fn kind(&self) -> ChangeKind {
        ChangeKind::from_actions(&self.actions)
    }
}

/// `configuration`: what the `.tf` files said, as Terraform saw it.
#[derive(Debug, Default, Deserialize)]
pub struct Configuration<'a> {
    #[serde(borrow, default)]
    pub provider_config: BTreeMap<Cow<'a, str>, ProviderConfig<'a>>,
    #[serde(borrow, default)]
    pub root_module: ModuleConfig<'a>,
}

/// One provider configuration block (`provider "aws" { alias = ..., region = ... }`).
#[derive(Debug, Default, Deserialize)]
pub struct ProviderConfig<'a> {
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub full_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub alias: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub module_address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub expressions: BTreeMap<Cow<'a, str>, &'a RawValue>,
}

/// A module's configuration: its resources and module calls.
#[derive(Debug, Default, Deserialize)]
pub struct ModuleConfig<'a> {
    #[serde(borrow, default)]
    pub resources: Vec<ConfigResource<'a>>,
    #[serde(borrow, default)]
    pub module_calls: BTreeMap<Cow<'a, str>, ModuleCall<'a>>,
    #[serde(borrow, default)]
    pub variables: BTreeMap<Cow<'a, str>, &'a RawValue>,
    /// `output` blocks (their `expression` holds the references).
    #[serde(borrow, default)]
    pub outputs: BTreeMap<Cow<'a, str>, &'a RawValue>,
}

/// A resource block as configured.
#[derive(Debug, Deserialize)]
pub struct ConfigResource<'a> {
    #[serde(borrow)]
    pub address: Cow<'a, str>,
    #[serde(borrow, default)]
    pub mode: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    pub resource_type: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub provider_config_key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub expressions: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub count_expression: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub for_each_expression: Option<&'a RawValue>,
}

/// A `module` block as configured.
#[derive(Debug, Deserialize)]
pub struct ModuleCall<'a> {
    #[serde(borrow, default)]
    pub source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub version_constraint: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub expressions: BTreeMap<Cow<'a, str>, &'a RawValue>,
    #[serde(borrow, default)]
    pub module: ModuleConfig<'a>,
}

/// An expression in `configuration`: a constant, or references to other objects.
#[derive(Debug, Default, Deserialize)]
pub struct Expression<'a> {
    #[serde(borrow, default)]
    pub constant_value: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub references: Vec<Cow<'a, str>>,
}

impl<'a> Expression<'a> {
    pub fn parse(raw: &'a RawValue) -> Option<Expression<'a>> {
        serde_json::from_str(raw.get()).ok()
    }
}

/// A root variable's value.
#[derive(Debug, Deserialize)]
pub struct Variable<'a> {
    #[serde(borrow, default)]
    pub value: Option<&'a RawValue>,
}

/// An entry of `relevant_attributes`.
#[derive(Debug, Deserialize)]
pub struct RelevantAttribute<'a> {
    #[serde(borrow)]
    pub resource: Cow<'a, str>,
    #[serde(borrow, default)]
    pub attribute: Option<&'a RawValue>,
}

impl<'a> ModuleConfig<'a> {
    /// The configuration of the module at `path` (module call names, keys ignored).
    pub fn descend(&self, path: &[ModuleStep]) -> Option<&ModuleConfig<'a>> {
        let mut m = self;
        for step in path {
            m = &m.module_calls.get(step.name.as_str())?.module;
        }
        Some(m)
    }
}

fn index_module<'m>(
    m: &'m ModuleConfig<'_>,
    path: &mut Vec<&'m str>,
    index: &mut std::collections::HashMap<String, usize>,
) {
    for (i, r) in m.resources.iter().enumerate() {
        let data = r.mode.as_deref() == Some("data");
        index
            .entry(config_key(path, data, &r.resource_type, &r.name))
            .or_insert(i);
    }
    for (name, call) in &m.module_calls {
        path.push(name.as_ref());
        index_module(&call.module, path, index);
        path.pop();
    }
}

impl<'a> Plan<'a> {
    /// The configured resource block for an address, if the plan carries configuration.
    pub fn config_resource(&self, addr: &Address) -> Option<&ConfigResource<'a>> {
        let module = self.configuration.root_module.descend(&addr.module)?;
        let data = addr.mode == Mode::Data;
        if module.resources.len() < 16 {
            return module.resources.iter().find(|r| {
                r.resource_type == addr.resource_type
                    && r.name == addr.name
                    && (r.mode.as_deref() == Some("data")) == data
            });
        }
        let index = self.config_index.get_or_init(|| {
            let mut index = std::collections::HashMap::new();
            index_module(&self.configuration.root_module, &mut Vec::new(), &mut index);
            index
        });
        let names: Vec<&str> = addr.module.iter().map(|m| m.name.as_str()).collect();
        let i = *index.get(&config_key(&names, data, &addr.resource_type, &addr.name))?;
        module.resources.get(i)
    }

    /// The value of a root module variable, as raw JSON.
    pub fn variable(&self, name: &str) -> Option<&'a RawValue> {
        self.variables.get(name).and_then(|v| v.value)
    }

    /// The prior state, parsed (lazily: only commands that need it pay for it).
    pub fn prior_state(&self, file: &InputFile) -> Result<Option<State<'a>>> {
        match self.prior_state {
            Some(raw) if raw.get() != "null" => state::parse_show_json_values(raw, file).map(Some),
            _ => Ok(None),
        }
    }
}
