//! Facts about the whole plan that a rule cannot see from its own resource. A rule declares the
//! facts it reads ([`Need`], in `Rule.needs`) and a run gathers only those the selected rules
//! declare ([`Facts::gather`]).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::terraform::address::Address;
use crate::terraform::plan::{ModuleConfig, Plan};

/// A plan-wide fact a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    /// Every reference made by the configuration ([`Facts::is_referenced`]).
    References,
    /// The planned instances of a resource type, per module ([`Facts::in_module`]).
    InstancesPerModule(&'static str),
}

/// The plan-wide facts the rules of a run declared.
#[derive(Debug, Default)]
pub struct Facts {
    /// Every reference made by any configured block (`aws_eip.nat`, `aws_eip.nat[0]`), with the
    /// module path it was made from (`module.vpc` or empty). None when no rule needs them.
    references: Option<HashSet<String>>,
    /// Per resource type, its planned instances per module path (addresses, sorted).
    per_module: HashMap<&'static str, HashMap<String, Vec<Address>>>,
}

impl Facts {
    /// The facts `needs` asks for.
    pub fn gather(plan: &Plan<'_>, needs: impl IntoIterator<Item = Need>) -> Facts {
        let mut facts = Facts::default();
        for need in needs {
            match need {
                Need::References => {
                    if facts.references.is_none() {
                        let mut refs = HashSet::new();
                        walk_module(&plan.configuration.root_module, "", &mut refs);
                        facts.references = Some(refs);
                    }
                }
                Need::InstancesPerModule(t) => {
                    if !facts.per_module.contains_key(t) {
                        facts.per_module.insert(t, instances_per_module(plan, t));
                    }
                }
            }
        }
        facts
    }

    /// The planned (not deleted) instances of `resource_type` in the module `module_path`
    /// (`module.vpc`, empty for the root), sorted. Needs [`Need::InstancesPerModule`].
    pub fn in_module(&self, resource_type: &str, module_path: &str) -> &[Address] {
        self.per_module
            .get(resource_type)
            .expect("a rule reads only the facts it declares in Rule.needs")
            .get(module_path)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Whether anything in the configuration refers to the resource (by its address without
    /// index, in its own module). Needs [`Need::References`].
    pub fn is_referenced(&self, addr: &Address) -> bool {
        let references = self
            .references
            .as_ref()
            .expect("a rule reads only the facts it declares in Rule.needs");
        let module = addr
            .module
            .iter()
            .map(|m| format!("module.{}", m.name))
            .collect::<Vec<_>>()
            .join(".");
        let base = format!("{}.{}", addr.resource_type, addr.name);
        let full = if module.is_empty() {
            base
        } else {
            format!("{module}.{base}")
        };
        references.iter().any(|r| {
            r == &full
                || r.strip_prefix(full.as_str())
                    .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
        })
    }
}

fn instances_per_module(plan: &Plan<'_>, resource_type: &str) -> HashMap<String, Vec<Address>> {
    let mut out: HashMap<String, Vec<Address>> = HashMap::new();
    for rc in &plan.resource_changes {
        if rc.resource_type == resource_type
            && !rc.is_data()
            && rc.change.kind().has_after()
            && rc.deposed.is_none()
        {
            let a = rc.parsed_address();
            out.entry(a.module_path()).or_default().push(a);
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

fn walk_refs(v: &Value, module: &str, out: &mut HashSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(refs)) = m.get("references") {
                for r in refs.iter().filter_map(Value::as_str) {
                    out.insert(if module.is_empty() {
                        r.to_string()
                    } else {
                        format!("{module}.{r}")
                    });
                }
            }
            for (k, x) in m {
                if k != "references" {
                    walk_refs(x, module, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| walk_refs(x, module, out)),
        _ => {}
    }
}

fn walk_module(m: &ModuleConfig<'_>, path: &str, out: &mut HashSet<String>) {
    for r in &m.resources {
        if let Some(e) = r
            .expressions
            .and_then(|e| serde_json::from_str(e.get()).ok())
        {
            walk_refs(&e, path, out);
        }
    }
    for o in m.outputs.values() {
        if let Ok(v) = serde_json::from_str::<Value>(o.get()) {
            walk_refs(&v, path, out);
        }
    }
    for (name, call) in &m.module_calls {
        for e in call.expressions.values() {
            if let Ok(v) = serde_json::from_str::<Value>(e.get()) {
                walk_refs(&v, path, out);
            }
        }
        let child = if path.is_empty() {
            format!("module.{name}")
        } else {
            format!("{path}.module.{name}")
        };
        walk_module(&call.module, &child, out);
    }
}
