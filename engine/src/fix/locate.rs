//! Locating one fix: the literal of each attribute to change in its block (nested blocks
//! followed, missing attributes or blocks inserted), or the `var.x`/`local.x` to follow.

use super::*;

/// A fix for one group of findings, before it is located.
fn new_fix(address: String, fs: &[RuleFinding]) -> Fix {
    let first = &fs[0];
    Fix {
        rule: first.rule,
        name: first.name,
        address,
        instances: fs.iter().map(|f| f.address.clone()).collect(),
        resource_type: first.resource_type.clone(),
        file: None,
        line: None,
        message: first.message.clone(),
        note: first.note.clone(),
        changes: first.changes.clone(),
        applicability: fs
            .iter()
            .map(|f| f.applicability)
            .min()
            .unwrap_or(first.applicability),
        saving: fs
            .iter()
            .map(|f| f.saving)
            .try_fold(Decimal::ZERO, |acc, s| s.map(|s| acc + s)),
        saving_note: first.saving_note.clone(),
        saving_basis: first.saving_basis,
        edits: Vec::new(),
        also_changes: Vec::new(),
        no_fix: None,
        suppressed: None,
        applied: false,
        block_span: None,
    }
}

/// Why a block found in the sources gets no fix (None: it can be edited).
fn refusal(block: &Block, fs: &[RuleFinding]) -> Option<String> {
    let first = &fs[0];
    if first.changes.is_empty() {
        // Display-only findings without an attribute change (remove a resource, ...).
        return Some("no attribute edit can do this: see the note".into());
    }
    if fs
        .iter()
        .any(|f| change_key(&f.changes) != change_key(&first.changes))
    {
        return Some("the instances of this block need different changes (their values come from count/for_each): edit them by hand".into());
    }
    if block.json {
        return Some(format!(
            "declared in {}: .tf.json files are not edited (yet)",
            block.file.display()
        ));
    }
    None
}

/// The reason of a `# costfix:ignore` comment on the block for this rule.
fn suppression(block: &Block, first: &RuleFinding) -> Option<String> {
    let (_, reason) = block.ignores.iter().find(|(id, _)| {
        id.eq_ignore_ascii_case(first.rule) || id.eq_ignore_ascii_case(first.name) || id == "all"
    })?;
    Some(if reason.is_empty() {
        "costfix:ignore".into()
    } else {
        reason.clone()
    })
}

/// Locate one group's fix in the sources: its block, then each change's literal (from the index
/// pass, or by following `var.x`/`local.x`).
pub(super) fn plan_one(
    ctx: &mut Ctx<'_>,
    address: String,
    fs: Vec<RuleFinding>,
    stage1: Option<Vec<Result<Local, String>>>,
) -> Fix {
    let mut fix = new_fix(address, &fs);
    let first = &fs[0];
    let Some(block) = ctx.index.locate(&first.parsed) else {
        fix.no_fix = Some(missing_reason(ctx.index, &first.parsed));
        return fix;
    };
    fix.file = Some(block.file.display().to_string());
    fix.line = Some(block.line);
    fix.block_span = Some(block.span.clone());
    fix.suppressed = suppression(block, first);
    if let Some(why) = refusal(block, &fs) {
        fix.no_fix = Some(why);
        return fix;
    }
    let Some(stage1) = stage1 else {
        fix.no_fix = Some("the block was not found when the sources were read".into());
        return fix;
    };
    ctx.rule = first.rule;
    ctx.to = change_key(&first.changes);
    match resolve_changes(ctx, first, block, stage1) {
        Ok(resolved) => {
            finish(&mut fix, resolved);
            align(ctx, &mut fix);
        }
        Err(why) => fix.no_fix = Some(why),
    }
    fix
}

