//! The other resources a cost function may look at (`cost::Neighbours`): a resource by address,
//! and who references a resource (a launch template's users), found once per attribute and type.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::cost::{self, Other, Reference, Referrer};
use crate::terraform::address::Address;
use crate::terraform::plan::Plan;
use crate::terraform::values::Attrs;

use super::compute::Subject;

/// The other resources of an estimate's input, for the cost functions that read them
/// ([`cost::Neighbours`]). Every index borrows the subjects and is built at most once per estimate,
/// on first use: by address, by type, and per [`Referrer`] (the reverse references of its
/// attribute) or per type and attribute (by value).
pub(super) struct Neighbourhood<'s, 'a> {
    plan: Option<&'a Plan<'a>>,
    subjects: &'s [Subject<'a>],
    by_address: OnceLock<HashMap<&'s str, usize>>,
    by_type: OnceLock<HashMap<&'a str, Vec<usize>>>,
    reverse: Mutex<HashMap<TypeAttr, Arc<OnceLock<Reverse<'a>>>>>,
    values: Mutex<HashMap<TypeAttr, Arc<OnceLock<ByValue<'a>>>>>,
}

/// A resource type and one of its attributes.
type TypeAttr = (&'static str, &'static str);

/// Subjects (by index) by the string value of one attribute.
type ByValue<'a> = HashMap<Cow<'a, str>, Vec<usize>>;

/// The references of one [`Referrer`]: which resources its sources refer to.
#[derive(Default)]
struct Reverse<'a> {
    /// Referred resource → the sources whose configuration expression for the attribute
    /// references it.
    by_target: HashMap<usize, Vec<usize>>,
    /// The sources that the configuration did not place (a state, or an expression without
    /// resource references), by their attribute's value, whole and by its last `/`-separated
    /// segment (`replication-group/ID`).
    unplaced: ByValue<'a>,
}

/// Words that begin a reference to something other than a managed resource.
const NOT_RESOURCES: &[&str] = &[
    "var",
    "local",
    "data",
    "module",
    "each",
    "count",
    "path",
    "self",
    "terraform",
];

impl<'s, 'a> Neighbourhood<'s, 'a> {
    pub(super) fn new(plan: Option<&'a Plan<'a>>, subjects: &'s [Subject<'a>]) -> Self {
        Neighbourhood {
            plan,
            subjects,
            by_address: OnceLock::new(),
            by_type: OnceLock::new(),
            reverse: Mutex::new(HashMap::new()),
            values: Mutex::new(HashMap::new()),
        }
    }

    fn by_address(&self) -> &HashMap<&'s str, usize> {
        self.by_address.get_or_init(|| {
            self.subjects
                .iter()
                .enumerate()
                .map(|(i, s)| (s.address.as_ref(), i))
                .collect()
        })
    }

    fn of_type(&self, resource_type: &str) -> &[usize] {
        let by_type = self.by_type.get_or_init(|| {
            let mut m: HashMap<&'a str, Vec<usize>> = HashMap::new();
            for (i, s) in self.subjects.iter().enumerate() {
                m.entry(s.resource_type).or_default().push(i);
            }
            m
        });
        by_type.get(resource_type).map_or(&[], Vec::as_slice)
    }

    fn attrs(&self, i: usize) -> Option<Attrs<'a>> {
        let s = &self.subjects[i];
        s.after_attrs().or_else(|| s.before_attrs())
    }

    fn other(&self, i: usize) -> Option<Other<'a>> {
        Some(Other {
            address: self.subjects[i].address(),
            attrs: self.attrs(i)?,
        })
    }

    /// The subjects at `found`, once each, in address order.
    fn others(&self, mut found: Vec<usize>) -> Vec<Other<'a>> {
        found.sort_unstable_by(|a, b| self.subjects[*a].address.cmp(&self.subjects[*b].address));
        found.dedup();
        found.into_iter().filter_map(|i| self.other(i)).collect()
    }

    /// The index of a `key` kept in one of the per-key maps, built once by `build`.
    fn cached<T>(
        map: &Mutex<HashMap<TypeAttr, Arc<OnceLock<T>>>>,
        key: TypeAttr,
        build: impl FnOnce() -> T,
    ) -> Arc<OnceLock<T>> {
        let cell = map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key)
            .or_default()
            .clone();
        cell.get_or_init(build);
        cell
    }

    /// The subject named by one configuration reference (`aws_launch_template.web.id`) of the
    /// resource at `from`, in `from`'s module: the reference drops a computed index
    /// (`aws_x.y[count.index]`), so `from`'s own index is tried first.
    fn resolve(&self, from: &Address, reference: &str, target_type: Option<&str>) -> Option<usize> {
        let mut parts = reference.split('.');
        let rtype = parts.next()?;
        if target_type.is_some_and(|t| t != rtype) || NOT_RESOURCES.contains(&rtype) {
            return None;
        }
        let name = parts.next()?;
        let mut module_prefix = from.module_path();
        if !module_prefix.is_empty() {
            module_prefix.push('.');
        }
        let base = format!("{module_prefix}{rtype}.{name}");
        let name_only = name.split('[').next().unwrap_or(name);
        let same_index = from
            .key
            .as_ref()
            .map(|k| format!("{module_prefix}{rtype}.{name_only}{k}"))
            .unwrap_or_default();
        let index = self.by_address();
        [
            same_index,
            base.clone(),
            format!("{module_prefix}{rtype}.{name_only}"),
            format!("{base}[0]"),
        ]
        .iter()
        .find_map(|c| index.get(c.as_str()).copied())
    }

    /// The references recorded in the configuration for `attribute` of the resource at `from`.
    fn configured_refs(&self, from: &Address, attribute: &str) -> Vec<String> {
        let Some(expr) = self
            .plan
            .and_then(|p| p.config_resource(from))
            .and_then(|r| r.expressions)
        else {
            return Vec::new();
        };
        let Some(raw) = Attrs::new(Some(expr), None).raw(attribute) else {
            return Vec::new();
        };
        let mut refs = Vec::new();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw.get()) {
            collect_refs(Some(&v), &mut refs);
        }
        refs
    }

    fn build_reverse(&self, r: &Referrer) -> Reverse<'a> {
        let mut rev = Reverse::default();
        for &i in self.of_type(r.source_type) {
            let from = self.subjects[i].address();
            let mut placed = false;
            for reference in self.configured_refs(&from, r.attribute) {
                if let Some(t) = self.resolve(&from, &reference, None) {
                    placed = true;
                    let sources = rev.by_target.entry(t).or_default();
                    if sources.last() != Some(&i) {
                        sources.push(i);
                    }
                }
            }
            if placed {
                continue;
            }
            let Some(value) = self.attrs(i).and_then(|a| a.str(r.attribute).known()) else {
                continue;
            };
            if let Some(at) = value.rfind('/').filter(|at| at + 1 < value.len()) {
                let segment = match &value {
                    Cow::Borrowed(v) => Cow::Borrowed(&v[at + 1..]),
                    Cow::Owned(v) => Cow::Owned(v[at + 1..].to_string()),
                };
                rev.unplaced.entry(segment).or_default().push(i);
            }
            rev.unplaced.entry(value).or_default().push(i);
        }
        rev
    }

    fn build_values(&self, resource_type: &str, attribute: &str) -> ByValue<'a> {
        let mut m: ByValue<'a> = HashMap::new();
        for &i in self.of_type(resource_type) {
            if let Some(v) = self.attrs(i).and_then(|a| a.str(attribute).known()) {
                m.entry(v).or_default().push(i);
            }
        }
        m
    }

    fn values_of(
        &self,
        resource_type: &'static str,
        attribute: &'static str,
    ) -> Arc<OnceLock<ByValue<'a>>> {
        Self::cached(&self.values, (resource_type, attribute), || {
            self.build_values(resource_type, attribute)
        })
    }
}

