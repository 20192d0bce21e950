//! `aws_cloudwatch_metric_alarm`: a CloudWatch metric alarm.
//!
//! **Components.** Alarm metrics, a metric-month each (`cloudwatch` `alarm_standard_resolution`,
//! or `alarm_high_resolution` for a period under 60 seconds): one for an alarm on a metric; one per
//! `metric_query` that names a `metric` (math expressions are not billed); three per metric for an
//! anomaly detection alarm (the metric and the two band bounds).
//!
//! **Attributes.** `period`, `comparison_operator`, `metric_query` (`metric.period`).
//!
//! **Usage keys.** None.
//!
//! **Defaults.** A period that is not known is standard resolution (60 seconds or more).
//!
//! **Not priced.** The free tier (10 alarm metrics a month per account); composite alarms
//! (`aws_cloudwatch_composite_alarm`); the custom metrics the alarm watches.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_cloudwatch_metric_alarm",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["cloudwatch"],
    references: &[],
    cost,
    source: include_str!("cloudwatch_metric_alarm.rs"),
};

/// Comparison operators that make an anomaly detection alarm.
const ANOMALY: &[&str] = &[
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
];

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let queries = attrs.blocks("metric_query");
    // (metrics, the period that sets the resolution)
    let (metrics, period) = if queries.is_empty() {
        (Decimal::ONE, attrs.num("period").known())
    } else {
        let metrics: Vec<Attrs<'_>> = queries
            .iter()
            .filter_map(|q| q.blocks("metric").into_iter().next())
            .collect();
        let period = metrics.iter().find_map(|m| m.num("period").known());
        (Decimal::from(metrics.len()), period)
    };
    let anomaly = attrs
        .str("comparison_operator")
        .known()
        .is_some_and(|op| ANOMALY.contains(&op.as_ref()));
    let high = period.is_some_and(|p| p < Decimal::from(60));
    let (name, product) = if high {
        ("High resolution", "alarm_high_resolution")
    } else {
        ("Standard resolution", "alarm_standard_resolution")
    };
    let (name, quantity) = if anomaly {
        (
            format!("{name} anomaly detection"),
            metrics * Decimal::from(3),
        )
    } else {
        (name.to_string(), metrics)
    };
    vec![ctx.fixed(name, "alarm metrics", quantity, "cloudwatch", product, "")]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::cost_values;
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    fn monthly(values: serde_json::Value) -> Decimal {
        let addr: Address = "aws_cloudwatch_metric_alarm.a".parse().unwrap();
        cost_values(
            &addr,
            "aws_cloudwatch_metric_alarm",
            &values,
            &json!({}),
            None,
            "us-east-1",
            &Catalog::embedded(),
            &Usage::default(),
        )
        .monthly()
    }

    /// us-east-1: a standard alarm is $0.10, a 10-second one $0.30, a standard anomaly detection
    /// alarm 3 × $0.10; a metric-math alarm over two metrics and an expression is 2 × $0.10.
    #[test]
    fn alarms_by_resolution_and_metrics() {
        assert_eq!(monthly(json!({"period": 300})), Decimal::new(10, 2));
        assert_eq!(monthly(json!({"period": 10})), Decimal::new(30, 2));
        assert_eq!(
            monthly(json!({"period": 60, "comparison_operator": "GreaterThanUpperThreshold"})),
            Decimal::new(30, 2)
        );
        let math = json!({"metric_query": [
            {"id": "e1", "expression": "m1 + m2"},
            {"id": "m1", "metric": [{"metric_name": "A", "period": 60}]},
            {"id": "m2", "metric": [{"metric_name": "B", "period": 60}]},
        ]});
        assert_eq!(monthly(math), Decimal::new(20, 2));
    }
}
