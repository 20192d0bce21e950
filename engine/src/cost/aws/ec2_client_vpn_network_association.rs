//! `aws_ec2_client_vpn_network_association`: a subnet associated with a Client VPN endpoint.
//!
//! **Components.** Endpoint association hours (730 a month; `client_vpn`
//! `endpoint_association_hour`).
//!
//! **Attributes.** None: every association is priced the same.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** The association stays all month.
//!
//! **Not priced.** Connection hours (`aws_ec2_client_vpn_endpoint`); data transfer.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_ec2_client_vpn_network_association",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["client_vpn"],
    references: &[],
    cost,
    source: include_str!("ec2_client_vpn_network_association.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.hourly(
        "Endpoint association",
        Decimal::ONE,
        "client_vpn",
        "endpoint_association_hour",
        "",
    )]
}
