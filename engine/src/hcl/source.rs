//! The `.tf` source index: where each resource of a plan is declared.
//!
//! The root folder's `.tf` (and `.tf.json`) files are parsed with hcl-edit, in parallel, and so are
//! the folders of local modules (`source = "./..."` or `"../..."`), recursively. A module whose
//! source is outside the root folder (after resolving symlinks), a registry or git module, or a
//! folder already being indexed further up (a cycle) is not followed; the index says why.
//!
//! [`SourceIndex::locate`] maps a plan address (module path, type, name; `count`/`for_each` keys
//! are ignored: all instances share one block) to its block: file, byte span, line, and the
//! `costfix:ignore` comments on it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::structure::{Body, Structure};
use hcl::edit::Span;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::terraform::address::{Address, Mode};

/// Deepest module nesting followed.
const MAX_DEPTH: usize = 32;

/// A declared resource or data block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// File, as given to the index (root folder joined with the relative path).
    pub file: PathBuf,
    /// Byte span of the whole block in the file.
    pub span: Range<usize>,
    /// 1-based line of the block's first line.
    pub line: usize,
    /// Declared in a `.tf.json` file (readable, not editable as HCL).
    pub json: bool,
    /// `# costfix:ignore ID reason` comments on the block: (id, reason).
    pub ignores: Vec<(String, String)>,
}

/// A module call the index did not follow, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `module.a.module.b`
    pub module: String,
    pub source: String,
    pub reason: String,
}

/// A module of the tree: its folder, files, and the `module` block that calls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The folder, as reached from the root folder (root joined with the `source` paths).
    pub dir: PathBuf,
    /// Its `.tf` and `.tf.json` files, sorted.
    pub files: Vec<PathBuf>,
    /// The `module` block calling it (None for the root module).
    pub call: Option<CallSite>,
}

/// A `module` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSite {
    /// The calling module's key (module names joined with `.`; empty for the root).
    pub parent: String,
    pub name: String,
    pub file: PathBuf,
    pub span: Range<usize>,
}

/// Where the resources of a configuration are declared.
#[derive(Debug, Default)]
pub struct SourceIndex {
    /// key: module names joined with `.` then `|`, then `data.`-prefixed for data sources, `type.name`.
    blocks: HashMap<String, Block>,
    /// Modules by key: module names joined with `.` (`""` is the root module).
    pub modules: HashMap<String, ModuleInfo>,
    /// Module keys by canonical folder: a folder called by several `module` blocks is shared.
    pub dir_users: HashMap<PathBuf, Vec<String>>,
    pub skipped: Vec<Skipped>,
    pub files: usize,
}

/// Called with each parsed `.tf` file (module key, path, file) while the index is built, in
/// parallel: work that needs the syntax tree is done then, and the tree dropped.
pub type Visitor<'v> = &'v (dyn Fn(&str, &Path, &SourceFile) + Sync);

fn block_key(modules: &[String], data: bool, rtype: &str, name: &str) -> String {
    format!(
        "{}|{}{rtype}.{name}",
        modules.join("."),
        if data { "data." } else { "" }
    )
}

/// A parsed `.tf` file, as a [`Visitor`] sees it.
pub struct SourceFile {
    pub text: String,
    pub body: Body,
    /// Length of a byte-order mark before the text hcl-edit parsed (spans are shifted by it).
    pub bom: usize,
    /// Byte offsets of line starts, made on first use.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(text: String, body: Body, bom: usize) -> SourceFile {
        SourceFile {
            text,
            body,
            bom,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        match starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SourceFile({} bytes)", self.text.len())
    }
}

struct Parsed {
    blocks: Vec<(bool, String, String, Block)>,
    /// Module calls: name, source, file, block span.
    modules: Vec<(String, String, PathBuf, Range<usize>)>,
}

impl SourceIndex {
    /// Index the configuration rooted at `root`.
    pub fn build(root: &Path) -> Result<SourceIndex> {
        Self::build_inner(root, None)
    }

    /// Index, calling `visit` with every parsed `.tf` file before it is dropped.
    pub fn build_visiting(root: &Path, visit: Visitor<'_>) -> Result<SourceIndex> {
        Self::build_inner(root, Some(visit))
    }

    fn build_inner(root: &Path, visit: Option<Visitor<'_>>) -> Result<SourceIndex> {
        let canonical_root = root.canonicalize().map_err(|source| Error::Io {
            path: root.to_owned(),
            source,
        })?;
        let mut index = SourceIndex::default();
        let mut stack = vec![canonical_root.clone()];
        // `./x` and `x` are the same folder; paths are shown without the `./`.
        let root: PathBuf = root
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        let root = if root.as_os_str().is_empty() {
            Path::new("")
        } else {
            root.as_path()
        };
        index.walk(root, &canonical_root, &[], None, &mut stack, visit)?;
        Ok(index)
    }

