//! `aws_ec2_transit_gateway_connect`: a transit gateway Connect attachment (GRE tunnels to SD-WAN
//! or other appliances over a VPC or Direct Connect transport attachment).
//!
//! **Components.** Attachment hours (730 a month; `transit_gateway` `connect_attachment_hour`).
//! The data it processes (GB, from usage) is unpriced: the catalog has data processing prices for
//! VPC, VPN and Direct Connect gateway attachments, not for Connect attachments.
//!
//! **Attributes.** None.
//!
//! **Usage keys.** `monthly_data_processed_gb`.
//!
//! **Defaults.** Attached all month.
//!
//! **Not priced.** Data processing (unpriced, above); the transport attachment, which is its own
//! resource (`aws_ec2_transit_gateway_vpc_attachment`, ...); the Connect peers
//! (`aws_ec2_transit_gateway_connect_peer`, a type of their own).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_ec2_transit_gateway_connect",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["transit_gateway"],
    references: &[],
    cost,
    source: include_str!("ec2_transit_gateway_connect.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let gb = ctx
        .usage
        .and_then(|u| u.num(&["monthly_data_processed_gb"]));
    vec![
        ctx.hourly(
            "Transit gateway Connect attachment",
            Decimal::ONE,
            "transit_gateway",
            "connect_attachment_hour",
            "",
        ),
        LineItem::unpriced(
            "Data processed",
            "GB",
            gb,
            "the catalog has no transit gateway data processing price for Connect attachments"
                .into(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};
    use crate::cost::ItemStatus;

    /// eu-central-1: 730 attachment hours at the Connect price ($0.06 an hour there, $43.80); the
    /// 500 GB processed (usage) unpriced.
    #[test]
    fn connect_attachment_hours() {
        let est = estimate_plan(
            &[(
                "aws_ec2_transit_gateway_connect.c",
                r#"{"protocol": "gre"}"#,
                r#"{"transit_gateway_id": true, "transport_attachment_id": true}"#,
                "{}",
            )],
            "eu-central-1",
            "  aws_ec2_transit_gateway_connect.c:\n    monthly_data_processed_gb: 500\n",
        );
        let hour = price(
            "transit_gateway",
            "eu-central-1",
            "connect_attachment_hour",
            "",
        );
        let c = items(&est, "aws_ec2_transit_gateway_connect.c");
        assert_eq!(c[0].quantity, Some(Decimal::from(730)));
        assert_eq!(c[0].monthly, Some(Decimal::from(730) * hour));
        assert_eq!(c[0].monthly, Some(Decimal::new(438, 1)));
        assert_eq!(c[1].status, ItemStatus::Unpriced);
        assert_eq!(c[1].quantity, Some(Decimal::from(500)));
    }
}
