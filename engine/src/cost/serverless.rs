//! Usage-priced services: `aws_lambda_function`, `aws_cloudwatch_log_group`.

use rust_decimal::Decimal;

use super::{dec, Ctx, LineItem};
use crate::values::Attrs;

/// `aws_lambda_function`: requests and duration (GB-seconds) from usage `monthly_requests` and
/// `request_duration_ms`. Duration uses the region's volume tiers where the catalog has them.
pub(crate) fn lambda_function(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
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
    match (gb_seconds, has_tiers) {
        (Some(total), true) => {
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
        }
        _ => items.push(ctx.usage_qty(
            format!("Duration ({arch})"),
            "GB-seconds",
            gb_seconds,
            "lambda",
            &format!("duration_{arch}"),
            "",
        )),
    }
    items
}

/// `aws_cloudwatch_log_group`: ingestion, archival storage and Insights queries, all from usage.
pub(crate) fn cloudwatch_log_group(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![
        ctx.usage_item(
            "Data ingested",
            "GB",
            &["monthly_data_ingested_gb"],
            Decimal::ONE,
            "cloudwatch_logs",
            "ingestion",
            "",
        ),
        ctx.usage_item(
            "Archival Storage",
            "GB",
            &["storage_gb"],
            Decimal::ONE,
            "cloudwatch_logs",
            "archival_storage",
            "",
        ),
        ctx.usage_item(
            "Insights queries data scanned",
            "GB",
            &["monthly_data_scanned_gb"],
            Decimal::ONE,
            "cloudwatch_logs",
            "insights_scanned",
            "",
        ),
    ]
}