    fn walk(
        &mut self,
        dir: &Path,
        root: &Path,
        modules: &[String],
        call: Option<CallSite>,
        stack: &mut Vec<PathBuf>,
        visit: Option<Visitor<'_>>,
    ) -> Result<()> {
        let listing = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(listing)
            .map_err(|source| Error::Io {
                path: listing.to_owned(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| dir.join(e.file_name())))
            .filter(|p| {
                let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                (n.ends_with(".tf") || n.ends_with(".tf.json")) && p.is_file()
            })
            .collect();
        files.sort();
        self.files += files.len();
        let key = modules.join(".");
        if let Some(c) = stack.last() {
            self.dir_users
                .entry(c.clone())
                .or_default()
                .push(key.clone());
        }
        self.modules.insert(
            key.clone(),
            ModuleInfo {
                dir: dir.to_owned(),
                files: files.clone(),
                call,
            },
        );
        let parsed: Vec<Parsed> = files
            .par_iter()
            .map(|f| parse_file(f, &key, visit))
            .collect::<Result<_>>()?;
        let mut calls = Vec::new();
        for p in parsed {
            for (data, rtype, name, block) in p.blocks {
                self.blocks
                    .insert(block_key(modules, data, &rtype, &name), block);
            }
            calls.extend(p.modules);
        }
        for (name, source, file, span) in calls {
            let mut path: Vec<String> = modules.to_vec();
            path.push(name.clone());
            let module = path
                .iter()
                .map(|m| format!("module.{m}"))
                .collect::<Vec<_>>()
                .join(".");
            let skip = |reason: String| Skipped {
                module: module.clone(),
                source: source.clone(),
                reason,
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                self.skipped.push(skip("not a local module (registry, git or other remote source): its files are not in this tree".into()));
                continue;
            }
            let target = dir.join(&source);
            let canonical = match target.canonicalize() {
                Ok(c) => c,
                Err(e) => {
                    self.skipped
                        .push(skip(format!("its folder cannot be read: {e}")));
                    continue;
                }
            };
            if !canonical.starts_with(root) {
                self.skipped.push(skip("its folder is outside the root folder (or reached through a symlink that leaves it)".into()));
                continue;
            }
            if stack.contains(&canonical) || stack.len() > MAX_DEPTH {
                self.skipped.push(skip(
                    "a module cycle: its folder is already being indexed".into(),
                ));
                continue;
            }
            // A shorter path for display, if it is the same folder.
            let short = normalize(&target);
            let target = if short.canonicalize().ok().as_ref() == Some(&canonical) {
                short
            } else {
                target
            };
            stack.push(canonical);
            let site = CallSite {
                parent: key.clone(),
                name,
                file,
                span,
            };
            self.walk(&target, root, &path, Some(site), stack, visit)?;
            stack.pop();
        }
        Ok(())
    }

    /// The block declaring a plan address.
    pub fn locate(&self, addr: &Address) -> Option<&Block> {
        self.blocks.get(&Self::key_of(addr))
    }

    /// The index key of an address: `a.b|type.name` (module names, then the block).
    pub fn key_of(addr: &Address) -> String {
        let modules: Vec<String> = addr.module.iter().map(|m| m.name.clone()).collect();
        block_key(
            &modules,
            addr.mode == Mode::Data,
            &addr.resource_type,
            &addr.name,
        )
    }

    /// The module key of an address (module names joined with `.`).
    pub fn module_key(addr: &Address) -> String {
        addr.module
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Every indexed resource block of a module: (`type.name` or `data.type.name`, block).
    pub fn blocks_of<'s>(
        &'s self,
        module_key: &'s str,
    ) -> impl Iterator<Item = (&'s str, &'s Block)> + 's {
        self.blocks.iter().filter_map(move |(k, b)| {
            let (m, rest) = k.split_once('|')?;
            (m == module_key).then_some((rest, b))
        })
    }

