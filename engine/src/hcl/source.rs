//! The `.tf` source index: where each resource of a plan is declared.
//!
//! The root folder's `.tf` (and `.tf.json`) files are parsed with hcl-edit, in parallel, and so are
//! the folders of local modules (`source = "./..."` or `"../..."`), recursively. A module whose
//! source is outside the root folder (after resolving symlinks), a registry or git module, or a
//! folder already being indexed further up (a cycle) is not followed; the index says why.
//!
//! [`SourceIndex::locate`] maps a plan address (module path, type, name; `count`/`for_each` keys
//! are ignored: all instances share one block) to its block: file, byte span, line, and the
//! `costfix:ignore` comments on it. Reading one file is in `source/parse.rs`.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl::edit::structure::Body;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::terraform::address::{Address, Mode};

mod parse;

pub use parse::ignore_comment;
use parse::{parse_file, Call, Parsed};

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

    /// Index one module's folder, then the local modules it calls, depth first.
    fn walk(
        &mut self,
        dir: &Path,
        root: &Path,
        modules: &[String],
        call: Option<CallSite>,
        stack: &mut Vec<PathBuf>,
        visit: Option<Visitor<'_>>,
    ) -> Result<()> {
        let files = tf_files(dir, root)?;
        let key = modules.join(".");
        self.add_module(&key, dir, &files, call, stack);
        let calls = self.index_files(&files, modules, &key, visit)?;
        for c in calls {
            let mut path: Vec<String> = modules.to_vec();
            path.push(c.name.clone());
            let Some((target, canonical)) = self.follow(dir, root, &path, &c.source, stack) else {
                continue;
            };
            stack.push(canonical);
            let site = CallSite {
                parent: key.clone(),
                name: c.name,
                file: c.file,
                span: c.span,
            };
            self.walk(&target, root, &path, Some(site), stack, visit)?;
            stack.pop();
        }
        Ok(())
    }

    /// Record a module: its folder, files and call, and the canonical folder it is a user of.
    fn add_module(
        &mut self,
        key: &str,
        dir: &Path,
        files: &[PathBuf],
        call: Option<CallSite>,
        stack: &[PathBuf],
    ) {
        self.files += files.len();
        if let Some(c) = stack.last() {
            self.dir_users
                .entry(c.clone())
                .or_default()
                .push(key.to_string());
        }
        self.modules.insert(
            key.to_string(),
            ModuleInfo {
                dir: dir.to_owned(),
                files: files.to_vec(),
                call,
            },
        );
    }

    /// Parse a module's files in parallel and index their blocks; returns the module calls found.
    fn index_files(
        &mut self,
        files: &[PathBuf],
        modules: &[String],
        key: &str,
        visit: Option<Visitor<'_>>,
    ) -> Result<Vec<Call>> {
        let parsed: Vec<Parsed> = files
            .par_iter()
            .map(|f| parse_file(f, key, visit))
            .collect::<Result<_>>()?;
        let mut calls = Vec::new();
        for p in parsed {
            for (data, rtype, name, block) in p.blocks {
                self.blocks
                    .insert(block_key(modules, data, &rtype, &name), block);
            }
            calls.extend(p.modules);
        }
        Ok(calls)
    }

    /// The folder a module call at `path` leads to, as shown and canonical; `None`, with the
    /// reason recorded in `skipped`, when it is not followed.
    fn follow(
        &mut self,
        dir: &Path,
        root: &Path,
        path: &[String],
        source: &str,
        stack: &[PathBuf],
    ) -> Option<(PathBuf, PathBuf)> {
        match module_folder(dir, root, source, stack) {
            Ok(folders) => Some(folders),
            Err(reason) => {
                let module = path
                    .iter()
                    .map(|m| format!("module.{m}"))
                    .collect::<Vec<_>>()
                    .join(".");
                self.skipped.push(Skipped {
                    module,
                    source: source.to_string(),
                    reason,
                });
                None
            }
        }
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

/// The `.tf` and `.tf.json` files of a folder, sorted. A symbolic link is taken only when it
/// points at a file inside the root (`root` is canonical); one that leaves the tree is not read.
fn tf_files(dir: &Path, root: &Path) -> Result<Vec<PathBuf>> {
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
            (n.ends_with(".tf") || n.ends_with(".tf.json")) && p.is_file() && inside(p, root)
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Whether `p` (a file, maybe a symbolic link) is inside the canonical `root`.
fn inside(p: &Path, root: &Path) -> bool {
    let link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    !link || p.canonicalize().is_ok_and(|c| c.starts_with(root))
}

/// The folder of a module `source` called from `dir`, as shown and canonical, or why it is not
/// followed: not local, unreadable, outside `root`, or a cycle (already on `stack`).
fn module_folder(
    dir: &Path,
    root: &Path,
    source: &str,
    stack: &[PathBuf],
) -> Result<(PathBuf, PathBuf), String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return Err("not a local module (registry, git or other remote source): its files are not in this tree".into());
    }
    let target = dir.join(source);
    let canonical = target
        .canonicalize()
        .map_err(|e| format!("its folder cannot be read: {e}"))?;
    if !canonical.starts_with(root) {
        return Err(
            "its folder is outside the root folder (or reached through a symlink that leaves it)"
                .into(),
        );
    }
    if stack.contains(&canonical) || stack.len() > MAX_DEPTH {
        return Err("a module cycle: its folder is already being indexed".into());
    }
    // A shorter path for display, if it is the same folder.
    let short = normalize(&target);
    let target = if short.canonicalize().ok().as_ref() == Some(&canonical) {
        short
    } else {
        target
    };
    Ok((target, canonical))
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
