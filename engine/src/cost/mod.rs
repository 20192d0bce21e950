//! The cost model: one file per priced resource type (`aws/nat_gateway.rs`, ...), from a resource's
//! attribute values (and usage) to priced line items. Unpriced and usage-based items are values,
//! not errors.
//!
//! Each type file holds a `pub const TYPE: PricedType` (its name, cloud, catalog services, the other
//! resources it reads and its cost function) and a `//!` doc comment saying what is priced; the
//! [`REGISTRY`] lists them all, and everything per type is derived from it: [`support`],
//! [`cost_resource`], the as-of services of an estimate and the table of `docs/cost-model.md`.
//! Adding a priced type is its file plus one line in `aws/mod.rs`.
//!
//! Conventions: a month is 730 hours; quantities are monthly; prices come only from the
//! [`Catalog`] for the resource's own region. Defaults that AWS applies when an attribute is not set
//! (a gp2 volume type, an 8 GB root volume, ...) are used and named in the item's `note`.

mod aws;
mod catalogue;
mod ctx;
mod registry;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::pricing::usage::Usage;
use crate::pricing::Catalog;
use crate::terraform::address::Address;
use crate::terraform::values::{Attrs, Field};

pub use aws::REGISTRY;
pub use catalogue::{catalogue_markdown, with_current_catalogue};
pub use ctx::{Ctx, Neighbours, NoNeighbours, Other};
pub use registry::{
    cost_resource, find, provider_of, services, support, Cloud, CostFn, PricedType, Reference,
    Referrer, Support,
};

/// Whether an item has a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Priced from the resource's attributes (or from usage, see `LineItem::from_usage`).
    Priced,
    /// Depends on usage that the usage file does not give: unit price only.
    UsageBased,
    /// No price: `note` says why.
    Unpriced,
}

/// One cost component of a resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    pub name: String,
    /// Sub-component this item belongs to (`root_block_device`, `ebs_block_device[0]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub unit: String,
    #[serde(with = "opt_dec")]
    pub quantity: Option<Decimal>,
    #[serde(with = "opt_dec")]
    pub unit_price: Option<Decimal>,
    #[serde(with = "opt_dec")]
    pub monthly: Option<Decimal>,
    pub status: ItemStatus,
    /// The quantity came from the usage file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_usage: bool,
    /// Why it is unpriced, or an assumption made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A decimal as a JSON string without trailing zeros (`"0.1"`, not `"0.10"`): how every report
/// writes money and quantities.
pub(crate) fn ser_dec<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.normalize().to_string())
}

/// `Option<Decimal>` as [`ser_dec`] writes it (or null), both ways.
pub(crate) mod opt_dec {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => super::ser_dec(d, s),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| s.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// [`opt_dec`] under the name the fields that are also read back use.
pub(crate) use opt_dec as opt_dec_de;

/// The cost of one resource in one state (before or after).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResourceCost {
    pub items: Vec<LineItem>,
}

impl ResourceCost {
    /// Sum of priced items.
    pub fn monthly(&self) -> Decimal {
        self.items.iter().filter_map(|i| i.monthly).sum()
    }
    pub fn has_unpriced(&self) -> bool {
        self.items.iter().any(|i| i.status == ItemStatus::Unpriced)
    }
    pub fn has_usage_based(&self) -> bool {
        self.items
            .iter()
            .any(|i| i.status == ItemStatus::UsageBased)
    }
}

impl LineItem {
    /// A priced item: `quantity × unit_price`.
    pub fn priced(
        name: impl Into<String>,
        unit: &str,
        quantity: Decimal,
        unit_price: Decimal,
        from_usage: bool,
    ) -> LineItem {
        LineItem {
            name: name.into(),
            group: None,
            unit: unit.into(),
            quantity: Some(quantity),
            unit_price: Some(unit_price),
            monthly: Some(quantity * unit_price),
            status: ItemStatus::Priced,
            from_usage,
            note: None,
        }
    }

    pub fn unpriced(
        name: impl Into<String>,
        unit: &str,
        quantity: Option<Decimal>,
        reason: String,
    ) -> LineItem {
        LineItem {
            name: name.into(),
            group: None,
            unit: unit.into(),
            quantity,
            unit_price: None,
            monthly: None,
            status: ItemStatus::Unpriced,
            from_usage: false,
            note: Some(reason),
        }
    }