    /// Number of blocks indexed.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn parse_file(path: &Path, module_key: &str, visit: Option<Visitor<'_>>) -> Result<Parsed> {
    let raw = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8(raw).map_err(|e| Error::Encoding {
        path: path.to_owned(),
        offset: e.utf8_error().valid_up_to(),
        reason: "a .tf file is not valid UTF-8".into(),
    })?;
    let name = path.display().to_string();
    if name.ends_with(".tf.json") {
        return parse_json_file(path, &text);
    }
    // hcl-edit rejects a byte-order mark: parse after it and shift the spans back.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body: Body = crate::hcl::guard::parse_body(&text[bom..]).map_err(|e| {
        let offset = bom + e.offset();
        let (src, span) = Error::source_window(&name, &text, offset);
        Error::Invalid {
            src,
            span,
            message: format!("HCL syntax error: {}", e.message()),
            label: "here".into(),
        }
    })?;
    let mut out = Parsed {
        blocks: Vec::new(),
        modules: Vec::new(),
    };
    // Lines counted from the previous block on (blocks come in order): linear in the file.
    let (mut at, mut at_line) = (0usize, 1usize);
    let mut line_at = |offset: usize| {
        if offset >= at {
            at_line += text.as_bytes()[at..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            at = offset;
            at_line
        } else {
            line_of(&text, offset)
        }
    };
    for s in body.iter() {
        let Structure::Block(b) = s else { continue };
        let labels: Vec<&str> = b
            .labels
            .iter()
            .map(|l| match l {
                hcl::edit::structure::BlockLabel::String(s) => s.as_str(),
                hcl::edit::structure::BlockLabel::Ident(i) => i.as_str(),
            })
            .collect();
        let Some(span) = b.span() else { continue };
        let span = span.start + bom..span.end + bom;
        match (b.ident.as_str(), labels.as_slice()) {
            (kind @ ("resource" | "data"), [rtype, rname]) => {
                let line = line_at(span.start);
                let ignores = ignores(&text, &span);
                out.blocks.push((
                    kind == "data",
                    rtype.to_string(),
                    rname.to_string(),
                    Block {
                        file: path.to_owned(),
                        span,
                        line,
                        json: false,
                        ignores,
                    },
                ));
            }
            ("module", [mname]) => {
                if let Some(Expression::String(src)) =
                    b.body.get_attribute("source").map(|a| &a.value)
                {
                    out.modules.push((
                        mname.to_string(),
                        src.as_str().to_string(),
                        path.to_owned(),
                        span,
                    ));
                }
            }
            _ => {}
        }
    }
    if let Some(v) = visit {
        v(module_key, path, &SourceFile::new(text, body, bom));
    }
    Ok(out)
}

/// `.tf.json`: `{"resource": {"TYPE": {"NAME": {...}}}}`, `{"module": {"NAME": {"source": ...}}}`.
fn parse_json_file(path: &Path, text: &str) -> Result<Parsed> {
    let name = path.display().to_string();
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let offset = text
            .split_inclusive('\n')
            .take(e.line().saturating_sub(1))
            .map(str::len)
            .sum::<usize>()
            + e.column().saturating_sub(1);
        let (src, span) = Error::source_window(&name, text, offset);
        Error::Invalid {
            src,
            span,
            message: format!("not valid JSON: {e}"),
            label: "here".into(),
        }
    })?;
    let mut out = Parsed {
        blocks: Vec::new(),
        modules: Vec::new(),
    };
    for (kind, data) in [("resource", false), ("data", true)] {
        let Some(types) = v.get(kind).and_then(|t| t.as_object()) else {
            continue;
        };
        for (rtype, names) in types {
            let Some(names) = names.as_object() else {
                continue;
            };
            for rname in names.keys() {
                // The block's position: the name key after the type key.
                let at = text
                    .find(&format!("\"{rtype}\""))
                    .and_then(|t| text[t..].find(&format!("\"{rname}\"")).map(|n| t + n))
                    .unwrap_or(0);
                out.blocks.push((
                    data,
                    rtype.clone(),
                    rname.clone(),
                    Block {
                        file: path.to_owned(),
                        span: at..at,
                        line: line_of(text, at),
                        json: true,
                        ignores: Vec::new(),
                    },
                ));
            }
        }
    }
    if let Some(mods) = v.get("module").and_then(|m| m.as_object()) {
        for (mname, m) in mods {
            if let Some(src) = m.get("source").and_then(|s| s.as_str()) {
                out.modules
                    .push((mname.clone(), src.to_string(), path.to_owned(), 0..0));
            }
        }
    }
    Ok(out)
}

/// `costfix:ignore` comments directly above the block or inside it.
fn ignores(text: &str, span: &Range<usize>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    for line in text[..line_start].lines().rev() {
        let t = line.trim();
        if let Some(ig) = ignore_comment(t) {
            out.push(ig);
        } else if !(t.starts_with('#') || t.starts_with("//")) {
            break;
        }
    }
    for line in text[span.clone()].lines() {
        if let Some(ig) = ignore_comment(line.trim()) {
            out.push(ig);
        }
    }
    out
}

/// `# costfix:ignore ID reason` (or `//`).
pub fn ignore_comment(line: &str) -> Option<(String, String)> {
    let body = line
        .strip_prefix('#')
        .or_else(|| line.strip_prefix("//"))?
        .trim();
    let rest = body.strip_prefix("costfix:ignore")?.trim();
    let (id, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    (!id.is_empty()).then(|| (id.to_string(), reason.trim().to_string()))
}

/// `a/./b/../c` → `a/c`, lexically (the folder was checked to be inside the root by its canonical
/// path; this only keeps displayed paths short).
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                if matches!(last, Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}