/// The fix's attribute insertions laid out as `terraform fmt` would, with the whitespace edits
/// that re-align the lines they join ([`insert::align_insertions`]). Only the file's text is
/// needed: a file the resolution did not parse is read, not parsed and kept (keeping every file
/// with an insertion parsed cost 300 MB on the 40k-resource bench tree).
fn align(ctx: &mut Ctx<'_>, fix: &mut Fix) {
    let mut paths: Vec<PathBuf> = fix
        .edits
        .iter()
        .filter(|e| e.edit.span.is_empty())
        .map(|e| e.edit.file.clone())
        .collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        let cached = ctx.files.peek(&path);
        let read;
        let text: &str = match &cached {
            Some(f) => &f.text,
            None => match std::fs::read_to_string(&path) {
                Ok(t) => {
                    read = t;
                    &read
                }
                Err(_) => continue,
            },
        };
        // The resource's own block bounds the lines an insertion into it can align with.
        let window = fix
            .block_span
            .clone()
            .filter(|_| fix.file.as_deref().map(Path::new) == Some(path.as_path()));
        let (mine, mut out): (Vec<PlannedEdit>, Vec<PlannedEdit>) = std::mem::take(&mut fix.edits)
            .into_iter()
            .partition(|e| e.edit.file == path);
        let edits: Vec<Edit> = mine.iter().map(|e| e.edit.clone()).collect();
        for e in align_in_window(text, window, edits) {
            match mine.iter().find(|m| m.edit.span == e.span) {
                Some(m) => out.push(PlannedEdit {
                    edit: e,
                    ..m.clone()
                }),
                None => out.push(PlannedEdit {
                    line: text[..e.span.start].matches('\n').count() + 1,
                    old_text: text[e.span.clone()].to_string(),
                    target: "`=` aligned as terraform fmt does".into(),
                    edit: e,
                }),
            }
        }
        out.sort_by(|a, b| {
            (&a.edit.file, a.edit.span.start).cmp(&(&b.edit.file, b.edit.span.start))
        });
        fix.edits = out;
    }
}

