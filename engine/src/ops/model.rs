//! The operation model: an operation's states and legal transitions, its risk, target, approval,
//! rollback plan and safety checks, and the operations file that `costfix fix --out` writes.
//!
//! Life of an operation (`OpState`): `Pending` (planned, in the operations file) →
//! `ValidatingSafety` (the six checks) → `Applying` → `Applied`; a blocked or failed operation is
//! `Failed`; a failed verification goes `RollingBack` → `RolledBack` (or `RollbackFailed`: manual
//! steps). Every transition goes through [`crate::ops::log::Log::transition`], which refuses an
//! illegal one.

use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::fix::Applicability;
use crate::hcl::edit::Edit;
use crate::ops::log::{self, Level, Log};
use crate::ops::snapshot::Snapshot;
use crate::rules::{Change, SavingBasis};

pub const SCHEMA: &str = "costfix.operations/v1";

/// The states of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpState {
    Pending,
    ValidatingSafety,
    Applying,
    Applied,
    Failed,
    RollingBack,
    RolledBack,
    RollbackFailed,
}

impl OpState {
    /// The state's name in the log and the operations file.
    pub fn name(self) -> &'static str {
        use OpState::*;
        match self {
            Pending => "Pending",
            ValidatingSafety => "ValidatingSafety",
            Applying => "Applying",
            Applied => "Applied",
            Failed => "Failed",
            RollingBack => "RollingBack",
            RolledBack => "RolledBack",
            RollbackFailed => "RollbackFailed",
        }
    }

    /// Every state.
    pub const ALL: [OpState; 8] = [
        OpState::Pending,
        OpState::ValidatingSafety,
        OpState::Applying,
        OpState::Applied,
        OpState::Failed,
        OpState::RollingBack,
        OpState::RolledBack,
        OpState::RollbackFailed,
    ];

    pub fn parse(name: &str) -> Option<OpState> {
        OpState::ALL.into_iter().find(|s| s.name() == name)
    }

    /// How serious arriving in this state is.
    pub fn level(self) -> Level {
        match self {
            OpState::Failed | OpState::RollbackFailed => Level::Error,
            OpState::RollingBack | OpState::RolledBack => Level::Warn,
            _ => Level::Info,
        }
    }

    /// Whether `self → to` is a legal transition.
    pub fn can_go(self, to: OpState) -> bool {
        use OpState::*;
        matches!(
            (self, to),
            (Pending, ValidatingSafety)
                | (ValidatingSafety, Applying)
                | (ValidatingSafety, Failed)
                | (Applying, Applied)
                | (Applying, RollingBack)
                | (Applying, Failed)
                | (Applied, RollingBack)
                | (RollingBack, RolledBack)
                | (RollingBack, RollbackFailed)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

impl std::str::FromStr for Risk {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Risk, String> {
        match s {
            "low" => Ok(Risk::Low),
            "medium" => Ok(Risk::Medium),
            "high" => Ok(Risk::High),
            "critical" => Ok(Risk::Critical),
            _ => Err(format!("`{s}` is not low, medium, high or critical")),
        }
    }
}

impl Risk {
    pub fn name(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }
    pub(crate) fn up(self) -> Risk {
        match self {
            Risk::Low => Risk::Medium,
            Risk::Medium => Risk::High,
            _ => Risk::Critical,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub changes: Vec<Change>,
    /// The attribute values with the changes applied, and their hash.
    pub attributes: Value,
    pub attributes_sha256: String,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub required: bool,
    pub approval_type: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackStep {
    pub order: usize,
    pub file: String,
    /// What to restore: the edit's old text back at its place.
    pub restore: String,
    /// How to check it worked.
    pub verify: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackPlan {
    pub steps: Vec<RollbackStep>,
    pub timeout_seconds: u64,
    pub auto_rollback: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Passed,
    Warning,
    Skipped,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyCheck {
    pub name: String,
    pub status: CheckStatus,
    pub message: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub time: String,
    pub level: Level,
    pub message: String,
}

/// A planned fix for one block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub rule: String,
    pub rule_name: String,
    pub address: String,
    pub instances: Vec<String>,
    pub resource_type: String,
    pub description: String,
    pub original: Snapshot,
    pub target: Target,
    #[serde(with = "crate::cost::opt_dec_de")]
    pub monthly_saving: Option<Decimal>,
    /// How the saving was found (re-costing, or computed by the rule).
    #[serde(default)]
    pub saving_basis: SavingBasis,
    pub applicability: Applicability,
    pub environment: Option<String>,
    pub risk: Risk,
    pub risk_reasons: Vec<String>,
    pub approval: Approval,
    pub rollback: RollbackPlan,
    pub checks: Vec<SafetyCheck>,
    pub state: OpState,
    pub log: Vec<LogLine>,
}

impl Operation {
    /// Move to state `to`, logged; an illegal transition is an error and changes nothing.
    pub(crate) fn transition(
        &mut self,
        to: OpState,
        log: &mut Log,
        msg: &str,
        details: Value,
    ) -> Result<()> {
        log.transition(&self.id, self.state, to, msg, details)?;
        self.state = to;
        self.note(to.level(), msg);
        Ok(())
    }

    /// Record an event in the operation's own log (and in the operation log).
    pub(crate) fn event(&mut self, log: &mut Log, level: Level, msg: String) -> Result<()> {
        log.note(&self.id, level, &msg, Value::Null)?;
        self.note(level, &msg);
        Ok(())
    }

    pub(crate) fn note(&mut self, level: Level, msg: &str) {
        self.log.push(LogLine {
            time: log::rfc3339(log::now_epoch()),
            level,
            message: msg.into(),
        });
    }
}

/// The operations file written by `costfix fix --out`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpsFile {
    pub schema: String,
    pub created: String,
    pub plan: String,
    pub plan_sha256: String,
    pub dir: String,
    pub operations: Vec<Operation>,
}

impl OpsFile {
    pub fn load(path: &Path) -> Result<OpsFile> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let f: OpsFile = serde_json::from_str(&text)
            .map_err(|e| Error::json_in(path, &text, &e, "not an operations file"))?;
        if f.schema != SCHEMA {
            return Err(Error::InvalidNoSource {
                path: path.to_owned(),
                message: format!("schema `{}` is not {SCHEMA}", f.schema),
            });
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = f.operations.iter().find(|o| !seen.insert(o.id.as_str())) {
            return Err(Error::InvalidNoSource {
                path: path.to_owned(),
                message: format!(
                    "operation id {} appears more than once: an operations file names each operation once",
                    dup.id
                ),
            });
        }
        Ok(f)
    }

    /// Write the file atomically, as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("operations serialise");
        crate::fsutil::write_atomic(path, format!("{text}\n").as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_legal_transitions() {
        use OpState::*;
        let all = OpState::ALL;
        for s in all {
            assert_eq!(OpState::parse(s.name()), Some(s), "names round-trip");
        }
        let legal: Vec<(OpState, OpState)> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_go(*b))
            .collect();
        assert_eq!(legal.len(), 9);
        assert!(!Pending.can_go(Applying), "nothing is applied unchecked");
        assert!(!Failed.can_go(Applying));
        assert!(!RolledBack.can_go(Applied));
        assert_eq!("critical".parse::<Risk>().unwrap(), Risk::Critical);
        assert!(Risk::Low < Risk::High);
    }
}
