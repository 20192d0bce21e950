//! Costing a plan or state: the subject of each resource (its values before and after, its
//! configuration), its region, the resources it references (a launch template), and its cost
//! through the registry, in parallel.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::cost::{self, Ctx, LineItem, Reference, ResourceCost, Support};
use crate::pricing::usage::Usage;
use crate::pricing::Catalog;
use crate::terraform::address::{Address, Mode};
use crate::terraform::plan::{ChangeKind, Document, Plan, ResourceChange, Warning};
use crate::terraform::region::{self};
use crate::terraform::state::State;
use crate::terraform::values::Attrs;

use super::*;

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
                    .map(|r| unchanged(&r.address, r.values.as_deref()))
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
                .map(|r| unchanged(&r.address, r.values.as_deref()))
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
    let regions = region::Resolver::new(plan, opts.region.as_deref(), cost::provider_of);

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
    // A type priced only from global prices (Route 53) needs no region.
    let global = region.is_none()
        && cost::services(s.resource_type)
            .iter()
            .all(|svc| catalog.is_global_service(svc));
    let usage_entry = usage.get(&address);
    let config = plan
        .and_then(|p| p.config_resource(&address))
        .and_then(|c| c.expressions)
        .map(|e| Attrs::new(Some(e), None));
    let side = |attrs: &Attrs<'a>| -> CostSide {
        let priced_in = match &region {
            Some((r, _)) => Some(r.as_str()),
            None if global => Some(crate::pricing::catalog::GLOBAL),
            None => None,
        };
        let cost = match priced_in {
            Some(r) => {
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
    est.region = match &region {
        Some(r) => Some(r.0.clone()),
        None if global => Some(crate::pricing::catalog::GLOBAL.to_string()),
        None => None,
    };
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
