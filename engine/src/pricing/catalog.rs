//! The price catalog: exact decimal on-demand prices keyed by (service, region, product, dimension).
//!
//! The default catalog is embedded: the AWS price tables in `engine/data/aws/*.csv` (copied verbatim
//! from their sources, see `engine/data/aws/SOURCES.md`) are compiled into the binary and indexed
//! at start-up. A user file (`--prices FILE`, CSV with the columns
//! `service,region,product,dimension,unit,usd[,source]`) overrides or adds prices.
//! `costfix prices` prints the catalog in that same form.
//!
//! A price that is not in the catalog is never borrowed from another region or type: the caller
//! reports the item as unpriced with the key it looked for.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};

/// Hours in a month, as AWS's calculator and infracost count them.
pub const HOURS_PER_MONTH: Decimal = Decimal::from_parts(730, 0, 0, false, 0);

/// The pseudo-region of prices that are the same everywhere (Route 53, CloudFront).
pub const GLOBAL: &str = "global";

/// Where a price came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PriceSource {
    /// The embedded catalog, with the as-of date of its source table.
    Embedded { table: &'static str },
    /// A user price file, with the line it was read from.
    Override { file: String, line: u64 },
}

/// One price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Price {
    pub usd: Decimal,
    pub unit: String,
    pub source: PriceSource,
}

/// Facts about an EC2 instance type from the catalog (used by rules, later, and by pricing notes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceInfo {
    pub vcpu: Decimal,
    pub memory_gib: Decimal,
    pub generation: String,
    pub family: String,
}

/// The price catalog.
#[derive(Debug, Default)]
pub struct Catalog {
    prices: FxHashMap<String, Price>,
    ec2_info: FxHashMap<String, InstanceInfo>,
    /// As-of date of each embedded table (service name → date).
    pub as_of: BTreeMap<String, String>,
    /// The override file, if one was loaded.
    pub overrides: Option<PathBuf>,
    /// Keys that two embedded tables both give (the later table's price is kept).
    overlaps: Vec<Overlap>,
    /// How many prices each region has (`global` aside).
    regions: BTreeMap<String, usize>,
    /// Services with prices in some region (not only `global` ones).
    regional_services: std::collections::BTreeSet<String>,
}

/// A region with at least this many prices is one the catalog covers; below it, the catalog
/// holds a few prices for it (a golden's, an override's).
const COVERED_REGION_PRICES: usize = 100;

/// A price key given by two embedded tables. With the same price and unit it is harmless (a newer
/// table repeating an older one's rows); otherwise the tables disagree, and a test fails.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// `service|region|product|dimension`.
    pub key: String,
    /// The earlier and the later table.
    pub tables: [&'static str; 2],
    pub usd: [Decimal; 2],
    pub unit: [String; 2],
}

impl Overlap {
    /// The two tables give different prices (or units) for the key.
    pub fn conflicts(&self) -> bool {
        self.usd[0] != self.usd[1] || self.unit[0] != self.unit[1]
    }
}

/// How a table's columns become prices.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// `region,instance_type,vcpu,memory_gib,usd_per_hour,generation,family,source`
    Ec2,
    /// `region,volume_type,dimension,unit,usd`
    Ebs,
    /// `region,engine,instance_class,deployment,usd_per_hour,vcpu,memory_gib,generation`
    Rds,
    /// `region,engine,deployment,storage_type,dimension,unit,usd`
    RdsStorage,
    /// `region,engine,node_type,usd_per_hour,vcpu,memory_gib,generation`
    Elasticache,
    /// `region,service,item,unit,usd,source,as_of,note`: rows of many services, each with its date.
    Services,
    /// `region,service,engine,license,deployment,node_type,usd_per_hour,vcpu,memory_gib,source,as_of`:
    /// node-hour prices of several services (Aurora, DocumentDB, OpenSearch, MSK, Redshift, MQ and
    /// the RDS engines other than MySQL and PostgreSQL), each row with its date.
    Nodes,
}

