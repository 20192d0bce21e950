//! `aws_nat_gateway`: a NAT gateway.
//!
//! **Components.** Gateway hours (730 a month); data processed (GB, from usage).
//!
//! **Attributes.** None: every gateway is priced the same.
//!
//! **Usage keys.** `monthly_data_processed_gb`.
//!
//! **Defaults.** None.
//!
//! **Not priced.** Data transfer out of the gateway; the public IPv4 address is its
//! `aws_eip`.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_nat_gateway",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["nat_gateway"],
    references: &[],
    cost,
    source: include_str!("nat_gateway.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![
        ctx.hourly(
            "NAT gateway",
            Decimal::ONE,
            "nat_gateway",
            "gateway_hour",
            "",
        ),
        ctx.usage_item(
            "Data processed",
            "GB",
            &["monthly_data_processed_gb"],
            Decimal::ONE,
            "nat_gateway",
            "data_processed",
            "",
        ),
    ]
}
