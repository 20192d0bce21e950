//! `aws_autoscaling_group`: the instances a group runs, priced from the launch template or launch
//! configuration it launches.
//!
//! **Components.** Per instance, times the instance count: instance hours, EBS volumes and the
//! unpriced extras, as for `aws_instance`, of its launch template (`block_device_mappings`) or
//! launch configuration (`root_block_device`, `ebs_block_device`).
//!
//! **Attributes.** `desired_capacity`, `min_size`, `mixed_instances_policy`, `launch_template`
//! (`instance_type`, `placement.tenancy`, `monitoring.enabled`, `ebs_optimized`,
//! `credit_specification`, `block_device_mappings` of the template), `launch_configuration`
//! (`instance_type`, `placement_tenancy`, `enable_monitoring`, `ebs_optimized`,
//! `credit_specification` and block devices of the configuration).
//!
//! **Usage keys.** `instances`, and the `aws_instance` keys.
//!
//! **Defaults.** Instances: `instances` from usage, else `desired_capacity`, else `min_size`. The
//! template or configuration is found through the configuration's references (for
//! `x[count.index]`, the one with the group's own index first), else by name. Launch
//! configurations enable detailed monitoring by default.
//!
//! **Not priced.** Dedicated tenancy and mixed instances policies (unpriced); a group whose
//! template or configuration is not in the plan (unpriced); scaling over the month.

use std::borrow::Cow;

use super::ebs::block_devices;
use super::ec2::{credit_mode, dedicated, extras, instance_hours, scaled, Extras};
use super::launch_template::{self, LAUNCH_TEMPLATE};
use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType, Reference};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_autoscaling_group",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["ec2", "ebs"],
    references: &[&LAUNCH_TEMPLATE, &LAUNCH_CONFIGURATION],
    cost,
    source: include_str!("autoscaling_group.rs"),
};

/// The `launch_configuration` attribute's reference to an `aws_launch_configuration` (by
/// configuration reference, else by the name it holds).
const LAUNCH_CONFIGURATION: Reference = Reference {
    attribute: "launch_configuration",
    target: "aws_launch_configuration",
    name_at: &["launch_configuration"],
};

/// What the group's instances are, from its template or configuration.
struct Launched<'a> {
    instance_type: Field<Cow<'a, str>>,
    devices: Vec<LineItem>,
    tenancy: Option<Cow<'a, str>>,
    monitoring: bool,
    ebs_optimized: bool,
    credits: Option<String>,
}

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let (count, note) = match (
        ctx.usage.and_then(|u| u.num(&["instances"])),
        attrs.num("desired_capacity"),
        attrs.num("min_size"),
    ) {
        (Some(n), _, _) => (n, Some("instance count from usage".to_string())),
        (None, Field::Known(n), _) => (n, None),
        (None, _, Field::Known(n)) => (n, Some("desired_capacity not set: min_size used".into())),
        _ => return vec![unknown_item("Instance usage", "hours", "the group size")],
    };
    if !attrs.blocks("mixed_instances_policy").is_empty() {
        return vec![LineItem::unpriced(
            "Instance usage (mixed instances policy)",
            "hours",
            None,
            "mixed instances policies are not priced yet".into(),
        )];
    }
    let Some(l) = launched(ctx) else {
        return vec![LineItem::unpriced(
            "Instance usage",
            "hours",
            None,
            "the launch template or launch configuration is not in this plan".into(),
        )];
    };
    let mut items = match &l.instance_type {
        Field::Known(t) => match dedicated(t, l.tenancy.as_deref()) {
            Some(item) => vec![item],
            None => vec![instance_hours(t, ctx).with_note(note)],
        },
        Field::Unknown => vec![unknown_item("Instance usage", "hours", "the instance type")],
        Field::Missing => vec![LineItem::unpriced(
            "Instance usage",
            "hours",
            None,
            "the launch template sets no instance_type".into(),
        )],
    };
    let instance_type = l.instance_type.known();
    items.extend(extras(
        &Extras {
            instance_type: instance_type.as_deref(),
            monitoring: l.monitoring,
            ebs_optimized: l.ebs_optimized,
            credits: l.credits.as_deref(),
        },
        ctx,
    ));
    items.extend(l.devices);
    scaled(items, count)
}

/// The group's launch template, else its launch configuration, if the plan has it.
fn launched<'a>(ctx: &Ctx<'_, 'a>) -> Option<Launched<'a>> {
    if let Some(lt) = ctx.referenced(&LAUNCH_TEMPLATE) {
        return Some(Launched {
            tenancy: launch_template::tenancy(&lt),
            monitoring: launch_template::monitoring(&lt).unwrap_or(false),
            ebs_optimized: lt.bool("ebs_optimized").known().unwrap_or(false),
            credits: credit_mode(&lt),
            devices: launch_template::devices(&lt, ctx),
            instance_type: lt.str("instance_type"),
        });
    }
    let lc = ctx.referenced(&LAUNCH_CONFIGURATION)?;
    Some(Launched {
        tenancy: lc.str("placement_tenancy").known(),
        // Launch configurations enable detailed monitoring unless told not to.
        monitoring: lc.bool("enable_monitoring").known().unwrap_or(true),
        ebs_optimized: lc.bool("ebs_optimized").known().unwrap_or(false),
        credits: credit_mode(&lc),
        devices: block_devices(&lc, ctx),
        instance_type: lc.str("instance_type"),
    })
}
