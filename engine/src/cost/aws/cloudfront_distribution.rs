//! `aws_cloudfront_distribution`: a CloudFront distribution.
//!
//! **Components.** HTTP and HTTPS requests per 10,000 by edge geography (`cloudfront`
//! `http_requests_<geography>`, `https_requests_<geography>`, global prices), from usage: `us`
//! (the United States price), `europe` (EU), `south_africa`, `south_america`, `japan`,
//! `australia`, `asia_pacific`, `india`. Without request usage, the US requests are shown
//! usage-based.
//!
//! **Attributes.** `viewer_certificate` (`ssl_support_method`).
//!
//! **Usage keys.** `monthly_http_requests` and `monthly_https_requests` (each with the geography
//! keys above), `monthly_data_transfer_to_internet_gb` and `monthly_data_transfer_to_origin_gb`
//! (same keys; unpriced), `monthly_invalidation_requests`, `monthly_encryption_requests`,
//! `monthly_log_lines`, `monthly_shield_requests`, `custom_ssl_certificates` (unpriced).
//!
//! **Defaults.** None.
//!
//! **Not priced.** Data transfer out to the internet (always listed, unpriced: the catalog has
//! no CloudFront data transfer prices) and to the origin; invalidations, field-level encryption,
//! real-time logs, Origin Shield requests, custom SSL certificates and dedicated-IP (`vip`) SSL:
//! no prices in the catalog, unpriced when usage or the configuration asks for them; the free
//! tier.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_cloudfront_distribution",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["cloudfront"],
    references: &[],
    cost,
    source: include_str!("cloudfront_distribution.rs"),
};

/// (usage key, item label, catalog geography)
#[rustfmt::skip]
const GEOGRAPHIES: &[(&str, &str, &str)] = &[
    ("us", "US, Mexico, Canada", "united_states"),
    ("europe", "Europe, Israel", "eu"),
    ("south_africa", "South Africa, Kenya, Middle East", "south_africa"),
    ("south_america", "South America", "south_america"),
    ("japan", "Japan", "japan"),
    ("australia", "Australia, New Zealand", "australia"),
    ("asia_pacific", "Hong Kong, Philippines, Asia Pacific", "asia_pacific"),
    ("india", "India", "india"),
];

const NO_PRICE: &str = "no price in the catalog";

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let global = ctx.in_region("global");
    let num = |path: &[&str]| ctx.usage.as_ref().and_then(|u| u.num(path));
    let mut items = Vec::new();
    let any_requests = GEOGRAPHIES.iter().any(|(key, _, _)| {
        num(&["monthly_http_requests", key]).is_some()
            || num(&["monthly_https_requests", key]).is_some()
    });
    for (i, (key, label, geo)) in GEOGRAPHIES.iter().enumerate() {
        for (usage_key, scheme, prefix) in [
            ("monthly_http_requests", "HTTP", "http_requests"),
            ("monthly_https_requests", "HTTPS", "https_requests"),
        ] {
            let qty = num(&[usage_key, key]);
            if qty.is_some() || (!any_requests && i == 0) {
                items.push(
                    global
                        .usage_qty(
                            format!("{scheme} requests"),
                            "10k requests",
                            qty.map(|q| q / Decimal::from(10_000)),
                            "cloudfront",
                            &format!("{prefix}_{geo}"),
                            "",
                        )
                        .in_group(*label),
                );
            }
        }
    }
    let total = |key: &str| {
        GEOGRAPHIES
            .iter()
            .filter_map(|(g, _, _)| num(&[key, g]))
            .reduce(|a, b| a + b)
    };
    items.push(LineItem::unpriced(
        "Data transfer out to internet",
        "GB",
        total("monthly_data_transfer_to_internet_gb"),
        format!("CloudFront data transfer: {NO_PRICE}"),
    ));
    let mut extra = |name: &str, unit: &str, qty: Option<Decimal>| {
        if let Some(q) = qty.filter(|q| *q > Decimal::ZERO) {
            items.push(LineItem::unpriced(name, unit, Some(q), NO_PRICE.into()));
        }
    };
    extra(
        "Data transfer out to origin",
        "GB",
        total("monthly_data_transfer_to_origin_gb"),
    );
    extra(
        "Invalidation requests",
        "paths",
        num(&["monthly_invalidation_requests"]),
    );
    extra(
        "Field level encryption requests",
        "requests",
        num(&["monthly_encryption_requests"]),
    );
    extra(
        "Real-time log requests",
        "lines",
        num(&["monthly_log_lines"]),
    );
    let shield = ctx.usage.as_ref().and_then(|u| {
        [
            "us",
            "europe",
            "south_america",
            "japan",
            "australia",
            "singapore",
            "south_korea",
            "indonesia",
            "india",
        ]
        .iter()
        .filter_map(|g| u.num(&["monthly_shield_requests", g]))
        .reduce(|a, b| a + b)
    });
    extra("Origin shield requests", "requests", shield);
    extra(
        "Custom SSL certificates",
        "certificates",
        num(&["custom_ssl_certificates"]),
    );
    let vip = attrs
        .blocks("viewer_certificate")
        .iter()
        .any(|v| v.str("ssl_support_method").known().as_deref() == Some("vip"));
    if vip {
        items.push(LineItem::unpriced(
            "Dedicated IP custom SSL",
            "certificates",
            Some(Decimal::ONE),
            NO_PRICE.into(),
        ));
    }
    items
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::cost::{cost_values, ItemStatus};
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    /// 10M HTTPS requests from the US ($0.01 per 10k) and 2M HTTP requests from Europe
    /// ($0.009 per 10k): $10 + $1.80; data transfer out is unpriced.
    #[test]
    fn requests_by_geography() {
        let addr: Address = "aws_cloudfront_distribution.d".parse().unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            "version: 0.1\nresource_usage:\n  aws_cloudfront_distribution.d:\n    monthly_https_requests:\n      us: 10000000\n    monthly_http_requests:\n      europe: 2000000\n    monthly_data_transfer_to_internet_gb:\n      us: 100\n",
        )
        .unwrap();
        let cost = cost_values(
            &addr,
            "aws_cloudfront_distribution",
            &serde_json::json!({}),
            &serde_json::json!({}),
            None,
            "us-east-1",
            &Catalog::embedded(),
            &usage,
        );
        assert_eq!(cost.monthly(), Decimal::new(1180, 2));
        let out = cost
            .items
            .iter()
            .find(|i| i.name.starts_with("Data transfer"))
            .unwrap();
        assert_eq!(
            (out.status, out.quantity),
            (ItemStatus::Unpriced, Some(Decimal::from(100)))
        );
    }
}
