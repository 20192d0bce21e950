//! `aws_vpn_connection`: a Site-to-Site VPN connection.
//!
//! **Components.** Connection hours (730 a month; `vpn` `site_to_site_connection_hour`); when it
//! attaches to a transit gateway, the attachment's hours (`transit_gateway`
//! `vpn_attachment_hour`) and the data it processes (GB, `data_processed_vpn_attachment`, from
//! usage).
//!
//! **Attributes.** `transit_gateway_id`.
//!
//! **Usage keys.** `monthly_data_processed_gb`.
//!
//! **Defaults.** The connection is up all month.
//!
//! **Not priced.** Accelerated VPN (Global Accelerator); data transfer out.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_vpn_connection",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["vpn", "transit_gateway"],
    references: &[],
    cost,
    source: include_str!("vpn_connection.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = vec![ctx.hourly(
        "VPN connection",
        Decimal::ONE,
        "vpn",
        "site_to_site_connection_hour",
        "",
    )];
    // Known or computed (another resource's id): either way the connection is attached.
    let transit =
        attrs.str("transit_gateway_id").known().is_some() || attrs.is_unknown("transit_gateway_id");
    if transit {
        items.push(ctx.hourly(
            "Transit gateway attachment",
            Decimal::ONE,
            "transit_gateway",
            "vpn_attachment_hour",
            "",
        ));
        items.push(ctx.usage_item(
            "Data processed",
            "GB",
            &["monthly_data_processed_gb"],
            Decimal::ONE,
            "transit_gateway",
            "data_processed_vpn_attachment",
            "",
        ));
    }
    items
}
