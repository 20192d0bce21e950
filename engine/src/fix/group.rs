//! The index pass: findings grouped per block and change, every `.tf` file parsed once (in
//! parallel) while the in-block part of each fix, the references and the declarations are
//! recorded; then each group located, and module calls needing the same change merged.

use super::*;

/// Findings grouped into one fix each: findings of one rule asking the same change of one block
/// (instances of `count`/`for_each`, or of a module called several times).
struct Groups {
    groups: Vec<Vec<RuleFinding>>,
    /// Block key (`module|type.name`) → the groups of that block.
    by_block: HashMap<String, Vec<usize>>,
    /// (rule|block address, change) of every finding.
    same_change: HashSet<(String, String)>,
}

fn group(findings: Vec<RuleFinding>) -> Groups {
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
        let key = (
            SourceIndex::key_of(&f.parsed),
            f.rule,
            change_key(&f.changes),
        );
        grouped.entry(key).or_default().push(f);
    }
    let groups: Vec<Vec<RuleFinding>> = grouped.into_values().collect();
    let mut by_block: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        by_block
            .entry(SourceIndex::key_of(&g[0].parsed))
            .or_default()
            .push(i);
    }
    Groups {
        groups,
        by_block,
        same_change,
    }
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
    let g = group(findings);
    let meta = std::sync::Mutex::new(Meta::default());
    let visit = |module_key: &str, path: &Path, file: &SourceFile| {
        let mine = visit_file(&g, module_key, path, file);
        meta.lock().expect("no panic while locked").merge(mine);
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
        same_change: &g.same_change,
        rule: "",
        to: String::new(),
        meta,
        surprising: HashMap::new(),
    };
    let mut fixes = Vec::with_capacity(g.groups.len());
    for (id, fs) in g.groups.into_iter().enumerate() {
        let address = block_address(&fs[0].parsed);
        let results = stage1.remove(&id);
        fixes.push(plan_one(&mut ctx, address, fs, results));
    }
    Ok((merge_module_calls(fixes), index))
}

impl Meta {
    /// Add what one file's visit recorded.
    fn merge(&mut self, mine: Meta) {
        for (k, mut v) in mine.mentions {
            self.mentions.entry(k).or_default().append(&mut v);
        }
        for (k, d) in mine.decls {
            let e = self.decls.entry(k).or_default();
            for (n, p) in d.variables {
                e.variables.entry(n).or_insert(p);
            }
            for (n, p) in d.locals {
                e.locals.entry(n).or_insert(p);
            }
        }
        self.stage1.extend(mine.stage1);
    }
}

/// One file of the index pass: its declarations, which blocks mention which references, and the
/// in-block result of every group whose block it holds.
fn visit_file(g: &Groups, module_key: &str, path: &Path, file: &SourceFile) -> Meta {
    let mut mine = Meta::default();
    let prefix: String = module_key
        .split('.')
        .filter(|m| !m.is_empty())
        .map(|m| format!("module.{m}."))
        .collect();
    for s in file.body.iter() {
        let Structure::Block(b) = s else { continue };
        let Some(span) = b.span().map(|sp| file.span(sp)) else {
            continue;
        };
        let labels: Vec<&str> = b.labels.iter().map(label_str).collect();
        let at = || format!("{}:{}", path.display(), file.line(span.start));
        let name = match (b.ident.as_str(), labels.as_slice()) {
            ("resource", [t, n]) => Some(format!("{prefix}{t}.{n}")),
            ("data", [t, n]) => Some(format!("{prefix}data.{t}.{n}")),
            ("module", [n]) => Some(format!("{prefix}module.{n}")),
            ("output", [n]) => Some(format!("{prefix}output.{n}")),
            ("variable", [n]) => {
                let d = mine.decls.entry(module_key.to_string()).or_default();
                d.variables
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
                Some(format!("{prefix}locals ({})", at()))
            }
            (kind, _) => Some(format!("{prefix}{kind} ({})", at())),
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
        for &id in g.by_block.get(&key).into_iter().flatten() {
            let results = g.groups[id][0]
                .changes
                .iter()
                .map(|c| in_block(file, path, b, c))
                .collect();
            mine.stage1.insert(id, results);
        }
    }
    mine
}

/// One block serving several module calls (a module folder called twice) gets one fix when the
/// calls need the same change. Sorted by file, line, address and rule.
fn merge_module_calls(mut fixes: Vec<Fix>) -> Vec<Fix> {
    fixes.sort_by(|a, b| {
        (&a.file, a.line, a.rule, &a.address).cmp(&(&b.file, b.line, b.rule, &b.address))
    });
    let mut merged: Vec<Fix> = Vec::with_capacity(fixes.len());
    for f in fixes {
        match merged.last_mut() {
            Some(prev) if same_block_fix(prev, &f) => {
                prev.instances.extend(f.instances);
                prev.saving = prev.saving.zip(f.saving).map(|(a, b)| a + b);
                // The riskier of the two.
                prev.applicability = prev.applicability.min(f.applicability);
                for a in f.also_changes {
                    if !prev.also_changes.contains(&a) {
                        prev.also_changes.push(a);
                    }
                }
            }
            _ => merged.push(f),
        }
    }
    merged.sort_by(|a, b| {
        (&a.file, a.line, &a.address, a.rule).cmp(&(&b.file, b.line, &b.address, b.rule))
    });
    merged
}

/// Whether two fixes are the same change of the same block, with the same edits.
fn same_block_fix(a: &Fix, b: &Fix) -> bool {
    a.file.is_some()
        && a.file == b.file
        && a.line == b.line
        && a.rule == b.rule
        && change_key(&a.changes) == change_key(&b.changes)
        && a.no_fix == b.no_fix
        && a.suppressed == b.suppressed
        && a.edits.len() == b.edits.len()
        && a.edits.iter().zip(&b.edits).all(|(x, y)| {
            x.edit.file == y.edit.file
                && x.edit.span.start == y.edit.span.start
                && x.edit.new_text == y.edit.new_text
        })
}

/// `var.x` and `local.x` references in a block's text (outside `#` and `//` comments).
pub(super) fn references_in(text: &str) -> Vec<String> {
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

pub(super) fn change_key(changes: &[Change]) -> String {
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
