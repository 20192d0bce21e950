//! costfix engine: everything but printing.
//!
//! The pipeline is `input` (decode files) → `plan`/`state` (borrowed parse) → `pricing` + `usage`
//! → `cost` (per resource type) → `estimate` (per resource, module and total; diff of two).
//! See `docs/architecture.md`.

// Errors carry their source snippet for diagnostics; they are on the cold path, so their size
// does not matter.
#![allow(clippy::result_large_err)]

pub mod address;
pub mod check;
pub mod config;
pub mod cost;
pub mod drift;
pub mod error;
pub mod estimate;
pub mod fix;
pub mod hcl_guard;
pub mod input;
pub mod money;
pub mod operation;
pub mod oplog;
pub mod patch;
pub mod plan;
pub mod policy;
pub mod pricing;
pub mod region;
pub mod rules;
pub mod slo;
pub mod snapshot;
pub mod source;
pub mod state;
pub mod usage;
pub mod values;

pub use address::Address;
pub use error::{Error, Result};
pub use input::InputFile;
pub use plan::{parse_document, Document, Plan};
pub use pricing::Catalog;
