//! costfix engine: everything but printing.
//!
//! The layers, lowest first (an arrow only points down; `docs/architecture.md` draws them):
//! - [`terraform`]: what Terraform gives us — input files, plans, states, addresses, attribute
//!   views, regions;
//! - [`hcl`]: the `.tf` side — the source index, byte-exact edits, insertions, the parse guard;
//! - [`pricing`]: the price catalog, usage files, money formatting;
//! - [`cost`]: the cost model of each priced resource type;
//! - [`estimate`]: per resource, module and total, and the diff of two;
//! - [`policy`] (Rego) and [`slo`] (budgets), combined by [`check`], the CI gate;
//! - [`rules`] find waste, [`fix`] turns findings into verified edits of the sources;
//! - [`ops`]: drift-safe operations — snapshots, the six safety checks, apply, rollback,
//!   recover, and the hash-chained operation log.

// Errors carry their source snippet for diagnostics; they are on the cold path, so their size
// does not matter.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod config;
pub mod cost;
pub mod error;
pub mod estimate;
pub mod fix;
pub mod fsutil;
pub mod hcl;
mod nesting;
pub mod ops;
pub mod policy;
pub mod pricing;
pub mod render;
pub mod root;
pub mod rules;
pub mod slo;
pub mod terraform;
pub mod yaml;

pub use error::{Error, Result};
pub use pricing::Catalog;
pub use terraform::address::Address;
pub use terraform::input::InputFile;
pub use terraform::plan::{parse_document, Document, Plan};
