//! What a quantity read from a plan attribute or a usage file may be before costfix prices it.
//!
//! Every number a cost function reads (`Attrs::num` while a resource is costed, see
//! `cost::ctx`) and every number of a usage file goes through [`quantity`]. A value that fails
//! makes the resource unpriced (a plan attribute) or the usage file a diagnostic, with the key and
//! the value named: costfix never prices a negative, infinite or absurd quantity, and never turns
//! one into a default silently.
//!
//! The rules, by [`Kind`] (the kind comes from the key's name, [`Kind::of`]):
//!
//! - every quantity: a finite number (a JSON or YAML number, or a string holding one, as some
//!   providers write them), not negative;
//! - [`Kind::Count`] (instances, nodes, shards, brokers, workers, tasks, cache nodes): a whole
//!   number, at most 1,000,000. AWS's own limits are far lower (an ECS service runs at most 5,000
//!   tasks, a Kinesis stream's shards and an account's instances are capped by quotas in the tens
//!   of thousands), so a million is beyond any real plan and still far from an overflow;
//! - [`Kind::SizeGb`] (a volume's or a database's storage in the plan: `size`, `volume_size`,
//!   `allocated_storage`, ...): at most 1,000,000 GB. The largest single EBS volume (io2 Block
//!   Express) and RDS instance storage are 64 TiB (65,536 GiB); an MSK broker's storage is 16 TiB;
//! - [`Kind::MonthHours`] (`monthly_hrs`, the hours a month one instance runs): at most 744, the
//!   hours of a 31-day month;
//! - [`Kind::Quantity`] (every other attribute and usage key: IOPS, throughput, memory, periods,
//!   requests, GB stored or transferred): at most 10^15. A million requests a second for a month is
//!   2.6 × 10^12, a petabyte is 10^6 GB; 10^15 leaves room for any real quantity while keeping
//!   every product of a quantity, a count, the hours of a month and a price well inside the range
//!   of exact decimals (about 7.9 × 10^28), so no arithmetic can overflow.
//!
//! Zero is a valid quantity of every kind (an autoscaling group scaled to zero costs nothing).

use rust_decimal::Decimal;

use crate::terraform::values::parse_decimal;

/// What a number measures, for its ceiling and whether it must be whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// How many of something: a whole number, at most 1,000,000.
    Count,
    /// Storage set in the plan, in GB: at most 1,000,000.
    SizeGb,
    /// Hours one resource runs in a month: at most 744.
    MonthHours,
    /// Anything else: at most 10^15.
    Quantity,
}

/// Keys that count things (attribute names and usage keys).
const COUNTS: &[&str] = &[
    "desired_capacity",
    "min_size",
    "max_size",
    "desired_size",
    "desired_count",
    "instances",
    "num_cache_nodes",
    "num_node_groups",
    "replicas_per_node_group",
    "num_cache_clusters",
    "number_cache_clusters",
    "number_of_nodes",
    "number_of_broker_nodes",
    "shard_count",
    "worker_count",
    "min_worker_count",
    "max_worker_count",
    "mcu_count",
    "provisioned_concurrent_executions",
    "vcpu_count",
    "partitions",
];

/// Keys that give a storage size in GB in a plan.
const SIZES: &[&str] = &[
    "size",
    "volume_size",
    "allocated_storage",
    "disk_size",
    "ebs_volume_size",
    "size_in_gib",
];

impl Kind {
    /// The kind of the number at `key` (an attribute name, or the last key of a usage path).
    pub fn of(key: &str) -> Kind {
        if COUNTS.contains(&key) {
            Kind::Count
        } else if SIZES.contains(&key) {
            Kind::SizeGb
        } else if key == "monthly_hrs" {
            Kind::MonthHours
        } else {
            Kind::Quantity
        }
    }

    /// The largest value of this kind costfix prices.
    pub fn ceiling(self) -> Decimal {
        match self {
            Kind::Count | Kind::SizeGb => Decimal::from(1_000_000),
            Kind::MonthHours => Decimal::from(744),
            Kind::Quantity => Decimal::from(1_000_000_000_000_000i64),
        }
    }

