//! `aws_secretsmanager_secret`: a Secrets Manager secret.
//!
//! **Components.** The secret (a secret-month, `secrets_manager` `secret_month`); each `replica`
//! block, a secret-month in the replica's region (AWS bills a replica as a secret); API requests
//! (per 10,000, `api_requests`), from usage.
//!
//! **Attributes.** `replica` (`region`).
//!
//! **Usage keys.** `monthly_requests`.
//!
//! **Defaults.** The secret is stored all month.
//!
//! **Not priced.** The 30-day free trial; secrets rotated by Lambda (the function is its own
//! resource).

use rust_decimal::Decimal;

use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_secretsmanager_secret",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["secrets_manager"],
    references: &[],
    cost,
    source: include_str!("secretsmanager_secret.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = vec![ctx.fixed(
        "Secret",
        "months",
        Decimal::ONE,
        "secrets_manager",
        "secret_month",
        "",
    )];
    for (i, replica) in attrs.blocks("replica").iter().enumerate() {
        let group = format!("replica[{i}]");
        let item = match replica.str("region").known() {
            Some(region) => ctx.fixed_in(
                &region,
                format!("Replica secret ({region})"),
                "months",
                Decimal::ONE,
                "secrets_manager",
                "secret_month",
                "",
            ),
            None => unknown_item("Replica secret", "months", "the replica's region"),
        };
        items.push(item.in_group(group));
    }
    items.push(ctx.usage_item(
        "API requests",
        "10k requests",
        &["monthly_requests"],
        Decimal::new(1, 4),
        "secrets_manager",
        "api_requests",
        "",
    ));
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

    /// A secret with a replica and 1M requests: $0.40 (eu-west-1) + $0.40 (us-west-2 replica) +
    /// 100 × $0.05 = $5.80.
    #[test]
    fn a_secret_its_replica_and_requests() {
        let addr: Address = "aws_secretsmanager_secret.s".parse().unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            "version: 0.1\nresource_usage:\n  aws_secretsmanager_secret.s:\n    monthly_requests: 1000000\n",
        )
        .unwrap();
        let cost = cost_values(
            &addr,
            "aws_secretsmanager_secret",
            &json!({"replica": [{"region": "us-west-2"}]}),
            &json!({}),
            None,
            "eu-west-1",
            &Catalog::embedded(),
            &usage,
        );
        assert_eq!(cost.monthly(), Decimal::new(580, 2));
        assert_eq!(cost.items.len(), 3);
    }
}
