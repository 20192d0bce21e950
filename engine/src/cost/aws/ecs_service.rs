//! `aws_ecs_service`: an ECS service, priced when its tasks run on Fargate.
//!
//! **Components.** For a Fargate service, per task times `desired_count`, all month: vCPU-hours
//! and GB-hours of the task definition's `cpu` and `memory` (`fargate` `vcpu_hour_linux_x86` and
//! `gb_hour_linux_x86`; `*_linux_arm` for `ARM64`; Windows tasks `vcpu_hour_windows` plus the
//! `windows_os_license_vcpu_hour` licence and `gb_hour_windows`), and ephemeral storage over the
//! 20 GB included (`ephemeral_storage_gb_hour`).
//!
//! **Attributes.** `launch_type`, `capacity_provider_strategy` (`capacity_provider`, `base`,
//! `weight`), `desired_count`, `task_definition` (the task definition's `cpu`, `memory`,
//! `runtime_platform`, `ephemeral_storage`), `cluster` (for a service with neither a launch type
//! nor a strategy: the `default_capacity_provider_strategy` of the
//! `aws_ecs_cluster_capacity_providers` whose `cluster_name` refers to the cluster).
//!
//! **Usage keys.** None.
//!
//! **Defaults.** `desired_count` not set: 0 tasks, as AWS starts the service. `cpu` and `memory`
//! are read as vCPU and GB when they say so (`"1 vCPU"`, `"2 GB"`), else as CPU units and MiB
//! (`"1024"`, `"2048"`). The task definition and the cluster are found through the
//! configuration's references; without them (a state), the capacity providers by the cluster's
//! name (the last segment of the service's `cluster` ARN, `default` when not set).
//!
//! **Not priced.** EC2 and external launch types have no items (the tasks run on the cluster's
//! instances, priced as those). Unpriced: a service without `launch_type` or a capacity provider
//! strategy of its own whose cluster has no default strategy in the input (the cluster's
//! capacity providers are not in it, or set none); `FARGATE_SPOT` and strategies split between
//! providers (no spot prices in the catalog); a task definition that is not in the plan or not
//! named by the service (an `aws_ecs_task_set`); Elastic Inference accelerators; scaling over the
//! month.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType, Reference, Referrer};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_ecs_service",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["fargate"],
    references: &[&TASK_DEFINITION, &CLUSTER],
    cost,
    source: include_str!("ecs_service.rs"),
};

/// The `task_definition` attribute's reference to an `aws_ecs_task_definition` (by configuration
/// reference only: the attribute holds an ARN or `family:revision`, not a name).
const TASK_DEFINITION: Reference = Reference {
    attribute: "task_definition",
    target: "aws_ecs_task_definition",
    name_at: &[],
};

/// The `cluster` attribute's reference to an `aws_ecs_cluster` (by configuration reference only:
/// the attribute holds an ARN or a name).
const CLUSTER: Reference = Reference {
    attribute: "cluster",
    target: "aws_ecs_cluster",
    name_at: &[],
};

/// The capacity providers of a cluster: their `cluster_name` refers to it.
const CAPACITY_PROVIDERS: Referrer = Referrer {
    source_type: "aws_ecs_cluster_capacity_providers",
    attribute: "cluster_name",
    matches: &["name"],
};

const VCPU: &str = "Per vCPU per hour";
const MEMORY: &str = "Per GB per hour";
/// The one item of a service whose tasks cannot be sized or priced.
const TASKS: &str = "Tasks";

/// Where the service's tasks run.
enum Launch {
    /// On Fargate (and why, when the cluster's default strategy says so).
    Fargate(Option<String>),
    /// On the cluster's own instances: priced as those.
    Instances,
    /// Why it cannot be told or priced.
    Unpriced(String),
}

