//! `aws_lambda_provisioned_concurrency_config`: provisioned concurrency of a Lambda function's
//! version or alias (execution environments kept initialised).
//!
//! **Components.** Provisioned concurrency, in GB-seconds: `provisioned_concurrent_executions` ×
//! the function's memory (GB) × the seconds it is enabled (`lambda`
//! `provisioned_concurrency_x86_64`). Duration of the requests served by it, in GB-seconds:
//! requests × their duration × the memory, from usage (`provisioned_duration_x86_64`).
//!
//! **Attributes.** `provisioned_concurrent_executions`; `function_name` (the function's
//! `memory_size` and `architectures`).
//!
//! **Usage keys.** `monthly_duration_hrs` (hours enabled), `monthly_requests`,
//! `request_duration_ms`; `memory_mb` and `architecture`, for a function that is not in the plan
//! (infracost's keys).
//!
//! **Defaults.** Enabled all month (730 hours; infracost assumes 0 without usage). The function's
//! `memory_size` not set: 128 MB, as AWS; x86_64. The function is found through the
//! configuration's reference in `function_name`; without it (and without `memory_mb`) the items
//! are unpriced.
//!
//! **Not priced.** arm64 functions (the catalog has x86_64 provisioned concurrency prices only:
//! unpriced); the requests themselves, billed at the function's request price
//! (`aws_lambda_function`'s `monthly_requests`).

use crate::cost::{dec, unknown_item, Cloud, Ctx, LineItem, PricedType, Reference};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_lambda_provisioned_concurrency_config",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["lambda"],
    references: &[&FUNCTION],
    cost,
    source: include_str!("lambda_provisioned_concurrency_config.rs"),
};

/// The `function_name` attribute's reference to the `aws_lambda_function` (by configuration
/// reference: the function's name is its `function_name`, not a `name`).
const FUNCTION: Reference = Reference {
    attribute: "function_name",
    target: "aws_lambda_function",
    name_at: &[],
};

