//! How far a fix may be trusted, in ruff's terms and order: `DisplayOnly < Unsafe < Safe`, so
//! "more" means "safer".

use serde::Serialize;

/// How far a fix may be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown, never applied.
    DisplayOnly,
    /// Applied only with `--unsafe-fixes`.
    Unsafe,
    /// Applied by `--apply`.
    Safe,
}

impl Applicability {
    /// Whether a fix of this applicability is applied when fixes down to `min` are allowed
    /// (`Safe`, or `Unsafe` with `--unsafe-fixes`). A display-only fix never is.
    pub fn applies(self, min: Applicability) -> bool {
        self != Applicability::DisplayOnly && self >= min
    }

    /// The name in reports and JSON (as serde writes it).
    pub fn name(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safer_is_more_and_names_are_serdes() {
        use Applicability::*;
        assert!(DisplayOnly < Unsafe && Unsafe < Safe);
        assert!(Safe.applies(Safe) && !Unsafe.applies(Safe) && Unsafe.applies(Unsafe));
        assert!(!DisplayOnly.applies(DisplayOnly));
        for a in [Safe, Unsafe, DisplayOnly] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.name());
        }
    }
}
