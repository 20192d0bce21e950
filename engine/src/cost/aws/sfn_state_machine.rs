//! `aws_sfn_state_machine`: a Step Functions state machine.
//!
//! **Components.** Standard workflows: state transitions (per 1,000, `step_functions`
//! `standard_state_transitions`). Express workflows: requests (per million, `express_requests`)
//! and duration in three tiers of GB-time (`express_duration_first_1k_gb_hours` up to 1,000
//! GB-hours a month, `express_duration_next_4k_gb_hours` up to 5,000, then
//! `express_duration_over_5k_gb_hours`; priced per GB-second). Each execution's duration is
//! rounded up to 100 ms and its memory up to 64 MB, as AWS bills it. All from usage.
//!
//! **Attributes.** `type` (`STANDARD` or `EXPRESS`).
//!
//! **Usage keys.** `monthly_transitions` (standard); `monthly_requests`, `workflow_duration_ms`,
//! `memory_mb` (express).
//!
//! **Defaults.** A standard workflow (Terraform's default `type`).
//!
//! **Not priced.** The free tier (4,000 standard transitions a month); the services the workflow
//! calls; data transfer.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_sfn_state_machine",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["step_functions"],
    references: &[],
    cost,
    source: include_str!("sfn_state_machine.rs"),
};

/// GB-seconds in 1,000 and in 5,000 GB-hours: the duration tiers' bounds.
const TIER_1: i64 = 1_000 * 3_600;
const TIER_2: i64 = 5_000 * 3_600;

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let express = attrs.str("type").known().as_deref() == Some("EXPRESS");
    if !express {
        return vec![ctx.usage_item(
            "Transitions",
            "1K transitions",
            &["monthly_transitions"],
            Decimal::new(1, 3),
            "step_functions",
            "standard_state_transitions",
            "",
        )];
    }
    let requests = ctx.usage.as_ref().and_then(|u| u.num(&["monthly_requests"]));
    let mut items = vec![ctx.usage_qty(
        "Requests",
        "1M requests",
        requests.map(|r| r / Decimal::from(1_000_000)),
        "step_functions",
        "express_requests",
        "",
    )];
    let Some(gb_seconds) = express_gb_seconds(ctx, requests) else {
        items.push(ctx.usage_qty(
            "Duration (first 1K)",
            "GB-seconds",
            None,
            "step_functions",
            "express_duration_first_1k_gb_hours",
            "",
        ));
        return items;
    };
    let tiers = [
        ("Duration (first 1K)", "express_duration_first_1k_gb_hours", Decimal::ZERO, Some(TIER_1)),
        ("Duration (next 4K)", "express_duration_next_4k_gb_hours", Decimal::from(TIER_1), Some(TIER_2)),
        ("Duration (over 5K)", "express_duration_over_5k_gb_hours", Decimal::from(TIER_2), None),
    ];
    for (name, product, from, to) in tiers {
        let upto = to.map_or(gb_seconds, |t| gb_seconds.min(Decimal::from(t)));
        let qty = upto - from;
        if qty > Decimal::ZERO {
            items.push(ctx.usage_qty(name, "GB-seconds", Some(qty), "step_functions", product, ""));
        }
    }
    items
}

/// Express executions' GB-seconds a month: duration rounded up to 100 ms, memory up to 64 MB.
fn express_gb_seconds(ctx: &Ctx<'_, '_>, requests: Option<Decimal>) -> Option<Decimal> {
    let u = ctx.usage.as_ref()?;
    let ms = u.num(&["workflow_duration_ms"])?;
    let mb = u.num(&["memory_mb"]).unwrap_or_default();
    let seconds = (ms / Decimal::from(100)).ceil() / Decimal::from(10);
    let gb = ((mb / Decimal::from(64)).ceil().max(Decimal::ONE) * Decimal::from(64))
        / Decimal::from(1024);
    Some(requests? * seconds * gb)
}
