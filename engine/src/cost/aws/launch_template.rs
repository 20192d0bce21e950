//! `aws_launch_template` is free by itself, but `aws_instance`, `aws_autoscaling_group` and
//! `aws_eks_node_group` are priced from the template they launch: its instance type, tenancy,
//! monitoring, EBS optimization, CPU credit mode and `block_device_mappings`.

use std::borrow::Cow;

use super::ebs::{volume_items, Volume};
use crate::cost::{Ctx, LineItem, Reference};
use crate::terraform::values::Attrs;

/// The `launch_template` block's reference to an `aws_launch_template` (by configuration
/// reference, else by `launch_template[0].name`).
pub(super) const LAUNCH_TEMPLATE: Reference = Reference {
    attribute: "launch_template",
    target: "aws_launch_template",
    name_at: &["launch_template", "name"],
};

/// The template that a resource with a `launch_template` block launches, if the plan has it.
pub(super) fn of<'a>(attrs: &Attrs<'_>, ctx: &Ctx<'_, 'a>) -> Option<Attrs<'a>> {
    if attrs.blocks("launch_template").is_empty() {
        None
    } else {
        ctx.referenced(&LAUNCH_TEMPLATE)
    }
}

/// `placement[0].tenancy`.
pub(super) fn tenancy<'a>(lt: &Attrs<'a>) -> Option<Cow<'a, str>> {
    lt.blocks("placement").first()?.str("tenancy").known()
}

/// `monitoring[0].enabled`.
pub(super) fn monitoring(lt: &Attrs<'_>) -> Option<bool> {
    lt.blocks("monitoring").first()?.bool("enabled").known()
}

/// Block devices of a launch template (`block_device_mappings[].ebs[]`).
pub(super) fn devices(lt: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    for (n, m) in lt.blocks("block_device_mappings").iter().enumerate() {
        for ebs in m.blocks("ebs") {
            let v = Volume::block_device(&ebs);
            items.extend(
                volume_items(&v, ctx)
                    .into_iter()
                    .map(|i| i.in_group(format!("block_device_mappings[{n}]"))),
            );
        }
    }
    items
}
