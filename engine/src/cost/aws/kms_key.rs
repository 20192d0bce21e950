//! `aws_kms_key`: a customer managed KMS key.
//!
//! **Components.** The key, $1 a key-month (`kms` `key_month`); its API requests per 10,000, at the
//! price of the key's spec: symmetric keys `requests`, `RSA_2048` keys `requests_rsa_2048`, other
//! asymmetric keys (`RSA_3072`, `RSA_4096`, `ECC_*`, `HMAC_*`, `SM2`) `requests_asymmetric_other`.
//! Requests are usage-based, as in infracost.
//!
//! **Attributes.** `customer_master_key_spec` (default `SYMMETRIC_DEFAULT`).
//!
//! **Usage keys.** `monthly_requests` (costfix's; infracost has no usage key for KMS).
//!
//! **Defaults.** A symmetric key, enabled all month.
//!
//! **Not priced.** The free tier (20,000 requests a month per account); GenerateDataKeyPair
//! requests; multi-Region replicas of the key (their own type, `aws_kms_replica_key`).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_kms_key",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["kms"],
    references: &[],
    cost,
    source: include_str!("kms_key.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let spec = attrs.str("customer_master_key_spec").known();
    vec![key_month(ctx), requests(spec.as_deref(), ctx)]
}

/// The key itself, a key-month (shared by the replica key types).
pub(super) fn key_month(ctx: &Ctx<'_, '_>) -> LineItem {
    ctx.fixed(
        "Customer master key",
        "months",
        Decimal::ONE,
        "kms",
        "key_month",
        "",
    )
}

/// API requests from the usage key `monthly_requests`, per 10,000, at the price of the key spec
/// (`SYMMETRIC_DEFAULT` when not known).
pub(super) fn requests(spec: Option<&str>, ctx: &Ctx<'_, '_>) -> LineItem {
    let (name, product) = match spec.unwrap_or("SYMMETRIC_DEFAULT") {
        "SYMMETRIC_DEFAULT" => ("Requests", "requests"),
        "RSA_2048" => ("Requests (RSA 2048)", "requests_rsa_2048"),
        _ => ("Requests (asymmetric)", "requests_asymmetric_other"),
    };
    ctx.usage_item(
        name,
        "10k requests",
        &["monthly_requests"],
        Decimal::new(1, 4),
        "kms",
        product,
        "",
    )
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::cost::cost_values;
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    /// A symmetric key is $1 a month plus $0.03 per 10,000 requests; an RSA_4096 key's requests
    /// are priced as other asymmetric requests ($0.15 per 10,000).
    #[test]
    fn a_key_and_its_requests() {
        let catalog = Catalog::embedded();
        let addr: Address = "aws_kms_key.k".parse().unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            "version: 0.1\nresource_usage:\n  aws_kms_key.k:\n    monthly_requests: 1000000\n",
        )
        .unwrap();
        let cost = |spec: serde_json::Value| {
            cost_values(
                &addr,
                "aws_kms_key",
                &serde_json::json!({ "customer_master_key_spec": spec }),
                &serde_json::json!({}),
                None,
                "eu-west-1",
                &catalog,
                &usage,
            )
            .monthly()
        };
        assert_eq!(cost("SYMMETRIC_DEFAULT".into()), Decimal::new(400, 2));
        assert_eq!(cost(serde_json::Value::Null), Decimal::new(400, 2));
        assert_eq!(cost("RSA_4096".into()), Decimal::new(1600, 2));
    }
}
