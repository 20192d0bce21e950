//! [`Proposal`]: what a rule proposes for one resource, with how its [`Saving`] is found.

use rust_decimal::Decimal;

use super::{Applicability, Change, Rule};

/// How a proposal's saving is found.
#[derive(Debug, Clone, PartialEq)]
pub enum Saving {
    /// Cost the resource again with the changes applied.
    Recost,
    /// A saving the cost model cannot see from the attributes (removing a resource, sharing a NAT
    /// gateway): computed by the rule from catalog prices, with what it assumes.
    Computed(Decimal, Option<String>),
    /// Not computable from what costfix knows (why).
    Unknown(String),
}

/// What a rule proposes for one resource.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub message: String,
    pub changes: Vec<Change>,
    /// The rule's applicability, or less safe when this case is riskier; never safer.
    pub applicability: Applicability,
    /// Why the fix is unsafe or display-only here.
    pub note: Option<String>,
    pub saving: Saving,
}

impl Proposal {
    pub fn new(rule: &Rule, message: String, changes: Vec<Change>) -> Proposal {
        Proposal {
            message,
            changes,
            applicability: rule.applicability,
            note: None,
            saving: Saving::Recost,
        }
    }
    /// Make the fix at most as safe as `most` (it never becomes safer), saying why.
    pub fn at_most(mut self, most: Applicability, why: impl Into<String>) -> Proposal {
        if most < self.applicability {
            self.applicability = most;
        }
        self.note = Some(why.into());
        self
    }
    pub fn note(mut self, note: impl Into<String>) -> Proposal {
        self.note = Some(note.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_never_makes_a_fix_safer() {
        let rule = super::super::find("CF002").unwrap();
        let p = Proposal::new(rule, String::new(), Vec::new());
        assert_eq!(p.applicability, Applicability::Unsafe);
        let shown = p.clone().at_most(Applicability::DisplayOnly, "why");
        assert_eq!(shown.applicability, Applicability::DisplayOnly);
        assert_eq!(shown.note.as_deref(), Some("why"));
        let still = p.at_most(Applicability::Safe, "why");
        assert_eq!(still.applicability, Applicability::Unsafe);
    }
}

/// How a finding's saving was found, carried into its fix and operation: the cost check of an
/// operation re-costs the resource only when the saving came from re-costing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavingBasis {
    /// The resource costed again with the changes applied.
    #[default]
    Recost,
    /// Computed by the rule from catalog prices (the cost model cannot see it from attributes).
    Computed,
    /// Not computable from what costfix knows.
    Unknown,
}

impl Saving {
    pub fn basis(&self) -> SavingBasis {
        match self {
            Saving::Recost => SavingBasis::Recost,
            Saving::Computed(..) => SavingBasis::Computed,
            Saving::Unknown(_) => SavingBasis::Unknown,
        }
    }
}
