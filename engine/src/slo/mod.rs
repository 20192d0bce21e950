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
use std::ops::Range;
use std::path::Path;

use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use hcl::edit::Span;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::estimate::{Estimate, ResourceEstimate};
use crate::terraform::values::parse_decimal;

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
    Warn,
    Fail,
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
    /// Resources in scope with components that have no price: the real figure may be higher.
    pub unpriced_resources: usize,
    pub message: String,
}

fn ser_dec<S: serde::Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&d.normalize().to_string())
}

/// Read SLO files: a file, or every `.hcl` file in a folder (sorted).
pub fn load(path: &Path) -> Result<Vec<Budget>> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut files = Vec::new();
    if path.is_dir() {
        for e in std::fs::read_dir(path).map_err(io)? {
            let p = e.map_err(io)?.path();
            if p.extension().is_some_and(|x| x == "hcl") {
                files.push(p);
            }
        }
        files.sort();
    } else {
        files.push(path.to_owned());
    }
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|source| Error::Io {
            path: f.clone(),
            source,
        })?;
        out.extend(parse(&f.display().to_string(), &text)?);
    }
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for b in &out {
        if let Some(first) = seen.insert(&b.name, &b.source) {
            return Err(Error::InvalidNoSource {
                path: b.source.clone().into(),
                message: format!("budget `{}` is defined twice (first at {first})", b.name),
            });
        }
    }
    Ok(out)
}

struct Ctx<'t> {
    name: &'t str,
    text: &'t str,
}

impl Ctx<'_> {
    fn err(&self, span: Option<Range<usize>>, message: impl Into<String>, label: &str) -> Error {
        let span = span.unwrap_or(0..0);
        let (src, _) = Error::source_window(self.name, self.text, span.start);
        Error::Slo {
            src,
            span: (span.start, span.len().max(1)).into(),
            message: message.into(),
            label: label.to_string(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1
    }
}

/// Parse one SLO file's text.
pub fn parse(name: &str, text: &str) -> Result<Vec<Budget>> {
    let cx = Ctx { name, text };
    let body: Body = crate::hcl::guard::parse_body(text).map_err(|e| {
        let offset = e.offset();
        cx.err(
            Some(offset..offset + 1),
            format!("not valid HCL: {}", e.message()),
            "here",
        )
    })?;
    let mut out = Vec::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                return Err(cx.err(
                    a.span(),
                    format!("unexpected attribute `{}` at the top level", a.key.as_str()),
                    "SLO files hold `budget` and `change_budget` blocks",
                ))
            }
            Structure::Block(b) => out.push(budget(&cx, b)?),
        }
    }
    Ok(out)
}

fn budget(cx: &Ctx<'_>, b: &Block) -> Result<Budget> {
    let kind = b.ident.as_str();
    if kind != "budget" && kind != "change_budget" {
        return Err(cx.err(
            b.ident.span(),
            format!("unknown block `{kind}`"),
            "expected `budget` or `change_budget`",
        ));
    }
    let name = match b.labels.as_slice() {
        [BlockLabel::String(s)] => s.as_str().to_string(),
        [BlockLabel::Ident(i)] => i.as_str().to_string(),
        _ => {
            return Err(cx.err(
                b.ident.span(),
                format!("a `{kind}` block has one label, its name: {kind} \"name\" {{ ... }}"),
                "here",
            ))
        }
    };
    let start = b.span().map_or(0, |s| s.start);
    let source = format!("{}:{}", cx.name, cx.line(start));
    let mut scope = Scope::default();
    let mut description = None;
    let mut action = Action::Block;
    let (mut monthly_limit, mut warn_at) = (None, None);
    let (mut max_increase, mut max_percent) = (None, None);
    let allowed: &[&str] = if kind == "budget" {
        &[
            "description",
            "monthly_limit",
            "warn_at",
            "action",
            "tags",
            "module",
            "resources",
            "types",
        ]
    } else {
        &[
            "description",
            "max_monthly_increase",
            "max_increase_percent",
            "action",
            "tags",
            "module",
            "resources",
            "types",
        ]
    };
    for s in b.body.iter() {
        let a: &Attribute = match s {
            Structure::Attribute(a) => a,
            Structure::Block(inner) => {
                return Err(cx.err(
                    inner.span(),
                    format!(
                        "unexpected block `{}` in {kind} \"{name}\"",
                        inner.ident.as_str()
                    ),
                    "not allowed here",
                ))
            }
        };
        let key = a.key.as_str();
        if !allowed.contains(&key) {
            return Err(cx.err(
                a.key.span(),
                format!(
                    "unknown key `{key}` in {kind} \"{name}\"; expected one of: {}",
                    allowed.join(", ")
                ),
                "unknown key",
            ));
        }
        let v = &a.value;
        match key {
            "description" => description = Some(string(cx, v, key)?),
            "monthly_limit" => monthly_limit = Some(money(cx, v, key)?),
            "max_monthly_increase" => max_increase = Some(money(cx, v, key)?),
            "max_increase_percent" => max_percent = Some(money(cx, v, key)?),
            "warn_at" => {
                let w = number(cx, v, key)?;
                if w <= Decimal::ZERO || w > Decimal::ONE {
                    return Err(cx.err(
                        v.span(),
                        "warn_at is a fraction of the limit, above 0 and at most 1 (0.8 = 80%)",
                        "out of range",
                    ));
                }
                warn_at = Some(w);
            }
            "action" => {
                action = match string(cx, v, key)?.as_str() {
                    "block" => Action::Block,
                    "warn" => Action::Warn,
                    other => {
                        return Err(cx.err(
                            v.span(),
                            format!("action is \"block\" or \"warn\", not \"{other}\""),
                            "unknown action",
                        ))
                    }
                }
            }
            "tags" => scope.tags = string_map(cx, v, key)?,
            "module" => scope.module = Some(string(cx, v, key)?),
            "resources" => scope.resources = string_list(cx, v, key)?,
            "types" => scope.types = string_list(cx, v, key)?,
            _ => unreachable!("checked against `allowed`"),
        }
    }
    let limit = if kind == "budget" {
        let Some(monthly_limit) = monthly_limit else {
            return Err(cx.err(
                b.ident.span(),
                format!("budget \"{name}\" has no monthly_limit"),
                "missing monthly_limit",
            ));
        };
        Limit::Total {
            monthly_limit,
            warn_at: warn_at.unwrap_or(Decimal::new(8, 1)),
        }
    } else {
        if max_increase.is_none() && max_percent.is_none() {
            return Err(cx.err(
                b.ident.span(),
                format!(
                    "change_budget \"{name}\" needs max_monthly_increase or max_increase_percent"
                ),
                "no limit",
            ));
        }
        Limit::Change {
            max_monthly_increase: max_increase,
            max_increase_percent: max_percent,
        }
    };
    Ok(Budget {
        name,
        source,
        description,
        scope,
        limit,
        action,
    })
}

