//! `aws_route53_zone`: a Route 53 hosted zone.
//!
//! **Components.** The hosted zone, a zone-month at the price of the first 25 zones (`route53`
//! `hosted_zone_first_25`, a global price).
//!
//! **Attributes.** None.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** One of an account's first 25 zones (infracost prices every zone so).
//!
//! **Not priced.** The lower price past 25 zones; queries (`aws_route53_record`).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_route53_zone",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["route53"],
    references: &[],
    cost,
    source: include_str!("route53_zone.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.in_region("global").fixed(
        "Hosted zone",
        "months",
        Decimal::ONE,
        "route53",
        "hosted_zone_first_25",
        "",
    )]
}
