//! `aws_ec2_client_vpn_endpoint`: a Client VPN endpoint.
//!
//! **Components.** Client connection hours (`client_vpn` `connection_hour`), from usage.
//!
//! **Attributes.** None.
//!
//! **Usage keys.** `monthly_connection_hours` (costfix's own: infracost has no usage key for this
//! type and prices one connection all month).
//!
//! **Defaults.** None: without usage the connection hours are usage-based.
//!
//! **Not priced.** The endpoint's subnet associations (`aws_ec2_client_vpn_network_association`,
//! billed per hour); data transfer.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_ec2_client_vpn_endpoint",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["client_vpn"],
    references: &[],
    cost,
    source: include_str!("ec2_client_vpn_endpoint.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.usage_item(
        "Connection",
        "hours",
        &["monthly_connection_hours"],
        Decimal::ONE,
        "client_vpn",
        "connection_hour",
        "",
    )]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::cost::cost_values;
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    /// 20 users connected 8 hours a day for 22 days: 3,520 h × $0.05 = $176.
    #[test]
    fn connection_hours() {
        let addr: Address = "aws_ec2_client_vpn_endpoint.vpn".parse().unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            "version: 0.1\nresource_usage:\n  aws_ec2_client_vpn_endpoint.vpn:\n    monthly_connection_hours: 3520\n",
        )
        .unwrap();
        let cost = cost_values(
            &addr,
            "aws_ec2_client_vpn_endpoint",
            &serde_json::json!({}),
            &serde_json::json!({}),
            None,
            "us-east-1",
            &Catalog::embedded(),
            &usage,
        );
        assert_eq!(cost.monthly(), Decimal::from(176));
    }
}
