//! Compute: `aws_instance`, `aws_autoscaling_group` (with its launch template or launch
//! configuration), `aws_eks_node_group`.

use rust_decimal::Decimal;

use super::storage::{volume_items, Volume};
use super::{dec, unknown_item, Ctx, LineItem};
use crate::values::{Attrs, Field};

fn instance_hours(instance_type: &str, count: Decimal, ctx: &Ctx<'_, '_>) -> LineItem {
    let os = ctx
        .usage
        .and_then(|u| u.str("operating_system").map(str::to_owned));
    if let Some(ri) = ctx.usage.and_then(|u| u.str("reserved_instance_type")) {
        return LineItem::unpriced(
            format!("Instance usage (Linux/UNIX, reserved, {instance_type})"),
            "hours",
            Some(crate::pricing::HOURS_PER_MONTH * count),
            format!("usage says reserved_instance_type: {ri}; reserved-instance prices are not in the catalog"),
        );
    }
    let name = format!("Instance usage (Linux/UNIX, on-demand, {instance_type})");
    match os.as_deref() {
        None | Some("linux") => ctx.hourly(name, count, "ec2", instance_type, "linux_on_demand"),
        Some(other) => LineItem::unpriced(
            format!("Instance usage ({other}, on-demand, {instance_type})"),
            "hours",
            Some(crate::pricing::HOURS_PER_MONTH * count),
            format!("the catalog has Linux prices only (usage says operating_system: {other})"),
        ),
    }
}

fn scaled(mut items: Vec<LineItem>, count: Decimal) -> Vec<LineItem> {
    if count == Decimal::ONE {
        return items;
    }
    for i in &mut items {
        if let Some(q) = i.quantity.as_mut() {
            *q *= count;
        }
        if let Some(m) = i.monthly.as_mut() {
            *m *= count;
        }
    }
    items
}

/// `aws_instance`: instance hours, root volume, EBS block devices.
pub(crate) fn instance(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    let tenancy = attrs.str("tenancy").known();
    match attrs.str("instance_type") {
        Field::Known(t) => {
            if matches!(tenancy.as_deref(), Some("dedicated") | Some("host")) {
                items.push(LineItem::unpriced(
                    format!("Instance usage (dedicated, {t})"),
                    "hours",
                    None,
                    "dedicated tenancy prices are not in the catalog".into(),
                ));
            } else {
                items.push(instance_hours(&t, Decimal::ONE, ctx));
            }
        }
        Field::Unknown => items.push(unknown_item("Instance usage", "hours", "the instance type")),
        Field::Missing => items.push(LineItem::unpriced(
            "Instance usage",
            "hours",
            None,
            "instance_type is not set (it comes from a launch template, which is not priced here)"
                .into(),
        )),
    }
    items.extend(block_devices(attrs, ctx));
    items
}

/// Root and EBS block devices of an instance or a launch configuration.
fn block_devices(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    let roots = attrs.blocks("root_block_device");
    let root = roots.first().map_or_else(
        || Volume {
            volume_type: Field::Known("gp2".into()),
            size_gb: Field::Known(dec(8)),
            iops: None,
            throughput: None,
            note: Some("no root_block_device: assumed 8 GB gp2".into()),
        },
        |r| {
            let mut v = Volume::from_attrs(r, "volume_type", "volume_size", Some(8));
            // The AMI decides an unset root volume's type and size; AWS's defaults are gp2 and 8 GB.
            if v.volume_type.is_unknown() {
                v.volume_type = Field::Known("gp2".into());
                v.note = Some(note_join(
                    v.note.take(),
                    "volume_type comes from the AMI (unknown until apply): assumed gp2",
                ));
            }
            if v.size_gb.is_unknown() {
                v.size_gb = Field::Known(dec(8));
                v.note = Some(note_join(
                    v.note.take(),
                    "volume_size comes from the AMI (unknown until apply): assumed 8 GB",
                ));
            }
            v
        },
    );
    items.extend(
        volume_items(&root, ctx)
            .into_iter()
            .map(|i| i.in_group("root_block_device")),
    );
    for (n, b) in attrs.blocks("ebs_block_device").iter().enumerate() {
        let v = Volume::from_attrs(b, "volume_type", "volume_size", None);
        items.extend(
            volume_items(&v, ctx)
                .into_iter()
                .map(|i| i.in_group(format!("ebs_block_device[{n}]"))),
        );
    }
    items
}

/// Block devices of a launch template (`block_device_mappings[].ebs[]`).
fn template_devices(lt: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    for (n, m) in lt.blocks("block_device_mappings").iter().enumerate() {
        for ebs in m.blocks("ebs") {
            let v = Volume::from_attrs(&ebs, "volume_type", "volume_size", None);
            items.extend(
                volume_items(&v, ctx)
                    .into_iter()
                    .map(|i| i.in_group(format!("block_device_mappings[{n}]"))),
            );
        }
    }
    items
}

/// `aws_autoscaling_group`: instances × (instance hours + volumes) from its launch template or
/// launch configuration.
pub(crate) fn autoscaling_group(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
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
    let (instance_type, devices) = if let Some(lt) = (ctx.lookup)(ctx.address, "launch_template") {
        (lt.str("instance_type"), template_devices(&lt, ctx))
    } else if let Some(lc) = (ctx.lookup)(ctx.address, "launch_configuration") {
        (lc.str("instance_type"), block_devices(&lc, ctx))
    } else {
        return vec![LineItem::unpriced(
            "Instance usage",
            "hours",
            None,
            "the launch template or launch configuration is not in this plan".into(),
        )];
    };
    let mut items = match instance_type {
        Field::Known(t) => vec![instance_hours(&t, Decimal::ONE, ctx).with_note(note)],
        Field::Unknown => vec![unknown_item("Instance usage", "hours", "the instance type")],
        Field::Missing => vec![LineItem::unpriced(
            "Instance usage",
            "hours",
            None,
            "the launch template sets no instance_type".into(),
        )],
    };
    items.extend(devices);
    scaled(items, count)
}

/// `aws_eks_node_group`: nodes × (instance hours + disk).
pub(crate) fn eks_node_group(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
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
        None if attrs.is_unknown("instance_types") => {
            return vec![unknown_item(
                "Instance usage",
                "hours",
                "the instance types",
            )]
        }
        None => None,
    };
    let (instance_type, note) = match instance_type {
        Some(t) => (t, None),
        None => (
            "t3.medium".to_string(),
            Some("instance_types not set: assumed t3.medium".to_string()),
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
        items.push(instance_hours(&instance_type, Decimal::ONE, ctx).with_note(note));
    }
    if attrs.blocks("launch_template").is_empty() {
        let size = attrs.num("disk_size").known().unwrap_or(dec(20));
        let v = Volume {
            volume_type: Field::Known("gp2".into()),
            size_gb: Field::Known(size),
            iops: None,
            throughput: None,
            note: None,
        };
        items.extend(volume_items(&v, ctx));
    } else if let Some(lt) = (ctx.lookup)(ctx.address, "launch_template") {
        items.extend(template_devices(&lt, ctx));
    }
    scaled(items, count)
}

fn note_join(a: Option<String>, b: &str) -> String {
    match a {
        Some(a) => format!("{a}; {b}"),
        None => b.to_string(),
    }
}