/// [`insert::align_insertions`] on the lines of `window` (the block the insertions are in) when
/// every insertion is inside it, else on the whole text: an alignment chain never leaves its
/// block, and splitting a large file into lines for each of its fixes made alignment slow.
fn align_in_window(text: &str, window: Option<Range<usize>>, edits: Vec<Edit>) -> Vec<Edit> {
    let inside_all = |w: &Range<usize>| {
        edits
            .iter()
            .filter(|e| e.span.is_empty())
            .all(|e| w.start < e.span.start && e.span.start <= w.end)
    };
    let Some(w) = window.filter(|w| w.end <= text.len() && inside_all(w)) else {
        return insert::align_insertions(text, edits);
    };
    // Whole lines: from the start of the block's first line to the end of its last one.
    let start = text[..w.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[w.end..]
        .find('\n')
        .map_or(text.len(), |i| w.end + i + 1);
    let (inside, mut out): (Vec<Edit>, Vec<Edit>) = edits
        .into_iter()
        .partition(|e| e.span.start >= start && e.span.end <= end);
    let shifted = inside
        .into_iter()
        .map(|mut e| {
            e.span = e.span.start - start..e.span.end - start;
            e
        })
        .collect();
    out.extend(
        insert::align_insertions(&text[start..end], shifted)
            .into_iter()
            .map(|mut e| {
                e.span = e.span.start + start..e.span.end + start;
                e
            }),
    );
    out
}

/// Each change's edits: the in-block result, or the variable or local it reads, followed.
fn resolve_changes(
    ctx: &mut Ctx<'_>,
    first: &RuleFinding,
    block: &Block,
    stage1: Vec<Result<Local, String>>,
) -> Result<Resolved, String> {
    let module_key = SourceIndex::module_key(&first.parsed);
    let at = (block.file.as_path(), &block.span);
    let mut resolved = Resolved::default();
    for (change, local) in first.changes.iter().zip(stage1) {
        let r = local.and_then(|l| match l {
            Local::Done(r) => Ok(r),
            Local::Ref { root: "var", name } => resolve_var(ctx, &module_key, &name, change, at),
            Local::Ref { name, .. } => resolve_local(ctx, &module_key, &name, change, at),
        });
        let r = r.map_err(|reason| format!("{}: {reason}", change.path))?;
        resolved.edits.extend(r.edits);
        resolved.also.extend(r.also);
        if r.unsafe_note.is_some() {
            resolved.unsafe_note = r.unsafe_note;
        }
    }
    Ok(resolved)
}

/// The fix's edits from what was resolved; a shared literal, or a reason found on the way, makes
/// a safe fix unsafe.
fn finish(fix: &mut Fix, mut resolved: Resolved) {
    // Two changes of one fix landing on the same literal (two attributes from one variable), or
    // inserting at the same point (two attributes added to one block).
    resolved.edits.sort_by_key(|e| {
        (
            e.edit.file.to_string_lossy().into_owned(),
            e.edit.span.start,
        )
    });
    resolved.edits.dedup_by(|a, b| {
        a.edit.file == b.edit.file
            && a.edit.span.start == b.edit.span.start
            && a.edit.new_text == b.edit.new_text
    });
    fix.edits = merge_planned(resolved.edits);
    fix.also_changes = resolved.also.into_iter().collect();
    let unsafe_now = !fix.also_changes.is_empty() || resolved.unsafe_note.is_some();
    if unsafe_now && fix.applicability == Applicability::Safe {
        // The edited literal is shared (it changes more than this block), or it is risky here.
        fix.applicability = Applicability::Unsafe;
    }
    if let Some(n) = resolved.unsafe_note {
        fix.note = Some(match fix.note.take() {
            Some(old) => format!("{old}; {n}"),
            None => n,
        });
    }
}

/// Insertions of one fix at the same point become one edit.
pub(super) fn merge_planned(edits: Vec<PlannedEdit>) -> Vec<PlannedEdit> {
    let mut out: Vec<PlannedEdit> = Vec::with_capacity(edits.len());
    for e in edits {
        if let Some(prev) = out.iter_mut().find(|p| {
            p.edit.file == e.edit.file
                && p.edit.span.is_empty()
                && e.edit.span.is_empty()
                && p.edit.span.start == e.edit.span.start
        }) {
            let merged = edit::merge_insertions(vec![prev.edit.clone(), e.edit]);
            prev.edit = merged.into_iter().next().expect("one merged edit");
            continue;
        }
        out.push(e);
    }
    out
}

/// Why an address has no block in the index.
pub(super) fn missing_reason(index: &SourceIndex, addr: &Address) -> String {
    // The deepest module of the address that the index has; a skipped call below it explains.
    let names: Vec<&str> = addr.module.iter().map(|m| m.name.as_str()).collect();
    for n in (0..names.len()).rev() {
        let module = names[..=n]
            .iter()
            .map(|m| format!("module.{m}"))
            .collect::<Vec<_>>()
            .join(".");
        if let Some(s) = index.skipped.iter().find(|s| s.module == module) {
            return format!(
                "declared in {} (source \"{}\"), which is not edited: {}",
                s.module, s.source, s.reason
            );
        }
    }
    format!(
        "{} is not declared in the sources: the plan does not match the .tf files (resource missing from the code)",
        block_address(addr)
    )
}

/// Where the walk through nested blocks ended.
enum Walked<'b> {
    /// In this body (spanning these bytes).
    Body(&'b Body, Range<usize>),
    /// The nested block is missing: it is added with the attribute.
    Added(Resolved),
}

/// Follow the nested blocks of an attribute path (`root_block_device[0]`) from `top`.
fn walk_nested<'b>(
    file: &SourceFile,
    path: &Path,
    top: &'b HclBlock,
    nested: &[Seg],
    attr: &str,
    change: &Change,
) -> Result<Walked<'b>, String> {
    let mut body: &Body = &top.body;
    let mut body_span = file.span(top.span().ok_or("block without a span")?);
    let mut i = 0;
    while i < nested.len() {
        let Seg::Key(name) = &nested[i] else {
            return Err("unexpected index in the attribute path".into());
        };
        let n = match nested.get(i + 1) {
            Some(Seg::Index(n)) => {
                i += 2;
                *n
            }
            _ => {
                i += 1;
                0
            }
        };
        let statics: Vec<&HclBlock> = body
            .iter()
            .filter_map(|s| match s {
                Structure::Block(b) if b.ident.as_str() == name => Some(b),
                _ => None,
            })
            .collect();
        let dynamic = body.iter().any(|s| {
            matches!(s, Structure::Block(b) if b.ident.as_str() == "dynamic"
                && b.labels.first().is_some_and(|l| label_str(l) == name))
        });
        if dynamic {
            return Err(format!(
                "`{name}` comes from a `dynamic` block: its values are expressions"
            ));
        }
        match statics.get(n) {
            Some(b) => {
                body_span = file.span(b.span().ok_or("block without a span")?);
                body = &b.body;
            }
            None if statics.is_empty() && n == 0 && i == nested.len() => {
                let value = hcl_literal(&change.to)?;
                let edit = insert::insert_block(path, &file.text, &body_span, name, attr, &value)
                    .ok_or("cannot find where to insert the block")?;
                return Ok(Walked::Added(Resolved {
                    edits: vec![planned(file, path, edit, format!("new `{name}` block"))],
                    ..Default::default()
                }));
            }
            None => {
                return Err(format!(
                    "the sources have {} `{name}` block(s), the plan more: it does not match the .tf files",
                    statics.len()
                ))
            }
        }
    }
    Ok(Walked::Body(body, body_span))
}

