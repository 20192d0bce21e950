//! `aws_route53_resolver_endpoint`: a Route 53 Resolver inbound or outbound endpoint.
//!
//! **Components.** Endpoint hours, one elastic network interface per `ip_address` block (730 a
//! month each; `route53_resolver` `endpoint_eni_hour`); DNS queries per million in two tiers
//! (`queries_first_1B`, `queries_over_1B`), from usage.
//!
//! **Attributes.** `ip_address` (each block is one network interface).
//!
//! **Usage keys.** `monthly_queries`.
//!
//! **Defaults.** The endpoint is up all month.
//!
//! **Not priced.** Resolver DNS Firewall; query logging.

use rust_decimal::Decimal;

use super::tiers::{tiered, Tier};
use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_route53_resolver_endpoint",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["route53_resolver"],
    references: &[],
    cost,
    source: include_str!("route53_resolver_endpoint.rs"),
};

const QUERIES: &[Tier] = &[
    Tier {
        name: "DNS queries (first 1B)",
        product: "queries_first_1B",
        upto: Some(1_000),
    },
    Tier {
        name: "DNS queries (over 1B)",
        product: "queries_over_1B",
        upto: None,
    },
];

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let enis = Decimal::from(attrs.blocks("ip_address").len());
    let mut items = vec![ctx.hourly(
        "Resolver endpoints",
        enis,
        "route53_resolver",
        "endpoint_eni_hour",
        "",
    )];
    let millions = ctx
        .usage
        .as_ref()
        .and_then(|u| u.num(&["monthly_queries"]))
        .map(|n| n / Decimal::from(1_000_000));
    items.extend(tiered(
        ctx,
        "1M queries",
        millions,
        "route53_resolver",
        QUERIES,
    ));
    items
}
