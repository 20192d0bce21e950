//! Instance families: previous-generation → current equivalents, x86 → Graviton, and the size
//! ladder. Shared by the EC2, RDS and ElastiCache rules.
//!
//! The maps only name candidates; a rule proposes a candidate only if the catalog prices it in the
//! resource's region, in the same size, and it is cheaper than the current type.

use rust_decimal::Decimal;

use crate::pricing::Catalog;

/// `m5.large` → (`m5`, `large`); `db.m5.large` → (`m5`, `large`) with the prefix removed.
pub fn split(instance_type: &str) -> Option<(&str, &str)> {
    let t = instance_type
        .strip_prefix("db.")
        .or_else(|| instance_type.strip_prefix("cache."))
        .unwrap_or(instance_type);
    let (family, size) = t.split_once('.')?;
    (!family.is_empty() && !size.is_empty() && !size.contains('.')).then_some((family, size))
}

/// EC2: previous-generation (or Xen-based) families and their current equivalents of the same
/// architecture (x86_64, Intel to Intel), in order of preference.
pub const EC2_PREVIOUS: &[(&str, &[&str])] = &[
    ("t1", &["t3"]),
    ("t2", &["t3"]),
    ("m1", &["m6i", "m7i"]),
    ("m3", &["m6i", "m7i"]),
    ("m4", &["m6i", "m7i"]),
    ("m5", &["m6i", "m7i"]),
    ("c1", &["c6i", "c7i"]),
    ("c3", &["c6i", "c7i"]),
    ("c4", &["c6i", "c7i"]),
    ("c5", &["c6i", "c7i"]),
    ("r3", &["r6i", "r7i"]),
    ("r4", &["r6i", "r7i"]),
    ("r5", &["r6i", "r7i"]),
    ("i2", &["i3"]),
    ("d2", &["d3"]),
    ("g2", &["g4dn"]),
    ("g3", &["g4dn"]),
    ("p2", &["p3"]),
    ("x1", &["x2idn"]),
];

/// Families on the Xen hypervisor: moving off them changes storage and network drivers (NVMe,
/// ENA), which old AMIs may lack.
pub const XEN: &[&str] = &[
    "t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "i2", "d2", "g2", "g3", "p2",
    "x1", "x1e", "h1",
];

/// EC2 x86 families and their Graviton (arm64) counterparts.
pub const EC2_GRAVITON: &[(&str, &str)] = &[
    ("t3", "t4g"),
    ("t3a", "t4g"),
    ("m5", "m6g"),
    ("m5a", "m6g"),
    ("m6i", "m7g"),
    ("m6a", "m7g"),
    ("c5", "c6g"),
    ("c5a", "c6g"),
    ("c6i", "c7g"),
    ("c6a", "c7g"),
    ("r5", "r6g"),
    ("r5a", "r6g"),
    ("r6i", "r7g"),
    ("r6a", "r7g"),
];

/// RDS: previous-generation classes and their current x86 equivalents.
pub const RDS_PREVIOUS: &[(&str, &[&str])] = &[
    ("t2", &["t3"]),
    ("m1", &["m5", "m6i"]),
    ("m3", &["m5", "m6i"]),
    ("m4", &["m5", "m6i"]),
    ("r3", &["r5", "r6i"]),
    ("r4", &["r5", "r6i"]),
];

/// RDS x86 classes and their Graviton counterparts.
pub const RDS_GRAVITON: &[(&str, &str)] = &[
    ("t3", "t4g"),
    ("m5", "m6g"),
    ("m6i", "m7g"),
    ("r5", "r6g"),
    ("r6i", "r7g"),
];

/// ElastiCache: previous-generation node families and their current equivalents (Graviton nodes
/// included: the service manages the engine, so the architecture does not reach the user).
pub const CACHE_PREVIOUS: &[(&str, &[&str])] = &[
    ("t2", &["t3", "t4g"]),
    ("m3", &["m5", "m6g"]),
    ("m4", &["m5", "m6g"]),
    ("r3", &["r5", "r6g"]),
    ("r4", &["r5", "r6g"]),
];

/// Size ladder, smallest first.
pub const SIZES: &[&str] = &[
    "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge",
    "6xlarge", "8xlarge", "9xlarge", "10xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge",
    "32xlarge", "48xlarge",
];

/// Candidates for `family` in a map.
pub fn candidates<'m>(map: &'m [(&str, &'m [&'m str])], family: &str) -> &'m [&'m str] {
    map.iter()
        .find(|(f, _)| *f == family)
        .map(|(_, c)| *c)
        .unwrap_or_default()
}

/// The cheapest priced candidate type (`prefix` + family + `.` + size) cheaper than `current`'s
/// price, with its price. `price` looks a type up in the catalog.
pub fn cheapest<'c>(
    prefix: &str,
    families: impl IntoIterator<Item = &'c str>,
    size: &str,
    current: Decimal,
    price: impl Fn(&str) -> Option<Decimal>,
) -> Option<(String, Decimal)> {
    families
        .into_iter()
        .filter_map(|f| {
            let t = format!("{prefix}{f}.{size}");
            price(&t).map(|p| (t, p))
        })
        .filter(|(_, p)| *p < current)
        .min_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
}

/// Hourly Linux on-demand price of an EC2 type in a region.
pub fn ec2_price(catalog: &Catalog, region: &str, instance_type: &str) -> Option<Decimal> {
    catalog
        .get("ec2", region, instance_type, "linux_on_demand")
        .map(|p| p.usd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_types() {
        assert_eq!(split("m5.large"), Some(("m5", "large")));
        assert_eq!(split("db.r5.2xlarge"), Some(("r5", "2xlarge")));
        assert_eq!(split("cache.t2.micro"), Some(("t2", "micro")));
        assert_eq!(split("large"), None);
        assert_eq!(split("m5."), None);
    }

    #[test]
    fn cheapest_needs_a_lower_price() {
        let prices = |t: &str| match t {
            "m6i.large" => Some(Decimal::new(96, 3)),
            "m7i.large" => Some(Decimal::new(1008, 4)),
            _ => None,
        };
        assert_eq!(
            cheapest("", ["m6i", "m7i"], "large", Decimal::new(1, 1), prices),
            Some(("m6i.large".into(), Decimal::new(96, 3)))
        );
        assert_eq!(
            cheapest("", ["m6i", "m7i"], "large", Decimal::new(96, 3), prices),
            None
        );
    }
}
