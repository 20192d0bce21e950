//! Test support: turn one self-contained `.tf` file into the `terraform show -json` plan that
//! `terraform plan` would give for a fresh apply, so that infracost's per-resource-type goldens
//! (which are produced from `.tf` files) can drive costfix's real plan reader and cost model.
//!
//! Terraform cannot run here (no network, no providers), so this stands in for `terraform plan` on
//! the simple files those goldens use: literal attributes, `count`, `for_each` (with `each.key`,
//! `each.value`, `count.index`), `variable` defaults and `locals`, nested blocks, one AWS provider
//! region. Anything that refers to another resource (`aws_eip.x.id`) or a data source is unknown
//! until apply, exactly as in a real plan (`after_unknown: true`). `dynamic` blocks and module calls
//! are not expanded; the caller lists such files as skipped.

use hcl::eval::{Context, Evaluate};
use hcl::{Block, Body, Expression};
use serde_json::{json, Map, Value};

/// The plan JSON for a `.tf` file's text (one root module, variable defaults).
pub fn plan_from_tf(text: &str) -> String {
    let body: Body = hcl::parse(text).expect("the golden's .tf parses");
    plan_of(std::path::Path::new("."), &body, &Map::new())
}

/// The plan of a root module body with its variables' values given (the rest take defaults).
fn plan_of(dir: &std::path::Path, body: &Body, given: &Map<String, Value>) -> String {
    let mut changes = Vec::new();
    let (root_module, values) = expand_module(dir, body, given, "", &mut changes);
    // Provider configurations (aliases included), their regions evaluated with the variables.
    let mut ctx = Context::new();
    ctx.declare_var("var", from_json(&Value::Object(values.clone())));
    let mut provider_config = Map::new();
    for b in body.blocks().filter(|b| b.identifier() == "provider") {
        let name = b.labels()[0].as_str();
        let key = match attr_str(b, "alias", &ctx) {
            Some(a) => format!("{name}.{a}"),
            None => name.to_string(),
        };
        let mut exprs = Map::new();
        if let Some(r) = attr_str(b, "region", &ctx) {
            exprs.insert("region".into(), json!({ "constant_value": r }));
        }
        provider_config.insert(key, json!({"name": name, "expressions": exprs}));
    }
    let variables: Map<String, Value> = values
        .into_iter()
        .map(|(k, v)| (k, json!({ "value": v })))
        .collect();
    json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": variables,
        "resource_changes": changes,
        "configuration": {"provider_config": provider_config, "root_module": root_module},
    })
    .to_string()
}

/// The `expressions` object Terraform writes for a block: each attribute as `{"constant_value": …}`
/// or `{"references": […]}`, nested blocks as arrays of such objects.
fn config_expressions(body: &Body) -> Value {
    let mut out = Map::new();
    for a in body.attributes() {
        let text = expr_text(a.expr());
        let refs = references(&text);
        let v = if refs.is_empty() {
            json!({ "constant_value": text })
        } else {
            json!({ "references": refs })
        };
        out.insert(a.key().to_string(), v);
    }
    for blk in body.blocks() {
        let entry = out
            .entry(blk.identifier().to_string())
            .or_insert_with(|| json!([]));
        if let Some(list) = entry.as_array_mut() {
            list.push(config_expressions(blk.body()));
        }
    }
    Value::Object(out)
}

/// References to resources in an expression's text, as Terraform lists them: `aws_x.name.attr`
/// followed by `aws_x.name`.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find("aws_") {
        let start = i + pos;
        i = start + 4;
        if start > 0
            && (bytes[start - 1].is_ascii_alphanumeric()
                || bytes[start - 1] == b'_'
                || bytes[start - 1] == b'.')
        {
            continue;
        }
        let end = text[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .map_or(text.len(), |e| start + e);
        let parts: Vec<&str> = text[start..end]
            .split('.')
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() >= 2 {
            if parts.len() >= 3 {
                out.push(parts[..3].join("."));
            }
            out.push(parts[..2].join("."));
        }
        i = end;
    }
    out
}

fn attr_str(b: &Block, key: &str, ctx: &Context) -> Option<String> {
    let v = b
        .body()
        .attributes()
        .find(|a| a.key() == key)?
        .expr()
        .evaluate(ctx)
        .ok()?;
    v.as_str().map(str::to_owned)
}

