//! SLO budgets: HCL files of monthly-cost budgets, evaluated on an estimate.
//!
//! ```hcl
//! budget "stack" {
//!   monthly_limit = 5000       # USD a month, on the after-cost of the resources in scope
//!   warn_at       = 0.8        # fraction of the limit that warns (default 0.8)
//!   action        = "block"    # "block" (a failure) or "warn" (default "block")
//! }
//! budget "payments" {
//!   monthly_limit = 1200
//!   tags          = { team = "payments" }   # scope: resources with all these tags
//!   module        = "module.payments"       # scope: this module and the modules in it
//!   resources     = ["aws_db_instance.*"]   # scope: addresses (`*` matches any text)
//!   types         = ["aws_db_instance"]     # scope: resource types
//! }
//! change_budget "per-change" {
//!   max_monthly_increase = 250   # USD a month: head − base (with --base), else after − before
//!   max_increase_percent = 10
//!   action               = "warn"
//! }
//! ```
//!
//! Files are parsed with hcl-edit, so every error (syntax, unknown key, wrong type) points at its
//! line and column. See `docs/slo.md`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::estimate::{Estimate, ResourceEstimate};

mod parse;

pub use parse::{load, parse};

/// What a budget covers. Empty fields match everything; set fields all have to match.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scope {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
}

/// What happens when a budget is exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Block,
    Warn,
}

/// The kind of a budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Limit {
    /// A ceiling on the monthly cost after the change.
    Total {
        #[serde(serialize_with = "ser_dec")]
        monthly_limit: Decimal,
        #[serde(serialize_with = "ser_dec")]
        warn_at: Decimal,
    },
    /// A ceiling on how much one change may add.
    Change {
        #[serde(with = "crate::cost::opt_dec")]
        max_monthly_increase: Option<Decimal>,
        #[serde(with = "crate::cost::opt_dec")]
        max_increase_percent: Option<Decimal>,
    },
}

/// One budget from an SLO file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    pub name: String,
    /// `slo/budgets.hcl:3`.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub scope: Scope,
    pub limit: Limit,
    pub action: Action,
}

/// The verdict on one budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    /// The known part of the figure is within the budget, but resources in scope are not
    /// completely priced, so whether the budget holds is not known.
    Unknown,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Unknown => "unknown",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// The evaluation of one budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetResult {
    pub budget: Budget,
    pub status: Status,
    /// Resources in scope.
    pub resources: usize,
    /// For a total budget: the monthly cost in scope after the change. For a change budget: the
    /// monthly increase.
    #[serde(serialize_with = "ser_dec")]
    pub value: Decimal,
    /// For a change budget: the increase in percent of the cost before (none when that is 0).
    #[serde(with = "crate::cost::opt_dec")]
    pub percent: Option<Decimal>,
    /// Resources in scope whose part of the figure is not completely known (a component without
    /// a price, or a type without a cost model): the real figure may be higher.
    pub unpriced_resources: usize,
    pub message: String,
}

/// Serialise a decimal as its normalised string (`5000`, `0.8`).
fn ser_dec<S: serde::Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&d.normalize().to_string())
}

/// `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(pos) = rest.find(part) {
            rest = &rest[pos + part.len()..];
        } else {
            return false;
        }
    }
    true
}

