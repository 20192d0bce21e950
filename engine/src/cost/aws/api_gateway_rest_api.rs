//! `aws_api_gateway_rest_api`: an API Gateway REST API.
//!
//! **Components.** Requests per million in four tiers (`api_gateway` `rest_requests_first_333M`,
//! `rest_requests_next_667M`, `rest_requests_next_19B`, `rest_requests_over_20B`), from usage.
//!
//! **Attributes.** None.
//!
//! **Usage keys.** `monthly_requests`.
//!
//! **Defaults.** None: without usage the requests are usage-based.
//!
//! **Not priced.** The cache (`aws_api_gateway_stage` with `cache_cluster_enabled`); the free tier;
//! data transfer.

use rust_decimal::Decimal;

use super::tiers::{tiered, Tier};
use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_api_gateway_rest_api",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["api_gateway"],
    references: &[],
    cost,
    source: include_str!("api_gateway_rest_api.rs"),
};

const TIERS: &[Tier] = &[
    Tier {
        name: "Requests (first 333M)",
        product: "rest_requests_first_333M",
        upto: Some(333),
    },
    Tier {
        name: "Requests (next 667M)",
        product: "rest_requests_next_667M",
        upto: Some(1_000),
    },
    Tier {
        name: "Requests (next 19B)",
        product: "rest_requests_next_19B",
        upto: Some(20_000),
    },
    Tier {
        name: "Requests (over 20B)",
        product: "rest_requests_over_20B",
        upto: None,
    },
];

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let millions = ctx
        .usage
        .as_ref()
        .and_then(|u| u.num(&["monthly_requests"]))
        .map(|n| n / Decimal::from(1_000_000));
    tiered(ctx, "1M requests", millions, "api_gateway", TIERS)
}
