//! Costing a plan or state: the subject of each resource (its values before and after, its
//! configuration), its region, the resources it references (a launch template), and its cost
//! through the registry, in parallel.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::cost::{self, Ctx, LineItem, Other, Reference, Referrer, ResourceCost, Support};
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

    // The other resources, for types priced from another resource (ASG → launch template,
    // replication group ← autoscaling target): indexes built on first use, once per estimate.
    let others = Neighbourhood::new(plan, &subjects);
    let regions = region::Resolver::new(plan, opts.region.as_deref(), cost::provider_of);

    let mut resources: Vec<ResourceEstimate> = subjects
        .par_iter()
        .map(|s| estimate_one(s, plan, &regions, catalog, usage, &others))
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
    others: &dyn cost::Neighbours<'a>,
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
                    usages: usage,
                    others,
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

/// The other resources of an estimate's input, for the cost functions that read them
/// ([`cost::Neighbours`]). Every index borrows the subjects and is built at most once per estimate,
/// on first use: by address, by type, and per [`Referrer`] (the reverse references of its
/// attribute) or per type and attribute (by value).
struct Neighbourhood<'s, 'a> {
    plan: Option<&'a Plan<'a>>,
    subjects: &'s [Subject<'a>],
    by_address: OnceLock<HashMap<&'s str, usize>>,
    by_type: OnceLock<HashMap<&'a str, Vec<usize>>>,
    reverse: Mutex<HashMap<TypeAttr, Arc<OnceLock<Reverse<'a>>>>>,
    values: Mutex<HashMap<TypeAttr, Arc<OnceLock<ByValue<'a>>>>>,
}

/// A resource type and one of its attributes.
type TypeAttr = (&'static str, &'static str);

/// Subjects (by index) by the string value of one attribute.
type ByValue<'a> = HashMap<Cow<'a, str>, Vec<usize>>;

/// The references of one [`Referrer`]: which resources its sources refer to.
#[derive(Default)]
struct Reverse<'a> {
    /// Referred resource → the sources whose configuration expression for the attribute
    /// references it.
    by_target: HashMap<usize, Vec<usize>>,
    /// The sources that the configuration did not place (a state, or an expression without
    /// resource references), by their attribute's value, whole and by its last `/`-separated
    /// segment (`replication-group/ID`).
    unplaced: ByValue<'a>,
}

/// Words that begin a reference to something other than a managed resource.
const NOT_RESOURCES: &[&str] = &[
    "var",
    "local",
    "data",
    "module",
    "each",
    "count",
    "path",
    "self",
    "terraform",
];

