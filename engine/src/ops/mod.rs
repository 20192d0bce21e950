//! Drift-safe operations: a fix for one block, planned with a snapshot of the world
//! ([`snapshot`]), checked again against the world as it is when it is applied (drift graded by
//! [`drift`]), applied, verified, logged in the hash-chained operation log ([`log`]), and
//! undoable.

pub mod drift;
pub mod log;
pub mod operation;
pub mod snapshot;
