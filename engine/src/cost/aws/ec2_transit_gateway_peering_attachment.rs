//! `aws_ec2_transit_gateway_peering_attachment`: a peering between two transit gateways.
//!
//! **Components.** Attachment hours (730 a month; `transit_gateway` `peering_attachment_hour`).
//!
//! **Attributes.** None.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** Attached all month.
//!
//! **Not priced.** Inter-region data transfer (billed as data transfer, not by the attachment).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_ec2_transit_gateway_peering_attachment",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["transit_gateway"],
    references: &[],
    cost,
    source: include_str!("ec2_transit_gateway_peering_attachment.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.hourly(
        "Transit gateway attachment",
        Decimal::ONE,
        "transit_gateway",
        "peering_attachment_hour",
        "",
    )]
}
