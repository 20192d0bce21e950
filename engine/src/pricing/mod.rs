//! Prices: the embedded catalog and `--prices` overrides ([`catalog`]), infracost usage files
//! ([`usage`]), how money and quantities are written ([`money`]) and what a quantity may be
//! ([`quantity`]).

pub mod catalog;
pub mod money;
pub mod quantity;
pub mod usage;

pub use catalog::*;
