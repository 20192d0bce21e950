//! `aws_elasticache_serverless_cache`: an ElastiCache Serverless cache (Valkey, Redis OSS or
//! Memcached).
//!
//! **Components.** Data stored, in GB-hours over 730 hours (`elasticache_serverless`
//! `<engine>_data_stored`): the average stored from usage, but never less than what AWS meters at
//! the least (1 GB for Redis OSS and Memcached, 100 MB for Valkey) nor than the configured
//! `data_storage` `minimum`. ElastiCache Processing Units (`<engine>_ecpu`, per ECPU): from usage,
//! but never less than the configured `ecpu_per_second` `minimum` for the whole month.
//!
//! **Attributes.** `engine`; `cache_usage_limits` (`data_storage.minimum`,
//! `ecpu_per_second.minimum`); `snapshot_retention_limit`.
//!
//! **Usage keys.** `data_stored_gb` (the average over the month), `monthly_ecpus` (costfix's;
//! infracost does not price serverless caches).
//!
//! **Defaults.** Without usage, data stored is the minimum AWS meters (or the configured minimum)
//! and ECPUs are usage-based unless a minimum is configured.
//!
//! **Not priced.** Snapshot (backup) storage when `snapshot_retention_limit` keeps snapshots: no
//! price in the catalog (unpriced); data transfer; the `maximum` limits, which cap the bill but do
//! not set it.

use rust_decimal::Decimal;

use crate::cost::{dec, unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_elasticache_serverless_cache",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["elasticache_serverless"],
    references: &[],
    cost,
    source: include_str!("elasticache_serverless_cache.rs"),
};

