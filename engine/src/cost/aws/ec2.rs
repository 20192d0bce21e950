//! EC2 instance hours and the extras an instance bills, shared by `aws_instance`,
//! `aws_autoscaling_group` and `aws_eks_node_group`.

use rust_decimal::Decimal;

use crate::cost::{dec, Ctx, ItemStatus, LineItem};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::Attrs;

/// Hours of one instance of `instance_type`: Linux on-demand, all month or the usage's
/// `monthly_hrs`. Another `operating_system` or a `reserved_instance_type` in usage makes them
/// unpriced.
pub(super) fn instance_hours(instance_type: &str, ctx: &Ctx<'_, '_>) -> LineItem {
    let os = ctx
        .usage
        .and_then(|u| u.str("operating_system").map(str::to_owned));
    if let Some(ri) = ctx.usage.and_then(|u| u.str("reserved_instance_type")) {
        return LineItem::unpriced(
            format!("Instance usage (Linux/UNIX, reserved, {instance_type})"),
            "hours",
            Some(HOURS_PER_MONTH),
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
                    hours,
                    "ec2",
                    instance_type,
                    "linux_on_demand",
                );
                item.from_usage = item.status == ItemStatus::Priced;
                item
            }
            None => ctx.hourly(name, Decimal::ONE, "ec2", instance_type, "linux_on_demand"),
        },
        Some(other) => LineItem::unpriced(
            format!("Instance usage ({other}, on-demand, {instance_type})"),
            "hours",
            Some(HOURS_PER_MONTH),
            format!("the catalog has Linux prices only (usage says operating_system: {other})"),
        ),
    }
}

/// The items of one instance, times `count` instances.
pub(super) fn scaled(mut items: Vec<LineItem>, count: Decimal) -> Vec<LineItem> {
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

/// `credit_specification[0].cpu_credits`, if set.
pub(super) fn credit_mode(attrs: &Attrs<'_>) -> Option<String> {
    let spec = attrs.blocks("credit_specification");
    spec.first()?
        .str("cpu_credits")
        .known()
        .map(|m| m.to_string())
}

/// Dedicated or host tenancy: the catalog has shared-tenancy prices only.
pub(super) fn dedicated(instance_type: &str, tenancy: Option<&str>) -> Option<LineItem> {
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

/// The settings of an instance (or of the template its group launches) that bill extras.
pub(super) struct Extras<'s> {
    pub instance_type: Option<&'s str>,
    /// Detailed monitoring.
    pub monitoring: bool,
    pub ebs_optimized: bool,
    /// `credit_specification`'s `cpu_credits`.
    pub credits: Option<&'s str>,
}

/// Billed extras without a catalog price: shown as unpriced components so that they are not
/// silently left out.
pub(super) fn extras(e: &Extras<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    if e.monitoring {
        items.push(LineItem::unpriced(
            "EC2 detailed monitoring",
            "metrics",
            Some(dec(7)),
            "CloudWatch metric prices are not in the catalog".into(),
        ));
    }
    let family = e
        .instance_type
        .and_then(|t| t.split('.').next())
        .unwrap_or_default();
    if e.ebs_optimized && EBS_OPTIMIZED_SURCHARGE.contains(&family) {
        items.push(LineItem::unpriced(
            "EBS-optimized usage",
            "hours",
            Some(HOURS_PER_MONTH),
            format!("the EBS-optimized hourly fee of {family} instances is not in the catalog"),
        ));
    }
    // Surplus CPU credits are billed only in unlimited mode: the default of t3, t3a and t4g, and
    // what `credit_specification` sets.
    let unlimited = match e.credits {
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
            Some(hours * vcpus),
            "burstable CPU credit prices are not in the catalog".into(),
        ));
    }
    items
}
