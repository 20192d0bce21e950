//! Cost estimates: per resource before and after a plan, per module subtotals, totals; and the diff
//! between two estimates (base and head plans). The output model is serialised as the versioned JSON
//! schema documented in `docs/json-schema.md`.

pub mod run;

pub use run::{run, run_diff, DiffRequest, EstimateRequest};

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::cost::{
    self, opt_dec, ser_dec, Ctx, ItemStatus, LineItem, Reference, ResourceCost, Support,
};
use crate::pricing::usage::Usage;
use crate::pricing::Catalog;
use crate::terraform::address::{Address, Mode};
use crate::terraform::plan::{ChangeKind, Document, Plan, ResourceChange, Warning};
use crate::terraform::region::{self, RegionSource};
use crate::terraform::state::State;
use crate::terraform::values::Attrs;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Version of the JSON output schema. Bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "costfix.estimate/v1";

/// Where prices come from: a `--prices` file over the embedded catalog, a usage file, a default
/// region.
#[derive(Debug, Default, Clone)]
pub struct PricingRequest {
    pub prices: Option<std::path::PathBuf>,
    pub usage: Option<std::path::PathBuf>,
    pub region: Option<String>,
}

/// What pricing needs: the catalog (with `--prices` overrides), the usage file and the options.
#[derive(Debug)]
pub struct Pricing {
    pub catalog: Catalog,
    pub usage: Usage,
    pub options: Options,
}

impl Pricing {
    /// The embedded catalog with the overrides of `prices`, the usage of `usage` (none: empty)
    /// and the default region.
    pub fn load(
        prices: Option<&std::path::Path>,
        usage: Option<&std::path::Path>,
        region: Option<String>,
    ) -> crate::Result<Pricing> {
        let mut catalog = Catalog::embedded();
        if let Some(p) = prices {
            catalog.load_overrides(p)?;
        }
        let usage = match usage {
            Some(p) => Usage::load(p)?,
            None => Usage::default(),
        };
        Ok(Pricing {
            catalog,
            usage,
            options: Options { region },
        })
    }

    pub fn load_request(r: &PricingRequest) -> crate::Result<Pricing> {
        Pricing::load(r.prices.as_deref(), r.usage.as_deref(), r.region.clone())
    }

    /// The estimate of a plan or state document with these prices.
    pub fn estimate(&self, doc: &Document<'_>, name: &str, state: Option<&State<'_>>) -> Estimate {
        estimate(doc, name, state, &self.catalog, &self.usage, &self.options)
    }
}

/// Options of an estimate.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Region for resources whose provider configuration does not give one.
    pub region: Option<String>,
}

/// One side (before or after) of a resource's cost.
#[derive(Debug, Clone, PartialEq)]
pub struct CostSide {
    pub monthly: Decimal,
    /// Shared: an unchanged resource's two sides are one list.
    pub items: std::sync::Arc<Vec<LineItem>>,
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
            monthly_before: self.before.as_ref().map(|c| c.monthly),
            monthly_after: self.after.as_ref().map(|c| c.monthly),
            delta: self.delta,
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
    fn sides(&self) -> impl Iterator<Item = &CostSide> {
        self.before.iter().chain(self.after.iter())
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
    fn add(&mut self, r: &ResourceEstimate) {
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
    pub priced: usize,
    pub free: usize,
    pub unsupported: usize,
    pub with_unpriced_items: usize,
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
    pub counts: Counts,
    pub unpriced: Vec<UnpricedItem>,
    pub usage_based: Vec<UsageBasedItem>,
    pub unsupported: Vec<TypeCount>,
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
        field(&mut w, "counts", false)?;
        serde_json::to_writer(&mut w, &self.counts)?;
        field(&mut w, "unpriced", false)?;
        serde_json::to_writer(&mut w, &self.unpriced)?;
        field(&mut w, "usage_based", false)?;
        serde_json::to_writer(&mut w, &self.usage_based)?;
        field(&mut w, "unsupported", false)?;
        serde_json::to_writer(&mut w, &self.unsupported)?;
        field(&mut w, "warnings", false)?;
        serde_json::to_writer(&mut w, &self.warnings)?;
        w.write_all(b"}")
    }
}

/// What to estimate: a resource, its change, and the raw attribute values on each side. Values are
/// parsed only for priced types, inside the parallel loop, and dropped as soon as they are costed.
struct Subject<'a> {
    /// The address as the input wrote it.
    address: Cow<'a, str>,
    /// The parsed address, when the input gave one (states).
    parsed: Option<&'a Address>,
    module: Cow<'a, str>,
    resource_type: &'a str,
    kind: ChangeKind,
    support: Support,
    before: Option<&'a RawValue>,
    after: Option<&'a RawValue>,
    after_unknown: Option<&'a RawValue>,
}

