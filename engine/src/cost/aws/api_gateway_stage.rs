//! `aws_api_gateway_stage`: a REST API stage, priced for its cache.
//!
//! **Components.** Cache memory hours when `cache_cluster_enabled` (730 a month; `api_gateway`
//! `cache_<size>GB_hour` for the sizes 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118 and 237 GB).
//!
//! **Attributes.** `cache_cluster_enabled`, `cache_cluster_size`.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** A cache without `cache_cluster_size` is 0.5 GB, as AWS creates it. A stage
//! without a cache has no items.
//!
//! **Not priced.** Requests (`aws_api_gateway_rest_api`).

use rust_decimal::Decimal;

use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_api_gateway_stage",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["api_gateway"],
    references: &[],
    cost,
    source: include_str!("api_gateway_stage.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    match attrs.bool("cache_cluster_enabled") {
        Field::Known(true) => {}
        Field::Unknown => {
            return vec![unknown_item(
                "Cache memory",
                "hours",
                "cache_cluster_enabled",
            )]
        }
        _ => return Vec::new(),
    }
    let (size, note) = match attrs.num("cache_cluster_size") {
        Field::Known(s) => (s.normalize(), None),
        Field::Unknown => return vec![unknown_item("Cache memory", "hours", "cache_cluster_size")],
        Field::Missing => (
            Decimal::new(5, 1),
            Some("cache_cluster_size not set: assumed 0.5".to_string()),
        ),
    };
    vec![ctx
        .hourly(
            format!("Cache memory ({size} GB)"),
            Decimal::ONE,
            "api_gateway",
            &format!("cache_{size}GB_hour"),
            "",
        )
        .with_note(note)]
}
