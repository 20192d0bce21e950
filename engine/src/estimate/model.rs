//! The estimate model: per resource its cost sides and line items, subtotals per module, the
//! unpriced and usage-based lists, counts, and the JSON written (`costfix.estimate/v1`).

use std::collections::BTreeMap;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::cost::{opt_dec, ser_dec, LineItem, Support};
use crate::terraform::plan::{ChangeKind, Warning};
use crate::terraform::region::RegionSource;

/// One side (before or after) of a resource's cost.
#[derive(Debug, Clone, PartialEq)]
pub struct CostSide {
    pub monthly: Decimal,
    /// Shared: an unchanged resource's two sides are one list.
    pub items: std::sync::Arc<Vec<LineItem>>,
}

/// How completely a resource is priced. A figure built from resources that are not all
/// [`Coverage::Priced`] or [`Coverage::Free`] is a lower bound, and reports say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Every component has a price (or a unit price, for usage-based ones).
    Priced,
    /// Known to cost nothing by itself.
    Free,
    /// Some components have a price, others none (their reasons are in `unpriced`).
    Partial,
    /// Its type has a cost model but none of its components has a price (a region outside the
    /// catalog, an engine it does not cover, ...).
    Unpriced,
    /// No cost model for its type yet.
    NoModel,
}

impl Coverage {
    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Priced => "priced",
            Coverage::Free => "free",
            Coverage::Partial => "partial",
            Coverage::Unpriced => "unpriced",
            Coverage::NoModel => "no_model",
        }
    }

    /// Whether the resource's figure is all of its cost.
    pub fn is_complete(self) -> bool {
        matches!(self, Coverage::Priced | Coverage::Free)
    }

    /// Whether none of the resource's cost is known (no model, or no component priced).
    pub fn is_not_priced(self) -> bool {
        matches!(self, Coverage::Unpriced | Coverage::NoModel)
    }
}

impl CostSide {
    /// The side's monthly cost, unless none of its components has a price: then its cost is not
    /// known at all, and is never shown as $0.
    pub fn known(&self) -> Option<Decimal> {
        let unknown = !self.items.is_empty()
            && self
                .items
                .iter()
                .all(|i| i.status == crate::cost::ItemStatus::Unpriced);
        (!unknown).then_some(self.monthly)
    }
}

/// The estimate of one resource instance.
///
/// In JSON (see `docs/json-schema.md`) the components are written once: `items` holds the after
/// side (the before side for a deleted resource), and `items_before` appears only when both sides
/// exist and their components differ.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceEstimate {
    pub address: String,
    pub module: String,
    pub resource_type: String,
    pub action: ChangeKind,
    pub region: Option<String>,
    pub region_source: Option<RegionSource>,
    pub before: Option<CostSide>,
    pub after: Option<CostSide>,
    pub delta: Decimal,
    /// The resource's tags (`tags_all` when known, else `tags`), for budgets and policies.
    pub tags: BTreeMap<String, String>,
    /// How the type is treated (derived from the type; not serialised).
    pub support: Support,
}

impl Serialize for ResourceEstimate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'r> {
            address: &'r str,
            module: &'r str,
            #[serde(rename = "type")]
            resource_type: &'r str,
            action: ChangeKind,
            #[serde(skip_serializing_if = "Option::is_none")]
            region: Option<&'r str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            region_source: Option<RegionSource>,
            #[serde(with = "opt_dec")]
            monthly_before: Option<Decimal>,
            #[serde(with = "opt_dec")]
            monthly_after: Option<Decimal>,
            #[serde(serialize_with = "ser_dec")]
            delta: Decimal,
            pricing: Coverage,
            items: &'r [LineItem],
            #[serde(skip_serializing_if = "Option::is_none")]
            items_before: Option<&'r [LineItem]>,
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            tags: &'r BTreeMap<String, String>,
        }
        let items = self
            .after
            .as_ref()
            .or(self.before.as_ref())
            .map_or(&[][..], |c| c.items.as_slice());
        let items_before = match (&self.before, &self.after) {
            (Some(b), Some(a)) if b.items != a.items => Some(b.items.as_slice()),
            _ => None,
        };
        Json {
            address: &self.address,
            module: &self.module,
            resource_type: &self.resource_type,
            action: self.action,
            region: self.region.as_deref(),
            region_source: self.region_source,
            monthly_before: self.before.as_ref().and_then(CostSide::known),
            monthly_after: self.after.as_ref().and_then(CostSide::known),
            delta: self.delta,
            pricing: self.coverage(),
            items,
            items_before,
            tags: &self.tags,
        }
        .serialize(s)
    }
}