fn string(cx: &Ctx<'_>, v: &Expression, key: &str) -> Result<String> {
    match v {
        Expression::String(s) => Ok(s.as_str().to_string()),
        _ => Err(cx.err(
            v.span(),
            format!("`{key}` must be a string"),
            "expected a string",
        )),
    }
}

fn number(cx: &Ctx<'_>, v: &Expression, key: &str) -> Result<Decimal> {
    match v {
        Expression::Number(n) => parse_decimal(&n.to_string()).ok_or_else(|| {
            cx.err(
                v.span(),
                format!("`{key}` is not a number"),
                "expected a number",
            )
        }),
        _ => Err(cx.err(
            v.span(),
            format!("`{key}` must be a number"),
            "expected a number",
        )),
    }
}

fn money(cx: &Ctx<'_>, v: &Expression, key: &str) -> Result<Decimal> {
    let n = number(cx, v, key)?;
    if n.is_sign_negative() {
        return Err(cx.err(v.span(), format!("`{key}` cannot be negative"), "negative"));
    }
    Ok(n)
}

fn string_list(cx: &Ctx<'_>, v: &Expression, key: &str) -> Result<Vec<String>> {
    match v {
        Expression::Array(a) => a.iter().map(|e| string(cx, e, key)).collect(),
        _ => Err(cx.err(
            v.span(),
            format!("`{key}` must be a list of strings"),
            "expected a list",
        )),
    }
}

fn string_map(cx: &Ctx<'_>, v: &Expression, key: &str) -> Result<BTreeMap<String, String>> {
    let Expression::Object(o) = v else {
        return Err(cx.err(
            v.span(),
            format!("`{key}` must be an object of strings, like {{ team = \"payments\" }}"),
            "expected an object",
        ));
    };
    let mut out = BTreeMap::new();
    for (k, val) in o.iter() {
        let k = match k {
            ObjectKey::Ident(i) => i.as_str().to_string(),
            ObjectKey::Expression(e) => string(cx, e, key)?,
        };
        out.insert(k, string(cx, val.expr(), key)?);
    }
    Ok(out)
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

    fn is_everything(&self) -> bool {
        self.tags.is_empty()
            && self.module.is_none()
            && self.resources.is_empty()
            && self.types.is_empty()
    }
}

fn money_str(d: Decimal) -> String {
    crate::pricing::money::usd(d)
}

