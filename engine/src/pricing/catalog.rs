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
    pub as_of: BTreeMap<&'static str, String>,
    /// The override file, if one was loaded.
    pub overrides: Option<PathBuf>,
}

/// The embedded tables: (file name, contents, as-of date from SOURCES.md).
const EC2: &str = include_str!("../../data/aws/aws-ec2.csv");
const EBS: &str = include_str!("../../data/aws/aws-ebs.csv");
const RDS: &str = include_str!("../../data/aws/aws-rds.csv");
const RDS_STORAGE: &str = include_str!("../../data/aws/aws-rds-storage.csv");
const ELASTICACHE: &str = include_str!("../../data/aws/aws-elasticache.csv");
const MISC: &str = include_str!("../../data/aws/aws-misc.csv");

/// As-of dates of the embedded tables (from `engine/data/aws/SOURCES.md`). Rows of `aws-misc.csv`
/// carry their own dates; the newest per service is used.
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

/// A price source of the embedded table `table`.
fn emb(table: &'static str) -> PriceSource {
    PriceSource::Embedded { table }
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
        let mut c = Catalog::default();
        for (service, date) in TABLE_DATES {
            c.as_of.insert(service, (*date).to_string());
        }
        Self::embed_ec2(&mut c);
        Self::embed_ebs(&mut c);
        Self::embed_rds(&mut c);
        Self::embed_rds_storage(&mut c);
        Self::embed_elasticache(&mut c);
        Self::embed_misc(&mut c);
        c
    }

    /// Add aws-ec2.csv, hourly prices and the facts of each instance type (columns
    /// region,instance_type,vcpu,memory_gib,usd_per_hour,generation,family,source).
    fn embed_ec2(c: &mut Catalog) {
        for r in records(EC2) {
            let Some(usd) = dec(&r[4]) else { continue };
            c.insert(
                "ec2",
                &r[0],
                &r[1],
                "linux_on_demand",
                usd,
                "hour",
                emb("aws-ec2.csv"),
            );
            if let (Some(vcpu), Some(memory_gib)) = (dec(&r[2]), dec(&r[3])) {
                c.ec2_info.insert(
                    format!("{}|{}", &r[0], &r[1]),
                    InstanceInfo {
                        vcpu,
                        memory_gib,
                        generation: r[5].to_string(),
                        family: r[6].to_string(),
                    },
                );
            }
        }
    }

    /// Add aws-ebs.csv (region,volume_type,dimension,unit,usd).
    fn embed_ebs(c: &mut Catalog) {
        for r in records(EBS) {
            let Some(usd) = dec(&r[4]) else { continue };
            c.insert("ebs", &r[0], &r[1], &r[2], usd, &r[3], emb("aws-ebs.csv"));
        }
    }

    /// Add aws-rds.csv (columns
    /// region,engine,instance_class,deployment,usd_per_hour,vcpu,memory_gib,generation).
    fn embed_rds(c: &mut Catalog) {
        for r in records(RDS) {
            let Some(usd) = dec(&r[4]) else { continue };
            let product = format!("{}:{}", &r[1], &r[2]);
            c.insert(
                "rds",
                &r[0],
                &product,
                &r[3],
                usd,
                "hour",
                emb("aws-rds.csv"),
            );
        }
    }

    /// Add aws-rds-storage.csv (region,engine,deployment,storage_type,dimension,unit,usd).
    fn embed_rds_storage(c: &mut Catalog) {
        for r in records(RDS_STORAGE) {
            let Some(usd) = dec(&r[6]) else { continue };
            let product = format!("{}:{}:{}", &r[1], &r[2], &r[3]);
            c.insert(
                "rds_storage",
                &r[0],
                &product,
                &r[4],
                usd,
                &r[5],
                emb("aws-rds-storage.csv"),
            );
        }
    }

    /// Add aws-elasticache.csv (region,engine,node_type,usd_per_hour,vcpu,memory_gib,generation).
    fn embed_elasticache(c: &mut Catalog) {
        for r in records(ELASTICACHE) {
            let Some(usd) = dec(&r[3]) else { continue };
            let product = format!("{}:{}", &r[1], &r[2]);
            c.insert(
                "elasticache",
                &r[0],
                &product,
                "node",
                usd,
                "hour",
                emb("aws-elasticache.csv"),
            );
        }
    }

    /// Add aws-misc.csv (region,service,item,unit,usd,source,as_of,note); a service's as-of date is
    /// the newest of its rows.
    fn embed_misc(c: &mut Catalog) {
        for r in records(MISC) {
            let Some(usd) = dec(&r[4]) else { continue };
            c.insert(&r[1], &r[0], &r[2], "", usd, &r[3], emb("aws-misc.csv"));
            let service: &'static str = intern_service(&r[1]);
            let entry = c.as_of.entry(service).or_default();
            let is_date = r[6].len() == 10 && r[6].bytes().all(|b| b.is_ascii_digit() || b == b'-');
            if is_date && r[6] > **entry {
                *entry = r[6].to_string();
            }
        }
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
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
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

/// Service names of the misc table, as `'static` for the as-of map.
fn intern_service(s: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "nat_gateway",
        "eip",
        "alb",
        "nlb",
        "lambda",
        "cloudwatch_logs",
        "s3",
        "elasticache",
        "elasticache_serverless",
        "dynamodb",
        "data_transfer",
    ];
    KNOWN.iter().copied().find(|k| *k == s).unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_row_is_indexed() {
        let c = Catalog::embedded();
        let rows = |t: &str| t.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        // Each source row becomes exactly one price (no key collisions, nothing dropped).
        let expected =
            rows(EC2) + rows(EBS) + rows(RDS) + rows(RDS_STORAGE) + rows(ELASTICACHE) + rows(MISC);
        assert_eq!(c.len(), expected);
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
            c.get("dynamodb", "us-east-1", "storage", "").is_none(),
            "only us-east-2 is in the table"
        );
        assert_eq!(c.as_of["ec2"], "2026-05-12");
        assert!(c.as_of.contains_key("nat_gateway"));
    }
}
