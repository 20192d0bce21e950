//! Borrowed views of resource attribute objects (`before`, `after`, state `values`).
//!
//! An [`Attrs`] is the top level of one JSON object, split into `(key, raw value)` pairs that borrow
//! from the input buffer. Only the values a caller asks for are parsed, so a 100 MB plan is scanned
//! once by the top-level parse and then touched again only where a cost function looks.
//! A companion `after_unknown` object marks values that are known only after apply.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// One attribute as seen in a plan: known, unknown until apply, or missing/null.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    Known(T),
    Unknown,
    Missing,
}

impl<T> Field<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Known(v) => Field::Known(f(v)),
            Field::Unknown => Field::Unknown,
            Field::Missing => Field::Missing,
        }
    }
}

/// A JSON object's top-level fields, borrowed.
#[derive(Debug, Default, Clone)]
struct RawObject<'a> {
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                let mut fields = Vec::with_capacity(m.size_hint().unwrap_or(16));
                while let Some(k) = m.next_key::<Cow<'de, str>>()? {
                    let v: &'de RawValue = m.next_value()?;
                    fields.push((k, v));
                }
                Ok(RawObject { fields })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Attribute values of one resource (or one nested block), with what is unknown until apply.
#[derive(Debug, Default, Clone)]
pub struct Attrs<'a> {
    obj: RawObject<'a>,
    unknown: Option<RawObject<'a>>,
    /// The whole object is unknown (e.g. a nested block marked `true` in `after_unknown`).
    all_unknown: bool,
}

fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

impl<'a> Attrs<'a> {
    /// Parse the top level of `values`, with `unknown` the matching `after_unknown` object if any.
    pub fn new(values: Option<&'a RawValue>, unknown: Option<&'a RawValue>) -> Attrs<'a> {
        let obj = values
            .filter(|r| !is_null(r))
            .and_then(|r| serde_json::from_str::<RawObject<'a>>(r.get()).ok())
            .unwrap_or_default();
        let (unknown, all_unknown) = match unknown.map(|r| r.get()) {
            Some("true") => (None, true),
            Some(_) => (
                unknown.and_then(|r| serde_json::from_str::<RawObject<'a>>(r.get()).ok()),
                false,
            ),
            None => (None, false),
        };
        Attrs {
            obj,
            unknown,
            all_unknown,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.obj.fields.is_empty()
    }

    /// The raw JSON of a field (None when absent or null).
    pub fn raw(&self, key: &str) -> Option<&'a RawValue> {
        self.obj
            .fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
            .filter(|v| !is_null(v))
    }

    fn unknown_raw(&self, key: &str) -> Option<&'a RawValue> {
        self.unknown
            .as_ref()?
            .fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }

    /// Whether `key` is unknown until apply.
    pub fn is_unknown(&self, key: &str) -> bool {
        self.all_unknown || self.unknown_raw(key).is_some_and(|r| r.get() == "true")
    }

    fn field<T>(&self, key: &str, parse: impl FnOnce(&'a RawValue) -> Option<T>) -> Field<T> {
        match self.raw(key) {
            Some(raw) => parse(raw).map_or(Field::Missing, Field::Known),
            None if self.is_unknown(key) => Field::Unknown,
            None => Field::Missing,
        }
    }

    /// A string attribute.
    pub fn str(&self, key: &str) -> Field<Cow<'a, str>> {
        self.field(key, |raw| {
            serde_json::from_str::<Cow<'a, str>>(raw.get()).ok()
        })
    }

    /// A number attribute, exactly (also accepts numbers written as strings, as some providers do).
    /// While a [`check_numbers`] runs on this thread, a value its check refuses is reported and
    /// read as missing.
    pub fn num(&self, key: &str) -> Field<Decimal> {
        self.field(key, |raw| {
            CHECK.with(|c| match &mut *c.borrow_mut() {
                Some(checking) => match (checking.check)(key, raw.get()) {
                    Ok(v) => v,
                    Err(reason) => {
                        checking.report(reason);
                        None
                    }
                },
                None => parse_decimal(raw.get()),
            })
        })
    }

    /// A boolean attribute.
    pub fn bool(&self, key: &str) -> Field<bool> {
        self.field(key, |raw| match raw.get() {
            "true" | "\"true\"" => Some(true),
            "false" | "\"false\"" => Some(false),
            _ => None,
        })
    }

    /// A list of nested blocks (`root_block_device`, `ebs_block_device`, ...).
    pub fn blocks(&self, key: &str) -> Vec<Attrs<'a>> {
        let Some(raw) = self.raw(key) else {
            return Vec::new();
        };
        let Ok(items) = serde_json::from_str::<Vec<&'a RawValue>>(raw.get()) else {
            // A single object (some providers write one nested block as an object).
            return vec![Attrs::new(Some(raw), None)];
        };
        let unknown_items: Vec<&'a RawValue> = self
            .unknown_raw(key)
            .and_then(|u| serde_json::from_str(u.get()).ok())
            .unwrap_or_default();
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let mut a = Attrs::new(Some(item), unknown_items.get(i).copied());
                a.all_unknown |= self.all_unknown;
                a
            })
            .collect()
    }

    /// A map of strings (`tags`), sorted by key. Non-string values are skipped.
    pub fn string_map(&self, key: &str) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
        let Some(raw) = self.raw(key) else {
            return Vec::new();
        };
        let Ok(obj) = serde_json::from_str::<RawObject<'a>>(raw.get()) else {
            return Vec::new();
        };
        let mut out: Vec<_> = obj
            .fields
            .into_iter()
            .filter_map(|(k, v)| {
                serde_json::from_str::<Cow<'a, str>>(v.get())
                    .ok()
                    .map(|v| (k, v))
            })
            .collect();
        out.sort();
        out
    }

    /// Field names in input order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.obj.fields.iter().map(|(k, _)| k.as_ref())
    }
}

