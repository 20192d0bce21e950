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
        None | Some("linux") => match ctx.usage.and_then(|u| u.num(&["monthly_hrs"])) {
            // Usage says how many hours a month it runs (a scheduled or short-lived instance).
            Some(hours) => {
                let mut item = ctx.fixed(
                    name,
                    "hours",
                    hours * count,
                    "ec2",
                    instance_type,
                    "linux_on_demand",
                );
                item.from_usage = item.status == super::ItemStatus::Priced;
                item
            }
            None => ctx.hourly(name, count, "ec2", instance_type, "linux_on_demand"),
        },
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

/// `aws_instance`: instance hours, root volume, EBS block devices, and the extras AWS bills that
/// the catalog has no price for (detailed monitoring, CPU credits, EBS-optimized surcharge),
/// listed as unpriced. With a `launch_template`, what the instance does not set comes from the
/// template.
pub(crate) fn instance(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    let template = if attrs.blocks("launch_template").is_empty() {
        None
    } else {
        (ctx.lookup)(ctx.address, "launch_template")
    };
    let tenancy = attrs.str("tenancy").known().or_else(|| {
        let t = template.as_ref()?;
        t.blocks("placement").first()?.str("tenancy").known()
    });
    let instance_type = match (attrs.str("instance_type"), &template) {
        (Field::Missing, Some(t)) => t.str("instance_type"),
        (f, _) => f,
    };
    match &instance_type {
        Field::Known(t) => {
            if let Some(item) = dedicated(t, tenancy.as_deref()) {
                items.push(item);
            } else {
                items.push(instance_hours(t, Decimal::ONE, ctx));
            }
        }
        Field::Unknown => items.push(unknown_item("Instance usage", "hours", "the instance type")),
        Field::Missing => items.push(LineItem::unpriced(
            "Instance usage",
            "hours",
            None,
            "instance_type is not set and no launch template in the plan gives one".into(),
        )),
    }
    let monitoring = match attrs.bool("monitoring") {
        Field::Known(m) => m,
        _ => template
            .as_ref()
            .and_then(|t| {
                t.blocks("monitoring")
                    .first()
                    .and_then(|m| m.bool("enabled").known())
            })
            .unwrap_or(false),
    };
    let ebs_optimized = attrs
        .bool("ebs_optimized")
        .known()
        .or_else(|| template.as_ref()?.bool("ebs_optimized").known());
    let credits = credit_mode(attrs).or_else(|| credit_mode(template.as_ref()?));
    items.extend(extras(
        instance_type.known().as_deref(),
        monitoring,
        ebs_optimized.unwrap_or(false),
        credits.as_deref(),
        Decimal::ONE,
        ctx,
    ));
    let own_devices = !attrs.blocks("root_block_device").is_empty()
        || !attrs.blocks("ebs_block_device").is_empty();
    match &template {
        Some(t) if !own_devices && !t.blocks("block_device_mappings").is_empty() => {
            items.extend(template_devices(t, ctx))
        }
        _ => items.extend(block_devices(attrs, ctx)),
    }
    items
}

/// `credit_specification[0].cpu_credits`, if set.
fn credit_mode(attrs: &Attrs<'_>) -> Option<String> {
    let spec = attrs.blocks("credit_specification");
    spec.first()?
        .str("cpu_credits")
        .known()
        .map(|m| m.to_string())
}

/// Dedicated or host tenancy: the catalog has shared-tenancy prices only.
fn dedicated(instance_type: &str, tenancy: Option<&str>) -> Option<LineItem> {
    matches!(tenancy, Some("dedicated") | Some("host")).then(|| {
        LineItem::unpriced(
            format!(
                "Instance usage ({} tenancy, {instance_type})",
                tenancy.unwrap_or_default()
            ),
            "hours",
            None,
            "dedicated and host tenancy prices are not in the catalog".into(),
        )
    })
}

/// Families whose EBS optimization is billed by the hour (newer families include it).
const EBS_OPTIMIZED_SURCHARGE: &[&str] = &[
    "c1", "c3", "c4", "d2", "g2", "i2", "m1", "m2", "m3", "m4", "r3", "r4",
];

