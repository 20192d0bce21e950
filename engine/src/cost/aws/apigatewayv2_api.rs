//! `aws_apigatewayv2_api`: an API Gateway HTTP or WebSocket API.
//!
//! **Components.** HTTP APIs: requests per million, metered per 512 KB of each request, in two
//! tiers (`api_gateway` `http_requests_first_300M`, `http_requests_over_300M`). WebSocket APIs:
//! messages per million, metered per 32 KB, in two tiers (`websocket_messages_first_1B`,
//! `websocket_messages_over_1B`), and connection minutes per million
//! (`websocket_connection_minutes`). All from usage.
//!
//! **Attributes.** `protocol_type` (`HTTP` or `WEBSOCKET`).
//!
//! **Usage keys.** `monthly_requests`, `request_size_kb` (default 512); `monthly_messages`,
//! `message_size_kb` (default 32), `monthly_connection_mins`.
//!
//! **Defaults.** Requests of up to 512 KB, messages of up to 32 KB.
//!
//! **Not priced.** The free tier; data transfer.

use rust_decimal::Decimal;

use super::tiers::{tiered, Tier};
use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_apigatewayv2_api",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["api_gateway"],
    references: &[],
    cost,
    source: include_str!("apigatewayv2_api.rs"),
};

const HTTP: &[Tier] = &[
    Tier {
        name: "Requests (first 300M)",
        product: "http_requests_first_300M",
        upto: Some(300),
    },
    Tier {
        name: "Requests (over 300M)",
        product: "http_requests_over_300M",
        upto: None,
    },
];

const MESSAGES: &[Tier] = &[
    Tier {
        name: "Messages (first 1B)",
        product: "websocket_messages_first_1B",
        upto: Some(1_000),
    },
    Tier {
        name: "Messages (over 1B)",
        product: "websocket_messages_over_1B",
        upto: None,
    },
];

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let websocket = attrs.str("protocol_type").known().as_deref() == Some("WEBSOCKET");
    // Millions of metered units: each of `count` is `size_key` KB, billed per `chunk_kb`.
    let metered = |count: &str, size_key: &str, chunk_kb: i64| {
        let u = ctx.usage.as_ref()?;
        let n = u.num(&[count])?;
        let size = u.num(&[size_key]).unwrap_or(Decimal::from(chunk_kb));
        let chunks = (size / Decimal::from(chunk_kb)).ceil().max(Decimal::ONE);
        Some(n * chunks / Decimal::from(1_000_000))
    };
    if !websocket {
        let requests = metered("monthly_requests", "request_size_kb", 512);
        return tiered(ctx, "1M requests", requests, "api_gateway", HTTP);
    }
    let messages = metered("monthly_messages", "message_size_kb", 32);
    let mut items = tiered(ctx, "1M messages", messages, "api_gateway", MESSAGES);
    items.push(ctx.usage_item(
        "Connection duration",
        "1M minutes",
        &["monthly_connection_mins"],
        Decimal::new(1, 6),
        "api_gateway",
        "websocket_connection_minutes",
        "",
    ));
    items
}