impl<'a> Subject<'a> {
    fn address(&self) -> Address {
        match self.parsed {
            Some(a) => a.clone(),
            None => self.address.parse().unwrap_or_else(|_| Address {
                module: Vec::new(),
                mode: Mode::Managed,
                resource_type: self.resource_type.to_string(),
                name: self.address.to_string(),
                key: None,
            }),
        }
    }

    fn after_attrs(&self) -> Option<Attrs<'a>> {
        self.after.map(|a| Attrs::new(Some(a), self.after_unknown))
    }

    fn before_attrs(&self) -> Option<Attrs<'a>> {
        self.before.map(|b| Attrs::new(Some(b), None))
    }
}

/// Estimate a plan or a state document. With `state`, resources of the state that the plan does
/// not change are included as unchanged (useful with `-target` plans).
pub fn estimate(
    doc: &Document<'_>,
    file_name: &str,
    state: Option<&State<'_>>,
    catalog: &Catalog,
    usage: &Usage,
    opts: &Options,
) -> Estimate {
    let mut warnings = Vec::new();
    let (plan, subjects, info) = match doc {
        Document::Plan(plan) => {
            let mut subjects: Vec<Subject<'_>> = plan
                .resource_changes
                .par_iter()
                .filter(|rc| !rc.is_data() && rc.deposed.is_none())
                .map(subject_of_change)
                .collect();
            if let Some(st) = state {
                let seen: std::collections::HashSet<&str> =
                    subjects.iter().map(|s| s.address.as_ref()).collect();
                let extra: Vec<Subject<'_>> = st
                    .resources
                    .iter()
                    .filter(|r| r.deposed.is_none() && r.address.mode == Mode::Managed)
                    .map(|r| unchanged(&r.address, r.values))
                    .filter(|s| !seen.contains(s.address.as_ref()))
                    .collect();
                subjects.extend(extra);
            }
            let info = InputInfo {
                file: file_name.to_string(),
                kind: "plan",
                format_version: plan.format_version.as_deref().map(str::to_owned),
                terraform_version: plan.terraform_version.as_deref().map(str::to_owned),
            };
            (Some(plan.as_ref()), subjects, info)
        }
        Document::State(st) => {
            let subjects = st
                .resources
                .iter()
                .filter(|r| r.deposed.is_none() && r.address.mode == Mode::Managed)
                .map(|r| unchanged(&r.address, r.values))
                .collect();
            let info = InputInfo {
                file: file_name.to_string(),
                kind: "state",
                format_version: st.format_version.as_deref().map(str::to_owned),
                terraform_version: st.terraform_version.as_deref().map(str::to_owned),
            };
            (None, subjects, info)
        }
    };

    // Index of resources by address, for types priced from another resource (ASG → launch
    // template), built on first use.
    let index: std::sync::OnceLock<HashMap<&str, &Subject<'_>>> = std::sync::OnceLock::new();
    let lookup = |addr: &Address, reference: &Reference| -> Option<Attrs<'_>> {
        let index =
            index.get_or_init(|| subjects.iter().map(|s| (s.address.as_ref(), s)).collect());
        find_referenced(plan, index, addr, reference)
    };
    let regions = region::Resolver::new(plan, opts.region.as_deref());

    let mut resources: Vec<ResourceEstimate> = subjects
        .par_iter()
        .map(|s| estimate_one(s, plan, &regions, catalog, usage, &lookup))
        .collect();
    resources.sort_by(|a, b| a.address.cmp(&b.address));

    warnings.extend(no_region_warning(&resources, file_name));
    summarise(resources, vec![info], catalog, warnings)
}

/// How many priced resources have no region, and which provider configuration should give it.
fn no_region_warning(resources: &[ResourceEstimate], file_name: &str) -> Option<Warning> {
    let no_region: Vec<&str> = resources
        .iter()
        .filter(|r| r.region.is_none() && r.support == Support::Priced)
        .map(|r| cloud_label(&r.resource_type))
        .collect();
    if no_region.is_empty() {
        return None;
    }
    let mut clouds = no_region.clone();
    clouds.sort_unstable();
    clouds.dedup();
    Some(Warning {
        file: file_name.to_string(),
        message: format!(
            "{} resource(s) have no region: the plan's {} provider configuration sets none; pass --region",
            no_region.len(),
            clouds.join(" or ")
        ),
    })
}

