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

mod group;
mod locate;
mod resolve;
pub mod run;
mod select;
mod shared;

pub use crate::hcl::diff::{edits_diff, unified_diff};
pub use crate::rules::Applicability;
pub use group::{block_address, plan_fixes};
pub use run::{run, run_with, FixReport, FixRequest, Summary, WriteOperations};
pub use select::{preview, read_edited, select, write, Patch};

use crate::hcl::literal::*;
use group::*;
use locate::*;
use resolve::*;
use shared::*;

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
use crate::hcl::source::{Block, SourceIndex};
use crate::rules::{Change, RuleFinding, SavingBasis, Seg};
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
    /// How the saving was found.
    #[serde(skip)]
    pub saving_basis: SavingBasis,
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
            && self.applicability.applies(allowed)
    }
}

/// One edit of a fix, with its context for humans and tools.
#[derive(Debug, Clone, Serialize)]
#[serde(into = "PlannedEditJson")]
pub struct PlannedEdit {
    /// The edit (file, byte range of the original file, new text, what it must read back).
    pub edit: Edit,
    /// 1-based line of the edit.
    pub line: usize,
    /// The text replaced (empty for an insertion).
    pub old_text: String,
    /// What is edited: `resource block`, `variable "x" default`, `terraform.tfvars`, ...
    pub target: String,
}

/// How a planned edit is written in `costfix.fix/v1`.
#[derive(Serialize)]
struct PlannedEditJson {
    file: String,
    line: usize,
    start: usize,
    end: usize,
    old_text: String,
    new_text: String,
    target: String,
}

impl From<PlannedEdit> for PlannedEditJson {
    fn from(p: PlannedEdit) -> PlannedEditJson {
        PlannedEditJson {
            file: p.edit.file.display().to_string(),
            line: p.line,
            start: p.edit.span.start,
            end: p.edit.span.end,
            old_text: p.old_text,
            new_text: p.edit.new_text,
            target: p.target,
        }
    }
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
    /// The file, if it was already read and parsed.
    fn peek(&self, path: &Path) -> Option<Arc<SourceFile>> {
        self.map.get(path).and_then(|r| r.as_ref().ok()).cloned()
    }

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