    pub fn in_group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    pub fn with_note(mut self, note: Option<String>) -> Self {
        if note.is_some() && self.note.is_none() {
            self.note = note;
        }
        self
    }
}

/// Cost one resource from attribute values given as JSON (a rule's proposal applied to the
/// planned values), through the same cost model as [`crate::estimate::estimate`]. Types priced
/// from another resource (an autoscaling group from its launch template, a replication group from
/// its autoscaling targets) see no other resource here.
#[allow(clippy::too_many_arguments)]
pub fn cost_values(
    address: &Address,
    resource_type: &str,
    values: &serde_json::Value,
    unknown: &serde_json::Value,
    config: Option<&RawValue>,
    region: &str,
    catalog: &Catalog,
    usage: &Usage,
) -> ResourceCost {
    let values = serde_json::value::to_raw_value(values).expect("a JSON value serialises");
    let unknown = serde_json::value::to_raw_value(unknown).expect("a JSON value serialises");
    let attrs = Attrs::new(Some(&values), Some(&unknown));
    let config = config.map(|c| Attrs::new(Some(c), None));
    let ctx = Ctx {
        catalog,
        region,
        address,
        usage: usage.get(address),
        usages: usage,
        others: &NoNeighbours,
        config: config.as_ref(),
    };
    cost_resource(resource_type, &attrs, &ctx).unwrap_or_default()
}

/// The `aws_appautoscaling_target`s that refer to a resource through their `resource_id`, with
/// `matches` the resource's attributes a literal `resource_id` names (in a state).
pub(crate) const fn autoscaling_targets(matches: &'static [&'static str]) -> Referrer {
    Referrer {
        source_type: "aws_appautoscaling_target",
        attribute: "resource_id",
        matches,
    }
}

/// What an application autoscaling target of the resource sets for one scalable dimension.
pub(crate) struct Scaled {
    /// The target's `capacity` in the usage file, else its `min_capacity`.
    pub capacity: Decimal,
    /// Says where the capacity came from (`aws_appautoscaling_target.x min_capacity 3`).
    pub note: String,
    pub from_usage: bool,
}

/// The capacity that the first `aws_appautoscaling_target` (in address order) of `namespace` and
/// `dimension` referring to the resource through `targets` sets: its usage `capacity`, else its
/// `min_capacity` (as infracost reads it).
pub(crate) fn scaled_capacity(
    ctx: &Ctx<'_, '_>,
    targets: &Referrer,
    namespace: &str,
    dimension: &str,
) -> Option<Scaled> {
    ctx.referrers(targets).into_iter().find_map(|t| {
        let is = |k: &str, v: &str| t.attrs.str(k).known().as_deref() == Some(v);
        if !is("service_namespace", namespace) || !is("scalable_dimension", dimension) {
            return None;
        }
        let usage = ctx.usage_of(&t.address).and_then(|u| u.num(&["capacity"]));
        let (capacity, from) = match usage {
            Some(c) => (c, "capacity in the usage file"),
            None => (t.attrs.num("min_capacity").known()?, "min_capacity"),
        };
        Some(Scaled {
            capacity,
            note: format!("{dimension} {capacity} from {} ({from})", t.address),
            from_usage: usage.is_some(),
        })
    })
}

/// A known string attribute, or the default AWS applies (with a note saying so), or an unknown.
pub(crate) fn str_or_default<'a>(
    attrs: &Attrs<'a>,
    key: &str,
    default: &'static str,
) -> (Field<std::borrow::Cow<'a, str>>, Option<String>) {
    match attrs.str(key) {
        Field::Missing => (
            Field::Known(default.into()),
            Some(format!("{key} not set: assumed {default}")),
        ),
        other => (other, None),
    }
}

pub(crate) fn unknown_item(name: &str, unit: &str, what: &str) -> LineItem {
    LineItem::unpriced(name, unit, None, format!("{what} is unknown until apply"))
}

/// Two notes as one (`a; b`).
pub(crate) fn join_notes(a: Option<String>, b: &str) -> String {
    match a {
        Some(a) => format!("{a}; {b}"),
        None => b.to_string(),
    }
}

pub(crate) fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}