const CONCURRENCY: &str = "Provisioned concurrency";
const DURATION: &str = "Duration (provisioned)";
const UNIT: &str = "GB-seconds";

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let usage_num = |k: &str| ctx.usage.and_then(|u| u.num(&[k]));
    let function = ctx.referenced(&FUNCTION);
    let memory_mb = match &function {
        Some(f) => match f.num("memory_size") {
            Field::Known(mb) => Field::Known(mb),
            Field::Unknown => Field::Unknown,
            Field::Missing => Field::Known(dec(128)),
        },
        None => usage_num("memory_mb").map_or(Field::Missing, Field::Known),
    };
    let arm = match &function {
        Some(f) => f
            .raw("architectures")
            .and_then(|r| serde_json::from_str::<Vec<String>>(r.get()).ok())
            .is_some_and(|a| a.iter().any(|x| x == "arm64")),
        None => ctx
            .usage
            .and_then(|u| u.str("architecture"))
            .is_some_and(|a| a == "arm64"),
    };
    let memory_gb = match memory_mb {
        Field::Known(mb) => mb / dec(1024),
        Field::Unknown => {
            return vec![
                unknown_item(CONCURRENCY, UNIT, "the function's memory_size"),
                unknown_item(DURATION, UNIT, "the function's memory_size"),
            ]
        }
        Field::Missing => {
            let why = "the function is not in the plan (or not named through a reference), so \
                       its memory is not known; give memory_mb in the usage file";
            return vec![
                LineItem::unpriced(CONCURRENCY, UNIT, None, why.into()),
                LineItem::unpriced(DURATION, UNIT, None, why.into()),
            ];
        }
    };
    if arm {
        let why = "arm64 function: the catalog has x86_64 provisioned concurrency prices only";
        return vec![
            LineItem::unpriced(CONCURRENCY, UNIT, None, why.into()),
            LineItem::unpriced(DURATION, UNIT, None, why.into()),
        ];
    }
    let hours = usage_num("monthly_duration_hrs").unwrap_or(HOURS_PER_MONTH);
    let concurrency = match attrs.num("provisioned_concurrent_executions") {
        Field::Known(n) => {
            let item = ctx.fixed(
                CONCURRENCY,
                UNIT,
                n * memory_gb * hours * dec(3600),
                "lambda",
                "provisioned_concurrency_x86_64",
                "",
            );
            LineItem {
                from_usage: usage_num("monthly_duration_hrs").is_some() && item.monthly.is_some(),
                ..item
            }
        }
        Field::Unknown => unknown_item(CONCURRENCY, UNIT, "provisioned_concurrent_executions"),
        Field::Missing => LineItem::unpriced(
            CONCURRENCY,
            UNIT,
            None,
            "provisioned_concurrent_executions is not set".into(),
        ),
    };
    let duration = match (
        usage_num("monthly_requests"),
        usage_num("request_duration_ms"),
    ) {
        (Some(r), Some(ms)) => Some(r * ms / dec(1000) * memory_gb),
        _ => None,
    };
    vec![
        concurrency,
        ctx.usage_qty(
            DURATION,
            UNIT,
            duration,
            "lambda",
            "provisioned_duration_x86_64",
            "",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};
    use crate::cost::ItemStatus;

    /// eu-west-1: 5 environments of a 2048 MB function all month are 5 × 2 GB × 730 × 3,600 =
    /// 26,280,000 GB-seconds; 1,000,000 requests of 200 ms (usage) are 400,000 GB-seconds of
    /// duration. A config of a function outside the plan is unpriced; an arm64 function too.
    #[test]
    fn concurrency_from_the_functions_memory() {
        let function = |name: &str| {
            format!(
                r#"{{"function_name": {{"references": ["aws_lambda_function.{name}.function_name", "aws_lambda_function.{name}"]}}}}"#
            )
        };
        let (fx, farm) = (function("fn"), function("arm"));
        let est = estimate_plan(
            &[
                ("aws_lambda_function.fn", r#"{"function_name": "fn", "memory_size": 2048}"#, "{}", "{}"),
                ("aws_lambda_function.arm", r#"{"function_name": "arm", "architectures": ["arm64"]}"#, "{}", "{}"),
                (
                    "aws_lambda_provisioned_concurrency_config.pc",
                    r#"{"provisioned_concurrent_executions": 5, "qualifier": "live"}"#,
                    r#"{"function_name": true}"#,
                    &fx,
                ),
                (
                    "aws_lambda_provisioned_concurrency_config.arm",
                    r#"{"provisioned_concurrent_executions": 5, "qualifier": "live"}"#,
                    r#"{"function_name": true}"#,
                    &farm,
                ),
                (
                    "aws_lambda_provisioned_concurrency_config.elsewhere",
                    r#"{"function_name": "elsewhere", "provisioned_concurrent_executions": 5, "qualifier": "1"}"#,
                    "{}",
                    "{}",
                ),
            ],
            "eu-west-1",
            "  aws_lambda_provisioned_concurrency_config.pc:\n    monthly_requests: 1000000\n    request_duration_ms: 200\n",
        );
        let concurrency = price("lambda", "eu-west-1", "provisioned_concurrency_x86_64", "");
        let duration = price("lambda", "eu-west-1", "provisioned_duration_x86_64", "");
        let pc = items(&est, "aws_lambda_provisioned_concurrency_config.pc");
        assert_eq!(pc.len(), 2, "{pc:?}");
        assert_eq!(pc[0].quantity, Some(Decimal::from(26_280_000)));
        assert_eq!(pc[0].monthly, Some(Decimal::from(26_280_000) * concurrency));
        assert_eq!(pc[1].quantity, Some(Decimal::from(400_000)));
        assert_eq!(pc[1].monthly, Some(Decimal::from(400_000) * duration));
        // $122.10 + $4.34 ($126.43) a month at eu-west-1's $0.000004646 and $0.0000108407 a GB-second.
        assert_eq!(
            est.resources
                .iter()
                .find(|r| r.address == "aws_lambda_provisioned_concurrency_config.pc")
                .unwrap()
                .after_monthly()
                .round_dp(2),
            Decimal::new(12643, 2)
        );
        for unpriced in ["arm", "elsewhere"] {
            let i = items(
                &est,
                &format!("aws_lambda_provisioned_concurrency_config.{unpriced}"),
            );
            assert!(i.iter().all(|i| i.status == ItemStatus::Unpriced), "{i:?}");
        }
    }
}
