//! `aws_dx_gateway_association`: a Direct Connect gateway associated with a transit gateway (or a
//! virtual private gateway).
//!
//! **Components.** For a transit gateway: the Direct Connect gateway attachment's hours (730 a
//! month; `transit_gateway` `dx_gateway_attachment_hour`) and the data it processes (GB,
//! `data_processed_dx_gateway_attachment`, from usage). An association with a virtual private
//! gateway has no items: AWS does not bill it.
//!
//! **Attributes.** `associated_gateway_id` (`tgw-` or `vgw-`), `associated_gateway_type`, or the
//! type of the resource the configuration's `associated_gateway_id` refers to.
//!
//! **Usage keys.** `monthly_data_processed_gb` (infracost's).
//!
//! **Defaults.** Attached all month. A gateway that cannot be told is a transit gateway, as
//! infracost assumes (said in a note).
//!
//! **Not priced.** Direct Connect port hours and data transfer out, billed on the connection
//! (`aws_dx_connection`); the transit gateway's other attachments.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_dx_gateway_association",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["transit_gateway"],
    references: &[],
    cost,
    source: include_str!("dx_gateway_association.rs"),
};

/// What the Direct Connect gateway is associated with: `Some(true)` a transit gateway,
/// `Some(false)` a virtual private gateway, `None` not known.
fn transit_gateway(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Option<bool> {
    if let Some(id) = attrs.str("associated_gateway_id").known() {
        if id.starts_with("tgw-") {
            return Some(true);
        }
        if id.starts_with("vgw-") {
            return Some(false);
        }
    }
    if let Some(t) = attrs.str("associated_gateway_type").known() {
        match t.as_ref() {
            "transitGateway" => return Some(true),
            "virtualPrivateGateway" => return Some(false),
            _ => {}
        }
    }
    let expr = ctx.config?.raw("associated_gateway_id")?;
    let v: serde_json::Value = serde_json::from_str(expr.get()).ok()?;
    v.get("references")?
        .as_array()?
        .iter()
        .filter_map(|r| r.as_str())
        .find_map(|r| match r.split('.').next() {
            Some("aws_ec2_transit_gateway") => Some(true),
            Some("aws_vpn_gateway") => Some(false),
            _ => None,
        })
}

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let known = transit_gateway(attrs, ctx);
    if known == Some(false) {
        return Vec::new();
    }
    let note = known.is_none().then(|| {
        "the associated gateway is not known until apply: assumed a transit gateway".to_string()
    });
    vec![
        ctx.hourly(
            "Transit gateway attachment",
            Decimal::ONE,
            "transit_gateway",
            "dx_gateway_attachment_hour",
            "",
        )
        .with_note(note),
        ctx.usage_item(
            "Data processed",
            "GB",
            &["monthly_data_processed_gb"],
            Decimal::ONE,
            "transit_gateway",
            "data_processed_dx_gateway_attachment",
            "",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};

    /// ap-southeast-1: an association with a transit gateway of the plan (its id unknown until
    /// apply) is 730 hours at $0.07; one with a virtual private gateway costs nothing.
    #[test]
    fn transit_gateways_only() {
        let tgw = r#"{"associated_gateway_id": {"references": ["aws_ec2_transit_gateway.t.id", "aws_ec2_transit_gateway.t"]}}"#;
        let est = estimate_plan(
            &[
                (
                    "aws_dx_gateway_association.tgw",
                    r#"{"dx_gateway_id": "dx-1"}"#,
                    r#"{"associated_gateway_id": true}"#,
                    tgw,
                ),
                (
                    "aws_dx_gateway_association.vgw",
                    r#"{"dx_gateway_id": "dx-1", "associated_gateway_id": "vgw-1"}"#,
                    "{}",
                    "{}",
                ),
            ],
            "ap-southeast-1",
            "",
        );
        let hour = price(
            "transit_gateway",
            "ap-southeast-1",
            "dx_gateway_attachment_hour",
            "",
        );
        let t = items(&est, "aws_dx_gateway_association.tgw");
        assert_eq!(t[0].monthly, Some(Decimal::from(730) * hour));
        assert_eq!(t[0].monthly, Some(Decimal::new(511, 1)));
        assert_eq!(t[0].note, None);
        assert!(items(&est, "aws_dx_gateway_association.vgw").is_empty());
    }
}