/// The embedded tables, in load order: (file name, contents, layout). `aws-services.csv` is the
/// newer layer over `aws-misc.csv`: it repeats some of its keys with the same prices.
/// `aws-nodes.csv` shares no key with the others.
const TABLES: &[(&str, &str, Layout)] = &[
    (
        "aws-ec2.csv",
        include_str!("../../data/aws/aws-ec2.csv"),
        Layout::Ec2,
    ),
    (
        "aws-ebs.csv",
        include_str!("../../data/aws/aws-ebs.csv"),
        Layout::Ebs,
    ),
    (
        "aws-rds.csv",
        include_str!("../../data/aws/aws-rds.csv"),
        Layout::Rds,
    ),
    (
        "aws-rds-storage.csv",
        include_str!("../../data/aws/aws-rds-storage.csv"),
        Layout::RdsStorage,
    ),
    (
        "aws-elasticache.csv",
        include_str!("../../data/aws/aws-elasticache.csv"),
        Layout::Elasticache,
    ),
    (
        "aws-misc.csv",
        include_str!("../../data/aws/aws-misc.csv"),
        Layout::Services,
    ),
    (
        "aws-services.csv",
        include_str!("../../data/aws/aws-services.csv"),
        Layout::Services,
    ),
    (
        "aws-nodes.csv",
        include_str!("../../data/aws/aws-nodes.csv"),
        Layout::Nodes,
    ),
];

/// As-of dates of the single-service tables (from `engine/data/aws/SOURCES.md`). Rows of
/// `aws-misc.csv`, `aws-services.csv` and `aws-nodes.csv` carry their own dates; the newest per
/// service is used, except for a service listed here: `rds` keeps aws-rds.csv's date, the table
/// its MySQL and PostgreSQL prices come from, although aws-nodes.csv adds newer rows (MariaDB,
/// Oracle, SQL Server) under it.
///
/// aws-rds.csv's 168 `db.x2iedn.*` prices predate AWS's price cut of 2025-05-28 (SOURCES.md,
/// "Finding for aws-rds.csv"). aws-nodes.csv has post-cut x2iedn prices for MariaDB, Oracle and SQL
/// Server only, not for MySQL or PostgreSQL, so aws-rds.csv's are kept as published: deriving them
/// from another engine's price, or from the size of the cut, would be a guess.
const TABLE_DATES: &[(&str, &str)] = &[
    ("ec2", "2026-05-12"),
    ("ebs", "2024-07-18"),
    ("rds", "2024-09-28"),
    ("rds_storage", "2024-09-28"),
    ("elasticache", "2025-03-14"),
];

fn key(service: &str, region: &str, product: &str, dimension: &str) -> String {
    let mut k =
        String::with_capacity(service.len() + region.len() + product.len() + dimension.len() + 3);
    for (i, part) in [service, region, product, dimension]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            k.push('|');
        }
        k.push_str(part);
    }
    k
}

fn dec(s: &str) -> Option<Decimal> {
    Decimal::from_str(s.trim())
        .ok()
        .or_else(|| Decimal::from_scientific(s.trim()).ok())
}

fn records(csv_text: &'static str) -> impl Iterator<Item = csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.as_bytes())
        .into_records()
        .map(|r| r.expect("embedded price table is valid CSV (checked by tests)"))
}

impl Catalog {
    /// The embedded default catalog.
    pub fn embedded() -> Catalog {
        Catalog::from_tables(TABLES)
    }

    fn from_tables(tables: &[(&'static str, &'static str, Layout)]) -> Catalog {
        let mut c = Catalog::default();
        for (service, date) in TABLE_DATES {
            c.as_of.insert((*service).to_string(), (*date).to_string());
        }
        for (table, text, layout) in tables {
            c.load_table(table, text, *layout);
        }
        c
    }

