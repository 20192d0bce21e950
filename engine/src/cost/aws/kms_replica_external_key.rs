//! `aws_kms_replica_external_key`: a multi-Region replica of a KMS key with imported key material.
//!
//! **Components.** The key, $1 a key-month (`kms` `key_month`): AWS bills each replica as a key of
//! its own. Its API requests per 10,000 (`requests`, or the price of the primary's `key_spec` when
//! it is asymmetric, as `aws_kms_key`), from usage.
//!
//! **Attributes.** The primary key's `key_spec`, through `primary_key_arn`.
//!
//! **Usage keys.** `monthly_requests` (costfix's, as for `aws_kms_key`).
//!
//! **Defaults.** A symmetric key, unless the primary `aws_kms_external_key` in the plan gives
//! another `key_spec`; enabled all month (a disabled key is billed too).
//!
//! **Not priced.** The free tier (20,000 requests a month per account); the primary key, which is
//! its own resource (`aws_kms_external_key`).

use crate::cost::{Cloud, Ctx, LineItem, PricedType, Reference};
use crate::terraform::values::Attrs;

use super::kms_key;

pub const TYPE: PricedType = PricedType {
    name: "aws_kms_replica_external_key",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["kms"],
    references: &[&PRIMARY],
    cost,
    source: include_str!("kms_replica_external_key.rs"),
};

/// The `primary_key_arn` attribute's reference to the primary `aws_kms_external_key` (by
/// configuration reference: the attribute holds an ARN).
const PRIMARY: Reference = Reference {
    attribute: "primary_key_arn",
    target: "aws_kms_external_key",
    name_at: &[],
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let spec = ctx
        .referenced(&PRIMARY)
        .and_then(|p| p.str("key_spec").known());
    vec![
        kms_key::key_month(ctx),
        kms_key::requests(spec.as_deref(), ctx),
    ]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};
    use crate::cost::ItemStatus;

    /// A replica in ap-southeast-1 with 2,000,000 requests (usage): a key-month plus 200 × the
    /// symmetric price per 10,000 requests; without usage the requests are usage-based.
    #[test]
    fn a_replica_is_a_key_and_its_requests() {
        let reference = r#"{"primary_key_arn": {"references": ["aws_kms_external_key.primary.arn", "aws_kms_external_key.primary"]}}"#;
        let est = estimate_plan(
            &[
                (
                    "aws_kms_external_key.primary",
                    r#"{"multi_region": true}"#,
                    "{}",
                    "{}",
                ),
                (
                    "aws_kms_replica_external_key.used",
                    "{}",
                    r#"{"primary_key_arn": true}"#,
                    reference,
                ),
                (
                    "aws_kms_replica_external_key.idle",
                    "{}",
                    r#"{"primary_key_arn": true}"#,
                    reference,
                ),
            ],
            "ap-southeast-1",
            "  aws_kms_replica_external_key.used:\n    monthly_requests: 2000000\n",
        );
        let key = price("kms", "ap-southeast-1", "key_month", "");
        let requests = price("kms", "ap-southeast-1", "requests", "");
        let used = items(&est, "aws_kms_replica_external_key.used");
        assert_eq!(used[0].monthly, Some(key));
        assert_eq!(used[1].quantity, Some(Decimal::from(200)));
        assert_eq!(used[1].monthly, Some(Decimal::from(200) * requests));
        let idle = items(&est, "aws_kms_replica_external_key.idle");
        assert_eq!(idle[0].monthly, Some(key));
        assert_eq!(idle[1].status, ItemStatus::UsageBased);
        assert_eq!(idle[1].unit_price, Some(requests));
    }
}
