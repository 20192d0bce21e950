//! `aws_eks_node_group`: the EC2 nodes of an EKS managed node group.
//!
//! **Components.** Per node, times the node count: instance hours (`ec2`, Linux on-demand), the
//! node's disk (gp2, GB) or its launch template's volumes, and the unpriced CPU credits of
//! `aws_instance`.
//!
//! **Attributes.** `scaling_config.desired_size`, `instance_types`, `capacity_type`, `disk_size`,
//! `launch_template` (the template's `instance_type`, `credit_specification` and
//! `block_device_mappings`).
//!
//! **Usage keys.** `instances`, and the `aws_instance` keys.
//!
//! **Defaults.** Nodes: `instances` from usage, else `scaling_config.desired_size`. Instance type:
//! `instance_types[0]`, else the launch template's, else EKS's default t3.medium (also when a
//! real plan shows an `instance_types` the configuration does not set as unknown). Disk:
//! `disk_size` (20 GB gp2 when not set), or the launch template's volumes.
//!
//! **Not priced.** `capacity_type = SPOT` (unpriced: no spot prices); the EKS cluster itself is
//! its own resource, `aws_eks_cluster`.

use super::ebs::{volume_items, Volume};
use super::ec2::{credit_mode, extras, instance_hours, scaled, Extras};
use super::launch_template::{self, LAUNCH_TEMPLATE};
use crate::cost::{dec, unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_eks_node_group",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["ec2", "ebs"],
    references: &[&LAUNCH_TEMPLATE],
    cost,
    source: include_str!("eks_node_group.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let scaling = attrs.blocks("scaling_config");
    let count = match (
        ctx.usage.and_then(|u| u.num(&["instances"])),
        scaling.first().map(|s| s.num("desired_size")),
    ) {
        (Some(n), _) => n,
        (None, Some(Field::Known(n))) => n,
        _ => return vec![unknown_item("Instance usage", "hours", "the node count")],
    };
    let instance_type: Option<String> = match attrs.raw("instance_types") {
        Some(raw) => serde_json::from_str::<Vec<String>>(raw.get())
            .ok()
            .and_then(|v| v.into_iter().next()),
        // A real plan shows an unset `instance_types` as unknown (the provider computes it): only
        // a configured value that is unknown until apply leaves the type unknown.
        None if attrs.is_unknown("instance_types")
            && ctx.configured("instance_types") != Some(false) =>
        {
            return vec![unknown_item(
                "Instance usage",
                "hours",
                "the instance types",
            )]
        }
        None => None,
    };
    let template = launch_template::of(attrs, ctx);
    let from_template = template
        .as_ref()
        .and_then(|t| t.str("instance_type").known())
        .map(|t| t.to_string());
    let (instance_type, note) = match (instance_type, from_template) {
        (Some(t), _) | (None, Some(t)) => (t, None),
        (None, None) => (
            "t3.medium".to_string(),
            Some("instance_types not set: the EKS default t3.medium".to_string()),
        ),
    };
    let mut items = Vec::new();
    if attrs.str("capacity_type").known().as_deref() == Some("SPOT") {
        items.push(LineItem::unpriced(
            format!("Instance usage (Linux/UNIX, spot, {instance_type})"),
            "hours",
            None,
            "spot prices are not in the catalog".into(),
        ));
    } else {
        items.push(instance_hours(&instance_type, ctx).with_note(note));
    }
    let credits = template.as_ref().and_then(credit_mode);
    items.extend(extras(
        &Extras {
            instance_type: Some(&instance_type),
            monitoring: false,
            ebs_optimized: false,
            credits: credits.as_deref(),
        },
        ctx,
    ));
    if attrs.blocks("launch_template").is_empty() {
        let size = attrs.num("disk_size").known().unwrap_or(dec(20));
        items.extend(volume_items(&Volume::sized("gp2", size, None), ctx));
    } else if let Some(lt) = &template {
        items.extend(launch_template::devices(lt, ctx));
    }
    scaled(items, count)
}
