//! Prices: the embedded catalog and `--prices` overrides ([`catalog`]), infracost usage files
//! ([`usage`]), and how money and quantities are written ([`money`]).

pub mod catalog;
pub mod money;
pub mod usage;

pub use catalog::*;
