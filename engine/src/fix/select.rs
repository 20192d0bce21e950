//! Choosing the fixes to apply (safer first, then bigger saving), refusing overlaps, verifying
//! the edited files, previews for people, and writing the files.

use super::*;

/// The result of choosing fixes: the new text of each changed file.
#[derive(Debug, Default)]
pub struct Patch {
    /// file → (original text, new text), sorted by file.
    pub files: BTreeMap<PathBuf, (String, String)>,
}

/// Choose the fixes to apply (applicability up to `allowed`), refusing overlaps, and build and
/// verify the new file texts. Marks the chosen fixes `applied`; a refused fix gets `no_fix`.
pub fn select(fixes: &mut [Fix], allowed: Applicability) -> Patch {
    let taken = take(fixes, allowed);
    // Splice and verify per file, in parallel.
    let results: Vec<Spliced> = taken
        .into_par_iter()
        .map(|(path, edits)| splice_file(path, edits))
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

/// Edits per file, each with the index of the fix that owns it.
type Taken = BTreeMap<PathBuf, Vec<(Edit, usize)>>;

/// A file spliced: its original and new text, or why not, and the fixes whose edits it holds.
type Spliced = (PathBuf, Result<(String, String), String>, Vec<usize>);

/// Take the applicable fixes, safer first, then bigger saving, then address; a fix whose edit
/// overlaps one already taken is refused (as tflint does). Marks the taken fixes `applied`.
fn take(fixes: &mut [Fix], allowed: Applicability) -> Taken {
    let mut order: Vec<usize> = (0..fixes.len())
        .filter(|&i| fixes[i].applicable(allowed))
        .collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&fixes[a], &fixes[b]);
        fb.applicability
            .cmp(&fa.applicability)
            .then_with(|| {
                fb.saving
                    .unwrap_or_default()
                    .cmp(&fa.saving.unwrap_or_default())
            })
            .then_with(|| (&fa.address, fa.rule).cmp(&(&fb.address, fb.rule)))
    });
    let mut taken: Taken = BTreeMap::new();
    for i in order {
        if let Some(owner) = conflict(&taken, &fixes[i]) {
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
            if !list.iter().any(|(t, _)| t.same_as(&e.edit)) {
                list.push((e.edit.clone(), i));
            }
        }
        fixes[i].applied = true;
    }
    taken
}

/// The fix already taken whose edit overlaps one of `fix`'s. The same edit twice, two
/// insertions at one point (merged when spliced), and two paddings of the same spaces (made
/// again for both when spliced) are no conflict.
fn conflict(taken: &Taken, fix: &Fix) -> Option<usize> {
    use crate::hcl::insert::is_padding;
    fix.edits.iter().find_map(|e| {
        let list = taken.get(&e.edit.file)?;
        list.iter().find_map(|(t, owner)| {
            let both_insert_here = t.span.is_empty() && e.edit.span == t.span;
            let both_pad_here = is_padding(t) && is_padding(&e.edit) && t.span == e.edit.span;
            (t.overlaps(&e.edit) && !both_insert_here && !both_pad_here && !t.same_as(&e.edit))
                .then_some(*owner)
        })
    })
}

/// One file with the taken edits spliced in and verified.
fn splice_file(path: PathBuf, edits: Vec<(Edit, usize)>) -> Spliced {
    let owners: Vec<usize> = edits.iter().map(|(_, o)| *o).collect();
    let r = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e}", path.display()))
        .and_then(|original| {
            let merged = edit::merge_insertions(edits.into_iter().map(|(e, _)| e).collect());
            // Insertions of several fixes in one block: their `=` aligned together.
            let merged = crate::hcl::insert::align_insertions(&original, merged);
            let refs: Vec<&Edit> = merged.iter().collect();
            edit::apply_verified(&original, &refs)
                .map(|new| (original, new))
                .map_err(|e: EditError| format!("{}: {e}", path.display()))
        });
    (path, r, owners)
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

/// Write a patch's files atomically, under the tree's lock (`root`). Every file is checked
/// writable (and not a link) before the first is written; each is locked and must still be the
/// text the fixes were made on; if any write fails, the files already written are put back, so
/// that a run writes all of its files or none.
pub fn write(patch: &Patch, root: &Path) -> crate::Result<Vec<PathBuf>> {
    let root = crate::root::Root::open(root)?;
    let _lock = crate::root::Lock::acquire(&root)?;
    for path in patch.files.keys() {
        let meta = std::fs::symlink_metadata(path).map_err(|source| crate::Error::Io {
            path: path.clone(),
            source,
        })?;
        let why = if meta.file_type().is_symlink() {
            "is a symbolic link: costfix does not replace a link with a file (nothing was written)"
        } else if meta.permissions().readonly() {
            "the file is read-only: nothing was written"
        } else {
            continue;
        };
        return Err(crate::Error::InvalidNoSource {
            path: path.clone(),
            message: why.into(),
        });
    }
    let mut written: Vec<(&PathBuf, &str)> = Vec::new();
    let mut failure = None;
    for (path, (old, new)) in &patch.files {
        let step = || -> crate::Result<()> {
            let _guard = crate::root::lock_file(path)?;
            let now = std::fs::read(path).map_err(|source| crate::Error::Io {
                path: path.clone(),
                source,
            })?;
            if now != old.as_bytes() {
                return Err(crate::Error::InvalidNoSource {
                    path: path.clone(),
                    message: "changed since it was read (another process edited it)".into(),
                });
            }
            crate::fsutil::write_atomic(path, new.as_bytes())
        };
        match step() {
            Ok(()) => written.push((path, old)),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let Some(e) = failure else {
        return Ok(written.into_iter().map(|(p, _)| p.clone()).collect());
    };
    // Put back what was written, newest first.
    let mut restored = 0;
    for (path, old) in written.iter().rev() {
        if crate::fsutil::write_atomic(path, old.as_bytes()).is_ok() {
            restored += 1;
        }
    }
    if restored == written.len() {
        Err(e)
    } else {
        Err(crate::Error::InvalidNoSource {
            path: written[0].0.clone(),
            message: format!(
                "{e}; and {} of the {} file(s) written before could not be put back: check them with git diff",
                written.len() - restored,
                written.len()
            ),
        })
    }
}
