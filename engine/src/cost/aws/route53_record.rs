//! `aws_route53_record`: a Route 53 DNS record.
//!
//! **Components.** Standard, latency-based and geo DNS queries per million, each in two tiers
//! (first billion a month, then the rest; `route53` `standard_queries_first_1B`, ...,
//! `geo_queries_over_1B`, global prices), from usage.
//!
//! **Attributes.** None.
//!
//! **Usage keys.** `monthly_standard_queries`, `monthly_latency_based_queries`,
//! `monthly_geo_queries`.
//!
//! **Defaults.** None: without usage the queries are usage-based.
//!
//! **Not priced.** Alias records to AWS resources (their queries are free); IP-based and
//! geoproximity routing; the hosted zone (`aws_route53_zone`).

use rust_decimal::Decimal;

use super::tiers::{tiered, Tier};
use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_route53_record",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["route53"],
    references: &[],
    cost,
    source: include_str!("route53_record.rs"),
};

const KINDS: [(&str, [Tier; 2]); 3] = [
    (
        "monthly_standard_queries",
        [
            Tier {
                name: "Standard queries (first 1B)",
                product: "standard_queries_first_1B",
                upto: Some(1_000),
            },
            Tier {
                name: "Standard queries (over 1B)",
                product: "standard_queries_over_1B",
                upto: None,
            },
        ],
    ),
    (
        "monthly_latency_based_queries",
        [
            Tier {
                name: "Latency based routing queries (first 1B)",
                product: "latency_queries_first_1B",
                upto: Some(1_000),
            },
            Tier {
                name: "Latency based routing queries (over 1B)",
                product: "latency_queries_over_1B",
                upto: None,
            },
        ],
    ),
    (
        "monthly_geo_queries",
        [
            Tier {
                name: "Geo DNS queries (first 1B)",
                product: "geo_queries_first_1B",
                upto: Some(1_000),
            },
            Tier {
                name: "Geo DNS queries (over 1B)",
                product: "geo_queries_over_1B",
                upto: None,
            },
        ],
    ),
];

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let global = ctx.in_region("global");
    let mut items = Vec::new();
    for (key, tiers) in &KINDS {
        let millions = ctx
            .usage
            .as_ref()
            .and_then(|u| u.num(&[key]))
            .map(|n| n / Decimal::from(1_000_000));
        items.extend(tiered(&global, "1M queries", millions, "route53", tiers));
    }
    items
}
