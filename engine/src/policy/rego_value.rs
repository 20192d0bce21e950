//! JSON text to regorus values in one pass, with the strings a plan repeats shared.

use crate::error::{Error, Result};

thread_local! {
    /// Strings seen on this thread: a plan repeats the same few hundred attribute names, and
    /// many values (types, zones, AMI ids, tag values), across its resources, so each is
    /// allocated once and shared.
    static STRINGS: std::cell::RefCell<rustc_hash::FxHashSet<regorus::Rc<str>>> =
        Default::default();
}

/// Strings longer than this are not looked up in the table (addresses, policy documents and
/// other long values rarely repeat, and hashing them costs more than it saves).
const INTERN_MAX: usize = 64;

/// A string value, shared with earlier equal strings on this thread.
pub(crate) fn intern(k: &str) -> regorus::Value {
    if k.len() > INTERN_MAX {
        return regorus::Value::from(k);
    }
    STRINGS.with(|t| {
        let mut t = t.borrow_mut();
        if let Some(rc) = t.get(k) {
            return regorus::Value::String(rc.clone());
        }
        let rc: regorus::Rc<str> = regorus::Rc::from(k);
        t.insert(rc.clone());
        regorus::Value::String(rc)
    })
}

/// JSON text to a regorus value in one pass, with shared strings.
pub(crate) fn json_to_rego(text: &str) -> Result<regorus::Value> {
    json_to_rego_keeping(text, None)
}

/// JSON text to a regorus value in one pass. With `keep`, an object at the top keeps only those
/// keys: the other values are skipped by the parser, never built.
pub(crate) fn json_to_rego_keeping(text: &str, keep: Option<&[&str]>) -> Result<regorus::Value> {
    use regorus::Value as R;
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    #[derive(Clone, Copy)]
    struct Seed<'k>(Option<&'k [&'k str]>);
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = R;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<R, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = R;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, b: bool) -> std::result::Result<R, E> {
            Ok(R::from(b))
        }
        fn visit_i64<E>(self, n: i64) -> std::result::Result<R, E> {
            Ok(R::from(n))
        }
        fn visit_u64<E>(self, n: u64) -> std::result::Result<R, E> {
            Ok(R::from(n))
        }
        fn visit_f64<E>(self, n: f64) -> std::result::Result<R, E> {
            Ok(R::from(n))
        }
        fn visit_str<E>(self, s: &str) -> std::result::Result<R, E> {
            Ok(intern(s))
        }
        fn visit_unit<E>(self) -> std::result::Result<R, E> {
            Ok(R::Null)
        }
        fn visit_none<E>(self) -> std::result::Result<R, E> {
            Ok(R::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> std::result::Result<R, A::Error> {
            let mut v = Vec::new();
            while let Some(x) = a.next_element_seed(Seed(None))? {
                v.push(x);
            }
            v.shrink_to_fit();
            Ok(R::from(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> std::result::Result<R, A::Error> {
            let mut m = std::collections::BTreeMap::new();
            while let Some(k) = a.next_key::<std::borrow::Cow<'de, str>>()? {
                if self.0.is_some_and(|keep| !keep.contains(&&*k)) {
                    a.next_value::<IgnoredAny>()?;
                    continue;
                }
                let v = a.next_value_seed(Seed(None))?;
                m.insert(intern(&k), v);
            }
            Ok(R::from(m))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    Seed(keep)
        .deserialize(&mut de)
        .map_err(|e| Error::InvalidNoSource {
            path: "<policy input>".into(),
            message: e.to_string(),
        })
}