fn expr_text(e: &Expression) -> String {
    hcl::format::to_string(e)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The instances of a resource block: `(index key, context with count/each)`.
fn instances<'c>(b: &Block, ctx: &Context<'c>) -> Vec<(Option<Value>, Context<'c>)> {
    let attr = |k: &str| {
        b.body()
            .attributes()
            .find(|a| a.key() == k)
            .map(|a| a.expr().evaluate(ctx))
    };
    if let Some(Ok(count)) = attr("count") {
        let n = count.as_u64().unwrap_or(0);
        return (0..n)
            .map(|i| {
                let mut c = ctx.clone();
                c.declare_var("count", hcl::value!({ index = (i) }));
                (Some(json!(i)), c)
            })
            .collect();
    }
    if let Some(Ok(each)) = attr("for_each") {
        let pairs: Vec<(String, hcl::Value)> = match each {
            hcl::Value::Object(o) => o.into_iter().collect(),
            hcl::Value::Array(a) => a
                .into_iter()
                .map(|v| {
                    let key = match &v {
                        hcl::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (key, v)
                })
                .collect(),
            _ => Vec::new(),
        };
        return pairs
            .into_iter()
            .map(|(k, v)| {
                let mut c = ctx.clone();
                let mut m = hcl::Map::new();
                m.insert("key".to_string(), hcl::Value::String(k.clone()));
                m.insert("value".to_string(), v);
                c.declare_var("each", hcl::Value::Object(m));
                (Some(Value::String(k)), c)
            })
            .collect();
    }
    vec![(None, ctx.clone())]
}

const META: &[&str] = &[
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "provisioner",
    "connection",
];

/// Evaluate a block body into `after` values and `after_unknown` markers.
fn eval_body(body: &Body, ctx: &Context) -> (Value, Value) {
    let mut after = Map::new();
    let mut unknown = Map::new();
    for a in body.attributes() {
        if META.contains(&a.key()) {
            continue;
        }
        match a.expr().evaluate(ctx) {
            Ok(v) => {
                after.insert(a.key().to_string(), to_json(v));
            }
            // A reference to another resource or a data source: known only after apply.
            Err(_) => {
                unknown.insert(a.key().to_string(), Value::Bool(true));
            }
        }
    }
    let mut nested: Map<String, Value> = Map::new();
    let mut nested_unknown: Map<String, Value> = Map::new();
    for blk in body.blocks() {
        let id = blk.identifier();
        if META.contains(&id) || id == "dynamic" {
            continue;
        }
        let (v, u) = eval_body(blk.body(), ctx);
        nested
            .entry(id.to_string())
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(v);
        nested_unknown
            .entry(id.to_string())
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(u);
    }
    after.extend(nested);
    unknown.extend(nested_unknown);
    (Value::Object(after), Value::Object(unknown))
}

/// The few Terraform functions the goldens' files call.
fn declare_functions(ctx: &mut Context) {
    use hcl::eval::{FuncArgs, FuncDef, ParamType};
    fn flatten(args: FuncArgs) -> Result<hcl::Value, String> {
        fn go(v: &hcl::Value, out: &mut Vec<hcl::Value>) {
            match v {
                hcl::Value::Array(a) => a.iter().for_each(|x| go(x, out)),
                x => out.push(x.clone()),
            }
        }
        let mut out = Vec::new();
        go(&args[0], &mut out);
        Ok(hcl::Value::Array(out))
    }
    fn identity(args: FuncArgs) -> Result<hcl::Value, String> {
        Ok(args[0].clone())
    }
    fn toset(args: FuncArgs) -> Result<hcl::Value, String> {
        let mut out: Vec<hcl::Value> = Vec::new();
        for v in args[0].as_array().cloned().unwrap_or_default() {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Ok(hcl::Value::Array(out))
    }
    ctx.declare_func(
        "flatten",
        FuncDef::builder().param(ParamType::Any).build(flatten),
    );
    ctx.declare_func(
        "toset",
        FuncDef::builder().param(ParamType::Any).build(toset),
    );
    ctx.declare_func(
        "tolist",
        FuncDef::builder().param(ParamType::Any).build(identity),
    );
    ctx.declare_func(
        "tomap",
        FuncDef::builder().param(ParamType::Any).build(identity),
    );
}

fn to_json(v: hcl::Value) -> Value {
    serde_json::to_value(v).expect("HCL values are JSON values")
}

fn from_json(v: &Value) -> hcl::Value {
    hcl::to_value(v).expect("JSON values are HCL values")
}

/// The plan for a folder: every `.tf` file of the root module, its variables set as Terraform
/// would (default, then `terraform.tfvars`, then `*.auto.tfvars` in lexical order, then `vars`,
/// which stand for `-var`), and local modules (`source = "./..."`) expanded with their arguments,
/// `count` and `for_each`, nested. The plan's `variables` section holds the root values.
#[allow(dead_code)]
pub fn plan_from_dir(dir: &std::path::Path, vars: &[(&str, Value)]) -> String {
    let mut root_values = Map::new();
    for f in tfvars_files(dir) {
        let text = std::fs::read_to_string(&f).unwrap();
        let body: Body = hcl::parse(&text).expect("tfvars parse");
        let ctx = Context::new();
        for a in body.attributes() {
            if let Ok(v) = a.expr().evaluate(&ctx) {
                root_values.insert(a.key().to_string(), to_json(v));
            }
        }
    }
    for (k, v) in vars {
        root_values.insert((*k).to_string(), v.clone());
    }
    plan_of(dir, &dir_body(dir), &root_values)
}

/// `terraform.tfvars` then `*.auto.tfvars` (lexical): later files win.
fn tfvars_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let t = dir.join("terraform.tfvars");
    if t.is_file() {
        out.push(t);
    }
    let mut autos: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".auto.tfvars"))
        .collect();
    autos.sort();
    out.extend(autos);
    out
}