    /// Index one embedded table.
    fn load_table(&mut self, table: &'static str, text: &'static str, layout: Layout) {
        let usd_column = match layout {
            Layout::Elasticache => 3,
            Layout::RdsStorage | Layout::Nodes => 6,
            _ => 4,
        };
        for r in records(text) {
            let Some(usd) = dec(&r[usd_column]) else {
                continue;
            };
            // The price's (service, product, dimension) and unit.
            let (service, product, dimension, unit) = match layout {
                Layout::Ec2 => {
                    if let (Some(vcpu), Some(memory_gib)) = (dec(&r[2]), dec(&r[3])) {
                        self.ec2_info.insert(
                            format!("{}|{}", &r[0], &r[1]),
                            InstanceInfo {
                                vcpu,
                                memory_gib,
                                generation: r[5].to_string(),
                                family: r[6].to_string(),
                            },
                        );
                    }
                    ("ec2", r[1].to_string(), "linux_on_demand", "hour")
                }
                Layout::Ebs => ("ebs", r[1].to_string(), &r[2], &r[3]),
                Layout::Rds => ("rds", format!("{}:{}", &r[1], &r[2]), &r[3], "hour"),
                Layout::RdsStorage => (
                    "rds_storage",
                    format!("{}:{}:{}", &r[1], &r[2], &r[3]),
                    &r[4],
                    &r[5],
                ),
                Layout::Elasticache => (
                    "elasticache",
                    format!("{}:{}", &r[1], &r[2]),
                    "node",
                    "hour",
                ),
                Layout::Services => {
                    let entry = self.as_of.entry(r[1].to_string()).or_default();
                    let is_date =
                        r[6].len() == 10 && r[6].bytes().all(|b| b.is_ascii_digit() || b == b'-');
                    if is_date && r[6] > **entry {
                        *entry = r[6].to_string();
                    }
                    (&r[1], r[2].to_string(), "", &r[3])
                }
                Layout::Nodes => {
                    let fixed = TABLE_DATES.iter().any(|(s, _)| *s == &r[1]);
                    let entry = self.as_of.entry(r[1].to_string()).or_default();
                    if !fixed && r[10] > **entry {
                        *entry = r[10].to_string();
                    }
                    // `ENGINE:NODE_TYPE`, with the licence model between them when there is one
                    // (`oracle-se2:license-included:db.m5.large`); the deployment (`single-az`,
                    // `aurora-io-optimized`, ...) or `node`.
                    let product = match &r[3] {
                        "" | "no-license" => format!("{}:{}", &r[2], &r[5]),
                        license => format!("{}:{license}:{}", &r[2], &r[5]),
                    };
                    let dimension = if r[4].is_empty() { "node" } else { &r[4] };
                    (&r[1], product, dimension, "hour")
                }
            };
            self.count_region(&r[0]);
            if r[0] != *GLOBAL && !self.regional_services.contains(service) {
                self.regional_services.insert(service.to_string());
            }
            let key = key(service, &r[0], &product, dimension);
            if let Some(old) = self.prices.get(&key) {
                let PriceSource::Embedded { table: earlier } = old.source else {
                    unreachable!("embedded tables load before overrides")
                };
                self.overlaps.push(Overlap {
                    key: key.clone(),
                    tables: [earlier, table],
                    usd: [old.usd, usd],
                    unit: [old.unit.clone(), unit.to_string()],
                });
            }
            self.prices.insert(
                key,
                Price {
                    usd,
                    unit: unit.to_string(),
                    source: PriceSource::Embedded { table },
                },
            );
        }
    }

    fn count_region(&mut self, region: &str) {
        if region == GLOBAL {
            return;
        }
        match self.regions.get_mut(region) {
            Some(n) => *n += 1,
            None => {
                self.regions.insert(region.to_string(), 1);
            }
        }
    }

    /// Whether a service's prices are all the same everywhere (`global` rows only: Route 53), so
    /// a resource priced from it needs no region.
    pub fn is_global_service(&self, service: &str) -> bool {
        !self.regional_services.contains(service)
    }

    /// Whether any price is given for `region` (an override file can add regions).
    pub fn has_region(&self, region: &str) -> bool {
        self.regions.contains_key(region)
    }

