//! `aws_kms_replica_key`: a multi-Region replica of a KMS key, in another region than its primary.
//!
//! **Components.** The key, $1 a key-month (`kms` `key_month`): AWS bills each replica as a key of
//! its own. Its API requests per 10,000, at the price of the key spec (as `aws_kms_key`:
//! `requests`, `requests_rsa_2048` or `requests_asymmetric_other`), from usage.
//!
//! **Attributes.** `key_spec` (known once the replica exists), else the primary key's
//! `customer_master_key_spec`, through `primary_key_arn`.
//!
//! **Usage keys.** `monthly_requests` (costfix's, as for `aws_kms_key`).
//!
//! **Defaults.** A symmetric key when neither the replica nor a primary key in the plan gives the
//! spec; enabled all month (a disabled key is billed too).
//!
//! **Not priced.** The free tier (20,000 requests a month per account); GenerateDataKeyPair
//! requests; the primary key, which is its own resource (`aws_kms_key`).

use crate::cost::{Cloud, Ctx, LineItem, PricedType, Reference};
use crate::terraform::values::Attrs;

use super::kms_key;

pub const TYPE: PricedType = PricedType {
    name: "aws_kms_replica_key",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["kms"],
    references: &[&PRIMARY],
    cost,
    source: include_str!("kms_replica_key.rs"),
};

/// The `primary_key_arn` attribute's reference to the primary `aws_kms_key` (by configuration
/// reference: the attribute holds an ARN).
const PRIMARY: Reference = Reference {
    attribute: "primary_key_arn",
    target: "aws_kms_key",
    name_at: &[],
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let spec = attrs.str("key_spec").known().or_else(|| {
        ctx.referenced(&PRIMARY)
            .and_then(|p| p.str("customer_master_key_spec").known())
    });
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

    /// A replica in eu-west-1 of an RSA_4096 primary key: a key-month, and its 500,000 requests
    /// (usage) at the asymmetric price the primary's spec gives, 50 × 10,000. A replica of a key
    /// outside the plan is symmetric.
    #[test]
    fn a_replica_is_a_key_with_its_primarys_spec() {
        let reference = r#"{"primary_key_arn": {"references": ["aws_kms_key.primary.arn", "aws_kms_key.primary"]}}"#;
        let est = estimate_plan(
            &[
                (
                    "aws_kms_key.primary",
                    r#"{"customer_master_key_spec": "RSA_4096", "multi_region": true}"#,
                    "{}",
                    "{}",
                ),
                (
                    "aws_kms_replica_key.replica",
                    "{}",
                    r#"{"key_spec": true, "primary_key_arn": true}"#,
                    reference,
                ),
                (
                    "aws_kms_replica_key.other",
                    r#"{"primary_key_arn": "arn:aws:kms:us-east-1:111122223333:key/mrk-1"}"#,
                    r#"{"key_spec": true}"#,
                    "{}",
                ),
            ],
            "eu-west-1",
            "  aws_kms_replica_key.replica:\n    monthly_requests: 500000\n  aws_kms_replica_key.other:\n    monthly_requests: 500000\n",
        );
        let key = price("kms", "eu-west-1", "key_month", "");
        let asymmetric = price("kms", "eu-west-1", "requests_asymmetric_other", "");
        let symmetric = price("kms", "eu-west-1", "requests", "");
        assert_ne!(asymmetric, symmetric);
        let fifty = Decimal::from(50);
        let r = items(&est, "aws_kms_replica_key.replica");
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].monthly, Some(key));
        assert_eq!(r[1].name, "Requests (asymmetric)");
        assert_eq!(r[1].quantity, Some(fifty));
        assert_eq!(r[1].monthly, Some(fifty * asymmetric));
        assert!(r.iter().all(|i| i.status == ItemStatus::Priced));
        let o = items(&est, "aws_kms_replica_key.other");
        assert_eq!(o[1].name, "Requests");
        assert_eq!(o[1].monthly, Some(fifty * symmetric));
    }
}
