//! Following `var.x` to its literal (a module argument up the calls, the last `*.auto.tfvars`,
//! `terraform.tfvars`, the default) and `local.x` to its `locals` entry.

use super::*;

/// Follow `var.name` of module `module_key` to its literal: the calling block's argument (or
/// the default) in a child module; the last `.tfvars` setting it (or the default) in the root.
pub(super) fn resolve_var(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    name: &str,
    change: &Change,
    user: (&Path, &Range<usize>),
) -> Result<Resolved, String> {
    let info = ctx
        .index
        .modules
        .get(module_key)
        .ok_or("the module is not in the index")?;
    let (dir, call) = (info.dir.clone(), info.call.clone());
    let mut also = other_users(ctx, module_key, &format!("var.{name}"), user)?;
    let mut result = match &call {
        Some(call) => {
            let (r, default_used) = child_argument(ctx, module_key, call, name, change)?;
            if default_used {
                also.extend(callers_without(ctx, &dir, module_key, name)?);
            }
            r
        }
        None => root_value(ctx, module_key, &dir, name, change)?,
    };
    result.also.extend(also);
    Ok(result)
}

/// In a child module: the argument of the calling block, else the variable's default (and
/// whether the default was used).
fn child_argument(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    call: &crate::hcl::source::CallSite,
    name: &str,
    change: &Change,
) -> Result<(Resolved, bool), String> {
    let file = ctx.files.get(&call.file)?;
    let block = file
        .block_at(call.span.start)
        .ok_or("the module block moved since the index was built")?;
    let Some(a) = block.body.get_attribute(name) else {
        return Ok((variable_default(ctx, module_key, name, change)?, true));
    };
    let span = file.span(a.value.span().ok_or("value without a span")?);
    let r = resolve_expr(
        ctx,
        &call.parent,
        &call.file,
        &file,
        &a.value,
        name,
        span,
        change,
        format!("module \"{}\" argument `{name}`", call.name),
        &call.span.clone(),
    )?;
    Ok((r, false))
}

/// In the root module: the last `.tfvars` setting the variable wins over its default; a plan
/// value that is neither came from `-var`, `-var-file` or `TF_VAR_`.
fn root_value(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    dir: &Path,
    name: &str,
    change: &Change,
) -> Result<Resolved, String> {
    if let Some((path, file, expr_span)) = root_tfvars(ctx, dir, name)? {
        let expr = find_attr(&file.body, name).expect("found above");
        let target = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        check_plan_variable(ctx, name, &file.text[expr_span.clone()], expr)?;
        return resolve_expr(
            ctx,
            "",
            &path,
            &file,
            expr,
            name,
            expr_span,
            change,
            target,
            &(0..0),
        );
    }
    let r = variable_default(ctx, module_key, name, change)?;
    if let Some(v) = ctx.plan.variable(name) {
        let plan_value: Value = serde_json::from_str(v.get()).unwrap_or(Value::Null);
        if !change.from.is_null() && !same_value(&plan_value, &change.from) {
            return Err(format!(
                "var.{name} is {plan_value} in the plan, not its default: it is set by -var, -var-file or TF_VAR_{name}; change it there"
            ));
        }
    }
    Ok(r)
}

/// A module folder called from several places: its default serves every other call that does
/// not set the argument.
fn callers_without(
    ctx: &mut Ctx<'_>,
    dir: &Path,
    module_key: &str,
    name: &str,
) -> Result<Vec<String>, String> {
    let users: Vec<String> = dir
        .canonicalize()
        .ok()
        .and_then(|c| ctx.index.dir_users.get(&c).cloned())
        .unwrap_or_default();
    let mut out = Vec::new();
    for u in users.iter().filter(|u| *u != module_key) {
        let Some(call) = ctx.index.modules.get(u).and_then(|m| m.call.clone()) else {
            continue;
        };
        let file = ctx.files.get(&call.file)?;
        let sets = file
            .block_at(call.span.start)
            .is_some_and(|b| b.body.get_attribute(name).is_some());
        if !sets {
            out.push(format!(
                "module.{} (calls the same module folder without setting {name})",
                u.replace('.', ".module.")
            ));
        }
    }
    Ok(out)
}

pub(super) fn find_attr<'b>(body: &'b Body, name: &str) -> Option<&'b Expression> {
    body.get_attribute(name).map(|a| &a.value)
}

