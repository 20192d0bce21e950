//! Drift-safe operations: a fix for one block, planned with a snapshot of the world, checked again
//! against the world as it is when it is applied, applied, verified, logged, and undoable.
//!
//! The entry points, one per command: [`propose`] (`fix --out`), [`apply()`] (`apply`),
//! [`verify_plan`] (`apply --verify-plan`), [`rollback()`] (`rollback`), [`recover()`]
//! (`recover`); the log is read and verified through [`log`].
//!
//! - [`model`]: the operation, its states and legal transitions, the operations file;
//! - [`snapshot`]: what an operation remembers of the resource (its edits carry their
//!   [`crate::hcl::edit::Anchor`]);
//! - [`propose`](mod@propose): fixes to operations (risk, approval, rollback plan);
//! - [`world`] and [`checks`]: the world now and the six safety checks ([`drift`] grades drift);
//! - [`write`]: writing validated operations, with automatic rollback;
//! - [`undo`], [`rollback`](mod@rollback), [`recover`](mod@recover), [`verify`];
//! - [`log`]: the hash-chained operation log, the lock, the breaker and rate counts.

mod anchor;
pub mod apply;
mod breaker;
pub mod checks;
pub mod clock;
pub mod drift;
pub mod log;
pub mod model;
pub mod propose;
pub mod recover;
pub mod request;
pub mod rollback;
pub mod snapshot;
pub mod undo;
pub mod verify;
pub mod world;
pub mod write;

pub use apply::{apply, ApplyReport, ApplyRequest};
pub use model::{OpState, Operation, OpsFile, Risk};
pub use propose::{fix_to_operations, propose, ProposeRequest};
pub use recover::{recover, RecoverReport, Recovered};
pub use rollback::{rollback, RollbackReport, RollbackRequest, RollbackTarget};
pub use verify::{verify_plan, VerifyReport, VerifyRequest};
