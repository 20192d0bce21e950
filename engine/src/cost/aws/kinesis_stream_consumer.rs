//! `aws_kinesis_stream_consumer`: an enhanced fan-out (EFO) consumer registered with a Kinesis
//! data stream.
//!
//! **Components.** Of a provisioned stream: consumer-shard hours, the stream's `shard_count` × 730
//! (`kinesis` `efo_consumer_shard_hour`), and the data the consumer retrieves (GB,
//! `efo_data_retrieval`, from usage). Of an on-demand stream: the data retrieved (GB,
//! `on_demand_efo_data_retrieval`, from usage).
//!
//! **Attributes.** `stream_arn` (the stream's `shard_count` and `stream_mode_details`).
//!
//! **Usage keys.** `monthly_data_out_gb` (costfix's). The stream's own
//! `monthly_provisioned_efo_consumer_hours` and `*_efo_data_out_gb` keys are for consumers that
//! are not in the plan: giving both counts a consumer twice.
//!
//! **Defaults.** Registered all month. A stream without `stream_mode_details` is provisioned. The
//! stream is found through the configuration's reference in `stream_arn`; a consumer of a stream
//! that is not in the plan is unpriced (its shard count is not known).
//!
//! **Not priced.** Consumer hours of on-demand streams (the catalog has no such price, and
//! infracost prices none); the shards' resharding over the month.

use rust_decimal::Decimal;

use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType, Reference};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_kinesis_stream_consumer",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["kinesis"],
    references: &[&STREAM],
    cost,
    source: include_str!("kinesis_stream_consumer.rs"),
};

/// The `stream_arn` attribute's reference to the `aws_kinesis_stream` (by configuration
/// reference: the attribute holds an ARN).
const STREAM: Reference = Reference {
    attribute: "stream_arn",
    target: "aws_kinesis_stream",
    name_at: &[],
};

const HOURS: &str = "Enhanced Fan Out (EFO) consumer-shard hours";
const DATA: &str = "Enhanced Fan Out (EFO) data retrieval";

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let Some(stream) = ctx.referenced(&STREAM) else {
        return vec![LineItem::unpriced(
            HOURS,
            "consumer-shard hours",
            None,
            "the stream is not in the plan (or not named through a reference), so its shard \
             count is not known"
                .into(),
        )];
    };
    let mode = stream
        .blocks("stream_mode_details")
        .into_iter()
        .next()
        .and_then(|m| m.str("stream_mode").known().map(|s| s.to_uppercase()));
    let data = |product: &str| {
        ctx.usage_item(
            DATA,
            "GB",
            &["monthly_data_out_gb"],
            Decimal::ONE,
            "kinesis",
            product,
            "",
        )
    };
    if mode.as_deref() == Some("ON_DEMAND") {
        return vec![data("on_demand_efo_data_retrieval")];
    }
    let hours = match stream.num("shard_count") {
        Field::Known(shards) => ctx.fixed(
            HOURS,
            "consumer-shard hours",
            shards * HOURS_PER_MONTH,
            "kinesis",
            "efo_consumer_shard_hour",
            "",
        ),
        Field::Unknown => unknown_item(HOURS, "consumer-shard hours", "the stream's shard_count"),
        Field::Missing => LineItem::unpriced(
            HOURS,
            "consumer-shard hours",
            None,
            "the provisioned stream sets no shard_count".into(),
        ),
    };
    vec![hours, data("efo_data_retrieval")]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};
    use crate::cost::ItemStatus;

    /// eu-west-1: a consumer of a 4-shard provisioned stream is 4 × 730 = 2,920 consumer-shard
    /// hours ($0.017 each, $49.64) and its 100 GB retrieved (usage); a consumer of an on-demand
    /// stream only its data, usage-based here; one of a stream outside the plan is unpriced.
    #[test]
    fn consumer_shard_hours_from_the_stream() {
        let stream = |name: &str| {
            format!(
                r#"{{"stream_arn": {{"references": ["aws_kinesis_stream.{name}.arn", "aws_kinesis_stream.{name}"]}}}}"#
            )
        };
        let (s, od) = (stream("s"), stream("od"));
        let est = estimate_plan(
            &[
                (
                    "aws_kinesis_stream.s",
                    r#"{"name": "s", "shard_count": 4}"#,
                    "{}",
                    "{}",
                ),
                (
                    "aws_kinesis_stream.od",
                    r#"{"name": "od", "stream_mode_details": [{"stream_mode": "ON_DEMAND"}]}"#,
                    "{}",
                    "{}",
                ),
                (
                    "aws_kinesis_stream_consumer.c",
                    r#"{"name": "c"}"#,
                    r#"{"stream_arn": true}"#,
                    &s,
                ),
                (
                    "aws_kinesis_stream_consumer.od",
                    r#"{"name": "od"}"#,
                    r#"{"stream_arn": true}"#,
                    &od,
                ),
                (
                    "aws_kinesis_stream_consumer.elsewhere",
                    r#"{"name": "e", "stream_arn": "arn:aws:kinesis:eu-west-1:111122223333:stream/e"}"#,
                    "{}",
                    "{}",
                ),
            ],
            "eu-west-1",
            "  aws_kinesis_stream_consumer.c:\n    monthly_data_out_gb: 100\n",
        );
        let hour = price("kinesis", "eu-west-1", "efo_consumer_shard_hour", "");
        let gb = price("kinesis", "eu-west-1", "efo_data_retrieval", "");
        let c = items(&est, "aws_kinesis_stream_consumer.c");
        assert_eq!(c[0].quantity, Some(Decimal::from(2920)));
        assert_eq!(c[0].monthly, Some(Decimal::from(2920) * hour));
        assert_eq!(c[0].monthly, Some(Decimal::new(4964, 2)));
        assert_eq!(c[1].monthly, Some(Decimal::from(100) * gb));
        let od = items(&est, "aws_kinesis_stream_consumer.od");
        assert_eq!(od.len(), 1, "{od:?}");
        assert_eq!(od[0].status, ItemStatus::UsageBased);
        assert_eq!(
            od[0].unit_price,
            Some(price(
                "kinesis",
                "eu-west-1",
                "on_demand_efo_data_retrieval",
                ""
            ))
        );
        let e = items(&est, "aws_kinesis_stream_consumer.elsewhere");
        assert_eq!(e[0].status, ItemStatus::Unpriced);
    }
}
