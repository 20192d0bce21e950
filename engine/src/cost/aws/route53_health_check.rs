//! `aws_route53_health_check`: a Route 53 health check.
//!
//! **Components.** The health check, a health check-month at a global price: `route53`
//! `health_check_aws_endpoint` for an endpoint in AWS, `health_check_non_aws_endpoint` for one
//! outside AWS. Calculated and CloudWatch-metric health checks are billed as checks of AWS
//! endpoints. Optional features, one item counting them: HTTPS, string matching
//! (`*_STR_MATCH`), the 10-second `request_interval` and `measure_latency`, unpriced (the catalog
//! has no price for them).
//!
//! **Attributes.** `type`, `request_interval`, `measure_latency`.
//!
//! **Usage keys.** `endpoint_type`: `aws` or `non_aws` (infracost's key; whether an address or
//! domain name is in AWS cannot be told from the plan).
//!
//! **Defaults.** An AWS endpoint, as infracost assumes.
//!
//! **Not priced.** The free tier (50 health checks of AWS endpoints a month per account); optional
//! features (listed as unpriced); `RECOVERY_CONTROL` health checks, which follow an Application
//! Recovery Controller routing control (unpriced: costfix does not model how AWS bills them).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_route53_health_check",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["route53"],
    references: &[],
    cost,
    source: include_str!("route53_health_check.rs"),
};

const CHECK: &str = "Health check";

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let kind = attrs
        .str("type")
        .known()
        .map(|t| t.to_uppercase())
        .unwrap_or_default();
    if kind == "RECOVERY_CONTROL" {
        return vec![LineItem::unpriced(
            CHECK,
            "months",
            Some(Decimal::ONE),
            "a RECOVERY_CONTROL health check follows an Application Recovery Controller routing \
             control: costfix does not model how AWS bills it"
                .into(),
        )];
    }
    let endpoint_check = !matches!(kind.as_str(), "CALCULATED" | "CLOUDWATCH_METRIC");
    let non_aws = endpoint_check
        && ctx
            .usage
            .and_then(|u| u.str("endpoint_type"))
            .is_some_and(|e| {
                e.eq_ignore_ascii_case("non_aws") || e.eq_ignore_ascii_case("non-aws")
            });
    let (name, product) = if non_aws {
        (
            "Health check (non-AWS endpoint)",
            "health_check_non_aws_endpoint",
        )
    } else {
        ("Health check (AWS endpoint)", "health_check_aws_endpoint")
    };
    let global = ctx.in_region("global");
    let mut items = vec![global.fixed(name, "months", Decimal::ONE, "route53", product, "")];
    if endpoint_check {
        let mut features = Vec::new();
        if kind.starts_with("HTTPS") {
            features.push("HTTPS");
        }
        if kind.ends_with("_STR_MATCH") {
            features.push("string matching");
        }
        if attrs.num("request_interval").known() == Some(Decimal::from(10)) {
            features.push("fast interval");
        }
        if attrs.bool("measure_latency").known() == Some(true) {
            features.push("latency measurement");
        }
        if !features.is_empty() {
            items.push(LineItem::unpriced(
                "Optional features",
                "months",
                Some(Decimal::from(features.len())),
                format!(
                    "{}: the catalog has no price for Route 53 health check optional features",
                    features.join(", ")
                ),
            ));
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};
    use crate::cost::ItemStatus;

    /// An HTTPS string-matching check every 10 seconds: a health check-month of an AWS endpoint
    /// ($0.50, global) and three optional features, unpriced; the same check of an endpoint outside
    /// AWS (usage) at $0.75; a calculated check at the AWS-endpoint price, with no features.
    #[test]
    fn checks_by_endpoint_and_features() {
        let https = r#"{"type": "HTTPS_STR_MATCH", "fqdn": "example.com", "request_interval": 10, "measure_latency": false}"#;
        let est = estimate_plan(
            &[
                ("aws_route53_health_check.aws", https, "{}", "{}"),
                ("aws_route53_health_check.outside", https, "{}", "{}"),
                (
                    "aws_route53_health_check.calc",
                    r#"{"type": "CALCULATED", "child_healthchecks": []}"#,
                    "{}",
                    "{}",
                ),
            ],
            "us-west-2",
            "  aws_route53_health_check.outside:\n    endpoint_type: non_aws\n",
        );
        let aws = price("route53", "global", "health_check_aws_endpoint", "");
        let outside = price("route53", "global", "health_check_non_aws_endpoint", "");
        assert_eq!((aws, outside), (Decimal::new(5, 1), Decimal::new(75, 2)));
        let a = items(&est, "aws_route53_health_check.aws");
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(a[0].monthly, Some(aws));
        assert_eq!(a[1].status, ItemStatus::Unpriced);
        assert_eq!(a[1].quantity, Some(Decimal::from(3)));
        let o = items(&est, "aws_route53_health_check.outside");
        assert_eq!(o[0].name, "Health check (non-AWS endpoint)");
        assert_eq!(o[0].monthly, Some(outside));
        let c = items(&est, "aws_route53_health_check.calc");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].monthly, Some(aws));
    }
}
