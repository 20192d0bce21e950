//! `aws_sqs_queue`: an SQS queue.
//!
//! **Components.** Requests (per million; `sqs` `standard_requests_first_100B`, or
//! `fifo_requests_first_100B` for a FIFO queue), from usage. Each request is billed per 64 KB
//! chunk of its payload, as AWS and infracost count it.
//!
//! **Attributes.** `fifo_queue`.
//!
//! **Usage keys.** `monthly_requests`, `request_size_kb` (default 64).
//!
//! **Defaults.** Requests of up to 64 KB.
//!
//! **Not priced.** The free tier (1 million requests a month); the cheaper tiers past 100 billion
//! requests a month; data transfer out.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_sqs_queue",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["sqs"],
    references: &[],
    cost,
    source: include_str!("sqs_queue.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let fifo = attrs.bool("fifo_queue").known().unwrap_or(false);
    let product = if fifo {
        "fifo_requests_first_100B"
    } else {
        "standard_requests_first_100B"
    };
    let chunks = |kb: Decimal| (kb / Decimal::from(64)).ceil().max(Decimal::ONE);
    let requests = ctx.usage.as_ref().and_then(|u| {
        let n = u.num(&["monthly_requests"])?;
        let size = u.num(&["request_size_kb"]).unwrap_or(Decimal::from(64));
        Some(n * chunks(size) / Decimal::from(1_000_000))
    });
    vec![ctx.usage_qty("Requests", "1M requests", requests, "sqs", product, "")]
}
