//! `aws_kinesis_stream`: a Kinesis data stream (provisioned or on-demand).
//!
//! **Components.** Provisioned streams: shard hours (`shard_count` × 730; `kinesis`
//! `shard_hour`); extended retention when `retention_period` is over 24 hours, billed per shard
//! hour (`extended_retention_shard_hour`); from usage, PUT payload units (per million,
//! `put_payload_units`), long-term retention beyond 7 days (GB-month, `long_term_retention`) and
//! its retrieval (GB, `long_term_retrieval`), enhanced fan-out data (GB, `efo_data_retrieval`) and
//! consumer-shard hours (`efo_consumer_shard_hour`). On-demand streams: stream hours (730;
//! `on_demand_stream_hour`); from usage, data ingested, retrieved and retrieved by enhanced fan-out
//! (GB; `on_demand_data_ingested`, `on_demand_data_retrieval`, `on_demand_efo_data_retrieval`),
//! extended retention (GB-month, `on_demand_extended_retention`) and long-term retention
//! (`long_term_retention`).
//!
//! **Attributes.** `stream_mode_details` (`stream_mode`), `shard_count`, `retention_period`.
//!
//! **Usage keys.** `monthly_provisioned_put_units`, `monthly_provisioned_long_term_retention_gb`,
//! `monthly_provisioned_long_term_retrieval_gb`, `monthly_provisioned_efo_data_out_gb`,
//! `monthly_provisioned_efo_consumer_hours`, `monthly_on_demand_data_in_gb`,
//! `monthly_on_demand_data_out_gb`, `monthly_on_demand_efo_data_out_gb`,
//! `monthly_on_demand_extended_retention_gb`, `monthly_on_demand_long_term_retention_gb`.
//! infracost's `monthly_provisioned_extended_retention_gb` is not used: AWS bills a provisioned
//! stream's extended retention per shard hour, from `retention_period`.
//!
//! **Defaults.** `stream_mode_details` not set: provisioned. `retention_period` not set: 24 hours.
//!
//! **Not priced.** Data transfer; consumers (Lambda, Firehose, and enhanced fan-out consumers
//! registered as `aws_kinesis_stream_consumer`) are their own resources.

use rust_decimal::Decimal;

use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_kinesis_stream",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["kinesis"],
    references: &[],
    cost,
    source: include_str!("kinesis_stream.rs"),
};

/// Usage-priced items of a mode: (item name, unit, usage key, scale, product).
type Metered = (&'static str, &'static str, &'static str, i64, &'static str);

#[rustfmt::skip]
const PROVISIONED: &[Metered] = &[
    ("Put request units", "1M units", "monthly_provisioned_put_units", 1_000_000, "put_payload_units"),
    ("Long term retention (7D+)", "GB", "monthly_provisioned_long_term_retention_gb", 1, "long_term_retention"),
    ("Long term retention retrieval (7D+)", "GB", "monthly_provisioned_long_term_retrieval_gb", 1, "long_term_retrieval"),
    ("Enhanced Fan Out (EFO) data retrieval", "GB", "monthly_provisioned_efo_data_out_gb", 1, "efo_data_retrieval"),
    ("Enhanced Fan Out (EFO)", "consumer-shard hours", "monthly_provisioned_efo_consumer_hours", 1, "efo_consumer_shard_hour"),
];

#[rustfmt::skip]
const ON_DEMAND: &[Metered] = &[
    ("Data ingested", "GB", "monthly_on_demand_data_in_gb", 1, "on_demand_data_ingested"),
    ("Data retrieval", "GB", "monthly_on_demand_data_out_gb", 1, "on_demand_data_retrieval"),
    ("Enhanced Fan Out (EFO) data retrieval", "GB", "monthly_on_demand_efo_data_out_gb", 1, "on_demand_efo_data_retrieval"),
    ("Extended retention (24H to 7D)", "GB", "monthly_on_demand_extended_retention_gb", 1, "on_demand_extended_retention"),
    ("Long term retention (7D+)", "GB", "monthly_on_demand_long_term_retention_gb", 1, "long_term_retention"),
];

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mode = attrs
        .blocks("stream_mode_details")
        .into_iter()
        .next()
        .and_then(|m| m.str("stream_mode").known().map(|s| s.to_uppercase()));
    let mut items = Vec::new();
    let metered = if mode.as_deref() == Some("ON_DEMAND") {
        items.push(ctx.hourly(
            "On-demand stream",
            Decimal::ONE,
            "kinesis",
            "on_demand_stream_hour",
            "",
        ));
        ON_DEMAND
    } else {
        match attrs.num("shard_count") {
            Field::Known(shards) => {
                items.push(ctx.hourly("Provisioned shards", shards, "kinesis", "shard_hour", ""));
                let retention = attrs
                    .num("retention_period")
                    .known()
                    .unwrap_or(Decimal::from(24));
                if retention > Decimal::from(24) {
                    items.push(ctx.hourly(
                        "Extended retention (24H to 7D)",
                        shards,
                        "kinesis",
                        "extended_retention_shard_hour",
                        "",
                    ));
                }
            }
            Field::Unknown => {
                items.push(unknown_item("Provisioned shards", "hours", "shard_count"))
            }
            Field::Missing => items.push(LineItem::unpriced(
                "Provisioned shards",
                "hours",
                None,
                "a provisioned stream without shard_count".into(),
            )),
        }
        PROVISIONED
    };
    for (name, unit, key, per, product) in metered {
        items.push(ctx.usage_item(
            *name,
            unit,
            &[key],
            Decimal::ONE / Decimal::from(*per),
            "kinesis",
            product,
            "",
        ));
    }
    items
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::cost_values;
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    /// eu-west-1, two shards kept 48 hours: 2 × 730 × $0.017 = $24.82 of shards and as much again
    /// at $0.023 for extended retention ($33.58).
    #[test]
    fn extended_retention_is_per_shard_hour() {
        let addr: Address = "aws_kinesis_stream.s".parse().unwrap();
        let cost = cost_values(
            &addr,
            "aws_kinesis_stream",
            &json!({"shard_count": 2, "retention_period": 48}),
            &json!({}),
            None,
            "eu-west-1",
            &Catalog::embedded(),
            &Usage::default(),
        );
        assert_eq!(cost.monthly(), Decimal::new(5840, 2));
    }
}