    /// The regions the catalog covers (with many prices, not a few), sorted.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.regions
            .iter()
            .filter(|(_, n)| **n >= COVERED_REGION_PRICES)
            .map(|(r, _)| r.as_str())
    }

    /// Keys that two embedded tables both give, with both prices.
    pub fn overlaps(&self) -> &[Overlap] {
        &self.overlaps
    }

    #[allow(clippy::too_many_arguments)]
    fn insert(
        &mut self,
        service: &str,
        region: &str,
        product: &str,
        dimension: &str,
        usd: Decimal,
        unit: &str,
        source: PriceSource,
    ) {
        self.count_region(region);
        if region != GLOBAL && !self.regional_services.contains(service) {
            self.regional_services.insert(service.to_string());
        }
        self.prices.insert(
            key(service, region, product, dimension),
            Price {
                usd,
                unit: unit.to_string(),
                source,
            },
        );
    }

    /// Look a price up. `None` means the catalog has no such price: report it, never guess.
    pub fn get(
        &self,
        service: &str,
        region: &str,
        product: &str,
        dimension: &str,
    ) -> Option<&Price> {
        self.prices.get(&key(service, region, product, dimension))
    }

    /// Facts about an EC2 instance type in a region.
    pub fn instance_info(&self, region: &str, instance_type: &str) -> Option<&InstanceInfo> {
        self.ec2_info.get(&format!("{region}|{instance_type}"))
    }

    /// Number of prices.
    pub fn len(&self) -> usize {
        self.prices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// Load a user price file over this catalog. Columns: `service,region,product,dimension,unit,usd`
    /// and optionally `source`. Lines starting with `#` are comments.
    pub fn load_overrides(&mut self, path: &Path) -> Result<usize> {
        let text =
            crate::fsutil::read_text_capped(path, "a price file", crate::fsutil::MAX_TABLE_FILE)?;
        let name = path.display().to_string();
        let invalid = |line: u64, message: String| {
            let offset = line_offset(&text, line);
            let (src, span) = Error::source_window(&name, &text, offset);
            Error::Invalid {
                src,
                span,
                message,
                label: "in this row".into(),
            }
        };
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| invalid(1, format!("cannot read the header row: {e}")))?
            .clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let need = ["service", "region", "product", "dimension", "unit", "usd"];
        let mut idx = [0usize; 6];
        for (i, n) in need.iter().enumerate() {
            idx[i] = col(n).ok_or_else(|| {
                invalid(
                    1,
                    format!(
                        "the header has no `{n}` column; a price file has the columns service,region,product,dimension,unit,usd (see `costfix prices`)"
                    ),
                )
            })?;
        }
        let mut n = 0;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map_or(1, |p| p.line());
                invalid(line, format!("malformed CSV: {e}"))
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let get = |i: usize| rec.get(idx[i]).unwrap_or("");
            let usd = dec(get(5)).ok_or_else(|| {
                invalid(line, format!("`{}` is not a decimal price in USD", get(5)))
            })?;
            if usd.is_sign_negative() {
                return Err(invalid(line, "a price cannot be negative".into()));
            }
            for (i, what) in [(0, "service"), (1, "region"), (2, "product")] {
                if get(i).is_empty() {
                    return Err(invalid(line, format!("the `{what}` column is empty")));
                }
            }
            self.insert(
                get(0),
                get(1),
                get(2),
                get(3),
                usd,
                get(4),
                PriceSource::Override {
                    file: name.clone(),
                    line,
                },
            );
            n += 1;
        }
        self.overrides = Some(path.to_owned());
        Ok(n)
    }

    /// Every price as a row `(service, region, product, dimension, unit, usd)`, sorted.
    pub fn rows(&self) -> Vec<(Vec<&str>, &Price)> {
        let mut out: Vec<_> = self
            .prices
            .iter()
            .map(|(k, p)| (k.split('|').collect::<Vec<_>>(), p))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

fn line_offset(text: &str, line: u64) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth((line - 2) as usize)
        .map_or(text.len(), |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_row_is_indexed() {
        let c = Catalog::embedded();
        let rows = |t: &str| t.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        let expected: usize = TABLES.iter().map(|(_, text, _)| rows(text)).sum();
        // Each source row becomes one price (nothing dropped); a key that two tables give is one
        // price, and only when both give the same price and unit.
        let conflicts: Vec<&Overlap> = c.overlaps().iter().filter(|o| o.conflicts()).collect();
        assert!(conflicts.is_empty(), "tables disagree: {conflicts:#?}");
        assert_eq!(c.len(), expected - c.overlaps().len());
        // aws-services.csv repeats 24 keys of aws-misc.csv (us-east-1), and only those.
        assert_eq!(c.overlaps().len(), 24);
        assert!(c
            .overlaps()
            .iter()
            .all(|o| o.tables == ["aws-misc.csv", "aws-services.csv"]));
    }

    #[test]
    fn two_tables_that_disagree_are_a_conflict() {
        let c = Catalog::from_tables(&[
            (
                "a.csv",
                "region,service,item,unit,usd,source,as_of,note\nus-east-1,eks,cluster_hour,hour,0.10,a,2025-01-01,\nus-east-1,eks,other,hour,1,a,2025-01-01,\n",
                Layout::Services,
            ),
            (
                "b.csv",
                "region,service,item,unit,usd,source,as_of,note\nus-east-1,eks,cluster_hour,hour,0.1,b,2025-06-16,\nus-east-1,eks,other,hour,2,b,2025-06-16,\n",
                Layout::Services,
            ),
        ]);
        let [same, differs] = c.overlaps() else {
            panic!("{:?}", c.overlaps())
        };
        assert!(!same.conflicts(), "0.10 and 0.1 are the same price");
        assert!(differs.conflicts());
        assert_eq!(differs.key, "eks|us-east-1|other|");
        assert_eq!(c.as_of["eks"], "2025-06-16");
    }

    #[test]
    fn known_prices() {
        let c = Catalog::embedded();
        assert_eq!(
            c.get("ec2", "us-east-1", "m5.large", "linux_on_demand")
                .unwrap()
                .usd,
            Decimal::from_str("0.096").unwrap()
        );
        assert_eq!(
            c.get("ebs", "us-east-1", "gp3", "storage").unwrap().usd,
            Decimal::from_str("0.08").unwrap()
        );
        assert!(c
            .get("ec2", "us-east-1", "m5.notatype", "linux_on_demand")
            .is_none());
        assert!(
            c.get("dynamodb", "sa-east-1", "storage", "").is_none(),
            "no table has sa-east-1"
        );
        // aws-services.csv: EKS, and the services of aws-misc.csv in the other regions.
        let eks = c.get("eks", "eu-west-1", "cluster_hour", "").unwrap();
        assert_eq!(eks.usd, Decimal::from_str("0.1").unwrap());
        assert_eq!(
            eks.source,
            PriceSource::Embedded {
                table: "aws-services.csv"
            }
        );
        assert!(c
            .get("nat_gateway", "eu-west-1", "gateway_hour", "")
            .is_some());
        assert_eq!(c.as_of["ec2"], "2026-05-12");
        assert_eq!(c.as_of["eks"], "2025-06-16");
        assert!(c.as_of.contains_key("nat_gateway"));
    }

    #[test]
    fn node_prices() {
        let c = Catalog::embedded();
        let usd = |service: &str, product: &str, dimension: &str| {
            c.get(service, "us-east-1", product, dimension)
                .unwrap_or_else(|| panic!("{service} {product} {dimension}"))
                .usd
        };
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(
            usd("aurora", "aurora-mysql:db.r5.large", "aurora-standard"),
            d("0.29")
        );
        assert_eq!(
            usd("aurora", "aurora-mysql:db.r5.large", "aurora-io-optimized"),
            d("0.377")
        );
        assert_eq!(
            usd("docdb", "docdb:db.t3.medium", "docdb-standard"),
            d("0.078")
        );
        assert_eq!(
            usd("opensearch", "opensearch:c4.2xlarge.search", "node"),
            d("0.587")
        );
        assert_eq!(
            usd("msk", "kafka:kafka.t3.small", "provisioned"),
            d("0.0456")
        );
        assert_eq!(usd("redshift", "redshift:dc2.large", "node"), d("0.25"));
        assert_eq!(
            usd("rds", "mariadb:db.x2iedn.16xlarge", "single-az"),
            d("30.432")
        );
        assert!(c
            .get(
                "rds",
                "us-east-1",
                "oracle-se2:license-included:db.m5.large",
                "single-az"
            )
            .is_some());
        // The storage items of the same services (aws-services.csv) are beside them.
        assert!(c
            .get("aurora", "us-east-1", "storage_standard", "")
            .is_some());
        // rds keeps the date of aws-rds.csv (its MySQL and PostgreSQL prices); the others take
        // their newest row's.
        assert_eq!(c.as_of["rds"], "2024-09-28");
        assert_eq!(c.as_of["aurora"], "2025-06-17");
        assert_eq!(c.as_of["redshift"], "2025-06-10");
        assert_eq!(c.as_of["mq"], "2025-04-07");
    }

    /// `costfix prices` prints the catalog as a price file: read back as overrides, it gives every
    /// key its price and unit again (no product or dimension holds a comma or the key separator).
    #[test]
    fn printed_rows_load_back_as_the_same_prices() {
        let c = Catalog::embedded();
        let mut text = String::from("service,region,product,dimension,unit,usd\n");
        for (k, p) in c.rows() {
            assert_eq!(k.len(), 4, "{k:?}");
            for part in &k {
                assert!(!part.contains(','), "{k:?}");
            }
            text.push_str(&format!(
                "{},{},{},{},{},{}\n",
                k[0],
                k[1],
                k[2],
                k[3],
                p.unit,
                p.usd.normalize()
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prices.csv");
        std::fs::write(&path, text).unwrap();
        let mut back = Catalog::default();
        assert_eq!(back.load_overrides(&path).unwrap(), c.len());
        assert_eq!(back.len(), c.len());
        for (k, p) in c.rows() {
            let q = back.get(k[0], k[1], k[2], k[3]).unwrap();
            assert_eq!((q.usd, &q.unit), (p.usd, &p.unit), "{k:?}");
        }
    }
}
