//! From rule findings to fixes in the `.tf` sources.
//!
//! 1. Findings on instances of one block (`count`, `for_each`, a module called with `for_each`)
//!    become one [`Fix`]: the block is edited once.
//! 2. For each attribute to change, find where its literal lives: in the block itself; in a
//!    `variable`'s `default`, a `terraform.tfvars` or `*.auto.tfvars` file (Terraform's
//!    precedence: the last `*.auto.tfvars` in lexical order wins over `terraform.tfvars`, which
//!    wins over the default); in the argument of the calling `module` block (following it up
//!    through parent modules); or in a `locals` entry. A value that comes from anything else (a
//!    conditional, a function, `for`, another resource, `each.value`) gets no fix, with the reason.
//! 3. A literal shared with other blocks (a variable several resources read, a module folder
//!    called twice) is still offered, as an unsafe fix listing what else it changes.
//! 4. The literal found must equal the plan's value: if it does not, the plan was not made from
//!    these sources (or the value came from `-var` or `TF_VAR_`), and nothing is proposed.
//! 5. [`select`] takes the fixes allowed (safe, plus unsafe with `--unsafe-fixes`), refuses any
//!    whose edits overlap an edit already taken (as tflint does), splices each file and verifies
//!    it by parsing it again and reading every edited attribute back.

pub mod applicability;
pub mod run;

pub use applicability::Applicability;
pub use run::{run, FixReport, FixRequest, Summary};

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::{Block as HclBlock, Body, Structure};
use hcl::edit::Span;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::hcl::edit::{self, Edit, EditError, Expect};
use crate::hcl::insert;
use crate::hcl::source::SourceIndex;
use crate::rules::{Change, RuleFinding, Seg};
use crate::terraform::address::Address;
use crate::terraform::plan::Plan;

/// One rule's fix for one block (all the instances declared by it).
#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    pub rule: &'static str,
    pub name: &'static str,
    /// The block's address: module names and resource, without instance keys.
    pub address: String,
    /// The instances found (plan addresses).
    pub instances: Vec<String>,
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub changes: Vec<Change>,
    pub applicability: Applicability,
    /// Monthly saving over all instances; None when it depends on usage not given.
    #[serde(with = "crate::cost::opt_dec")]
    pub saving: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saving_note: Option<String>,
    /// The edits, empty when there is no fix.
    pub edits: Vec<PlannedEdit>,
    /// Other blocks the edits change too (a shared variable or module).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_changes: Vec<String>,
    /// Why there is no fix (or why it was refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_fix: Option<String>,
    /// The reason of a `costfix:ignore` comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// Set by [`select`]: the fix's edits are in the patch.
    pub applied: bool,
    /// The block's byte span in `file`.
    #[serde(skip)]
    pub block_span: Option<Range<usize>>,
}

impl Fix {
    /// Whether the fix has edits that may be applied at `allowed` (safe, or unsafe too).
    pub fn applicable(&self, allowed: Applicability) -> bool {
        !self.edits.is_empty()
            && self.no_fix.is_none()
            && self.suppressed.is_none()
            && self.applicability <= allowed
            && self.applicability != Applicability::DisplayOnly
    }
}

/// One edit of a fix, with its context for humans and tools.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedEdit {
    pub file: String,
    /// 1-based line of the edit.
    pub line: usize,
    /// Byte range in the original file.
    pub start: usize,
    pub end: usize,
    /// The text replaced (empty for an insertion) and the new text.
    pub old_text: String,
    pub new_text: String,
    /// What is edited: `resource block`, `variable "x" default`, `terraform.tfvars`, ...
    pub target: String,
    #[serde(skip)]
    pub edit: Edit,
}

use crate::hcl::source::SourceFile;

/// Files read while resolving, parsed once.
#[derive(Default)]
struct Files {
    map: HashMap<PathBuf, Result<Arc<SourceFile>, String>>,
}

fn read_source(path: &Path) -> Result<SourceFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (body, bom) = edit::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(SourceFile::new(text, body, bom))
}

impl Files {
    fn get(&mut self, path: &Path) -> Result<Arc<SourceFile>, String> {
        self.map
            .entry(path.to_owned())
            .or_insert_with(|| read_source(path).map(Arc::new))
            .clone()
    }
}

impl SourceFile {
    fn line(&self, offset: usize) -> usize {
        self.line_of(offset)
    }
    fn span(&self, s: Range<usize>) -> Range<usize> {
        s.start + self.bom..s.end + self.bom
    }
    /// The top-level block starting at `start`.
    fn block_at(&self, start: usize) -> Option<&HclBlock> {
        self.body.iter().find_map(|s| match s {
            Structure::Block(b) if b.span().is_some_and(|sp| sp.start + self.bom == start) => {
                Some(b)
            }
            _ => None,
        })
    }
}