impl<'a> cost::Neighbours<'a> for Neighbourhood<'_, 'a> {
    /// By the configuration's references (`aws_launch_template.foo.id`), else by the name the
    /// referring resource gives ([`Reference::name_at`]).
    fn referenced(&self, from: &Address, reference: &Reference) -> Option<Other<'a>> {
        let found = self
            .configured_refs(from, reference.attribute)
            .iter()
            .find_map(|r| self.resolve(from, r, Some(reference.target)));
        if let Some(i) = found {
            return self.other(i);
        }
        let me = *self.by_address().get(from.to_string().as_str())?;
        let wanted = reference.name_in(&self.attrs(me)?)?;
        let by_name = self.values_of(reference.target, "name");
        let mut found = by_name.get()?.get(wanted.as_ref())?.clone();
        found.retain(|i| *i != me);
        self.others(found).into_iter().next()
    }

    fn referrers(&self, to: &Address, referrer: &Referrer) -> Vec<Other<'a>> {
        let Some(&target) = self.by_address().get(to.to_string().as_str()) else {
            return Vec::new();
        };
        let rev = Self::cached(
            &self.reverse,
            (referrer.source_type, referrer.attribute),
            || self.build_reverse(referrer),
        );
        let Some(rev) = rev.get() else {
            return Vec::new();
        };
        let mut found = rev.by_target.get(&target).cloned().unwrap_or_default();
        if !rev.unplaced.is_empty() {
            if let Some(attrs) = self.attrs(target) {
                for key in referrer.matches {
                    if let Some(v) = attrs.str(key).known() {
                        found.extend(rev.unplaced.get(v.as_ref()).into_iter().flatten());
                    }
                }
            }
        }
        found.retain(|i| *i != target);
        self.others(found)
    }

    fn with_value(&self, of: &Referrer, value: &str) -> Vec<Other<'a>> {
        let index = self.values_of(of.source_type, of.attribute);
        match index.get().and_then(|m| m.get(value)) {
            Some(found) => self.others(found.clone()),
            None => Vec::new(),
        }
    }
}

fn collect_refs(v: Option<&serde_json::Value>, out: &mut Vec<String>) {
    match v {
        Some(serde_json::Value::Object(o)) => {
            if let Some(serde_json::Value::Array(refs)) = o.get("references") {
                out.extend(refs.iter().filter_map(|r| r.as_str().map(str::to_owned)));
            }
            for (k, v) in o {
                if k != "references" {
                    collect_refs(Some(v), out);
                }
            }
        }
        Some(serde_json::Value::Array(a)) => a.iter().for_each(|v| collect_refs(Some(v), out)),
        _ => {}
    }
}