impl Scope {
    /// Whether a resource is in scope.
    pub fn contains(&self, r: &ResourceEstimate) -> bool {
        if !self.types.is_empty() && !self.types.iter().any(|t| t == &r.resource_type) {
            return false;
        }
        if let Some(m) = &self.module {
            let inside = r.module == *m
                || r.module
                    .strip_prefix(m.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['));
            if !inside {
                return false;
            }
        }
        if !self.resources.is_empty() && !self.resources.iter().any(|p| glob(p, &r.address)) {
            return false;
        }
        self.tags.iter().all(|(k, v)| r.tags.get(k) == Some(v))
    }

    /// Whether no field is set, so the scope is every resource.
    fn is_everything(&self) -> bool {
        self.tags.is_empty()
            && self.module.is_none()
            && self.resources.is_empty()
            && self.types.is_empty()
    }
}

/// USD, as the messages write it.
fn money_str(d: Decimal) -> String {
    crate::pricing::money::usd(d)
}

/// Evaluate budgets on an estimate. `base` (the target branch's estimate) makes change budgets
/// compare head with base instead of the plan's before and after.
pub fn evaluate(budgets: &[Budget], head: &Estimate, base: Option<&Estimate>) -> Vec<BudgetResult> {
    budgets
        .iter()
        .map(|b| evaluate_one(b, head, base))
        .collect()
}

/// The resources of an estimate in one budget's scope, and what the message says about them.
struct InScope<'e> {
    resources: Vec<&'e ResourceEstimate>,
    /// Resources in scope whose part of the budget's figure is not completely known.
    unpriced: usize,
    /// The message's note on them (empty when there are none).
    caveat: String,
    /// "all resources" or "resources in scope".
    scope_word: &'static str,
}

impl<'e> InScope<'e> {
    /// The resources of `head` in the scope of `b`.
    fn of(b: &Budget, head: &'e Estimate) -> InScope<'e> {
        let resources: Vec<&ResourceEstimate> = head
            .resources
            .iter()
            .filter(|r| b.scope.contains(r))
            .collect();
        let unpriced = resources
            .iter()
            .filter(|r| match b.limit {
                Limit::Total { .. } => r.after_incomplete(),
                Limit::Change { .. } => r.delta_incomplete(),
            })
            .count();
        let caveat = if unpriced > 0 {
            format!("; {unpriced} resource(s) in scope are not completely priced, so the real figure may be higher")
        } else {
            String::new()
        };
        let scope_word = if b.scope.is_everything() {
            "all resources"
        } else {
            "resources in scope"
        };
        InScope {
            resources,
            unpriced,
            caveat,
            scope_word,
        }
    }

    /// The monthly cost in scope after the change.
    fn after(&self) -> Decimal {
        self.resources.iter().map(|r| r.after_monthly()).sum()
    }
}

/// Evaluate one budget.
fn evaluate_one(b: &Budget, head: &Estimate, base: Option<&Estimate>) -> BudgetResult {
    let s = InScope::of(b, head);
    match &b.limit {
        Limit::Total {
            monthly_limit,
            warn_at,
        } => total_result(b, &s, *monthly_limit, *warn_at),
        Limit::Change {
            max_monthly_increase,
            max_increase_percent,
        } => change_result(b, &s, base, *max_monthly_increase, *max_increase_percent),
    }
}

/// A total budget: the cost in scope after the change against the limit and its warning level.
fn total_result(
    b: &Budget,
    s: &InScope<'_>,
    monthly_limit: Decimal,
    warn_at: Decimal,
) -> BudgetResult {
    let spent = s.after();
    let over = spent > monthly_limit;
    let near = spent >= monthly_limit * warn_at;
    let status = match (over, near, b.action) {
        // The known part already exceeds the limit: the whole does too.
        (true, _, Action::Block) => Status::Fail,
        (true, _, Action::Warn) => Status::Warn,
        _ if s.unpriced > 0 => Status::Unknown,
        (false, true, _) => Status::Warn,
        _ => Status::Ok,
    };
    let pct = if monthly_limit.is_zero() {
        Decimal::ZERO
    } else {
        (spent / monthly_limit * Decimal::from(100)).round_dp(0)
    };
    let message = format!(
        "{} cost {} a month, {pct}% of the {} budget{}",
        s.scope_word,
        money_str(spent),
        money_str(monthly_limit),
        s.caveat
    );
    BudgetResult {
        budget: b.clone(),
        status,
        resources: s.resources.len(),
        value: spent,
        percent: Some(pct),
        unpriced_resources: s.unpriced,
        message,
    }
}

/// A change budget: the increase in scope (head − base with `base`, else after − before) against
/// the amount and percentage limits.
fn change_result(
    b: &Budget,
    s: &InScope<'_>,
    base: Option<&Estimate>,
    max_monthly_increase: Option<Decimal>,
    max_increase_percent: Option<Decimal>,
) -> BudgetResult {
    let (before, after) = match base {
        Some(base) => {
            let before: Decimal = base
                .resources
                .iter()
                .filter(|r| b.scope.contains(r))
                .map(|r| r.after_monthly())
                .sum();
            (before, s.after())
        }
        None => (
            s.resources.iter().map(|r| r.before_monthly()).sum(),
            s.after(),
        ),
    };
    let increase = after - before;
    let percent = (!before.is_zero()).then(|| (increase / before * Decimal::from(100)).round_dp(1));
    let over_amount = max_monthly_increase.is_some_and(|m| increase > m);
    let over_percent = match (max_increase_percent, percent) {
        (Some(m), Some(p)) => p > m,
        // From nothing to something: any increase exceeds a percentage limit.
        (Some(_), None) => increase > Decimal::ZERO,
        _ => false,
    };
    let status = match (over_amount || over_percent, b.action) {
        (true, Action::Block) => Status::Fail,
        (true, Action::Warn) => Status::Warn,
        _ if s.unpriced > 0 => Status::Unknown,
        _ => Status::Ok,
    };
    let pct = match percent {
        Some(p) if p > Decimal::ZERO => format!("+{p}%"),
        Some(p) => format!("{p}%"),
        None if increase > Decimal::ZERO => "a new cost".into(),
        None => "no cost before".into(),
    };
    // Which limit the change breaks, in words (users.md D20).
    let verdict = match (over_amount, over_percent) {
        (true, true) => format!(
            "over both limits, {}",
            change_limits(max_monthly_increase, max_increase_percent)
        ),
        (true, false) => format!(
            "over the limit of {}",
            change_limits(max_monthly_increase, None)
        ),
        (false, true) => format!(
            "over the limit of {}{}",
            change_limits(None, max_increase_percent),
            if percent.is_none() {
                " (any increase from nothing is)"
            } else {
                ""
            }
        ),
        (false, false) => format!(
            "within the limit of {}",
            change_limits(max_monthly_increase, max_increase_percent)
        ),
    };
    let message = format!(
        "this change moves {} from {} to {} a month ({}, {pct}); {verdict}{}",
        s.scope_word,
        money_str(before),
        money_str(after),
        crate::pricing::money::delta(increase),
        s.caveat
    );
    BudgetResult {
        budget: b.clone(),
        status,
        resources: s.resources.len(),
        value: increase,
        percent,
        unpriced_resources: s.unpriced,
        message,
    }
}

/// A change budget's limits in words: "$250.00 a month and 10%".
fn change_limits(
    max_monthly_increase: Option<Decimal>,
    max_increase_percent: Option<Decimal>,
) -> String {
    let mut limits = Vec::new();
    if let Some(m) = max_monthly_increase {
        limits.push(format!("{} a month", money_str(m)));
    }
    if let Some(m) = max_increase_percent {
        limits.push(format!("{m}%"));
    }
    limits.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("aws_nat_gateway.*", "aws_nat_gateway.this[0]"));
        assert!(glob(
            "module.*.aws_db_instance.*",
            "module.db.aws_db_instance.x"
        ));
        assert!(!glob(
            "aws_nat_gateway.*",
            "module.vpc.aws_nat_gateway.this"
        ));
        assert!(glob("exact", "exact"));
    }
}