/// What resolving one attribute gave.
#[derive(Default)]
struct Resolved {
    edits: Vec<PlannedEdit>,
    also: BTreeSet<String>,
    /// A reason to make the fix unsafe.
    unsafe_note: Option<String>,
}

struct Ctx<'a> {
    index: &'a SourceIndex,
    plan: &'a Plan<'a>,
    files: Files,
    /// Blocks whose findings ask for the same change (rule, block address, target value): a
    /// shared literal that changes them too is no surprise.
    same_change: &'a HashSet<(String, String)>,
    rule: &'static str,
    to: String,
    /// References and declarations recorded by the index pass.
    meta: Meta,
    decls: HashMap<String, Arc<Decls>>,
    /// The users that do not get the same fix, per (module, reference, rule, change).
    #[allow(clippy::type_complexity)]
    surprising: HashMap<(String, String, &'static str, String), Arc<Users>>,
}

/// Blocks mentioning a reference: (file, span, display name).
type Users = Vec<(PathBuf, Range<usize>, String)>;

/// What the in-block pass found for one change: edits, or a `var.x`/`local.x` to follow.
enum Local {
    Done(Resolved),
    Ref { root: &'static str, name: String },
}

/// What the index pass records for the second pass.
#[derive(Default)]
struct Meta {
    /// (module key, `var.x`/`local.x`) → blocks mentioning it: (file, span, name).
    mentions: HashMap<(String, String), Users>,
    decls: HashMap<String, Decls>,
    /// Group id → the in-block result of each change.
    stage1: HashMap<usize, Vec<Result<Local, String>>>,
}

/// Index the sources under `root` and turn findings into fixes located in them. Each `.tf` file
/// is parsed once: the in-block part of every fix (and the references and declarations the
/// second pass needs) is worked out while the file's syntax tree exists, in parallel; then
/// `var.x` and `local.x` values are followed to their literals.
pub fn plan_fixes(
    findings: Vec<RuleFinding>,
    root: &Path,
    plan: &Plan<'_>,
) -> crate::Result<(Vec<Fix>, SourceIndex)> {
    // Findings of one rule asking the same change of one block (instances of `count`/`for_each`,
    // or of a module called several times) are one fix.
    let same_change: HashSet<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                format!("{}|{}", f.rule, block_address(&f.parsed)),
                change_key(&f.changes),
            )
        })
        .collect();
    let mut grouped: BTreeMap<(String, &'static str, String), Vec<RuleFinding>> = BTreeMap::new();
    for f in findings {
        grouped
            .entry((
                SourceIndex::key_of(&f.parsed),
                f.rule,
                change_key(&f.changes),
            ))
            .or_default()
            .push(f);
    }
    let groups: Vec<Vec<RuleFinding>> = grouped.into_values().collect();
    let mut by_block: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        by_block
            .entry(SourceIndex::key_of(&g[0].parsed))
            .or_default()
            .push(i);
    }
    let meta = std::sync::Mutex::new(Meta::default());
    let visit = |module_key: &str, path: &Path, file: &SourceFile| {
        let mut mine = Meta::default();
        for s in file.body.iter() {
            let Structure::Block(b) = s else { continue };
            let Some(span) = b.span().map(|sp| file.span(sp)) else {
                continue;
            };
            let labels: Vec<&str> = b.labels.iter().map(label_str).collect();
            let prefix: String = module_key
                .split('.')
                .filter(|m| !m.is_empty())
                .map(|m| format!("module.{m}."))
                .collect();
            let name = match (b.ident.as_str(), labels.as_slice()) {
                ("resource", [t, n]) => Some(format!("{prefix}{t}.{n}")),
                ("data", [t, n]) => Some(format!("{prefix}data.{t}.{n}")),
                ("module", [n]) => Some(format!("{prefix}module.{n}")),
                ("output", [n]) => Some(format!("{prefix}output.{n}")),
                ("variable", [n]) => {
                    mine.decls
                        .entry(module_key.to_string())
                        .or_default()
                        .variables
                        .entry(n.to_string())
                        .or_insert_with(|| path.to_owned());
                    None
                }
                ("locals", _) => {
                    let d = mine.decls.entry(module_key.to_string()).or_default();
                    for st in b.body.iter() {
                        if let Structure::Attribute(a) = st {
                            d.locals
                                .entry(a.key.as_str().to_string())
                                .or_insert_with(|| path.to_owned());
                        }
                    }
                    Some(format!(
                        "{prefix}locals ({}:{})",
                        path.display(),
                        file.line(span.start)
                    ))
                }
                (kind, _) => Some(format!(
                    "{prefix}{kind} ({}:{})",
                    path.display(),
                    file.line(span.start)
                )),
            };
            if let Some(name) = name {
                for r in references_in(&file.text[span.clone()]) {
                    mine.mentions
                        .entry((module_key.to_string(), r))
                        .or_default()
                        .push((path.to_owned(), span.clone(), name.clone()));
                }
            }
            let key = match (b.ident.as_str(), labels.as_slice()) {
                ("resource", [t, n]) => format!("{module_key}|{t}.{n}"),
                ("data", [t, n]) => format!("{module_key}|data.{t}.{n}"),
                _ => continue,
            };
            for &id in by_block.get(&key).into_iter().flatten() {
                let results = groups[id][0]
                    .changes
                    .iter()
                    .map(|c| in_block(file, path, b, c))
                    .collect();
                mine.stage1.insert(id, results);
            }
        }
        let mut all = meta.lock().expect("no panic while locked");
        for (k, mut v) in mine.mentions {
            all.mentions.entry(k).or_default().append(&mut v);
        }
        for (k, d) in mine.decls {
            let e = all.decls.entry(k).or_default();
            for (n, p) in d.variables {
                e.variables.entry(n).or_insert(p);
            }
            for (n, p) in d.locals {
                e.locals.entry(n).or_insert(p);
            }
        }
        all.stage1.extend(mine.stage1);
    };
    let index = SourceIndex::build_visiting(root, &visit)?;
    let mut meta = meta.into_inner().expect("no panic while locked");
    for v in meta.mentions.values_mut() {
        v.sort_by(|a, b| (&a.0, a.1.start, &a.2).cmp(&(&b.0, b.1.start, &b.2)));
    }
    let mut stage1 = std::mem::take(&mut meta.stage1);
    let decls = std::mem::take(&mut meta.decls)
        .into_iter()
        .map(|(k, d)| (k, Arc::new(d)))
        .collect();
    let mut ctx = Ctx {
        decls,
        index: &index,
        plan,
        files: Files::default(),
        same_change: &same_change,
        rule: "",
        to: String::new(),
        meta,
        surprising: HashMap::new(),
    };
    let mut fixes = Vec::with_capacity(groups.len());
    for (id, fs) in groups.into_iter().enumerate() {
        let address = block_address(&fs[0].parsed);
        let results = stage1.remove(&id);
        fixes.push(plan_one(&mut ctx, address, fs, results));
    }
    fixes.sort_by(|a, b| {
        (&a.file, a.line, a.rule, &a.address).cmp(&(&b.file, b.line, b.rule, &b.address))
    });
    // One block serving several module calls (a module folder called twice) gets one fix when
    // the calls need the same change.
    let mut merged: Vec<Fix> = Vec::with_capacity(fixes.len());
    for f in fixes {
        if let Some(prev) = merged.last_mut() {
            let same_block = prev.file.is_some()
                && prev.file == f.file
                && prev.line == f.line
                && prev.rule == f.rule
                && change_key(&prev.changes) == change_key(&f.changes)
                && prev.no_fix == f.no_fix
                && prev.suppressed == f.suppressed
                && prev.edits.len() == f.edits.len()
                && prev.edits.iter().zip(&f.edits).all(|(a, b)| {
                    a.file == b.file && a.start == b.start && a.new_text == b.new_text
                });
            if same_block {
                prev.instances.extend(f.instances);
                prev.saving = prev.saving.zip(f.saving).map(|(a, b)| a + b);
                prev.applicability = prev.applicability.max(f.applicability);
                for a in f.also_changes {
                    if !prev.also_changes.contains(&a) {
                        prev.also_changes.push(a);
                    }
                }
                continue;
            }
        }
        merged.push(f);
    }
    merged.sort_by(|a, b| {
        (&a.file, a.line, &a.address, a.rule).cmp(&(&b.file, b.line, &b.address, b.rule))
    });
    Ok((merged, index))
}

