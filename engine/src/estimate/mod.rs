//! Cost estimates: per resource before and after a plan, per module subtotals, totals; and the diff
//! between two estimates (base and head plans). The output model is serialised as the versioned JSON
//! schema documented in `docs/json-schema.md`.

mod compute;
mod diff;
mod model;
mod neighbourhood;
pub mod run;
mod summary;

pub use compute::estimate;
pub use diff::diff;
pub use model::*;
pub use run::{run, run_diff, DiffRequest, EstimateRequest};

use summary::summarise;

use crate::pricing::usage::Usage;
use crate::pricing::Catalog;
use crate::terraform::plan::Document;
use crate::terraform::state::State;

/// Version of the JSON output schema. Bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "costfix.estimate/v1";

/// Where prices come from: a `--prices` file over the embedded catalog, a usage file, a default
/// region.
#[derive(Debug, Default, Clone)]
pub struct PricingRequest {
    pub prices: Option<std::path::PathBuf>,
    pub usage: Option<std::path::PathBuf>,
    pub region: Option<String>,
}

/// What pricing needs: the catalog (with `--prices` overrides), the usage file and the options.
#[derive(Debug)]
pub struct Pricing {
    pub catalog: Catalog,
    pub usage: Usage,
    pub options: Options,
}

impl Pricing {
    /// The embedded catalog with the overrides of `prices`, the usage of `usage` (none: empty)
    /// and the default region.
    pub fn load(
        prices: Option<&std::path::Path>,
        usage: Option<&std::path::Path>,
        region: Option<String>,
    ) -> crate::Result<Pricing> {
        let mut catalog = Catalog::embedded();
        if let Some(p) = prices {
            catalog.load_overrides(p)?;
        }
        let usage = match usage {
            Some(p) => Usage::load(p)?,
            None => Usage::default(),
        };
        Ok(Pricing {
            catalog,
            usage,
            options: Options { region },
        })
    }

    pub fn load_request(r: &PricingRequest) -> crate::Result<Pricing> {
        Pricing::load(r.prices.as_deref(), r.usage.as_deref(), r.region.clone())
    }

    /// The estimate of a plan or state document with these prices.
    pub fn estimate(&self, doc: &Document<'_>, name: &str, state: Option<&State<'_>>) -> Estimate {
        estimate(doc, name, state, &self.catalog, &self.usage, &self.options)
    }
}

/// Options of an estimate.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Region for resources whose provider configuration does not give one.
    pub region: Option<String>,
}