fn subject_of_change<'a>(rc: &'a ResourceChange<'a>) -> Subject<'a> {
    let kind = rc.change.kind();
    let present = |raw: Option<&'a RawValue>| raw.filter(|r| r.get() != "null");
    Subject {
        address: Cow::Borrowed(&rc.address),
        parsed: None,
        module: match &rc.module_address {
            Some(m) => Cow::Borrowed(m.as_ref()),
            None if rc.address.starts_with("module.") => {
                Cow::Owned(rc.parsed_address().module_path())
            }
            None => Cow::Borrowed(""),
        },
        resource_type: &rc.resource_type,
        kind,
        support: cost::support(&rc.resource_type),
        before: present(rc.change.before).filter(|_| kind.has_before()),
        after: present(rc.change.after).filter(|_| kind.has_after()),
        after_unknown: rc.change.after_unknown,
    }
}

fn unchanged<'a>(addr: &'a Address, values: Option<&'a RawValue>) -> Subject<'a> {
    let values = values
        .filter(|r| r.get() != "null")
        .or(Some(empty_object()));
    Subject {
        address: Cow::Owned(addr.to_string()),
        parsed: Some(addr),
        module: Cow::Owned(addr.module_path()),
        resource_type: &addr.resource_type,
        kind: ChangeKind::NoOp,
        support: cost::support(&addr.resource_type),
        before: values,
        after: values,
        after_unknown: None,
    }
}

/// The one item of a resource without a region.
fn no_region_item(resource_type: &str) -> LineItem {
    LineItem::unpriced(
        "All components",
        "",
        None,
        format!(
            "the region is unknown: the {} provider configuration sets none; pass --region",
            cloud_label(resource_type)
        ),
    )
}

/// `AWS`: the cloud of a priced type, for messages about its provider configuration.
fn cloud_label(resource_type: &str) -> &'static str {
    cost::find(resource_type).map_or("AWS", |t| t.cloud.label())
}

fn empty_object() -> &'static RawValue {
    static EMPTY: std::sync::OnceLock<Box<RawValue>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| RawValue::from_string("{}".into()).expect("valid JSON"))
}

fn estimate_one<'a>(
    s: &Subject<'a>,
    plan: Option<&'a Plan<'a>>,
    regions: &region::Resolver<'a, '_>,
    catalog: &Catalog,
    usage: &Usage,
    lookup: &(dyn Fn(&Address, &Reference) -> Option<Attrs<'a>> + Sync),
) -> ResourceEstimate {
    let mut est = ResourceEstimate {
        address: s.address.to_string(),
        module: s.module.to_string(),
        resource_type: s.resource_type.to_string(),
        action: s.kind,
        region: None,
        region_source: None,
        before: None,
        after: None,
        delta: Decimal::ZERO,
        tags: BTreeMap::new(),
        support: s.support,
    };
    if s.support != Support::Priced {
        return est;
    }
    let address = s.address();
    let after = s.after_attrs();
    // An unchanged resource costs the same on both sides: cost it once.
    let same = s.before.map(RawValue::get) == s.after.map(RawValue::get);
    let before = if same { None } else { s.before_attrs() };
    let region = after
        .as_ref()
        .or(before.as_ref())
        .and_then(|a| regions.resolve(&address, a));
    let usage_entry = usage.get(&address);
    let config = plan
        .and_then(|p| p.config_resource(&address))
        .and_then(|c| c.expressions)
        .map(|e| Attrs::new(Some(e), None));
    let side = |attrs: &Attrs<'a>| -> CostSide {
        let cost = match &region {
            Some((r, _)) => {
                let ctx = Ctx {
                    catalog,
                    region: r,
                    address: &address,
                    usage: usage_entry,
                    lookup,
                    config: config.as_ref(),
                };
                cost::cost_resource(s.resource_type, attrs, &ctx).unwrap_or_default()
            }
            None => ResourceCost {
                items: vec![no_region_item(s.resource_type)],
            },
        };
        CostSide {
            monthly: cost.monthly(),
            items: std::sync::Arc::new(cost.items),
        }
    };
    est.after = after.as_ref().map(side);
    est.before = match (&est.after, same) {
        (Some(a), true) => Some(a.clone()),
        _ => before.as_ref().map(side),
    };
    if let Some(a) = after.as_ref().or(before.as_ref()) {
        let mut tags = a.string_map("tags_all");
        if tags.is_empty() {
            tags = a.string_map("tags");
        }
        est.tags = tags
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    }
    est.region = region.as_ref().map(|r| r.0.clone());
    est.region_source = region.as_ref().map(|r| r.1);
    est.delta = est.after_monthly() - est.before_monthly();
    est
}