/// All `.tf` files of a folder as one body.
fn dir_body(dir: &std::path::Path) -> Body {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    let mut structures = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let body: Body = hcl::parse(text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        structures.extend(body);
    }
    Body::from_iter(structures)
}

/// Expand one module: its resources into `changes` (addresses under `prefix`), and its
/// configuration. Returns the configuration and the variables' final values.
fn expand_module(
    dir: &std::path::Path,
    body: &Body,
    given: &Map<String, Value>,
    prefix: &str,
    changes: &mut Vec<Value>,
) -> (Value, Map<String, Value>) {
    let mut ctx = Context::new();
    declare_functions(&mut ctx);
    let mut vars = Map::new();
    for b in body.blocks().filter(|b| b.identifier() == "variable") {
        let name = b.labels()[0].as_str().to_string();
        let default = b
            .body()
            .attributes()
            .find(|a| a.key() == "default")
            .and_then(|a| a.expr().evaluate(&ctx).ok())
            .map(to_json)
            .unwrap_or(Value::Null);
        vars.insert(name.clone(), given.get(&name).cloned().unwrap_or(default));
    }
    ctx.declare_var("var", from_json(&Value::Object(vars.clone())));
    let mut locals = Map::new();
    for b in body.blocks().filter(|b| b.identifier() == "locals") {
        for a in b.body().attributes() {
            ctx.declare_var("local", from_json(&Value::Object(locals.clone())));
            if let Ok(v) = a.expr().evaluate(&ctx) {
                locals.insert(a.key().to_string(), to_json(v));
            }
        }
    }
    ctx.declare_var("local", from_json(&Value::Object(locals)));
    let module_address = prefix.trim_end_matches('.').to_string();
    let mut config_resources = Vec::new();
    for b in body.blocks().filter(|b| b.identifier() == "resource") {
        let rtype = b.labels()[0].as_str().to_string();
        let name = b.labels()[1].as_str().to_string();
        let provider_key = b
            .body()
            .attributes()
            .find(|a| a.key() == "provider")
            .map(|a| expr_text(a.expr()))
            .unwrap_or_else(|| "aws".into());
        config_resources.push(json!({
            "address": format!("{rtype}.{name}"), "mode": "managed", "type": rtype, "name": name,
            "provider_config_key": provider_key, "expressions": config_expressions(b.body()),
        }));
        for (index, inst_ctx) in instances(b, &ctx) {
            let (after, unknown) = eval_body(b.body(), &inst_ctx);
            let address = match &index {
                None => format!("{prefix}{rtype}.{name}"),
                Some(Value::Number(n)) => format!("{prefix}{rtype}.{name}[{n}]"),
                Some(v) => format!("{prefix}{rtype}.{name}[{v}]"),
            };
            let mut change = json!({
                "address": address, "mode": "managed", "type": rtype, "name": name,
                "index": index, "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": unknown},
            });
            if !module_address.is_empty() {
                change["module_address"] = Value::String(module_address.clone());
            }
            changes.push(change);
        }
    }
    let mut calls = Map::new();
    for b in body.blocks().filter(|b| b.identifier() == "module") {
        let mname = b.labels()[0].as_str().to_string();
        let Some(source) = attr_str(b, "source", &ctx) else {
            continue;
        };
        if !(source.starts_with("./") || source.starts_with("../")) {
            continue;
        }
        let child_dir = dir.join(&source);
        let child_body = dir_body(&child_dir);
        let mut child_config = Value::Null;
        let mut exprs = Map::new();
        for a in b.body().attributes() {
            if [
                "source",
                "version",
                "count",
                "for_each",
                "providers",
                "depends_on",
            ]
            .contains(&a.key())
            {
                continue;
            }
            let text = expr_text(a.expr());
            exprs.insert(a.key().to_string(), json!({ "constant_value": text }));
        }
        for (index, inst_ctx) in instances(b, &ctx) {
            let mut args = Map::new();
            for a in b.body().attributes() {
                if let Ok(v) = a.expr().evaluate(&inst_ctx) {
                    args.insert(a.key().to_string(), to_json(v));
                }
            }
            let child_prefix = match &index {
                None => format!("{prefix}module.{mname}."),
                Some(Value::Number(n)) => format!("{prefix}module.{mname}[{n}]."),
                Some(v) => format!("{prefix}module.{mname}[{v}]."),
            };
            let (cfg, _) = expand_module(&child_dir, &child_body, &args, &child_prefix, changes);
            child_config = cfg;
        }
        calls.insert(
            mname,
            json!({"source": source, "expressions": exprs, "module": child_config}),
        );
    }
    (
        json!({"resources": config_resources, "module_calls": calls}),
        vars,
    )
}
