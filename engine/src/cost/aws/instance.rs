//! `aws_instance`: an EC2 instance.
//!
//! **Components.** Instance hours (`ec2`, Linux on-demand; 730 hours a month); `root_block_device`
//! and each `ebs_block_device` as EBS volumes (storage in GB, provisioned IOPS and throughput as for
//! `aws_ebs_volume`), except an `ebs_block_device` that is a volume attached with
//! `aws_volume_attachment` (after apply the provider lists it there: its `volume_id` is the `id` of
//! an `aws_ebs_volume` of the input or an attachment's `volume_id`), priced once, as that volume,
//! and listed at $0 with a note saying so; listed as unpriced when they apply, having no catalog price: EC2 detailed
//! monitoring (7 metrics, `monitoring = true`), CPU credits (vCPU-hours; t2/t3/t3a/t4g in unlimited
//! mode, with usage), the EBS-optimized fee (hours) of older families (c1, c3, c4, d2, g2, i2,
//! m1–m4, r3, r4).
//!
//! **Attributes.** `instance_type`, `tenancy`, `monitoring`, `ebs_optimized`,
//! `credit_specification.cpu_credits`, `root_block_device` and `ebs_block_device` (`volume_type`,
//! `volume_size`, `iops`, `throughput`), `launch_template` (the template's `instance_type`,
//! `placement.tenancy`, `monitoring.enabled`, `ebs_optimized`, `credit_specification` and
//! `block_device_mappings`).
//!
//! **Usage keys.** `monthly_hrs` (hours a month it runs), `operating_system` (only `linux` is
//! priced), `reserved_instance_type` (makes the hours unpriced: no reserved prices),
//! `monthly_cpu_credit_hrs`, `vcpu_count`.
//!
//! **Defaults.** No `root_block_device`, or its type or size unknown until apply (the AMI decides):
//! gp2, 8 GB. With a `launch_template`, the instance type, tenancy, monitoring, EBS optimization,
//! credit mode and (when the instance has no block devices of its own) the block devices come from
//! the template.
//!
//! **Not priced.** Dedicated and host tenancy, operating systems other than Linux, reserved and
//! spot instances (unpriced); data transfer.

use super::ebs::block_devices;
use super::ec2::{credit_mode, dedicated, extras, instance_hours, Extras};
use super::launch_template::{self, LAUNCH_TEMPLATE};
use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_instance",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["ec2", "ebs"],
    references: &[&LAUNCH_TEMPLATE],
    cost,
    source: include_str!("instance.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let template = launch_template::of(attrs, ctx);
    let lt = template.as_ref();
    let tenancy = attrs
        .str("tenancy")
        .known()
        .or_else(|| launch_template::tenancy(lt?));
    let instance_type = match (attrs.str("instance_type"), lt) {
        (Field::Missing, Some(t)) => t.str("instance_type"),
        (f, _) => f,
    };
    let mut items = vec![match &instance_type {
        Field::Known(t) => {
            dedicated(t, tenancy.as_deref()).unwrap_or_else(|| instance_hours(t, ctx))
        }
        Field::Unknown => unknown_item("Instance usage", "hours", "the instance type"),
        Field::Missing => LineItem::unpriced(
            "Instance usage",
            "hours",
            None,
            "instance_type is not set and no launch template in the plan gives one".into(),
        ),
    }];
    let monitoring = match attrs.bool("monitoring") {
        Field::Known(m) => m,
        _ => lt.and_then(launch_template::monitoring).unwrap_or(false),
    };
    let ebs_optimized = attrs
        .bool("ebs_optimized")
        .known()
        .or_else(|| lt?.bool("ebs_optimized").known());
    let credits = credit_mode(attrs).or_else(|| credit_mode(lt?));
    let instance_type = instance_type.known();
    items.extend(extras(
        &Extras {
            instance_type: instance_type.as_deref(),
            monitoring,
            ebs_optimized: ebs_optimized.unwrap_or(false),
            credits: credits.as_deref(),
        },
        ctx,
    ));
    let own_devices = !attrs.blocks("root_block_device").is_empty()
        || !attrs.blocks("ebs_block_device").is_empty();
    match lt {
        Some(t) if !own_devices && !t.blocks("block_device_mappings").is_empty() => {
            items.extend(launch_template::devices(t, ctx))
        }
        _ => items.extend(block_devices(attrs, ctx)),
    }
    items
}