impl ResourceEstimate {
    pub fn before_monthly(&self) -> Decimal {
        self.before.as_ref().map_or(Decimal::ZERO, |s| s.monthly)
    }
    pub fn after_monthly(&self) -> Decimal {
        self.after.as_ref().map_or(Decimal::ZERO, |s| s.monthly)
    }
    pub(crate) fn sides(&self) -> impl Iterator<Item = &CostSide> {
        self.before.iter().chain(self.after.iter())
    }

    /// How completely the resource is priced, over the components of both sides.
    pub fn coverage(&self) -> Coverage {
        match self.support {
            Support::Free => Coverage::Free,
            Support::Unsupported => Coverage::NoModel,
            Support::Priced => {
                let (mut unpriced, mut other) = (false, false);
                for i in self.sides().flat_map(|s| s.items.iter()) {
                    if i.status == crate::cost::ItemStatus::Unpriced {
                        unpriced = true;
                    } else {
                        other = true;
                    }
                }
                match (unpriced, other) {
                    (false, _) => Coverage::Priced,
                    (true, true) => Coverage::Partial,
                    (true, false) => Coverage::Unpriced,
                }
            }
        }
    }

    /// Whether some of the resource's cost after the change is unknown (it exists after the
    /// change and is not completely priced there).
    pub fn after_incomplete(&self) -> bool {
        match self.support {
            Support::Free => false,
            Support::Unsupported => !matches!(self.action, ChangeKind::Delete | ChangeKind::Forget),
            Support::Priced => self.after.as_ref().is_some_and(|s| {
                s.items
                    .iter()
                    .any(|i| i.status == crate::cost::ItemStatus::Unpriced)
            }),
        }
    }

    /// Whether the resource's cost change is unknown: it changes and is not completely priced.
    pub fn delta_incomplete(&self) -> bool {
        self.action != ChangeKind::NoOp && !self.coverage().is_complete()
    }
}

/// Before, after and delta of a set of resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Subtotal {
    #[serde(serialize_with = "ser_dec")]
    pub before: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub after: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub delta: Decimal,
}

impl Subtotal {
    pub(crate) fn add(&mut self, r: &ResourceEstimate) {
        self.before += r.before_monthly();
        self.after += r.after_monthly();
        self.delta = self.after - self.before;
    }
}

/// A module's subtotal (`""` is the root module).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModuleSubtotal {
    pub module: String,
    pub resources: usize,
    #[serde(flatten)]
    pub cost: Subtotal,
}

/// An item without a price, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnpricedItem {
    pub address: String,
    pub side: &'static str,
    pub item: String,
    pub reason: String,
}

/// An item whose cost depends on usage the usage file does not give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageBasedItem {
    pub address: String,
    pub item: String,
    pub unit: String,
    #[serde(with = "opt_dec")]
    pub unit_price: Option<Decimal>,
}

/// Resource types without a cost model, with how many resources each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeCount {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub count: usize,
}

/// What was estimated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputInfo {
    pub file: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_version: Option<String>,
}

/// The catalog used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogInfo {
    /// As-of date of the price table of each service priced in this estimate.
    pub as_of: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<String>,
}