/// The capacity providers of a strategy (`capacity_provider_strategy` blocks) that take tasks.
fn providers(strategy: &[Attrs<'_>]) -> Vec<String> {
    strategy
        .iter()
        .filter(|s| {
            let n = |k| s.num(k).known().unwrap_or_default();
            n("base") > Decimal::ZERO || n("weight") > Decimal::ZERO
        })
        .filter_map(|s| s.str("capacity_provider").known().map(|p| p.to_uppercase()))
        .collect()
}

/// Where a strategy of these providers runs the tasks.
fn by_providers(providers: &[String], note: Option<String>) -> Launch {
    if providers.iter().all(|p| p == "FARGATE") {
        Launch::Fargate(note)
    } else if providers.iter().all(|p| !p.starts_with("FARGATE")) {
        Launch::Instances
    } else {
        let whence = note.map_or_else(String::new, |n| format!(" ({n})"));
        Launch::Unpriced(format!(
            "capacity provider strategy {}{whence}: FARGATE_SPOT prices are not in the catalog, \
             and a split between providers is not modelled",
            providers.join(", ")
        ))
    }
}

fn launch(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Launch {
    if let Some(lt) = attrs.str("launch_type").known() {
        return match lt.as_ref() {
            "FARGATE" => Launch::Fargate(None),
            _ => Launch::Instances,
        };
    }
    let own = providers(&attrs.blocks("capacity_provider_strategy"));
    if !own.is_empty() {
        return by_providers(&own, None);
    }
    cluster_default(attrs, ctx)
}

/// A service without a launch type or a strategy of its own: its cluster's default capacity
/// provider strategy, from the `aws_ecs_cluster_capacity_providers` of the cluster (or, in a
/// provider 4 state, the cluster's own `default_capacity_provider_strategy`).
fn cluster_default(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Launch {
    let cluster = ctx.referenced_resource(&CLUSTER);
    let found = match &cluster {
        Some(c) => ctx.referrers_of(&c.address, &CAPACITY_PROVIDERS),
        None => match attrs.str("cluster") {
            // An ARN (`…:cluster/NAME`) or a name; no cluster is the account's `default` one.
            Field::Known(c) => {
                let name = c.rsplit('/').next().unwrap_or(&c);
                ctx.with_value(&CAPACITY_PROVIDERS, name)
            }
            Field::Missing => ctx.with_value(&CAPACITY_PROVIDERS, "default"),
            Field::Unknown => Vec::new(),
        },
    };
    let (strategy, source) =
        match (found.first(), &cluster) {
            (Some(cp), _) => (
                cp.attrs.blocks("default_capacity_provider_strategy"),
                cp.address.to_string(),
            ),
            (None, Some(c))
                if !c
                    .attrs
                    .blocks("default_capacity_provider_strategy")
                    .is_empty() =>
            {
                (
                    c.attrs.blocks("default_capacity_provider_strategy"),
                    c.address.to_string(),
                )
            }
            _ => return Launch::Unpriced(
                "launch_type and capacity_provider_strategy are not set: the cluster's default \
                 capacity provider strategy decides between EC2 and Fargate, and no \
                 aws_ecs_cluster_capacity_providers in the input gives the cluster one"
                    .into(),
            ),
        };
    let providers = providers(&strategy);
    if providers.is_empty() {
        return Launch::Unpriced(format!(
            "launch_type and capacity_provider_strategy are not set, and the cluster's capacity \
             providers ({source}) set no default_capacity_provider_strategy: where the tasks run \
             is not known"
        ));
    }
    by_providers(
        &providers,
        Some(format!(
            "the cluster's default capacity provider strategy, from {source}"
        )),
    )
}

/// A task size: `"1 vCPU"` / `"2 GB"` as written, else CPU units or MiB (÷ 1024).
fn size(field: Field<Cow<'_, str>>, unit: &str) -> Field<Decimal> {
    let Field::Known(text) = field else {
        return match field {
            Field::Unknown => Field::Unknown,
            _ => Field::Missing,
        };
    };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = compact.to_lowercase();
    let parsed = match lower.strip_suffix(unit) {
        Some(n) => n.parse::<Decimal>().ok(),
        None => lower
            .parse::<Decimal>()
            .ok()
            .map(|n| n / Decimal::from(1024)),
    };
    parsed.map_or(Field::Missing, Field::Known)
}

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let note = match launch(attrs, ctx) {
        Launch::Instances => return Vec::new(),
        Launch::Unpriced(why) => return vec![LineItem::unpriced(TASKS, "tasks", None, why)],
        Launch::Fargate(note) => note.map(|n| format!("Fargate: {n}")),
    };
    let Some(td) = ctx.referenced(&TASK_DEFINITION) else {
        let why = if attrs.raw("task_definition").is_some() || attrs.is_unknown("task_definition") {
            "the task definition is not in the plan"
        } else {
            "the service names no task definition (an aws_ecs_task_set may set it), so its size is not known"
        };
        return vec![LineItem::unpriced(TASKS, "tasks", None, why.into())];
    };
    let tasks = match attrs.num("desired_count") {
        Field::Known(n) => n,
        Field::Unknown => {
            return vec![
                unknown_item(MEMORY, "GB-hours", "desired_count"),
                unknown_item(VCPU, "vCPU-hours", "desired_count"),
            ]
        }
        Field::Missing => Decimal::ZERO,
    };
    let hours = HOURS_PER_MONTH * tasks;
    let platform = td.blocks("runtime_platform").into_iter().next();
    let platform_str = |k: &str| {
        platform
            .as_ref()
            .and_then(|p| p.str(k).known())
            .map(|s| s.to_uppercase())
            .unwrap_or_default()
    };
    let windows = platform_str("operating_system_family").starts_with("WINDOWS");
    let arm = platform_str("cpu_architecture") == "ARM64";
    let (vcpu_product, gb_product) = match (windows, arm) {
        (true, _) => ("vcpu_hour_windows", "gb_hour_windows"),
        (false, true) => ("vcpu_hour_linux_arm", "gb_hour_linux_arm"),
        (false, false) => ("vcpu_hour_linux_x86", "gb_hour_linux_x86"),
    };
    let mut items = Vec::new();
    items.push(match size(td.str("memory"), "gb") {
        Field::Known(gb) => ctx.fixed(MEMORY, "GB-hours", gb * hours, "fargate", gb_product, ""),
        Field::Unknown => unknown_item(MEMORY, "GB-hours", "the task definition's memory"),
        Field::Missing => LineItem::unpriced(
            MEMORY,
            "GB-hours",
            None,
            "the task definition sets no task-level memory (Fargate requires it)".into(),
        ),
    });
    let vcpu = size(td.str("cpu"), "vcpu");
    items.push(match &vcpu {
        Field::Known(n) => ctx.fixed(VCPU, "vCPU-hours", *n * hours, "fargate", vcpu_product, ""),
        Field::Unknown => unknown_item(VCPU, "vCPU-hours", "the task definition's cpu"),
        Field::Missing => LineItem::unpriced(
            VCPU,
            "vCPU-hours",
            None,
            "the task definition sets no task-level cpu (Fargate requires it)".into(),
        ),
    });
    if windows {
        if let Field::Known(n) = vcpu {
            items.push(ctx.fixed(
                "Windows OS licence",
                "vCPU-hours",
                n * hours,
                "fargate",
                "windows_os_license_vcpu_hour",
                "",
            ));
        }
    }
    let storage = td
        .blocks("ephemeral_storage")
        .into_iter()
        .next()
        .and_then(|e| e.num("size_in_gib").known());
    if let Some(gb) = storage.filter(|gb| *gb > Decimal::from(20)) {
        items.push(ctx.fixed(
            "Ephemeral storage (over 20 GB)",
            "GB-hours",
            (gb - Decimal::from(20)) * hours,
            "fargate",
            "ephemeral_storage_gb_hour",
            "",
        ));
    }
    items
        .into_iter()
        .map(|i| i.with_note(note.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_sizes() {
        let k = |s: &'static str| Field::Known(Cow::Borrowed(s));
        assert_eq!(size(k("1 vCPU"), "vcpu"), Field::Known(Decimal::ONE));
        assert_eq!(size(k("512"), "vcpu"), Field::Known(Decimal::new(5, 1)));
        assert_eq!(size(k("2 GB"), "gb"), Field::Known(Decimal::from(2)));
        assert_eq!(size(k("3072"), "gb"), Field::Known(Decimal::from(3)));
        assert_eq!(size(k("lots"), "gb"), Field::Missing);
    }
}