impl<'s, 'a> Neighbourhood<'s, 'a> {
    fn new(plan: Option<&'a Plan<'a>>, subjects: &'s [Subject<'a>]) -> Self {
        Neighbourhood {
            plan,
            subjects,
            by_address: OnceLock::new(),
            by_type: OnceLock::new(),
            reverse: Mutex::new(HashMap::new()),
            values: Mutex::new(HashMap::new()),
        }
    }

    fn by_address(&self) -> &HashMap<&'s str, usize> {
        self.by_address.get_or_init(|| {
            self.subjects
                .iter()
                .enumerate()
                .map(|(i, s)| (s.address.as_ref(), i))
                .collect()
        })
    }

    fn of_type(&self, resource_type: &str) -> &[usize] {
        let by_type = self.by_type.get_or_init(|| {
            let mut m: HashMap<&'a str, Vec<usize>> = HashMap::new();
            for (i, s) in self.subjects.iter().enumerate() {
                m.entry(s.resource_type).or_default().push(i);
            }
            m
        });
        by_type.get(resource_type).map_or(&[], Vec::as_slice)
    }

    fn attrs(&self, i: usize) -> Option<Attrs<'a>> {
        let s = &self.subjects[i];
        s.after_attrs().or_else(|| s.before_attrs())
    }

    fn other(&self, i: usize) -> Option<Other<'a>> {
        Some(Other {
            address: self.subjects[i].address(),
            attrs: self.attrs(i)?,
        })
    }

    /// The subjects at `found`, once each, in address order.
    fn others(&self, mut found: Vec<usize>) -> Vec<Other<'a>> {
        found.sort_unstable_by(|a, b| self.subjects[*a].address.cmp(&self.subjects[*b].address));
        found.dedup();
        found.into_iter().filter_map(|i| self.other(i)).collect()
    }

    /// The index of a `key` kept in one of the per-key maps, built once by `build`.
    fn cached<T>(
        map: &Mutex<HashMap<TypeAttr, Arc<OnceLock<T>>>>,
        key: TypeAttr,
        build: impl FnOnce() -> T,
    ) -> Arc<OnceLock<T>> {
        let cell = map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key)
            .or_default()
            .clone();
        cell.get_or_init(build);
        cell
    }

    /// The subject named by one configuration reference (`aws_launch_template.web.id`) of the
    /// resource at `from`, in `from`'s module: the reference drops a computed index
    /// (`aws_x.y[count.index]`), so `from`'s own index is tried first.
    fn resolve(&self, from: &Address, reference: &str, target_type: Option<&str>) -> Option<usize> {
        let mut parts = reference.split('.');
        let rtype = parts.next()?;
        if target_type.is_some_and(|t| t != rtype) || NOT_RESOURCES.contains(&rtype) {
            return None;
        }
        let name = parts.next()?;
        let mut module_prefix = from.module_path();
        if !module_prefix.is_empty() {
            module_prefix.push('.');
        }
        let base = format!("{module_prefix}{rtype}.{name}");
        let name_only = name.split('[').next().unwrap_or(name);
        let same_index = from
            .key
            .as_ref()
            .map(|k| format!("{module_prefix}{rtype}.{name_only}{k}"))
            .unwrap_or_default();
        let index = self.by_address();
        [
            same_index,
            base.clone(),
            format!("{module_prefix}{rtype}.{name_only}"),
            format!("{base}[0]"),
        ]
        .iter()
        .find_map(|c| index.get(c.as_str()).copied())
    }

    /// The references recorded in the configuration for `attribute` of the resource at `from`.
    fn configured_refs(&self, from: &Address, attribute: &str) -> Vec<String> {
        let Some(expr) = self
            .plan
            .and_then(|p| p.config_resource(from))
            .and_then(|r| r.expressions)
        else {
            return Vec::new();
        };
        let Some(raw) = Attrs::new(Some(expr), None).raw(attribute) else {
            return Vec::new();
        };
        let mut refs = Vec::new();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw.get()) {
            collect_refs(Some(&v), &mut refs);
        }
        refs
    }

    fn build_reverse(&self, r: &Referrer) -> Reverse<'a> {
        let mut rev = Reverse::default();
        for &i in self.of_type(r.source_type) {
            let from = self.subjects[i].address();
            let mut placed = false;
            for reference in self.configured_refs(&from, r.attribute) {
                if let Some(t) = self.resolve(&from, &reference, None) {
                    placed = true;
                    let sources = rev.by_target.entry(t).or_default();
                    if sources.last() != Some(&i) {
                        sources.push(i);
                    }
                }
            }
            if placed {
                continue;
            }
            let Some(value) = self.attrs(i).and_then(|a| a.str(r.attribute).known()) else {
                continue;
            };
            if let Some(at) = value.rfind('/').filter(|at| at + 1 < value.len()) {
                let segment = match &value {
                    Cow::Borrowed(v) => Cow::Borrowed(&v[at + 1..]),
                    Cow::Owned(v) => Cow::Owned(v[at + 1..].to_string()),
                };
                rev.unplaced.entry(segment).or_default().push(i);
            }
            rev.unplaced.entry(value).or_default().push(i);
        }
        rev
    }

    fn build_values(&self, resource_type: &str, attribute: &str) -> ByValue<'a> {
        let mut m: ByValue<'a> = HashMap::new();
        for &i in self.of_type(resource_type) {
            if let Some(v) = self.attrs(i).and_then(|a| a.str(attribute).known()) {
                m.entry(v).or_default().push(i);
            }
        }
        m
    }

    fn values_of(
        &self,
        resource_type: &'static str,
        attribute: &'static str,
    ) -> Arc<OnceLock<ByValue<'a>>> {
        Self::cached(&self.values, (resource_type, attribute), || {
            self.build_values(resource_type, attribute)
        })
    }
}