/// The resource that the resource at `addr` refers to through `reference` (its `launch_template`
/// or `launch_configuration`): by the configuration's references, else by name.
fn find_referenced<'a>(
    plan: Option<&Plan<'_>>,
    index: &HashMap<&str, &Subject<'a>>,
    addr: &Address,
    reference: &Reference,
) -> Option<Attrs<'a>> {
    let target_type = reference.target;
    let mut module_prefix = addr.module_path();
    if !module_prefix.is_empty() {
        module_prefix.push('.');
    }
    // 1. References in the configuration: `aws_launch_template.foo.id`.
    if let Some(expr) = plan
        .and_then(|p| p.config_resource(addr))
        .and_then(|r| r.expressions)
    {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(expr.get()) {
            let mut refs = Vec::new();
            collect_refs(v.get(reference.attribute), &mut refs);
            for r in refs {
                let mut parts = r.split('.');
                if parts.next() != Some(target_type) {
                    continue;
                }
                let Some(name) = parts.next() else { continue };
                let base = format!("{module_prefix}{target_type}.{name}");
                let name_only = name.split('[').next().unwrap_or(name);
                // `aws_launch_configuration.x[count.index]` (or `.*.id[count.index]`): the
                // configuration's references drop the index, so try the referrer's own index first.
                let same_index = addr
                    .key
                    .as_ref()
                    .map(|k| format!("{module_prefix}{target_type}.{name_only}{k}"))
                    .unwrap_or_default();
                for candidate in [
                    same_index,
                    base.clone(),
                    format!("{module_prefix}{target_type}.{name_only}"),
                    format!("{base}[0]"),
                ] {
                    if let Some(s) = index.get(candidate.as_str()) {
                        return s.after_attrs().or_else(|| s.before_attrs());
                    }
                }
            }
        }
    }
    // 2. By name.
    let me = index.get(addr.to_string().as_str())?;
    let attrs = me.after_attrs().or_else(|| me.before_attrs())?;
    let wanted = reference.name_in(&attrs)?;
    index
        .values()
        .filter(|s| s.resource_type == target_type)
        .find_map(|s| {
            let a = s.after_attrs().or_else(|| s.before_attrs())?;
            (a.str("name").known().as_deref() == Some(wanted.as_ref())).then_some(a)
        })
}

fn collect_refs(v: Option<&serde_json::Value>, out: &mut Vec<String>) {
    match v {
        Some(serde_json::Value::Object(o)) => {
            if let Some(serde_json::Value::Array(refs)) = o.get("references") {
                out.extend(refs.iter().filter_map(|r| r.as_str().map(str::to_owned)));
            }
            for (k, v) in o {
                if k != "references" {
                    collect_refs(Some(v), out);
                }
            }
        }
        Some(serde_json::Value::Array(a)) => a.iter().for_each(|v| collect_refs(Some(v), out)),
        _ => {}
    }
}

