//! `aws_ec2_transit_gateway_vpc_attachment`: a VPC attached to a transit gateway.
//!
//! **Components.** Attachment hours (730 a month; `transit_gateway` `vpc_attachment_hour`) and
//! the data it processes (GB, `data_processed_vpc_attachment`, from usage).
//!
//! **Attributes.** None.
//!
//! **Usage keys.** `monthly_data_processed_gb`.
//!
//! **Defaults.** Attached all month.
//!
//! **Not priced.** Data transfer between regions or out.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_ec2_transit_gateway_vpc_attachment",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["transit_gateway"],
    references: &[],
    cost,
    source: include_str!("ec2_transit_gateway_vpc_attachment.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![
        ctx.hourly(
            "Transit gateway attachment",
            Decimal::ONE,
            "transit_gateway",
            "vpc_attachment_hour",
            "",
        ),
        ctx.usage_item(
            "Data processed",
            "GB",
            &["monthly_data_processed_gb"],
            Decimal::ONE,
            "transit_gateway",
            "data_processed_vpc_attachment",
            "",
        ),
    ]
}
