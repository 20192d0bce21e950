//! `aws_ebs_volume`: an EBS volume.
//!
//! **Components.** Storage (GB); gp3 IOPS above 3,000 and throughput above 125 MiB/s; io1 IOPS;
//! io2 IOPS in three tiers (up to 32,000, up to 64,000, above); `standard` (magnetic) I/O requests
//! (1M requests, from usage).
//!
//! **Attributes.** `type`, `size`, `iops`, `throughput`.
//!
//! **Usage keys.** `monthly_standard_io_requests`.
//!
//! **Defaults.** `type` not set in the configuration: gp2 (the EC2 API's default).
//!
//! **Not priced.** A size that comes from a snapshot is not in the plan (unpriced); snapshots are
//! their own resources.

use super::ebs::{volume_items, Volume};
use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_ebs_volume",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["ebs"],
    references: &[],
    cost,
    source: include_str!("ebs_volume.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut v = Volume::from_attrs(attrs, "type", "size", None);
    if v.volume_type.is_unknown() && ctx.configured("type") == Some(false) {
        // Not set in the code: the provider leaves it to the EC2 API, whose default is gp2.
        v.volume_type = Field::Known("gp2".into());
        v.note = Some("type not set: the EC2 default gp2".into());
    }
    volume_items(&v, ctx)
}
