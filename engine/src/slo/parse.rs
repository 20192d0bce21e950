//! Reading SLO files: [`load`] (a file or a folder of them), [`parse`] (one file's text) and the
//! readers of each HCL value, whose errors point at the line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use hcl::edit::Span;
use rust_decimal::Decimal;

use super::{Action, Budget, Limit, Scope};
use crate::error::{Error, Result};
use crate::terraform::values::parse_decimal;

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
        let text =
            crate::fsutil::read_text_capped(&f, "a budget file", crate::fsutil::MAX_SETTINGS_FILE)?;
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

/// The file being read: its name and text, for diagnostics.
struct Ctx<'t> {
    name: &'t str,
    text: &'t str,
}

impl Ctx<'_> {
    /// An error at `span` (the file's start when there is none).
    fn err(&self, span: Option<Range<usize>>, message: impl Into<String>, label: &str) -> Error {
        let span = span.unwrap_or(0..0);
        let (src, span) = Error::source_range(self.name, self.text, span.start, span.len().max(1));
        Error::Slo {
            src,
            span,
            message: message.into(),
            label: label.to_string(),
        }
    }

    /// The 1-based line of a byte offset.
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

/// The keys of a `budget` block.
const BUDGET_KEYS: &[&str] = &[
    "description",
    "monthly_limit",
    "warn_at",
    "action",
    "tags",
    "module",
    "resources",
    "types",
];

/// The keys of a `change_budget` block.
const CHANGE_BUDGET_KEYS: &[&str] = &[
    "description",
    "max_monthly_increase",
    "max_increase_percent",
    "action",
    "tags",
    "module",
    "resources",
    "types",
];

/// The attributes of one budget block as read, before its limit is checked.
struct Fields {
    description: Option<String>,
    action: Action,
    scope: Scope,
    monthly_limit: Option<Decimal>,
    warn_at: Option<Decimal>,
    max_increase: Option<Decimal>,
    max_percent: Option<Decimal>,
}

/// Read one `budget` or `change_budget` block.
fn budget(cx: &Ctx<'_>, b: &Block) -> Result<Budget> {
    let kind = block_kind(cx, b)?;
    let name = block_name(cx, b, kind)?;
    let start = b.span().map_or(0, |s| s.start);
    let source = format!("{}:{}", cx.name, cx.line(start));
    let fields = fields(cx, b, kind, &name)?;
    let limit = limit(cx, b, kind, &name, &fields)?;
    Ok(Budget {
        name,
        source,
        description: fields.description,
        scope: fields.scope,
        limit,
        action: fields.action,
    })
}

/// The block's kind, `budget` or `change_budget`; any other block is an error.
fn block_kind<'b>(cx: &Ctx<'_>, b: &'b Block) -> Result<&'b str> {
    let kind = b.ident.as_str();
    if kind != "budget" && kind != "change_budget" {
        return Err(cx.err(
            b.ident.span(),
            format!("unknown block `{kind}`"),
            "expected `budget` or `change_budget`",
        ));
    }
    Ok(kind)
}

/// The block's name: its one label.
fn block_name(cx: &Ctx<'_>, b: &Block, kind: &str) -> Result<String> {
    match b.labels.as_slice() {
        [BlockLabel::String(s)] => Ok(s.as_str().to_string()),
        [BlockLabel::Ident(i)] => Ok(i.as_str().to_string()),
        _ => Err(cx.err(
            b.ident.span(),
            format!("a `{kind}` block has one label, its name: {kind} \"name\" {{ ... }}"),
            "here",
        )),
    }
}

/// Read the block's attributes in order; a nested block or a key `kind` does not allow is an error.
fn fields(cx: &Ctx<'_>, b: &Block, kind: &str, name: &str) -> Result<Fields> {
    let allowed = if kind == "budget" {
        BUDGET_KEYS
    } else {
        CHANGE_BUDGET_KEYS
    };
    let mut fields = Fields {
        description: None,
        action: Action::Block,
        scope: Scope::default(),
        monthly_limit: None,
        warn_at: None,
        max_increase: None,
        max_percent: None,
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
        fields.set(cx, key, &a.value)?;
    }
    Ok(fields)
}

impl Fields {
    /// Set the field of one allowed key from its value.
    fn set(&mut self, cx: &Ctx<'_>, key: &str, v: &Expression) -> Result<()> {
        match key {
            "description" => self.description = Some(string(cx, v, key)?),
            "monthly_limit" => self.monthly_limit = Some(money(cx, v, key)?),
            "max_monthly_increase" => self.max_increase = Some(money(cx, v, key)?),
            "max_increase_percent" => self.max_percent = Some(money(cx, v, key)?),
            "warn_at" => self.warn_at = Some(warn_at(cx, v, key)?),
            "action" => self.action = action(cx, v, key)?,
            "tags" => self.scope.tags = string_map(cx, v, key)?,
            "module" => self.scope.module = Some(string(cx, v, key)?),
            "resources" => self.scope.resources = string_list(cx, v, key)?,
            "types" => self.scope.types = string_list(cx, v, key)?,
            _ => unreachable!("checked against `allowed`"),
        }
        Ok(())
    }
}

/// The limit of a block: a total for `budget`, a change for `change_budget`; it must be set.
fn limit(cx: &Ctx<'_>, b: &Block, kind: &str, name: &str, fields: &Fields) -> Result<Limit> {
    if kind == "budget" {
        let Some(monthly_limit) = fields.monthly_limit else {
            return Err(cx.err(
                b.ident.span(),
                format!("budget \"{name}\" has no monthly_limit"),
                "missing monthly_limit",
            ));
        };
        return Ok(Limit::Total {
            monthly_limit,
            warn_at: fields.warn_at.unwrap_or(Decimal::new(8, 1)),
        });
    }
    if fields.max_increase.is_none() && fields.max_percent.is_none() {
        return Err(cx.err(
            b.ident.span(),
            format!("change_budget \"{name}\" needs max_monthly_increase or max_increase_percent"),
            "no limit",
        ));
    }
    Ok(Limit::Change {
        max_monthly_increase: fields.max_increase,
        max_increase_percent: fields.max_percent,
    })
}

/// `warn_at`: a fraction of the limit, above 0 and at most 1.
fn warn_at(cx: &Ctx<'_>, v: &Expression, key: &str) -> Result<Decimal> {
    let w = number(cx, v, key)?;
    if w <= Decimal::ZERO || w > Decimal::ONE {
        return Err(cx.err(
            v.span(),
            "warn_at is a fraction of the limit, above 0 and at most 1 (0.8 = 80%)",
            "out of range",
        ));
    }
    Ok(w)
}

/// `action`: `"block"` or `"warn"`.
fn action(cx: &Ctx<'_>, v: &Expression, key: &str) -> Result<Action> {
    match string(cx, v, key)?.as_str() {
        "block" => Ok(Action::Block),
        "warn" => Ok(Action::Warn),
        other => Err(cx.err(
            v.span(),
            format!("action is \"block\" or \"warn\", not \"{other}\""),
            "unknown action",
        )),
    }
}

/// A string value.
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

/// A number value, as an exact decimal.
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

/// An amount in USD (or a percentage): a number that is not negative.
fn money(cx: &Ctx<'_>, v: &Expression, key: &str) -> Result<Decimal> {
    let n = number(cx, v, key)?;
    if n.is_sign_negative() {
        return Err(cx.err(v.span(), format!("`{key}` cannot be negative"), "negative"));
    }
    Ok(n)
}

/// A list of strings.
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

/// An object of strings, like `{ team = "payments" }`.
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

#[cfg(test)]
mod tests {
    use super::*;

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
