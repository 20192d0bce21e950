//! `aws_lambda_function`: a Lambda function.
//!
//! **Components.** Requests; duration in GB-seconds (x86_64 or arm64, in the region's volume tiers
//! where the catalog has them); both from usage.
//!
//! **Attributes.** `memory_size`, `architectures`.
//!
//! **Usage keys.** `monthly_requests`, `request_duration_ms`.
//!
//! **Defaults.** `memory_size` 128 MB; x86_64.
//!
//! **Not priced.** The free tier; ephemeral storage; provisioned concurrency (its own type,
//! `aws_lambda_provisioned_concurrency_config`).

use rust_decimal::Decimal;

use crate::cost::{dec, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_lambda_function",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["lambda"],
    references: &[],
    cost,
    source: include_str!("lambda_function.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let memory_mb = attrs.num("memory_size").known().unwrap_or(dec(128));
    let arm = attrs
        .raw("architectures")
        .and_then(|r| serde_json::from_str::<Vec<String>>(r.get()).ok())
        .is_some_and(|a| a.iter().any(|x| x == "arm64"));
    let requests = ctx.usage.and_then(|u| u.num(&["monthly_requests"]));
    let duration_ms = ctx.usage.and_then(|u| u.num(&["request_duration_ms"]));
    let mut items = vec![ctx.usage_qty("Requests", "requests", requests, "lambda", "requests", "")];

    let gb_seconds = match (requests, duration_ms) {
        (Some(r), Some(d)) => Some(r * d / dec(1000) * memory_mb / dec(1024)),
        _ => None,
    };
    items.extend(duration(gb_seconds, arm, ctx));
    items
}

/// Duration: in the volume tiers where the catalog has them and usage gives the GB-seconds, else
/// at the flat rate.
fn duration(gb_seconds: Option<Decimal>, arm: bool, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let arch = if arm { "arm64" } else { "x86_64" };
    // Tiers: (upper bound in GB-seconds, catalog item).
    let tiers: &[(i64, &str)] = if arm {
        &[
            (7_500_000_000, "duration_arm64_first_7.5B"),
            (18_750_000_000, "duration_arm64_next_11.25B"),
            (i64::MAX, "duration_arm64_over_18.75B"),
        ]
    } else {
        &[
            (6_000_000_000, "duration_x86_first_6B"),
            (15_000_000_000, "duration_x86_next_9B"),
            (i64::MAX, "duration_x86_over_15B"),
        ]
    };
    let has_tiers = ctx
        .catalog
        .get("lambda", ctx.region, tiers[0].1, "")
        .is_some();
    let Some(total) = gb_seconds.filter(|_| has_tiers) else {
        return vec![ctx.usage_qty(
            format!("Duration ({arch})"),
            "GB-seconds",
            gb_seconds,
            "lambda",
            &format!("duration_{arch}"),
            "",
        )];
    };
    let mut items = Vec::new();
    let mut lo = Decimal::ZERO;
    for (i, (hi, item)) in tiers.iter().enumerate() {
        let hi = Decimal::from(*hi);
        if total <= lo && i > 0 {
            break;
        }
        let q = total.min(hi) - lo;
        let name = match i {
            0 => format!("Duration ({arch}, first tier)"),
            1 => format!("Duration ({arch}, second tier)"),
            _ => format!("Duration ({arch}, third tier)"),
        };
        items.push(ctx.usage_qty(
            name,
            "GB-seconds",
            Some(q.max(Decimal::ZERO)),
            "lambda",
            item,
            "",
        ));
        lo = hi;
    }
    items
}