/// The in-block part of one change: edit a literal or add the attribute here, or say which
/// `var.x`/`local.x` holds the value.
pub(super) fn in_block(
    file: &SourceFile,
    path: &Path,
    top: &HclBlock,
    change: &Change,
) -> Result<Local, String> {
    let segs = &change.path.0;
    let (last, nested) = segs.split_last().ok_or("empty attribute path")?;
    let Seg::Key(attr) = last else {
        return Err("the path ends in an index".into());
    };
    let (body, body_span) = match walk_nested(file, path, top, nested, attr, change)? {
        Walked::Body(b, span) => (b, span),
        Walked::Added(r) => return Ok(Local::Done(r)),
    };
    let what = if nested.is_empty() {
        "resource block".to_string()
    } else {
        format!("`{}` block", nested_name(nested))
    };
    let Some(a) = body.get_attribute(attr) else {
        let value = hcl_literal(&change.to)?;
        let edit = insert::insert_attribute(path, &file.text, &body_span, attr, &value)
            .ok_or("cannot find where to insert the attribute")?;
        return Ok(Local::Done(Resolved {
            edits: vec![planned(file, path, edit, format!("{what} (new attribute)"))],
            ..Default::default()
        }));
    };
    let span = file.span(a.value.span().ok_or("value without a span")?);
    if let Some((root @ ("var" | "local"), name)) = simple_reference(&a.value) {
        return Ok(Local::Ref {
            root: if root == "var" { "var" } else { "local" },
            name: name.to_string(),
        });
    }
    literal_edit(file, path, &a.value, attr, span, change, what).map(Local::Done)
}