/// The highest-precedence `.tfvars` file of the root folder that sets `name`.
#[allow(clippy::type_complexity)]
pub(super) fn root_tfvars(
    ctx: &mut Ctx<'_>,
    dir: &Path,
    name: &str,
) -> Result<Option<(PathBuf, Arc<SourceFile>, Range<usize>)>, String> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    for f in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(f);
        if p.is_file() {
            candidates.push(p);
        }
    }
    let listing = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut autos: Vec<PathBuf> = std::fs::read_dir(listing)
        .map_err(|e| format!("{}: {e}", listing.display()))?
        .filter_map(|e| e.ok().map(|e| dir.join(e.file_name())))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            (n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")) && p.is_file()
        })
        .collect();
    autos.sort();
    candidates.extend(autos);
    for p in candidates.iter().rev() {
        let n = p.to_string_lossy();
        if n.ends_with(".json") {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let v: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            if v.get(name).is_some() {
                return Err(format!(
                    "var.{name} is set in {}: JSON variable files are not edited (yet)",
                    p.display()
                ));
            }
            continue;
        }
        let file = ctx.files.get(p)?;
        if let Some(a) = file.body.get_attribute(name) {
            let span = file.span(a.value.span().ok_or("value without a span")?);
            return Ok(Some((p.clone(), file.clone(), span)));
        }
    }
    Ok(None)
}

/// The plan's value of a root variable must be the `.tfvars` literal, else `-var` set it.
pub(super) fn check_plan_variable(
    ctx: &Ctx<'_>,
    name: &str,
    text: &str,
    expr: &Expression,
) -> Result<(), String> {
    let (Some(v), Some(lit)) = (ctx.plan.variable(name), literal(expr)) else {
        return Ok(());
    };
    let plan_value: Value = serde_json::from_str(v.get()).unwrap_or(Value::Null);
    if same_value(&plan_value, &lit) {
        Ok(())
    } else {
        Err(format!(
            "var.{name} is {plan_value} in the plan but {} in the .tfvars file: it is set by -var, -var-file or TF_VAR_{name}; change it there",
            text.trim()
        ))
    }
}

/// `variable "name" { default = ... }` in a module's files.
pub(super) fn variable_default(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    name: &str,
    change: &Change,
) -> Result<Resolved, String> {
    let d = decls(ctx, module_key)?;
    if let Some(path) = d.variables.get(name) {
        let path = &path.clone();
        let file = ctx.files.get(path)?;
        let found = file.body.iter().find_map(|s| match s {
            Structure::Block(b)
                if b.ident.as_str() == "variable"
                    && b.labels.first().is_some_and(|l| label_str(l) == name) =>
            {
                Some(b)
            }
            _ => None,
        });
        let var = found.ok_or("the variable moved since it was indexed")?;
        let Some(default) = var.body.get_attribute("default") else {
            return Err(format!(
                "var.{name} has no default and no value in this tree: it comes from -var, -var-file or TF_VAR_{name}"
            ));
        };
        let span = file.span(default.value.span().ok_or("value without a span")?);
        let mut r = resolve_expr(
            ctx,
            "",
            path,
            &file,
            &default.value,
            "default",
            span,
            change,
            format!("variable \"{name}\" default"),
            &(0..0),
        )?;
        if var
            .body
            .iter()
            .any(|s| matches!(s, Structure::Block(b) if b.ident.as_str() == "validation"))
        {
            r.unsafe_note = Some(format!(
                "variable \"{name}\" has a validation block that may reject the new value"
            ));
        }
        return Ok(r);
    }
    Err(format!(
        "variable \"{name}\" is not declared in the module's files"
    ))
}

/// `local.name`: the `locals` entry, if a literal.
pub(super) fn resolve_local(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    name: &str,
    change: &Change,
    user: (&Path, &Range<usize>),
) -> Result<Resolved, String> {
    let also = other_users(ctx, module_key, &format!("local.{name}"), user)?;
    let d = decls(ctx, module_key)?;
    if let Some(path) = d.locals.get(name) {
        let path = &path.clone();
        let file = ctx.files.get(path)?;
        let found = file.body.iter().find_map(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "locals" => b.body.get_attribute(name),
            _ => None,
        });
        let attr = found.ok_or("the local moved since it was indexed")?;
        let span = file.span(attr.value.span().ok_or("value without a span")?);
        let mut r = resolve_expr(
            ctx,
            module_key,
            path,
            &file,
            &attr.value,
            name,
            span,
            change,
            format!("locals `{name}`"),
            &(0..0),
        )?;
        r.also.extend(also);
        return Ok(r);
    }
    Err(format!(
        "local.{name} is not declared in the module's files"
    ))
}
