//! Costing a plan or state: the subject of each resource (its values before and after, its
//! configuration), its region, the resources it references (a launch template), and its cost
//! through the registry, in parallel.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::cost::{self, Ctx, LineItem, ResourceCost, Support};
use crate::pricing::usage::Usage;
use crate::pricing::Catalog;
use crate::terraform::address::{Address, Mode};
use crate::terraform::plan::{ChangeKind, Document, Plan, ResourceChange, Warning};
use crate::terraform::region::{self};
use crate::terraform::state::State;
use crate::terraform::values::Attrs;

use super::neighbourhood::Neighbourhood;
use super::*;

/// What to estimate: a resource, its change, and the raw attribute values on each side. Values are
/// parsed only for priced types, inside the parallel loop, and dropped as soon as they are costed.
pub(super) struct Subject<'a> {
    /// The address as the input wrote it.
    pub(super) address: Cow<'a, str>,
    /// The parsed address, when the input gave one (states).
    pub(super) parsed: Option<&'a Address>,
    pub(super) module: Cow<'a, str>,
    pub(super) resource_type: &'a str,
    pub(super) kind: ChangeKind,
    pub(super) support: Support,
    pub(super) before: Option<&'a RawValue>,
    pub(super) after: Option<&'a RawValue>,
    pub(super) after_unknown: Option<&'a RawValue>,
}

impl<'a> Subject<'a> {
    pub(super) fn address(&self) -> Address {
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

    pub(super) fn after_attrs(&self) -> Option<Attrs<'a>> {
        self.after.map(|a| Attrs::new(Some(a), self.after_unknown))
    }

    pub(super) fn before_attrs(&self) -> Option<Attrs<'a>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::{Neighbours, Other, Referrer};
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