const STORAGE: &str = "Data stored";
const ECPU: &str = "ElastiCache Processing Units";

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let engine = match attrs.str("engine") {
        Field::Known(e) => e.to_lowercase(),
        Field::Unknown => {
            return vec![
                unknown_item(STORAGE, "GB-hours", "the engine"),
                unknown_item(ECPU, "ECPUs", "the engine"),
            ]
        }
        Field::Missing => {
            return vec![LineItem::unpriced(
                STORAGE,
                "GB-hours",
                None,
                "engine is not set (the provider requires it)".into(),
            )]
        }
    };
    let (label, floor_gb) = match engine.as_str() {
        "valkey" => ("Valkey", Decimal::new(1, 1)),
        "redis" => ("Redis OSS", Decimal::ONE),
        "memcached" => ("Memcached", Decimal::ONE),
        other => {
            return vec![LineItem::unpriced(
                STORAGE,
                "GB-hours",
                None,
                format!("engine {other} is not one ElastiCache Serverless prices (valkey, redis, memcached)"),
            )]
        }
    };
    let limits = attrs.blocks("cache_usage_limits").into_iter().next();
    let minimum = |block: &str| {
        limits
            .as_ref()
            .and_then(|l| l.blocks(block).into_iter().next())
            .and_then(|b| b.num("minimum").known())
    };
    let usage_num = |k: &str| ctx.usage.and_then(|u| u.num(&[k]));

    // Data stored: the larger of usage, the configured minimum and AWS's metered minimum.
    let configured_gb = minimum("data_storage");
    let used_gb = usage_num("data_stored_gb");
    let least = configured_gb.map_or(floor_gb, |m| m.max(floor_gb));
    let gb = used_gb.map_or(least, |u| u.max(least));
    let storage = ctx.fixed(
        format!("{STORAGE} ({label})"),
        "GB-hours",
        gb * HOURS_PER_MONTH,
        "elasticache_serverless",
        &format!("{engine}_data_stored"),
        "",
    );
    let storage = if used_gb.is_some_and(|u| u >= least) {
        LineItem {
            from_usage: storage.monthly.is_some(),
            ..storage
        }
    } else {
        let why = match configured_gb {
            Some(m) if m > floor_gb => format!("the configured minimum of {m} GB"),
            _ => format!("the {floor_gb} GB that AWS meters at the least"),
        };
        storage.with_note(Some(format!(
            "{why}{}",
            if used_gb.is_some() {
                " (more than the usage file's data_stored_gb)"
            } else {
                "; data_stored_gb in the usage file gives the average stored"
            }
        )))
    };

    // ECPUs: the larger of usage and the configured minimum rate for the month.
    let configured_ecpus = minimum("ecpu_per_second").map(|m| m * HOURS_PER_MONTH * dec(3600));
    let used_ecpus = usage_num("monthly_ecpus");
    let product = format!("{engine}_ecpu");
    let ecpus = match (used_ecpus, configured_ecpus) {
        (Some(u), Some(m)) if m > u => ctx
            .fixed(format!("{ECPU} ({label})"), "ECPUs", m, "elasticache_serverless", &product, "")
            .with_note(Some(format!(
                "the configured minimum of {} ECPUs a second",
                m / (HOURS_PER_MONTH * dec(3600))
            ))),
        (None, Some(m)) => ctx
            .fixed(format!("{ECPU} ({label})"), "ECPUs", m, "elasticache_serverless", &product, "")
            .with_note(Some(format!(
                "the configured minimum of {} ECPUs a second; monthly_ecpus in the usage file gives more",
                m / (HOURS_PER_MONTH * dec(3600))
            ))),
        (u, _) => ctx.usage_qty(
            format!("{ECPU} ({label})"),
            "ECPUs",
            u,
            "elasticache_serverless",
            &product,
            "",
        ),
    };
    let mut items = vec![storage, ecpus];
    if attrs
        .num("snapshot_retention_limit")
        .known()
        .is_some_and(|n| n > Decimal::ZERO)
    {
        items.push(LineItem::unpriced(
            "Backup storage",
            "GB-months",
            None,
            "snapshot_retention_limit keeps daily snapshots: the catalog has no ElastiCache \
             Serverless backup storage price"
                .into(),
        ));
    }
    items
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};
    use crate::cost::ItemStatus;

    /// us-east-1. A Valkey cache with 5 GB stored and 2 billion ECPUs a month (usage): 3,650
    /// GB-hours and 2e9 ECPUs at the Valkey prices. A Redis OSS cache without usage: the 1 GB
    /// floor (730 GB-hours), ECPUs usage-based. A Memcached cache configured with a 10 GB and 1,000
    /// ECPU/s minimum: 7,300 GB-hours and 2,628,000,000 ECPUs; and its snapshots unpriced.
    #[test]
    fn storage_and_ecpus_with_their_minimums() {
        let limits = r#"{"engine": "memcached", "snapshot_retention_limit": 1, "cache_usage_limits": [{
            "data_storage": [{"minimum": 10, "maximum": 100, "unit": "GB"}],
            "ecpu_per_second": [{"minimum": 1000, "maximum": 5000}]}]}"#;
        let est = estimate_plan(
            &[
                ("aws_elasticache_serverless_cache.valkey", r#"{"engine": "valkey"}"#, "{}", "{}"),
                ("aws_elasticache_serverless_cache.redis", r#"{"engine": "redis"}"#, "{}", "{}"),
                ("aws_elasticache_serverless_cache.memcached", limits, "{}", "{}"),
            ],
            "us-east-1",
            "  aws_elasticache_serverless_cache.valkey:\n    data_stored_gb: 5\n    monthly_ecpus: 2000000000\n",
        );
        let p = |product: &str| price("elasticache_serverless", "us-east-1", product, "");
        let valkey = items(&est, "aws_elasticache_serverless_cache.valkey");
        assert_eq!(valkey[0].quantity, Some(Decimal::from(3650)));
        assert_eq!(
            valkey[0].monthly,
            Some(Decimal::from(3650) * p("valkey_data_stored"))
        );
        assert!(valkey[0].from_usage);
        assert_eq!(
            valkey[1].monthly,
            Some(Decimal::from(2_000_000_000) * p("valkey_ecpu"))
        );
        // $306.60 + $4.60.
        let total = |a: &str| {
            est.resources
                .iter()
                .find(|r| r.address == a)
                .unwrap()
                .after_monthly()
        };
        assert_eq!(
            total("aws_elasticache_serverless_cache.valkey"),
            Decimal::new(3112, 1)
        );
        let redis = items(&est, "aws_elasticache_serverless_cache.redis");
        assert_eq!(redis[0].quantity, Some(Decimal::from(730)));
        assert_eq!(
            redis[0].monthly,
            Some(Decimal::from(730) * p("redis_data_stored"))
        );
        assert_eq!(redis[1].status, ItemStatus::UsageBased);
        let memcached = items(&est, "aws_elasticache_serverless_cache.memcached");
        assert_eq!(memcached.len(), 3, "{memcached:?}");
        assert_eq!(memcached[0].quantity, Some(Decimal::from(7300)));
        assert_eq!(
            memcached[1].quantity,
            Some(Decimal::from(2_628_000_000_i64))
        );
        assert_eq!(
            memcached[1].monthly,
            Some(Decimal::from(2_628_000_000_i64) * p("memcached_ecpu"))
        );
        assert_eq!(memcached[2].status, ItemStatus::Unpriced);
    }
}
