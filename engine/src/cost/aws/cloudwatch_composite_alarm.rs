//! `aws_cloudwatch_composite_alarm`: a CloudWatch composite alarm, whose rule combines the states
//! of other alarms.
//!
//! **Components.** The alarm, an alarm-month (`cloudwatch` `alarm_composite`).
//!
//! **Attributes.** None: every composite alarm is priced the same, whatever its `alarm_rule`.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** The alarm exists all month.
//!
//! **Not priced.** The alarms its rule combines, which are their own resources
//! (`aws_cloudwatch_metric_alarm`); the actions it triggers (SNS notifications, ...).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_cloudwatch_composite_alarm",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["cloudwatch"],
    references: &[],
    cost,
    source: include_str!("cloudwatch_composite_alarm.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.fixed(
        "Composite alarm",
        "alarms",
        Decimal::ONE,
        "cloudwatch",
        "alarm_composite",
        "",
    )]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};
    use crate::cost::ItemStatus;

    /// A composite alarm: one alarm-month at the catalog's composite price ($0.50 in
    /// eu-central-1), in the region of its provider.
    #[test]
    fn one_alarm_month() {
        let rule = r#"{"alarm_rule": {"constant_value": "ALARM(a) OR ALARM(b)"}}"#;
        let est = estimate_plan(
            &[(
                "aws_cloudwatch_composite_alarm.c",
                r#"{"alarm_rule": "ALARM(a) OR ALARM(b)"}"#,
                "{}",
                rule,
            )],
            "eu-central-1",
            "",
        );
        let composite = price("cloudwatch", "eu-central-1", "alarm_composite", "");
        assert_eq!(composite, Decimal::new(5, 1));
        let c = items(&est, "aws_cloudwatch_composite_alarm.c");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].status, ItemStatus::Priced);
        assert_eq!(c[0].quantity, Some(Decimal::ONE));
        assert_eq!(c[0].monthly, Some(composite));
        let r = est
            .resources
            .iter()
            .find(|r| r.address == "aws_cloudwatch_composite_alarm.c")
            .unwrap();
        assert_eq!(r.region.as_deref(), Some("eu-central-1"));
    }
}
