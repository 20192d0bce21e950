//! Recursive functions refused when loaded, as OPA's compiler refuses them
//! (`rego_recursion_error: rule data.main.f is recursive: data.main.f -> data.main.f`).
//! regorus catches a rule that needs its own value while evaluating, but not a function that
//! calls itself with other arguments: it recurses until the thread's stack overflows and the
//! process aborts. This finds every cycle of function calls in regorus's own syntax tree (its
//! `get_ast_as_json`), across packages and imports.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::error::{Error, Result};

/// A function's definition: where its (first) head is.
struct Def {
    file: String,
    offset: usize,
}

/// Refuse the first cycle of function calls among the policies `ast_json` describes.
/// `texts` gives each file's text, for the diagnostic.
pub(crate) fn check(ast_json: &str, texts: &BTreeMap<&str, &str>) -> Result<()> {
    let Ok(modules) = serde_json::from_str::<Vec<Value>>(ast_json) else {
        return Ok(());
    };
    let mut defs: BTreeMap<String, Def> = BTreeMap::new();
    // function → (the names it calls, resolved in its module)
    let mut calls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in &modules {
        let file = m["source"]["file"].as_str().unwrap_or_default().to_string();
        let ast = &m["ast"];
        let Some(package) = dotted(&ast["package"]["refr"]) else {
            continue;
        };
        let package = format!("data.{package}");
        let imports: Vec<(String, String)> = ast["imports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| {
                let path = dotted(&i["refr"])?;
                let alias = match &i["as"] {
                    Value::Object(span) => {
                        let (s, e) = (span.get("start")?.as_u64()?, span.get("end")?.as_u64()?);
                        let text = m["source"]["contents"].as_str()?;
                        text.get(s as usize..e as usize)?.to_string()
                    }
                    _ => path.rsplit('.').next()?.to_string(),
                };
                Some((alias, path))
            })
            .collect();
        for rule in ast["rules"].as_array().into_iter().flatten() {
            let Some(spec) = rule.get("Spec") else {
                continue;
            };
            let Some(head) = spec["head"].get("Func") else {
                continue;
            };
            let Some(name) = dotted(&head["refr"]) else {
                continue;
            };
            let name = format!("{package}.{name}");
            let offset = head["span"]["start"].as_u64().unwrap_or(0) as usize;
            defs.entry(name.clone()).or_insert(Def {
                file: file.clone(),
                offset,
            });
            let mut called = Vec::new();
            collect_calls(&spec["bodies"], &mut called);
            collect_calls(&head["assign"], &mut called);
            let out = calls.entry(name).or_default();
            for c in called {
                out.insert(resolve(&c, &package, &imports));
            }
        }
    }
    // Keep only calls of user functions.
    for called in calls.values_mut() {
        called.retain(|c| defs.contains_key(c));
    }
    let mut done = BTreeSet::new();
    for start in calls.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = find_cycle(start, &calls, &mut path, &mut done) {
            let def = &defs[&cycle[0]];
            let text = texts.get(def.file.as_str()).copied().unwrap_or_default();
            let (src, span) = Error::source_window(&def.file, text, def.offset.min(text.len()));
            return Err(Error::Policy {
                src,
                span,
                message: format!(
                    "function {} is recursive: {} (OPA refuses it too; regorus would recurse until the stack overflows)",
                    cycle[0],
                    cycle.join(" -> ")
                ),
                detail: "Rego functions may not call themselves, directly or through others: iterate over a collection (`some x in xs`, comprehensions) or use `walk` or `graph.reachable`".into(),
            });
        }
    }
    Ok(())
}

/// A cycle through `node`, as the list of functions from its first to its repetition.
fn find_cycle(
    node: &str,
    calls: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|p| p == node) {
        let mut cycle = path[i..].to_vec();
        cycle.push(node.to_string());
        return Some(cycle);
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_string());
    for next in calls.get(node).into_iter().flatten() {
        if let Some(c) = find_cycle(next, calls, path, done) {
            return Some(c);
        }
    }
    path.pop();
    done.insert(node.to_string());
    None
}

/// The name a call refers to, in full: `data.x.f` as is, `alias.f` through the imports, a bare
/// `f` in the module's own package.
fn resolve(name: &str, package: &str, imports: &[(String, String)]) -> String {
    if name.starts_with("data.") {
        return name.to_string();
    }
    let (first, rest) = name.split_once('.').unwrap_or((name, ""));
    if let Some((_, path)) = imports.iter().find(|(alias, _)| alias == first) {
        return if rest.is_empty() {
            path.clone()
        } else {
            format!("{path}.{rest}")
        };
    }
    format!("{package}.{name}")
}

/// Every called name (`{"Call": {"fcn": …}}`) below `v`, as dotted text.
fn collect_calls(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(call) = o.get("Call") {
                if let Some(name) = dotted(&call["fcn"]) {
                    out.push(name);
                }
            }
            for x in o.values() {
                collect_calls(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_calls(x, out)),
        _ => {}
    }
}

/// A reference `a.b.c` (`Var` and `RefDot` nodes) as text; `None` for anything else.
fn dotted(v: &Value) -> Option<String> {
    if let Some(var) = v.get("Var") {
        return var["value"].as_str().map(str::to_owned);
    }
    if let Some(dot) = v.get("RefDot") {
        let base = dotted(&dot["refr"])?;
        let field = dot["field"].get(1)?.as_str()?;
        return Some(format!("{base}.{field}"));
    }
    None
}