/// `var.x` and `local.x` references in a block's text (outside `#` and `//` comments).
fn references_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if !(line.contains("var.") || line.contains("local.")) {
            continue;
        }
        let code = line.find('#').map_or(line, |i| &line[..i]);
        let code = code.find("//").map_or(code, |i| &code[..i]);
        for root in ["var.", "local."] {
            let mut from = 0;
            while let Some(i) = code[from..].find(root) {
                let at = from + i;
                from = at + root.len();
                let before = code[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.') {
                    continue;
                }
                let name: String = code[from..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                if !name.is_empty() {
                    out.push(format!("{root}{name}"));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn change_key(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| format!("{}={}", c.path, c.to))
        .collect::<Vec<_>>()
        .join(",")
}

/// `module.a.module.b.aws_instance.x`, without instance keys.
pub fn block_address(a: &Address) -> String {
    let mut s = String::new();
    for m in &a.module {
        s.push_str("module.");
        s.push_str(&m.name);
        s.push('.');
    }
    if a.mode == crate::terraform::address::Mode::Data {
        s.push_str("data.");
    }
    s.push_str(&a.resource_type);
    s.push('.');
    s.push_str(&a.name);
    s
}

fn plan_one(
    ctx: &mut Ctx<'_>,
    address: String,
    fs: Vec<RuleFinding>,
    stage1: Option<Vec<Result<Local, String>>>,
) -> Fix {
    let first = &fs[0];
    let saving = fs
        .iter()
        .map(|f| f.saving)
        .try_fold(Decimal::ZERO, |acc, s| s.map(|s| acc + s));
    let mut fix = Fix {
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
            .max()
            .unwrap_or(first.applicability),
        saving,
        saving_note: first.saving_note.clone(),
        edits: Vec::new(),
        also_changes: Vec::new(),
        no_fix: None,
        suppressed: None,
        applied: false,
        block_span: None,
    };
    let Some(block) = ctx.index.locate(&first.parsed) else {
        fix.no_fix = Some(missing_reason(ctx.index, &first.parsed));
        return fix;
    };
    fix.file = Some(block.file.display().to_string());
    fix.line = Some(block.line);
    fix.block_span = Some(block.span.clone());
    if let Some((_, reason)) = block.ignores.iter().find(|(id, _)| {
        id.eq_ignore_ascii_case(first.rule) || id.eq_ignore_ascii_case(first.name) || id == "all"
    }) {
        fix.suppressed = Some(if reason.is_empty() {
            "costfix:ignore".into()
        } else {
            reason.clone()
        });
    }
    if fix.changes.is_empty() {
        // Display-only findings without an attribute change (remove a resource, ...).
        fix.no_fix = Some("no attribute edit can do this: see the note".into());
        return fix;
    }
    if fs
        .iter()
        .any(|f| change_key(&f.changes) != change_key(&first.changes))
    {
        fix.no_fix = Some(
            "the instances of this block need different changes (their values come from count/for_each): edit them by hand".into(),
        );
        return fix;
    }
    if block.json {
        fix.no_fix = Some(format!(
            "declared in {}: .tf.json files are not edited (yet)",
            block.file.display()
        ));
        return fix;
    }
    ctx.rule = first.rule;
    ctx.to = change_key(&first.changes);
    let module_key = SourceIndex::module_key(&first.parsed);
    let mut resolved = Resolved::default();
    let Some(stage1) = stage1 else {
        fix.no_fix = Some("the block was not found when the sources were read".into());
        return fix;
    };
    for (change, local) in fix.changes.clone().iter().zip(stage1) {
        let r = local.and_then(|l| match l {
            Local::Done(r) => Ok(r),
            Local::Ref { root: "var", name } => {
                resolve_var(ctx, &module_key, &name, change, (&block.file, &block.span))
            }
            Local::Ref { name, .. } => {
                resolve_local(ctx, &module_key, &name, change, (&block.file, &block.span))
            }
        });
        match r {
            Ok(r) => {
                resolved.edits.extend(r.edits);
                resolved.also.extend(r.also);
                if r.unsafe_note.is_some() {
                    resolved.unsafe_note = r.unsafe_note;
                }
            }
            Err(reason) => {
                fix.no_fix = Some(format!("{}: {reason}", change.path));
                return fix;
            }
        }
    }
    // Two changes of one fix landing on the same literal (two attributes from one variable), or
    // inserting at the same point (two attributes added to one block).
    resolved.edits.sort_by_key(|e| (e.file.clone(), e.start));
    resolved
        .edits
        .dedup_by(|a, b| a.file == b.file && a.start == b.start && a.new_text == b.new_text);
    fix.edits = merge_planned(resolved.edits);
    fix.also_changes = resolved.also.into_iter().collect();
    if !fix.also_changes.is_empty() {
        // The edited literal is shared: it changes more than this block.
        if fix.applicability == Applicability::Safe {
            fix.applicability = Applicability::Unsafe;
        }
    }
    if let Some(n) = resolved.unsafe_note {
        if fix.applicability == Applicability::Safe {
            fix.applicability = Applicability::Unsafe;
        }
        fix.note = Some(match fix.note.take() {
            Some(old) => format!("{old}; {n}"),
            None => n,
        });
    }
    fix
}

/// Insertions of one fix at the same point become one edit.
fn merge_planned(edits: Vec<PlannedEdit>) -> Vec<PlannedEdit> {
    let mut out: Vec<PlannedEdit> = Vec::with_capacity(edits.len());
    for e in edits {
        if let Some(prev) = out.iter_mut().find(|p| {
            p.file == e.file && p.start == p.end && e.start == e.end && p.start == e.start
        }) {
            let merged = edit::merge_insertions(vec![prev.edit.clone(), e.edit]);
            prev.edit = merged.into_iter().next().expect("one merged edit");
            prev.new_text = prev.edit.new_text.clone();
            continue;
        }
        out.push(e);
    }
    out
}

/// Why an address has no block in the index.
fn missing_reason(index: &SourceIndex, addr: &Address) -> String {
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

/// The in-block part of one change: edit a literal or add the attribute here, or say which
/// `var.x`/`local.x` holds the value.
fn in_block(
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
    // Walk the nested blocks.
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
                // Add the nested block with the attribute.
                let value = hcl_literal(&change.to)?;
                let edit = insert::insert_block(path, &file.text, &body_span, name, attr, &value)
                    .ok_or("cannot find where to insert the block")?;
                return Ok(Local::Done(Resolved {
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
    match body.get_attribute(attr) {
        Some(a) => {
            let span = file.span(a.value.span().ok_or("value without a span")?);
            let what = if nested.is_empty() {
                "resource block".to_string()
            } else {
                format!("`{}` block", nested_name(nested))
            };
            if let Some((root @ ("var" | "local"), name)) = simple_reference(&a.value) {
                return Ok(Local::Ref {
                    root: if root == "var" { "var" } else { "local" },
                    name: name.to_string(),
                });
            }
            literal_edit(file, path, &a.value, attr, span, change, what).map(Local::Done)
        }
        None => {
            let value = hcl_literal(&change.to)?;
            let edit = insert::insert_attribute(path, &file.text, &body_span, attr, &value)
                .ok_or("cannot find where to insert the attribute")?;
            let what = if nested.is_empty() {
                "resource block".to_string()
            } else {
                format!("`{}` block", nested_name(nested))
            };
            Ok(Local::Done(Resolved {
                edits: vec![planned(file, path, edit, format!("{what} (new attribute)"))],
                ..Default::default()
            }))
        }
    }
}

fn nested_name(nested: &[Seg]) -> String {
    nested
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn label_str(l: &hcl::edit::structure::BlockLabel) -> &str {
    match l {
        hcl::edit::structure::BlockLabel::String(s) => s.as_str(),
        hcl::edit::structure::BlockLabel::Ident(i) => i.as_str(),
    }
}

fn planned(file: &SourceFile, path: &Path, edit: Edit, target: String) -> PlannedEdit {
    PlannedEdit {
        file: path.display().to_string(),
        line: file.line(edit.span.start),
        start: edit.span.start,
        end: edit.span.end,
        old_text: file.text[edit.span.clone()].to_string(),
        new_text: edit.new_text.clone(),
        target,
        edit,
    }
}

/// Resolve the expression found for an attribute: a literal is edited where it is; `var.x` and
/// `local.x` are followed; anything else has no fix.
#[allow(clippy::too_many_arguments)]
fn resolve_expr(
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
fn literal_edit(
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

fn expression_kind(e: &Expression) -> &'static str {
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
fn simple_reference(e: &Expression) -> Option<(&str, &str)> {
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

/// A `var.name` in module `module_key`: its value comes from the caller's argument (child
/// modules), from `.tfvars` files (root module), or from the variable's default.
fn resolve_var(
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
    let info = crate::hcl::source::ModuleInfo {
        dir: info.dir.clone(),
        files: Vec::new(),
        call: info.call.clone(),
    };
    let mut also = other_users(ctx, module_key, &format!("var.{name}"), user)?;
    let mut default_used = false;
    let mut result = if let Some(call) = &info.call {
        // A child module: the argument in the calling block, else the default.
        let file = ctx.files.get(&call.file)?;
        let block = file
            .block_at(call.span.start)
            .ok_or("the module block moved since the index was built")?;
        match block.body.get_attribute(name) {
            Some(a) => {
                let span = file.span(a.value.span().ok_or("value without a span")?);
                resolve_expr(
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
                )?
            }
            None => {
                default_used = true;
                variable_default(ctx, module_key, name, change)?
            }
        }
    } else {
        // The root module: the last .tfvars setting it wins over the default.
        match root_tfvars(ctx, &info.dir, name)? {
            Some((path, file, expr_span)) => {
                let (body_expr, target) = {
                    let expr = find_attr(&file.body, name).expect("found above");
                    (
                        expr,
                        path.file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_default(),
                    )
                };
                check_plan_variable(ctx, name, &file.text[expr_span.clone()], body_expr)?;
                resolve_expr(
                    ctx,
                    "",
                    &path,
                    &file,
                    body_expr,
                    name,
                    expr_span,
                    change,
                    target,
                    &(0..0),
                )?
            }
            None => {
                let r = variable_default(ctx, module_key, name, change)?;
                if let Some(v) = ctx.plan.variable(name) {
                    let plan_value: Value = serde_json::from_str(v.get()).unwrap_or(Value::Null);
                    if !change.from.is_null() && !same_value(&plan_value, &change.from) {
                        return Err(format!(
                            "var.{name} is {plan_value} in the plan, not its default: it is set by -var, -var-file or TF_VAR_{name}; change it there"
                        ));
                    }
                }
                r
            }
        }
    };
    // A module folder called from several places: its default serves every call that does not
    // set the argument.
    if default_used && info.call.is_some() {
        let users: Vec<String> = info
            .dir
            .canonicalize()
            .ok()
            .and_then(|c| ctx.index.dir_users.get(&c).cloned())
            .unwrap_or_default();
        for u in users.iter().filter(|u| *u != module_key) {
            let Some(call) = ctx.index.modules.get(u).and_then(|m| m.call.clone()) else {
                continue;
            };
            let file = ctx.files.get(&call.file)?;
            let sets = file
                .block_at(call.span.start)
                .is_some_and(|b| b.body.get_attribute(name).is_some());
            if !sets {
                also.insert(format!(
                    "module.{} (calls the same module folder without setting {name})",
                    u.replace('.', ".module.")
                ));
            }
        }
    }
    result.also.extend(also);
    Ok(result)
}

fn find_attr<'b>(body: &'b Body, name: &str) -> Option<&'b Expression> {
    body.get_attribute(name).map(|a| &a.value)
}

/// The highest-precedence `.tfvars` file of the root folder that sets `name`.
#[allow(clippy::type_complexity)]
fn root_tfvars(
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
fn check_plan_variable(
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
fn variable_default(
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
fn resolve_local(
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

/// Where a module declares its variables and locals: name → file.
#[derive(Default)]
struct Decls {
    variables: HashMap<String, PathBuf>,
    locals: HashMap<String, PathBuf>,
}

/// The declarations of a module, as the index pass recorded them.
fn decls(ctx: &mut Ctx<'_>, module_key: &str) -> Result<Arc<Decls>, String> {
    Ok(ctx.decls.get(module_key).cloned().unwrap_or_default())
}

/// The blocks of a module that mention `reference` (`var.x`): (file, span, name), as the index
/// pass recorded them.
fn users_of(ctx: &mut Ctx<'_>, module_key: &str, reference: &str) -> Result<Arc<Users>, String> {
    Ok(Arc::new(
        ctx.meta
            .mentions
            .get(&(module_key.to_string(), reference.to_string()))
            .cloned()
            .unwrap_or_default(),
    ))
}

/// Blocks of a module other than `user` that mention `reference` (`var.x`), leaving out those
/// that get the same fix from the same rule (no surprise there).
fn other_users(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    reference: &str,
    user: (&Path, &Range<usize>),
) -> Result<BTreeSet<String>, String> {
    let key = (
        module_key.to_string(),
        reference.to_string(),
        ctx.rule,
        ctx.to.clone(),
    );
    let surprising = match ctx.surprising.get(&key) {
        Some(s) => s.clone(),
        None => {
            let users = users_of(ctx, module_key, reference)?;
            let s: Arc<Users> = Arc::new(
                users
                    .iter()
                    .filter(|(_, _, name)| {
                        !ctx.same_change
                            .contains(&(format!("{}|{name}", ctx.rule), ctx.to.clone()))
                    })
                    .cloned()
                    .collect(),
            );
            ctx.surprising.insert(key, s.clone());
            s
        }
    };
    Ok(surprising
        .iter()
        .filter(|(path, span, _)| !(path == user.0 && span == user.1))
        .map(|(_, _, name)| name.clone())
        .collect())
}

/// The JSON value of a literal expression.
fn literal(e: &Expression) -> Option<Value> {
    Some(match e {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => {
            let n = n.value();
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else {
                Value::from(n.as_f64()?)
            }
        }
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(a) => Value::Array(a.iter().map(literal).collect::<Option<_>>()?),
        _ => return None,
    })
}

/// Equal as Terraform would see them (numbers by value, `"8"` and `8` alike).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            s.parse::<f64>().ok() == n.as_f64()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        _ => a == b,
    }
}

/// HCL text for a literal value.
pub fn hcl_literal(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '$' | '%' if chars.peek() == Some(&'{') => {
                        out.push(c);
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Value::Array(a) => {
            let items: Result<Vec<String>, String> = a.iter().map(hcl_literal).collect();
            format!("[{}]", items?.join(", "))
        }
        Value::Object(_) => return Err("object values are not written by fixes".into()),
    })
}

/// The result of choosing fixes: the new text of each changed file.
#[derive(Debug, Default)]
pub struct Patch {
    /// file → (original text, new text), sorted by file.
    pub files: BTreeMap<PathBuf, (String, String)>,
}

/// Choose the fixes to apply (applicability up to `allowed`), refusing overlaps, and build and
/// verify the new file texts. Marks the chosen fixes `applied`; a refused fix gets `no_fix`.
pub fn select(fixes: &mut [Fix], allowed: Applicability) -> Patch {
    // Order of preference: safer first, then bigger saving, then address.
    let mut order: Vec<usize> = (0..fixes.len())
        .filter(|&i| fixes[i].applicable(allowed))
        .collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&fixes[a], &fixes[b]);
        fa.applicability
            .cmp(&fb.applicability)
            .then_with(|| {
                fb.saving
                    .unwrap_or_default()
                    .cmp(&fa.saving.unwrap_or_default())
            })
            .then_with(|| (&fa.address, fa.rule).cmp(&(&fb.address, fb.rule)))
    });
    let mut taken: BTreeMap<PathBuf, Vec<(Edit, usize)>> = BTreeMap::new();
    for i in order {
        let mut conflict = None;
        'edits: for e in &fixes[i].edits {
            if let Some(list) = taken.get(&e.edit.file) {
                for (t, owner) in list {
                    let identical = t.span == e.edit.span && t.new_text == e.edit.new_text;
                    let both_insert_here = t.span.is_empty() && e.edit.span == t.span;
                    let overlap = (e.edit.span.start < t.span.end
                        && t.span.start < e.edit.span.end
                        || e.edit.span.start == t.span.start)
                        && !both_insert_here;
                    if overlap && !identical {
                        conflict = Some(*owner);
                        break 'edits;
                    }
                }
            }
        }
        if let Some(owner) = conflict {
            let other = &fixes[owner];
            let reason = format!(
                "its edit overlaps the fix of {} on {}: run costfix again after terraform plan to apply it",
                other.rule, other.address
            );
            fixes[i].no_fix = Some(reason);
            continue;
        }
        for e in &fixes[i].edits {
            let list = taken.entry(e.edit.file.clone()).or_default();
            if !list
                .iter()
                .any(|(t, _)| t.span == e.edit.span && t.new_text == e.edit.new_text)
            {
                list.push((e.edit.clone(), i));
            }
        }
        fixes[i].applied = true;
    }
    // Splice and verify per file, in parallel.
    type Spliced = (PathBuf, Result<(String, String), String>, Vec<usize>);
    let results: Vec<Spliced> = taken
        .into_par_iter()
        .map(|(path, edits)| {
            let owners: Vec<usize> = edits.iter().map(|(_, o)| *o).collect();
            let r = std::fs::read_to_string(&path)
                .map_err(|e| format!("{}: {e}", path.display()))
                .and_then(|original| {
                    let merged =
                        edit::merge_insertions(edits.iter().map(|(e, _)| e.clone()).collect());
                    let refs: Vec<&Edit> = merged.iter().collect();
                    edit::apply_verified(&original, &refs)
                        .map(|new| (original, new))
                        .map_err(|e: EditError| format!("{}: {e}", path.display()))
                });
            (path, r, owners)
        })
        .collect();
    let mut patch = Patch::default();
    for (path, r, owners) in results {
        match r {
            Ok(texts) => {
                patch.files.insert(path, texts);
            }
            Err(reason) => {
                for o in owners {
                    fixes[o].applied = false;
                    fixes[o].no_fix = Some(format!(
                        "refused: the edited file failed verification ({reason}); nothing written"
                    ));
                }
            }
        }
    }
    patch
}

/// The texts of the files the fixes edit, read in parallel (for [`preview`]).
pub fn read_edited(fixes: &[Fix]) -> HashMap<PathBuf, Arc<String>> {
    let mut paths: Vec<&PathBuf> = fixes
        .iter()
        .flat_map(|f| f.edits.iter().map(|e| &e.edit.file))
        .collect();
    paths.sort();
    paths.dedup();
    paths
        .into_par_iter()
        .filter_map(|p| Some((p.clone(), Arc::new(std::fs::read_to_string(p).ok()?))))
        .collect()
}

/// The diff of one fix alone, file by file (for showing a fix). Spliced, not verified: [`select`]
/// verifies what is applied. `texts` caches the files read.
pub fn preview(
    fix: &Fix,
    texts: &HashMap<PathBuf, Arc<String>>,
    label: impl Fn(&Path) -> String,
) -> Result<String, String> {
    let mut by_file: BTreeMap<PathBuf, Vec<&Edit>> = BTreeMap::new();
    for e in &fix.edits {
        by_file
            .entry(e.edit.file.clone())
            .or_default()
            .push(&e.edit);
    }
    let mut out = String::new();
    for (path, edits) in by_file {
        let merged = edit::merge_insertions(edits.into_iter().cloned().collect());
        let edits: Vec<&Edit> = merged.iter().collect();
        let original = match texts.get(&path) {
            Some(t) => t.clone(),
            None => Arc::new(
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?,
            ),
        };
        out.push_str(
            &edits_diff(&label(&path), &original, &edits)
                .map_err(|e| format!("{}: {e}", path.display()))?,
        );
    }
    Ok(out)
}

/// Write a patch's files atomically. Every file is checked writable before the first is written.
pub fn write(patch: &Patch) -> crate::Result<Vec<PathBuf>> {
    for path in patch.files.keys() {
        let meta = std::fs::metadata(path).map_err(|source| crate::Error::Io {
            path: path.clone(),
            source,
        })?;
        if meta.permissions().readonly() {
            return Err(crate::Error::InvalidNoSource {
                path: path.clone(),
                message: "the file is read-only: nothing was written".into(),
            });
        }
    }
    let mut written = Vec::new();
    for (path, (_, new)) in &patch.files {
        crate::fsutil::write_atomic(path, new.as_bytes())?;
        written.push(path.clone());
    }
    Ok(written)
}

/// A unified diff of one file (`git apply`-able), with `a/` and `b/` prefixes on `label`. Empty
/// when nothing changed.
pub fn unified_diff(label: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = format!("diff --git a/{label} b/{label}\n");
    out.push_str(
        &diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{label}"), &format!("b/{label}"))
            .to_string(),
    );
    out
}

/// The unified diff of `edits` on `original` (`label` names the file), computed on windows of
/// lines around the edits only: fast when a big file has a small fix. Same text as
/// [`unified_diff`] of the whole file, headers aside.
pub fn edits_diff(label: &str, original: &str, edits: &[&Edit]) -> Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    // Line starts of the original.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(original.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i <= original.len())
        .collect();
    let line_of = |offset: usize| match starts.binary_search(&offset) {
        Ok(i) => i,
        Err(i) => i - 1,
    };
    let line_start = |line: usize| starts.get(line).copied().unwrap_or(original.len());
    const CONTEXT: usize = 3;
    // Windows of whole lines, edits grouped when their windows touch.
    let mut windows: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for e in sorted {
        let first = line_of(e.span.start).saturating_sub(CONTEXT);
        let last = (line_of(e.span.end) + CONTEXT + 1).min(starts.len());
        match windows.last_mut() {
            Some(w) if first <= w.1 => {
                w.1 = w.1.max(last);
                w.2.push(e);
            }
            _ => windows.push((first, last, vec![e])),
        }
    }
    let mut out = format!("--- a/{label}\n+++ b/{label}\n");
    for (first, last, group) in windows {
        let (w0, w1) = (line_start(first), line_start(last));
        let shifted: Vec<Edit> = group
            .iter()
            .map(|e| Edit {
                span: e.span.start - w0..e.span.end - w0,
                ..(*e).clone()
            })
            .collect();
        let refs: Vec<&Edit> = shifted.iter().collect();
        let old = &original[w0..w1];
        let new = edit::splice(old, &refs)?;
        let diff = similar::TextDiff::from_lines(old, new.as_str());
        for hunk in diff.grouped_ops(CONTEXT) {
            let (Some(a), Some(b)) = (hunk.first(), hunk.last()) else {
                continue;
            };
            let (os, oe) = (a.old_range().start, b.old_range().end);
            let (ns, ne) = (a.new_range().start, b.new_range().end);
            let pos = |start: usize, len: usize| {
                if len == 0 {
                    first + start
                } else {
                    first + start + 1
                }
            };
            out.push_str(&format!(
                "@@ -{},{} +{},{} @@\n",
                pos(os, oe - os),
                oe - os,
                pos(ns, ne - ns),
                ne - ns
            ));
            for op in &hunk {
                for change in diff.iter_changes(op) {
                    let sign = match change.tag() {
                        similar::ChangeTag::Equal => ' ',
                        similar::ChangeTag::Delete => '-',
                        similar::ChangeTag::Insert => '+',
                    };
                    out.push(sign);
                    out.push_str(change.value());
                    if change.missing_newline() {
                        out.push_str("\n\\ No newline at end of file\n");
                    }
                }
            }
        }
    }
    Ok(out)
}