pub(super) fn nested_name(nested: &[Seg]) -> String {
    nested
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

pub(super) fn label_str(l: &hcl::edit::structure::BlockLabel) -> &str {
    match l {
        hcl::edit::structure::BlockLabel::String(s) => s.as_str(),
        hcl::edit::structure::BlockLabel::Ident(i) => i.as_str(),
    }
}

pub(super) fn planned(file: &SourceFile, path: &Path, edit: Edit, target: String) -> PlannedEdit {
    debug_assert_eq!(edit.file, path);
    PlannedEdit {
        line: file.line(edit.span.start),
        old_text: file.text[edit.span.clone()].to_string(),
        target,
        edit,
    }
}

/// Resolve the expression found for an attribute: a literal is edited where it is; `var.x` and
/// `local.x` are followed; anything else has no fix.
#[allow(clippy::too_many_arguments)]
pub(super) fn resolve_expr(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    path: &Path,
    file: &SourceFile,
    expr: &Expression,
    key: &str,
    span: Range<usize>,
    change: &Change,
    target: String,
    user_span: &Range<usize>,
) -> Result<Resolved, String> {
    if literal(expr).is_some() {
        return literal_edit(file, path, expr, key, span, change, target);
    }
    if let Some((root, name)) = simple_reference(expr) {
        match root {
            "var" => return resolve_var(ctx, module_key, name, change, (path, user_span)),
            "local" => return resolve_local(ctx, module_key, name, change, (path, user_span)),
            _ => {}
        }
    }
    Err(format!(
        "the value is the expression `{}` ({}): costfix edits literal values only",
        file.text[span.clone()].trim(),
        expression_kind(expr)
    ))
}

/// The edit of a literal value, if it is one and holds the plan's value.
pub(super) fn literal_edit(
    file: &SourceFile,
    path: &Path,
    expr: &Expression,
    key: &str,
    span: Range<usize>,
    change: &Change,
    target: String,
) -> Result<Resolved, String> {
    if let Some(v) = literal(expr) {
        if !change.from.is_null() && !same_value(&v, &change.from) {
            return Err(format!(
                "{}:{} says {} but the plan says {}: the plan was not made from these sources, or the value is set elsewhere (-var, -var-file, TF_VAR_): re-run terraform plan",
                path.display(),
                file.line(span.start),
                file.text[span.clone()].trim(),
                change.from
            ));
        }
        let value = hcl_literal(&change.to)?;
        let key = key.to_string();
        let edit = Edit {
            file: path.to_owned(),
            span: span.clone(),
            new_text: value.clone(),
            expect: vec![Expect {
                key,
                value: 0..value.len(),
            }],
            anchor: None,
        };
        return Ok(Resolved {
            edits: vec![planned(file, path, edit, target)],
            ..Default::default()
        });
    }
    Err(format!(
        "the value is the expression `{}` ({}): costfix edits literal values only",
        file.text[span.clone()].trim(),
        expression_kind(expr)
    ))
}

pub(super) fn expression_kind(e: &Expression) -> &'static str {
    match e {
        Expression::Conditional(_) => "a conditional",
        Expression::FuncCall(_) => "a function call",
        Expression::ForExpr(_) => "a for expression",
        Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => "a template",
        Expression::Traversal(t) => match &t.expr {
            Expression::Variable(v) if v.as_str() == "each" => "an each.value of for_each",
            Expression::Variable(v) if v.as_str() == "count" => "a count.index",
            Expression::Variable(v) if v.as_str() == "var" || v.as_str() == "local" => {
                "a reference into a variable or local"
            }
            Expression::Variable(v) if v.as_str() == "module" => "a module output",
            Expression::Variable(v) if v.as_str() == "data" => "a data source",
            _ => "a reference to another object",
        },
        Expression::BinaryOp(_) | Expression::UnaryOp(_) => "an operation",
        Expression::Object(_) => "an object",
        Expression::Array(_) => "a list with expressions",
        _ => "an expression",
    }
}

/// `var.name` / `local.name` with nothing after it.
pub(super) fn simple_reference(e: &Expression) -> Option<(&str, &str)> {
    let Expression::Traversal(t) = e else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    match t.operators.as_slice() {
        [op] => match op.value() {
            TraversalOperator::GetAttr(name) => Some((root.as_str(), name.as_str())),
            _ => None,
        },
        _ => None,
    }
}