/// Billed extras without a catalog price: shown as unpriced components so that they are not
/// silently left out.
fn extras(
    instance_type: Option<&str>,
    monitoring: bool,
    ebs_optimized: bool,
    credits: Option<&str>,
    count: Decimal,
    ctx: &Ctx<'_, '_>,
) -> Vec<LineItem> {
    let mut items = Vec::new();
    if monitoring {
        items.push(LineItem::unpriced(
            "EC2 detailed monitoring",
            "metrics",
            Some(dec(7) * count),
            "CloudWatch metric prices are not in the catalog".into(),
        ));
    }
    let family = instance_type
        .and_then(|t| t.split('.').next())
        .unwrap_or_default();
    if ebs_optimized && EBS_OPTIMIZED_SURCHARGE.contains(&family) {
        items.push(LineItem::unpriced(
            "EBS-optimized usage",
            "hours",
            Some(crate::pricing::HOURS_PER_MONTH * count),
            format!("the EBS-optimized hourly fee of {family} instances is not in the catalog"),
        ));
    }
    // Surplus CPU credits are billed only in unlimited mode: the default of t3, t3a and t4g, and
    // what `credit_specification` sets.
    let unlimited = match credits {
        Some(mode) => mode == "unlimited",
        None => matches!(family, "t3" | "t3a" | "t4g"),
    };
    let burstable = matches!(family, "t2" | "t3" | "t3a" | "t4g");
    let hours = ctx
        .usage
        .and_then(|u| u.num(&["monthly_cpu_credit_hrs"]))
        .filter(|h| !h.is_zero());
    if let (Some(hours), true, true) = (hours, burstable, unlimited) {
        let vcpus = ctx
            .usage
            .and_then(|u| u.num(&["vcpu_count"]))
            .unwrap_or(Decimal::ONE);
        items.push(LineItem::unpriced(
            "CPU credits",
            "vCPU-hours",
            Some(hours * vcpus * count),
            "burstable CPU credit prices are not in the catalog".into(),
        ));
    }
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
            size_invalid: None,
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
    let (instance_type, devices, tenancy, monitoring, ebs_optimized, credits) =
        if let Some(lt) = (ctx.lookup)(ctx.address, "launch_template") {
            let tenancy = lt
                .blocks("placement")
                .first()
                .and_then(|p| p.str("tenancy").known())
                .map(|t| t.to_string());
            let monitoring = lt
                .blocks("monitoring")
                .first()
                .and_then(|m| m.bool("enabled").known())
                .unwrap_or(false);
            let ebs = lt.bool("ebs_optimized").known().unwrap_or(false);
            (
                lt.str("instance_type"),
                template_devices(&lt, ctx),
                tenancy,
                monitoring,
                ebs,
                credit_mode(&lt),
            )
        } else if let Some(lc) = (ctx.lookup)(ctx.address, "launch_configuration") {
            let tenancy = lc.str("placement_tenancy").known().map(|t| t.to_string());
            // Launch configurations enable detailed monitoring unless told not to.
            let monitoring = lc.bool("enable_monitoring").known().unwrap_or(true);
            let ebs = lc.bool("ebs_optimized").known().unwrap_or(false);
            (
                lc.str("instance_type"),
                block_devices(&lc, ctx),
                tenancy,
                monitoring,
                ebs,
                credit_mode(&lc),
            )
        } else {
            return vec![LineItem::unpriced(
                "Instance usage",
                "hours",
                None,
                "the launch template or launch configuration is not in this plan".into(),
            )];
        };
    let mut items = match &instance_type {
        Field::Known(t) => match dedicated(t, tenancy.as_deref()) {
            Some(item) => vec![item],
            None => vec![instance_hours(t, Decimal::ONE, ctx).with_note(note)],
        },
        Field::Unknown => vec![unknown_item("Instance usage", "hours", "the instance type")],
        Field::Missing => vec![LineItem::unpriced(
            "Instance usage",
            "hours",
            None,
            "the launch template sets no instance_type".into(),
        )],
    };
    items.extend(extras(
        instance_type.known().as_deref(),
        monitoring,
        ebs_optimized,
        credits.as_deref(),
        Decimal::ONE,
        ctx,
    ));
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
    let template = if attrs.blocks("launch_template").is_empty() {
        None
    } else {
        (ctx.lookup)(ctx.address, "launch_template")
    };
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
        items.push(instance_hours(&instance_type, Decimal::ONE, ctx).with_note(note));
    }
    let credits = template.as_ref().and_then(credit_mode);
    items.extend(extras(
        Some(&instance_type),
        false,
        false,
        credits.as_deref(),
        Decimal::ONE,
        ctx,
    ));
    if attrs.blocks("launch_template").is_empty() {
        let size = attrs.num("disk_size").known().unwrap_or(dec(20));
        let v = Volume {
            volume_type: Field::Known("gp2".into()),
            size_gb: Field::Known(size),
            iops: None,
            throughput: None,
            note: None,
            size_invalid: None,
        };
        items.extend(volume_items(&v, ctx));
    } else if let Some(lt) = &template {
        items.extend(template_devices(lt, ctx));
    }
    scaled(items, count)
}

fn note_join(a: Option<String>, b: &str) -> String {
    match a {
        Some(a) => format!("{a}; {b}"),
        None => b.to_string(),
    }
}