/// Evaluate budgets on an estimate. `base` (the target branch's estimate) makes change budgets
/// compare head with base instead of the plan's before and after.
pub fn evaluate(budgets: &[Budget], head: &Estimate, base: Option<&Estimate>) -> Vec<BudgetResult> {
    budgets
        .iter()
        .map(|b| {
            let in_scope: Vec<&ResourceEstimate> = head.resources.iter().filter(|r| b.scope.contains(r)).collect();
            let unpriced = in_scope
                .iter()
                .filter(|r| r.after.as_ref().or(r.before.as_ref()).is_some_and(|s| s.items.iter().any(|i| i.status == crate::cost::ItemStatus::Unpriced)))
                .count();
            let caveat = if unpriced > 0 {
                format!("; {unpriced} resource(s) in scope have unpriced components, so the real figure may be higher")
            } else {
                String::new()
            };
            let scope_word = if b.scope.is_everything() { "all resources" } else { "resources in scope" };
            match &b.limit {
                Limit::Total { monthly_limit, warn_at } => {
                    let spent: Decimal = in_scope.iter().map(|r| r.after_monthly()).sum();
                    let over = spent > *monthly_limit;
                    let near = spent >= *monthly_limit * *warn_at;
                    let status = match (over, near, b.action) {
                        (true, _, Action::Block) => Status::Fail,
                        (true, _, Action::Warn) | (false, true, _) => Status::Warn,
                        _ => Status::Ok,
                    };
                    let pct = if monthly_limit.is_zero() { Decimal::ZERO } else { (spent / monthly_limit * Decimal::from(100)).round_dp(0) };
                    let message = format!(
                        "{scope_word} cost {} a month, {pct}% of the {} budget{caveat}",
                        money_str(spent),
                        money_str(*monthly_limit)
                    );
                    BudgetResult { budget: b.clone(), status, resources: in_scope.len(), value: spent, percent: Some(pct), unpriced_resources: unpriced, message }
                }
                Limit::Change { max_monthly_increase, max_increase_percent } => {
                    let (before, after) = match base {
                        Some(base) => {
                            let before: Decimal = base.resources.iter().filter(|r| b.scope.contains(r)).map(|r| r.after_monthly()).sum();
                            let after: Decimal = in_scope.iter().map(|r| r.after_monthly()).sum();
                            (before, after)
                        }
                        None => (
                            in_scope.iter().map(|r| r.before_monthly()).sum(),
                            in_scope.iter().map(|r| r.after_monthly()).sum(),
                        ),
                    };
                    let increase = after - before;
                    let percent = (!before.is_zero()).then(|| (increase / before * Decimal::from(100)).round_dp(1));
                    let over_amount = max_monthly_increase.is_some_and(|m| increase > m);
                    let over_percent = match (max_increase_percent, percent) {
                        (Some(m), Some(p)) => p > *m,
                        // From nothing to something: any increase exceeds a percentage limit.
                        (Some(_), None) => increase > Decimal::ZERO,
                        _ => false,
                    };
                    let status = match (over_amount || over_percent, b.action) {
                        (true, Action::Block) => Status::Fail,
                        (true, Action::Warn) => Status::Warn,
                        _ => Status::Ok,
                    };
                    let pct = percent.map_or("n/a".to_string(), |p| format!("{p}%"));
                    let mut limits = Vec::new();
                    if let Some(m) = max_monthly_increase {
                        limits.push(format!("{} a month", money_str(*m)));
                    }
                    if let Some(m) = max_increase_percent {
                        limits.push(format!("{m}%"));
                    }
                    let message = format!(
                        "this change moves {scope_word} from {} to {} a month ({}, {pct}); the limit is {}{caveat}",
                        money_str(before),
                        money_str(after),
                        crate::pricing::money::delta(increase),
                        limits.join(" and ")
                    );
                    BudgetResult { budget: b.clone(), status, resources: in_scope.len(), value: increase, percent, unpriced_resources: unpriced, message }
                }
            }
        })
        .collect()
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

    #[test]
    fn parses_budgets_and_reports_mistakes_with_lines() {
        let text = "budget \"all\" {\n  monthly_limit = 100\n  tags = { team = \"x\" }\n}\nchange_budget \"pr\" {\n  max_increase_percent = 10\n  action = \"warn\"\n}\n";
        let b = parse("s.hcl", text).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].source, "s.hcl:1");
        assert_eq!(b[1].source, "s.hcl:5");
        assert_eq!(b[0].scope.tags["team"], "x");
        assert_eq!(b[1].action, Action::Warn);

        let bad = parse("s.hcl", "budget \"a\" {\n  monthly_limt = 5\n}\n").unwrap_err();
        match bad {
            Error::Slo { span, message, .. } => {
                assert!(message.contains("unknown key `monthly_limt`"), "{message}");
                assert_eq!(span.offset(), 15);
            }
            e => panic!("{e:?}"),
        }
        let bad = parse("s.hcl", "budget \"a\" {\n  monthly_limit = \"lots\"\n}\n").unwrap_err();
        assert!(bad.to_string().contains("must be a number"), "{bad}");
        let bad = parse("s.hcl", "budget \"a\" {\n  monthly_limit = 5\n").unwrap_err();
        assert!(bad.to_string().contains("not valid HCL"), "{bad}");
    }
}
