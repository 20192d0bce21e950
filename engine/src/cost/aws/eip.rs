//! `aws_eip`: an Elastic IP address.
//!
//! **Components.** Public IPv4 address hours (730 a month).
//!
//! **Attributes.** `customer_owned_ipv4_pool`.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** Since 2024-02-01 AWS bills every public IPv4 address, attached or idle, at the
//! same hourly rate, so every EIP is priced (infracost prices only unattached ones).
//!
//! **Not priced.** Addresses from a customer-owned pool (`customer_owned_ipv4_pool`) have no
//! items: AWS does not bill them.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_eip",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["eip"],
    references: &[],
    cost,
    source: include_str!("eip.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    if attrs.str("customer_owned_ipv4_pool").known().is_some() {
        return Vec::new();
    }
    vec![ctx.hourly(
        "IP address (public IPv4)",
        Decimal::ONE,
        "eip",
        "idle_address_hour",
        "",
    )]
}