/// Counts of resources by how they were treated.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub resources: usize,
    /// Resources with at least one priced (or usage-based) component: [`Coverage::Priced`] and
    /// [`Coverage::Partial`].
    pub priced: usize,
    pub free: usize,
    /// Resources whose type has a cost model but none of whose components has a price.
    pub unpriced: usize,
    /// Resources whose type has no cost model yet.
    pub unsupported: usize,
    /// Resources with at least one unpriced component ([`Coverage::Partial`] and
    /// [`Coverage::Unpriced`]).
    pub with_unpriced_items: usize,
}

impl Counts {
    /// Resources none of whose cost is known.
    pub fn not_priced(&self) -> usize {
        self.unpriced + self.unsupported
    }

    /// Whether every resource is completely priced or free, so totals are the whole cost.
    pub fn complete(&self) -> bool {
        self.unsupported == 0 && self.with_unpriced_items == 0
    }
}

/// A resource none of whose cost is known, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotPriced {
    pub address: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub pricing: Coverage,
    /// The first reason of its unpriced components, or "no cost model for TYPE yet".
    pub reason: String,
}

/// A whole estimate (or a diff of two).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub schema_version: &'static str,
    pub currency: &'static str,
    pub inputs: Vec<InputInfo>,
    pub catalog: CatalogInfo,
    pub resources: Vec<ResourceEstimate>,
    pub modules: Vec<ModuleSubtotal>,
    pub totals: Subtotal,
    /// Whether the totals are the whole cost: every resource priced completely or free.
    pub complete: bool,
    pub counts: Counts,
    pub unpriced: Vec<UnpricedItem>,
    pub usage_based: Vec<UsageBasedItem>,
    pub unsupported: Vec<TypeCount>,
    /// Resources none of whose cost is known, in address order.
    pub not_priced: Vec<NotPriced>,
    pub warnings: Vec<Warning>,
}

impl Estimate {
    /// Write the JSON document (the same as `serde_json::to_writer`), serialising the resources
    /// in parallel: on a large plan they are almost all of the output.
    pub fn write_json<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        let chunks: Vec<Vec<u8>> = self
            .resources
            .par_chunks(1024)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 512);
                for (i, r) in chunk.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    serde_json::to_writer(&mut buf, r).expect("an estimate serialises");
                }
                buf
            })
            .collect();
        let field = |w: &mut W, name: &str, first: bool| -> std::io::Result<()> {
            if !first {
                w.write_all(b",")?;
            }
            write!(w, "\"{name}\":")
        };
        w.write_all(b"{")?;
        field(&mut w, "schema_version", true)?;
        serde_json::to_writer(&mut w, &self.schema_version)?;
        field(&mut w, "currency", false)?;
        serde_json::to_writer(&mut w, &self.currency)?;
        field(&mut w, "inputs", false)?;
        serde_json::to_writer(&mut w, &self.inputs)?;
        field(&mut w, "catalog", false)?;
        serde_json::to_writer(&mut w, &self.catalog)?;
        field(&mut w, "resources", false)?;
        w.write_all(b"[")?;
        for (i, c) in chunks.iter().filter(|c| !c.is_empty()).enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            w.write_all(c)?;
        }
        w.write_all(b"]")?;
        field(&mut w, "modules", false)?;
        serde_json::to_writer(&mut w, &self.modules)?;
        field(&mut w, "totals", false)?;
        serde_json::to_writer(&mut w, &self.totals)?;
        field(&mut w, "complete", false)?;
        serde_json::to_writer(&mut w, &self.complete)?;
        field(&mut w, "counts", false)?;
        serde_json::to_writer(&mut w, &self.counts)?;
        field(&mut w, "unpriced", false)?;
        serde_json::to_writer(&mut w, &self.unpriced)?;
        field(&mut w, "usage_based", false)?;
        serde_json::to_writer(&mut w, &self.usage_based)?;
        field(&mut w, "unsupported", false)?;
        serde_json::to_writer(&mut w, &self.unsupported)?;
        field(&mut w, "not_priced", false)?;
        serde_json::to_writer(&mut w, &self.not_priced)?;
        field(&mut w, "warnings", false)?;
        serde_json::to_writer(&mut w, &self.warnings)?;
        w.write_all(b"}")
    }
}
