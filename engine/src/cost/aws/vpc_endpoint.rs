//! `aws_vpc_endpoint`: a VPC endpoint (gateway, interface or Gateway Load Balancer).
//!
//! **Components.** Interface endpoints: endpoint hours, one per subnet (AWS bills an interface
//! endpoint per Availability Zone it has a network interface in; `vpc_endpoint`
//! `interface_endpoint_hour`), and data processed (GB, from usage) in three tiers (first 1 PB, next
//! 4 PB, over 5 PB; `data_processed_first_1PB`, `data_processed_next_4PB`,
//! `data_processed_over_5PB`). Gateway Load Balancer endpoints: endpoint hours
//! (`gwlb_endpoint_hour`) and data processed (`gwlb_endpoint_data_processed`, from usage).
//!
//! **Attributes.** `vpc_endpoint_type`, `subnet_ids`.
//!
//! **Usage keys.** `monthly_data_processed_gb`.
//!
//! **Defaults.** `vpc_endpoint_type` not set: a gateway endpoint, which AWS does not bill (no
//! items). An interface endpoint without `subnet_ids` is priced as one Availability Zone, as
//! infracost does; `subnet_ids` unknown until apply leaves the hours unpriced.
//!
//! **Not priced.** Resource and service-network endpoints (no prices in the catalog); data
//! transfer between Availability Zones or regions; the gateway load balancer itself.

use rust_decimal::Decimal;

use super::tiers::{tiered, Tier};
use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_vpc_endpoint",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["vpc_endpoint"],
    references: &[],
    cost,
    source: include_str!("vpc_endpoint.rs"),
};

/// Interface endpoint data tiers, in GB (1 PB = 1,048,576 GB, as AWS's feed counts it).
#[rustfmt::skip]
const DATA: &[Tier] = &[
    Tier { name: "Data processed (first 1PB)", product: "data_processed_first_1PB", upto: Some(1_048_576) },
    Tier { name: "Data processed (next 4PB)", product: "data_processed_next_4PB", upto: Some(5_242_880) },
    Tier { name: "Data processed (over 5PB)", product: "data_processed_over_5PB", upto: None },
];

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let kind = attrs.str("vpc_endpoint_type").known();
    let data_gb = ctx
        .usage
        .as_ref()
        .and_then(|u| u.num(&["monthly_data_processed_gb"]));
    match kind.as_deref() {
        None | Some("Gateway") => Vec::new(),
        Some("Interface") => {
            let mut items = vec![interface_hours(attrs, ctx)];
            items.extend(tiered(ctx, "GB", data_gb, "vpc_endpoint", DATA));
            items
        }
        Some("GatewayLoadBalancer") => vec![
            ctx.hourly(
                "Endpoint (GatewayLoadBalancer)",
                Decimal::ONE,
                "vpc_endpoint",
                "gwlb_endpoint_hour",
                "",
            ),
            ctx.usage_qty(
                "Data processed",
                "GB",
                data_gb,
                "vpc_endpoint",
                "gwlb_endpoint_data_processed",
                "",
            ),
        ],
        Some(other) => vec![LineItem::unpriced(
            format!("Endpoint ({other})"),
            "hours",
            None,
            format!("`{other}` VPC endpoint prices are not in the catalog"),
        )],
    }
}

/// An interface endpoint's hours: one endpoint-hour per subnet (Availability Zone).
fn interface_hours(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> LineItem {
    const NAME: &str = "Endpoint (Interface)";
    let subnets = attrs
        .raw("subnet_ids")
        .and_then(|r| serde_json::from_str::<Vec<serde_json::Value>>(r.get()).ok());
    match subnets {
        Some(s) if s.iter().any(serde_json::Value::is_null) => {
            unknown_item(NAME, "hours", "a subnet in subnet_ids")
        }
        Some(s) if !s.is_empty() => ctx.hourly(
            NAME,
            Decimal::from(s.len()),
            "vpc_endpoint",
            "interface_endpoint_hour",
            "",
        ),
        _ if attrs.is_unknown("subnet_ids") => unknown_item(NAME, "hours", "subnet_ids"),
        _ => ctx
            .hourly(
                NAME,
                Decimal::ONE,
                "vpc_endpoint",
                "interface_endpoint_hour",
                "",
            )
            .with_note(Some(
                "subnet_ids not set: priced as one Availability Zone".into(),
            )),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::cost_values;
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    fn monthly(values: serde_json::Value, unknown: serde_json::Value, usage: &str) -> Decimal {
        let addr: Address = "aws_vpc_endpoint.e".parse().unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            &format!("version: 0.1\nresource_usage:\n  aws_vpc_endpoint.e:\n{usage}"),
        )
        .unwrap();
        cost_values(
            &addr,
            "aws_vpc_endpoint",
            &values,
            &unknown,
            None,
            "eu-west-1",
            &Catalog::embedded(),
            &usage,
        )
        .monthly()
    }

    /// eu-west-1: an interface endpoint in two subnets is 2 × 730 h × $0.011 = $16.06, plus
    /// 1,000 GB × $0.01 = $10; a gateway endpoint is free; a GWLB endpoint is 730 h × $0.0112 =
    /// $8.176 plus 1,000 GB × $0.0035 = $3.50.
    #[test]
    fn endpoints_by_type() {
        let data = "    monthly_data_processed_gb: 1000\n";
        let interface = json!({"vpc_endpoint_type": "Interface", "subnet_ids": ["a", "b"]});
        assert_eq!(monthly(interface, json!({}), data), Decimal::new(2606, 2));
        assert_eq!(monthly(json!({}), json!({}), data), Decimal::ZERO);
        let gwlb = json!({"vpc_endpoint_type": "GatewayLoadBalancer", "subnet_ids": ["a"]});
        assert_eq!(monthly(gwlb, json!({}), data), Decimal::new(11676, 3));
        let unknown = json!({"vpc_endpoint_type": "Interface"});
        assert_eq!(
            monthly(unknown, json!({"subnet_ids": true}), data),
            Decimal::new(10, 0)
        );
    }
}
