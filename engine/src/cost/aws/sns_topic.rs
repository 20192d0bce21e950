//! `aws_sns_topic`: an SNS topic (standard or FIFO).
//!
//! **Components.** Standard topics: API requests (per million, `sns` `api_requests`; each 64 KB
//! chunk of a request is billed as one request), and notifications per million by subscription
//! protocol, each request times the subscriptions of that protocol: HTTP/HTTPS
//! (`http_notifications`), email (`email_notifications`), Kinesis Data Firehose
//! (`firehose_notifications`), mobile push and macOS (`mobile_push_notifications`, AWS's one
//! mobile-push price). FIFO topics (`fifo_topic`): publish API requests (per million,
//! `fifo_api_requests`) and their payload (GB, `fifo_publish_payload`); notifications
//! (`fifo_subscription_messages`) and their payload (`fifo_subscription_payload`), each request and
//! its payload times the topic's subscriptions. All from usage.
//!
//! **Attributes.** `fifo_topic`; for a FIFO topic, the `aws_sns_topic_subscription`s whose
//! `topic_arn` refers to it (counted).
//!
//! **Usage keys.** `monthly_requests`, `request_size_kb` (default 64), `http_subscriptions`,
//! `email_subscriptions`, `kinesis_subscriptions`, `mobile_push_subscriptions`,
//! `macos_subscriptions`, `sms_subscriptions`.
//!
//! **Defaults.** Requests of up to 64 KB. A FIFO payload is requests × `request_size_kb`, with
//! 1,000,000 KB to the GB (as infracost counts it).
//!
//! **Not priced.** The free tier (1 million requests, 100,000 HTTP and 1,000 email notifications a
//! month per account); SMS (prices by destination country are not in the catalog: unpriced when
//! `sms_subscriptions` is set, and `sms_notification_price` is not used); the notifications of a
//! FIFO topic that no `aws_sns_topic_subscription` in the input refers to (usage-based: its
//! subscriptions may be made elsewhere); deliveries of standard topics to SQS and Lambda (free);
//! data transfer.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType, Referrer};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_sns_topic",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["sns"],
    references: &[],
    cost,
    source: include_str!("sns_topic.rs"),
};

/// The subscriptions of a topic: their `topic_arn` refers to it.
const SUBSCRIPTIONS: Referrer = Referrer {
    source_type: "aws_sns_topic_subscription",
    attribute: "topic_arn",
    matches: &["arn"],
};

/// Notifications of a standard topic: (item name, usage key of the subscriptions, product).
#[rustfmt::skip]
const PROTOCOLS: &[(&str, &str, &str)] = &[
    ("HTTP/HTTPS notifications", "http_subscriptions", "http_notifications"),
    ("Email/Email-JSON notifications", "email_subscriptions", "email_notifications"),
    ("Kinesis Firehose notifications", "kinesis_subscriptions", "firehose_notifications"),
    ("Mobile Push notifications", "mobile_push_subscriptions", "mobile_push_notifications"),
    ("MacOS notifications", "macos_subscriptions", "mobile_push_notifications"),
];

fn million() -> Decimal {
    Decimal::from(1_000_000)
}

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let num = |key: &str| ctx.usage.as_ref().and_then(|u| u.num(&[key]));
    let size_kb = num("request_size_kb").unwrap_or(Decimal::from(64));
    let requests = num("monthly_requests");
    if attrs.bool("fifo_topic").known().unwrap_or(false) {
        return fifo(ctx, requests, size_kb);
    }
    // Each 64 KB chunk of a request is billed as a request.
    let chunks = (size_kb / Decimal::from(64)).ceil().max(Decimal::ONE);
    let requests = requests.map(|r| r * chunks);
    let mut items = vec![ctx.usage_qty(
        "API requests",
        "1M requests",
        requests.map(|r| r / million()),
        "sns",
        "api_requests",
        "",
    )];
    for (name, key, product) in PROTOCOLS {
        let notifications = match (num(key), requests) {
            (Some(s), Some(r)) => Some(s * r / million()),
            (Some(s), None) if s.is_zero() => Some(Decimal::ZERO),
            _ => None,
        };
        items.push(ctx.usage_qty(*name, "1M notifications", notifications, "sns", product, ""));
    }
    if num("sms_subscriptions").is_some_and(|s| s > Decimal::ZERO) {
        let sms = requests.map(|r| r * num("sms_subscriptions").unwrap_or_default());
        items.push(LineItem::unpriced(
            "SMS notifications",
            "notifications",
            sms,
            "SMS prices depend on the destination country and are not in the catalog".into(),
        ));
    }
    items
}

fn fifo(ctx: &Ctx<'_, '_>, requests: Option<Decimal>, size_kb: Decimal) -> Vec<LineItem> {
    let subscriptions = ctx.referrers(&SUBSCRIPTIONS).len();
    // Each request is delivered to every subscription. Without requests there are no
    // notifications; without subscriptions in the input, their number is not known.
    let (notifications, notified_gb, note) = match (requests, subscriptions) {
        (Some(r), n) if n > 0 => {
            let n = Decimal::from(n);
            (
                Some(r * n / million()),
                Some(r * size_kb * n / million()),
                Some(format!(
                    "{n} aws_sns_topic_subscription resource(s) refer to the topic"
                )),
            )
        }
        (r, _) => {
            let zero = r.filter(|r| r.is_zero());
            (zero, zero, None)
        }
    };
    vec![
        ctx.usage_qty(
            "FIFO Publish API requests",
            "1M requests",
            requests.map(|r| r / million()),
            "sns",
            "fifo_api_requests",
            "",
        ),
        ctx.usage_qty(
            "FIFO Publish API payload",
            "GB",
            requests.map(|r| r * size_kb / million()),
            "sns",
            "fifo_publish_payload",
            "",
        ),
        ctx.usage_qty(
            "FIFO notifications",
            "1M notifications",
            notifications,
            "sns",
            "fifo_subscription_messages",
            "",
        )
        .with_note(note.clone()),
        ctx.usage_qty(
            "FIFO notification payload",
            "GB",
            notified_gb,
            "sns",
            "fifo_subscription_payload",
            "",
        )
        .with_note(note),
    ]
}