/// Totals, module subtotals, unpriced and usage-based lists.
fn summarise(
    resources: Vec<ResourceEstimate>,
    inputs: Vec<InputInfo>,
    catalog: &Catalog,
    warnings: Vec<Warning>,
) -> Estimate {
    let mut totals = Subtotal::default();
    let mut modules: BTreeMap<String, ModuleSubtotal> = BTreeMap::new();
    let mut unpriced = Vec::new();
    let mut usage_based = Vec::new();
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    let mut counts = Counts::default();
    let mut services = std::collections::BTreeSet::new();
    for r in &resources {
        counts.resources += 1;
        match r.support {
            Support::Priced => counts.priced += 1,
            Support::Free => counts.free += 1,
            Support::Unsupported => {
                counts.unsupported += 1;
                *unsupported.entry(r.resource_type.clone()).or_default() += 1;
            }
        }
        totals.add(r);
        let m = modules
            .entry(r.module.clone())
            .or_insert_with(|| ModuleSubtotal {
                module: r.module.clone(),
                resources: 0,
                cost: Subtotal::default(),
            });
        m.resources += 1;
        m.cost.add(r);
        let mut any_unpriced = false;
        for (side_name, side) in [("before", &r.before), ("after", &r.after)] {
            let Some(side) = side else { continue };
            for i in side.items.iter() {
                match i.status {
                    ItemStatus::Unpriced => {
                        any_unpriced = true;
                        // Report an unpriced item once when both sides have it.
                        let dup = side_name == "before"
                            && r.after.as_ref().is_some_and(|a| {
                                a.items
                                    .iter()
                                    .any(|j| j.name == i.name && j.status == ItemStatus::Unpriced)
                            });
                        if !dup {
                            unpriced.push(UnpricedItem {
                                address: r.address.clone(),
                                side: side_name,
                                item: qualified(i),
                                reason: i.note.clone().unwrap_or_default(),
                            });
                        }
                    }
                    ItemStatus::UsageBased if side_name == "after" || r.after.is_none() => {
                        usage_based.push(UsageBasedItem {
                            address: r.address.clone(),
                            item: qualified(i),
                            unit: i.unit.clone(),
                            unit_price: i.unit_price,
                        })
                    }
                    _ => {}
                }
            }
        }
        if any_unpriced {
            counts.with_unpriced_items += 1;
        }
        if r.sides()
            .any(|side| side.items.iter().any(|i| i.unit_price.is_some()))
        {
            services.extend(cost::services(&r.resource_type).iter().copied());
        }
    }
    let as_of = services
        .into_iter()
        .filter_map(|s| catalog.as_of.get(s).map(|d| (s.to_string(), d.clone())))
        .collect();
    Estimate {
        schema_version: SCHEMA_VERSION,
        currency: "USD",
        inputs,
        catalog: CatalogInfo {
            as_of,
            overrides: catalog.overrides.as_ref().map(|p| p.display().to_string()),
        },
        resources,
        modules: modules.into_values().collect(),
        totals,
        counts,
        unpriced,
        usage_based,
        unsupported: unsupported
            .into_iter()
            .map(|(resource_type, count)| TypeCount {
                resource_type,
                count,
            })
            .collect(),
        warnings,
    }
}

fn qualified(i: &LineItem) -> String {
    match &i.group {
        Some(g) => format!("{g}: {}", i.name),
        None => i.name.clone(),
    }
}

/// The cost difference between two estimates: `before` is the base's after-cost, `after` the head's.
pub fn diff(base: &Estimate, head: &Estimate, catalog: &Catalog) -> Estimate {
    let mut by_addr: BTreeMap<&str, (Option<&ResourceEstimate>, Option<&ResourceEstimate>)> =
        BTreeMap::new();
    for r in &base.resources {
        by_addr.entry(&r.address).or_default().0 = Some(r);
    }
    for r in &head.resources {
        by_addr.entry(&r.address).or_default().1 = Some(r);
    }
    let resources = by_addr
        .into_iter()
        .map(|(addr, (b, h))| {
            let before = b.and_then(|r| r.after.clone());
            let after = h.and_then(|r| r.after.clone());
            let any = h.or(b).expect("one side exists");
            let action = match (&before, &after) {
                (None, Some(_)) => ChangeKind::Create,
                (Some(_), None) => ChangeKind::Delete,
                (Some(x), Some(y)) if x != y => ChangeKind::Update,
                _ if b.is_none() => ChangeKind::Create,
                _ if h.is_none() => ChangeKind::Delete,
                _ => ChangeKind::NoOp,
            };
            let mut r = ResourceEstimate {
                address: addr.to_string(),
                module: any.module.clone(),
                resource_type: any.resource_type.clone(),
                action,
                region: any.region.clone(),
                region_source: any.region_source,
                before,
                after,
                delta: Decimal::ZERO,
                tags: any.tags.clone(),
                support: any.support,
            };
            r.delta = r.after_monthly() - r.before_monthly();
            r
        })
        .collect();
    let mut warnings = base.warnings.clone();
    warnings.extend(head.warnings.iter().cloned());
    let inputs = base
        .inputs
        .iter()
        .chain(head.inputs.iter())
        .cloned()
        .collect();
    summarise(resources, inputs, catalog, warnings)
}