    fn over(self) -> &'static str {
        match self {
            Kind::Count => "more than 1,000,000, costfix's ceiling for a count",
            Kind::SizeGb => "more than 1,000,000 GB, costfix's ceiling for a size",
            Kind::MonthHours => "more than 744, the hours of a 31-day month",
            Kind::Quantity => "more than 10^15, costfix's ceiling for a quantity",
        }
    }
}

/// At most this much of a value is quoted in a reason (a 100 MB string is not copied).
const QUOTED: usize = 40;

/// `text` as a reason quotes it: at most 40 characters, `…` after a cut.
pub fn quoted(text: &str) -> String {
    let mut s: String = text.chars().take(QUOTED).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// The number that `text` (the number as written, without quotes) gives `key`, or why it is not a
/// quantity costfix prices (a phrase: `negative`, `not a whole number`, ...).
pub fn judge(key: &str, text: &str) -> Result<Decimal, &'static str> {
    let kind = Kind::of(key);
    let t = text.trim();
    let Some(d) = parse_decimal(t) else {
        // Not an exact decimal: out of its range (`1e400`, `1e308`), infinite or not a number.
        return Err(match t.parse::<f64>() {
            Ok(f) if f.is_nan() => "not a number",
            Ok(f) if f.is_sign_negative() && f != 0.0 => "negative",
            Ok(f) if f.is_infinite() && !t.chars().any(|c| c.is_ascii_digit()) => {
                "not a finite number"
            }
            Ok(f) if f.abs() >= 1.0 => kind.over(),
            Ok(_) => "not a number costfix can read exactly",
            Err(_) => "not a number",
        });
    };
    if d.is_sign_negative() && !d.is_zero() {
        return Err("negative");
    }
    if kind == Kind::Count && !d.fract().is_zero() {
        return Err("not a whole number, and a count must be one");
    }
    if d > kind.ceiling() {
        return Err(kind.over());
    }
    Ok(d)
}

/// The reason a resource is unpriced, or a usage file refused: `size = -1 is not a valid
/// quantity (negative)`.
pub fn reason(key: &str, shown: &str, why: &str) -> String {
    format!("{key} = {} is not a valid quantity ({why})", quoted(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_ceilings() {
        assert_eq!(judge("size", "100"), Ok(Decimal::from(100)));
        assert_eq!(judge("size", "0"), Ok(Decimal::ZERO));
        assert_eq!(judge("size", "-0"), Ok(Decimal::ZERO));
        assert_eq!(judge("size", "-1"), Err("negative"));
        assert_eq!(judge("desired_capacity", "-1e308"), Err("negative"));
        assert_eq!(judge("size", "1000000"), Ok(Decimal::from(1_000_000)));
        assert!(judge("size", "1000001")
            .unwrap_err()
            .contains("1,000,000 GB"));
        assert!(judge("size", "18446744073709551616")
            .unwrap_err()
            .contains("ceiling"));
        assert!(judge("size", "1e400").unwrap_err().contains("ceiling"));
        assert!(judge("desired_capacity", "1e308")
            .unwrap_err()
            .contains("count"));
        assert!(judge("desired_capacity", "2.5")
            .unwrap_err()
            .contains("whole"));
        assert_eq!(judge("iops", "2.5"), Ok(Decimal::new(25, 1)));
        assert_eq!(judge("monthly_hrs", "744"), Ok(Decimal::from(744)));
        assert!(judge("monthly_hrs", "745").is_err());
        assert_eq!(
            judge("monthly_requests", "1e12"),
            Ok(Decimal::from(10i64.pow(12)))
        );
        assert!(judge("monthly_requests", "1e16").is_err());
        assert_eq!(judge("size", "NaN"), Err("not a number"));
        assert_eq!(judge("size", "inf"), Err("not a finite number"));
        assert_eq!(judge("size", "-inf"), Err("negative"));
        assert_eq!(judge("size", "lots"), Err("not a number"));
        assert_eq!(
            reason("size", "-1", "negative"),
            "size = -1 is not a valid quantity (negative)"
        );
        assert_eq!(quoted(&"x".repeat(100)).chars().count(), 41);
    }
}