impl<'a> cost::Neighbours<'a> for Neighbourhood<'_, 'a> {
    /// By the configuration's references (`aws_launch_template.foo.id`), else by the name the
    /// referring resource gives ([`Reference::name_at`]).
    fn referenced(&self, from: &Address, reference: &Reference) -> Option<Other<'a>> {
        let found = self
            .configured_refs(from, reference.attribute)
            .iter()
            .find_map(|r| self.resolve(from, r, Some(reference.target)));
        if let Some(i) = found {
            return self.other(i);
        }
        let me = *self.by_address().get(from.to_string().as_str())?;
        let wanted = reference.name_in(&self.attrs(me)?)?;
        let by_name = self.values_of(reference.target, "name");
        let mut found = by_name.get()?.get(wanted.as_ref())?.clone();
        found.retain(|i| *i != me);
        self.others(found).into_iter().next()
    }

    fn referrers(&self, to: &Address, referrer: &Referrer) -> Vec<Other<'a>> {
        let Some(&target) = self.by_address().get(to.to_string().as_str()) else {
            return Vec::new();
        };
        let rev = Self::cached(
            &self.reverse,
            (referrer.source_type, referrer.attribute),
            || self.build_reverse(referrer),
        );
        let Some(rev) = rev.get() else {
            return Vec::new();
        };
        let mut found = rev.by_target.get(&target).cloned().unwrap_or_default();
        if !rev.unplaced.is_empty() {
            if let Some(attrs) = self.attrs(target) {
                for key in referrer.matches {
                    if let Some(v) = attrs.str(key).known() {
                        found.extend(rev.unplaced.get(v.as_ref()).into_iter().flatten());
                    }
                }
            }
        }
        found.retain(|i| *i != target);
        self.others(found)
    }

    fn with_value(&self, of: &Referrer, value: &str) -> Vec<Other<'a>> {
        let index = self.values_of(of.source_type, of.attribute);
        match index.get().and_then(|m| m.get(value)) {
            Some(found) => self.others(found.clone()),
            None => Vec::new(),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::Neighbours;
    use crate::{parse_document, InputFile};

    fn read(path: &str) -> InputFile {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(path);
        InputFile::read(&path).unwrap()
    }

    fn subjects<'a>(doc: &'a Document<'a>) -> Vec<Subject<'a>> {
        match doc {
            Document::Plan(plan) => plan
                .resource_changes
                .iter()
                .filter(|rc| !rc.is_data())
                .map(subject_of_change)
                .collect(),
            Document::State(st) => st
                .resources
                .iter()
                .map(|r| unchanged(&r.address, r.values.as_deref()))
                .collect(),
        }
    }

    fn addresses(others: Vec<Other<'_>>) -> Vec<String> {
        others.iter().map(|o| o.address.to_string()).collect()
    }

    const TARGET: Referrer = Referrer {
        source_type: "aws_appautoscaling_target",
        attribute: "resource_id",
        matches: &["id", "arn", "replication_group_id"],
    };

    /// The real plan of `fixtures/refs`: referrers by the configuration's references, and by a
    /// literal `resource_id` where the configuration has none.
    #[test]
    fn referrers_in_a_plan() {
        let file = read("fixtures/plans/refs.json");
        let (doc, _) = parse_document(&file).unwrap();
        let Document::Plan(plan) = &doc else {
            panic!("a plan")
        };
        let subjects = subjects(&doc);
        let n = Neighbourhood::new(Some(plan), &subjects);
        let of = |addr: &str, r: &Referrer| addresses(n.referrers(&addr.parse().unwrap(), r));
        let rg = "aws_elasticache_replication_group";
        assert_eq!(
            of(&format!("{rg}.shards"), &TARGET),
            ["aws_appautoscaling_target.shards"]
        );
        assert_eq!(
            of(&format!("{rg}.replicas"), &TARGET),
            ["aws_appautoscaling_target.replicas"]
        );
        assert_eq!(
            of(&format!("{rg}.literal"), &TARGET),
            ["aws_appautoscaling_target.literal"]
        );
        // `table/rg-plain` names a table, by the same last segment as this group's id: only the
        // caller can tell them apart (by service_namespace).
        assert_eq!(
            of(&format!("{rg}.plain"), &TARGET),
            ["aws_appautoscaling_target.table"]
        );
        assert_eq!(
            of("aws_msk_cluster.autoscaled", &TARGET),
            ["aws_appautoscaling_target.msk_storage"]
        );
        let subscription = Referrer {
            source_type: "aws_sns_topic_subscription",
            attribute: "topic_arn",
            matches: &["arn"],
        };
        assert_eq!(
            of("aws_sns_topic.orders", &subscription),
            [
                "aws_sns_topic_subscription.orders[0]",
                "aws_sns_topic_subscription.orders[1]",
                "aws_sns_topic_subscription.orders[2]"
            ]
        );
        assert!(of("aws_sns_topic.unsubscribed", &subscription).is_empty());
        // Each cluster has its own capacity providers, though every cluster name is known in the
        // plan: the configuration's references decide.
        let providers = Referrer {
            source_type: "aws_ecs_cluster_capacity_providers",
            attribute: "cluster_name",
            matches: &["name"],
        };
        for c in ["fargate", "spot", "no_default"] {
            assert_eq!(
                of(&format!("aws_ecs_cluster.{c}"), &providers),
                [format!("aws_ecs_cluster_capacity_providers.{c}")]
            );
        }
        assert!(of("aws_ecs_service.fargate", &providers).is_empty());
    }

    /// A state has no configuration: referrers by literal ids, and resources by value.
    #[test]
    fn referrers_and_values_in_a_state() {
        let file = read("fixtures/states/attached-volume.tfstate");
        let (doc, _) = parse_document(&file).unwrap();
        let subjects = subjects(&doc);
        let n = Neighbourhood::new(None, &subjects);
        let attachment = Referrer {
            source_type: "aws_volume_attachment",
            attribute: "volume_id",
            matches: &["id"],
        };
        assert_eq!(
            addresses(n.referrers(&"aws_ebs_volume.data".parse().unwrap(), &attachment)),
            ["aws_volume_attachment.data"]
        );
        let volume_id = Referrer {
            source_type: "aws_ebs_volume",
            attribute: "id",
            matches: &[],
        };
        assert_eq!(
            addresses(n.with_value(&volume_id, "vol-0d0000000000000a1")),
            ["aws_ebs_volume.data"]
        );
        assert!(n.with_value(&volume_id, "vol-0d0000000000000b1").is_empty());
        assert_eq!(
            addresses(n.with_value(&attachment, "vol-0d0000000000000b1")),
            ["aws_volume_attachment.legacy"]
        );
    }
}
