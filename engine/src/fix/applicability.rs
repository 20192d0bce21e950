//! How far a fix may be trusted, in ruff's terms.

use serde::Serialize;

/// How far a fix may be trusted, in ruff's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Applied by `--apply`.
    Safe,
    /// Applied only with `--unsafe-fixes`.
    Unsafe,
    /// Shown, never applied.
    DisplayOnly,
}