/// How [`Attrs::num`] reads a number while [`check_numbers`] runs: from the key and the raw JSON
/// of a value that is set (not null), the number (None: treated as not set), or why the value
/// cannot be used.
pub type NumberCheck = fn(key: &str, raw: &str) -> Result<Option<Decimal>, String>;

struct Checking {
    check: NumberCheck,
    problems: Vec<String>,
}

impl Checking {
    fn report(&mut self, reason: String) {
        if !self.problems.contains(&reason) {
            self.problems.push(reason);
        }
    }
}

thread_local! {
    static CHECK: std::cell::RefCell<Option<Checking>> = const { std::cell::RefCell::new(None) };
}

/// Run `f` with every [`Attrs::num`] on this thread going through `check`, and return what it
/// returns with the reasons of the values refused (and those given to [`report_problem`]), each
/// once, in the order found. This is how the cost model sees every number a cost function reads,
/// of the resource, its nested blocks and the other resources it looks at, in one place (it runs
/// one resource at a time on a thread, without handing work to other threads). Nested calls each
/// see their own problems.
pub fn check_numbers<R>(check: NumberCheck, f: impl FnOnce() -> R) -> (R, Vec<String>) {
    struct Restore(Option<Checking>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            CHECK.with(|c| *c.borrow_mut() = outer);
        }
    }
    let outer = CHECK.with(|c| {
        c.borrow_mut().replace(Checking {
            check,
            problems: Vec::new(),
        })
    });
    // Puts the outer check back, also when `f` panics.
    let restore = Restore(outer);
    let r = f();
    let mine = CHECK.with(|c| c.borrow_mut().take());
    drop(restore);
    (r, mine.map(|m| m.problems).unwrap_or_default())
}

/// Report why a value read while [`check_numbers`] runs cannot be used (a usage value of the
/// wrong type); nothing when none runs.
pub fn report_problem(reason: impl FnOnce() -> String) {
    CHECK.with(|c| {
        if let Some(checking) = &mut *c.borrow_mut() {
            checking.report(reason());
        }
    });
}

/// Parse a JSON number (or a string holding one) as an exact decimal.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim().trim_matches('"');
    Decimal::from_str(t)
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let v: &RawValue = serde_json::from_str(
            r#"{"a":"x","n":12.5,"b":true,"nul":null,"blk":[{"s":1},{"s":2}],"tags":{"env":"prod","n":1},"esc":"a\"b"}"#,
        )
        .unwrap();
        let u: &RawValue = serde_json::from_str(r#"{"id":true,"blk":[{},{"t":true}]}"#).unwrap();
        let a = Attrs::new(Some(v), Some(u));
        assert_eq!(a.str("a"), Field::Known(Cow::Borrowed("x")));
        assert_eq!(a.str("esc").known().unwrap(), "a\"b");
        assert_eq!(a.num("n"), Field::Known(Decimal::new(125, 1)));
        assert_eq!(a.bool("b"), Field::Known(true));
        assert_eq!(a.str("nul"), Field::Missing);
        assert_eq!(a.str("id"), Field::Unknown);
        let blocks = a.blocks("blk");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].num("s"), Field::Known(Decimal::from(2)));
        assert_eq!(blocks[1].str("t"), Field::Unknown);
        assert_eq!(blocks[0].str("t"), Field::Missing);
        assert_eq!(a.string_map("tags"), vec![("env".into(), "prod".into())]);
    }

    #[test]
    fn checked_numbers_are_reported_once_and_read_as_missing() {
        let v: &RawValue = serde_json::from_str(r#"{"size":-1,"n":2}"#).unwrap();
        let a = Attrs::new(Some(v), None);
        fn check(key: &str, raw: &str) -> Result<Option<Decimal>, String> {
            match parse_decimal(raw) {
                Some(d) if d.is_sign_negative() => Err(format!("{key} = {raw}")),
                d => Ok(d),
            }
        }
        let ((size, n, inner), problems) = check_numbers(check, || {
            let inner = check_numbers(check, || a.num("n"));
            (a.num("size"), a.num("n"), (inner, a.num("size")))
        });
        assert_eq!((size, n), (Field::Missing, Field::Known(Decimal::from(2))));
        assert_eq!(
            inner,
            ((Field::Known(Decimal::from(2)), vec![]), Field::Missing)
        );
        assert_eq!(problems, vec!["size = -1".to_string()]);
        // Outside a check, numbers are read as they are.
        assert_eq!(a.num("size"), Field::Known(Decimal::from(-1)));
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("1e3"), Some(Decimal::from(1000)));
        assert_eq!(parse_decimal("\"20\""), Some(Decimal::from(20)));
        assert_eq!(parse_decimal("x"), None);
    }
}
