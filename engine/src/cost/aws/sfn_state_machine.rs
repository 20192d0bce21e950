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

use super::tiers::{tiered, Tier};
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

/// The duration tiers, in GB-seconds: up to 1,000 GB-hours, up to 5,000, then the rest.
const DURATION: &[Tier] = &[
    Tier {
        name: "Duration (first 1K)",
        product: "express_duration_first_1k_gb_hours",
        upto: Some(1_000 * 3_600),
    },
    Tier {
        name: "Duration (next 4K)",
        product: "express_duration_next_4k_gb_hours",
        upto: Some(5_000 * 3_600),
    },
    Tier {
        name: "Duration (over 5K)",
        product: "express_duration_over_5k_gb_hours",
        upto: None,
    },
];

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
    let requests = ctx
        .usage
        .as_ref()
        .and_then(|u| u.num(&["monthly_requests"]));
    let mut items = vec![ctx.usage_qty(
        "Requests",
        "1M requests",
        requests.map(|r| r / Decimal::from(1_000_000)),
        "step_functions",
        "express_requests",
        "",
    )];
    let gb_seconds = express_gb_seconds(ctx, requests);
    items.extend(tiered(
        ctx,
        "GB-seconds",
        gb_seconds,
        "step_functions",
        DURATION,
    ));
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
