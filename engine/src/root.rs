//! The root folder of a run (`--dir`, default the current folder), and the only way a path that
//! comes from an input (an operations file, the operation log) becomes a file to read or write.
//!
//! Such a path is a name relative to the root, with `/` between folders: `main.tf`,
//! `modules/db/main.tf`. [`Root::resolve`] refuses an absolute name, a `..`, and any symbolic link
//! on the way (a folder or the file itself): a link is never followed out of the tree and never
//! replaced by a regular file. Names resolve against the root, never the working directory, so
//! `costfix apply sub/ops.json --dir sub` run from the parent edits `sub/main.tf`.
//!
//! The operation log, its head and the lock live in `.costfix/` under the root
//! ([`Root::state_file`]); a `.costfix` or a log that is a symbolic link is refused.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// The root folder of a run.
#[derive(Debug, Clone)]
pub struct Root {
    /// As given (names are joined to it, for messages people recognise).
    dir: PathBuf,
    /// Canonical, to tell whether a path is inside.
    canonical: PathBuf,
}

/// The folder that holds the log, its head and the lock.
pub const STATE_DIR: &str = ".costfix";

impl Root {
    /// The root at `dir`, which must be an existing folder (nothing is created).
    pub fn open(dir: &Path) -> Result<Root> {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let canonical = dir.canonicalize().map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        if !canonical.is_dir() {
            return Err(Error::InvalidNoSource {
                path: dir.to_owned(),
                message: "not a folder: --dir takes the root folder of the .tf files".into(),
            });
        }
        Ok(Root {
            dir: dir.to_owned(),
            canonical,
        })
    }

    /// The root as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The root, canonical.
    pub fn canonical(&self) -> &Path {
        &self.canonical
    }

    /// The file an input names (`main.tf`, `modules/db/main.tf`), joined to the root; refused
    /// when the name is absolute, climbs with `..`, or passes through a symbolic link.
    pub fn resolve(&self, name: &str) -> Result<PathBuf> {
        let rel = relative_name(name).map_err(|why| outside(name, why))?;
        let mut at = self.canonical.clone();
        for c in rel.components() {
            at.push(c);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(outside(
                        name,
                        format!(
                            "{} is a symbolic link: costfix does not follow or replace links",
                            self.dir
                                .join(at.strip_prefix(&self.canonical).unwrap_or(&at))
                                .display()
                        ),
                    ))
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(source) => return Err(Error::Io { path: at, source }),
            }
        }
        Ok(join(&self.dir, &rel))
    }

    /// The name of a path under the root (the root joined with a relative path, as the source
    /// index makes them), with `/` between folders; a path not under it keeps its full form (and
    /// [`Root::resolve`] will refuse it).
    pub fn name_of(&self, path: &Path) -> String {
        let lexical = crate::hcl::source::normalize(path);
        let root = crate::hcl::source::normalize(&self.dir);
        let rel = if root == Path::new(".") && lexical.is_relative() {
            Some(lexical.clone())
        } else {
            lexical.strip_prefix(&root).ok().map(Path::to_path_buf)
        };
        let rel = rel.or_else(|| {
            let abs = path.canonicalize().ok()?;
            abs.strip_prefix(&self.canonical)
                .ok()
                .map(Path::to_path_buf)
        });
        match rel {
            Some(r) if !r.as_os_str().is_empty() => r
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            _ => path.display().to_string(),
        }
    }

    /// `.costfix/NAME` under the root, refused when `.costfix` or the file is a symbolic link
    /// or `.costfix` is not a folder; with `create`, `.costfix` is made if missing.
    pub fn state_file(&self, name: &str, create: bool) -> Result<PathBuf> {
        let dir = self.dir.join(STATE_DIR);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(outside(
                    STATE_DIR,
                    format!(
                        "{} is a symbolic link: the log and the lock must be inside the tree",
                        dir.display()
                    ),
                ))
            }
            Ok(m) if !m.is_dir() => {
                return Err(Error::InvalidNoSource {
                    path: dir,
                    message: "is not a folder (costfix keeps its log and lock there)".into(),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if create {
                    std::fs::create_dir(&dir).map_err(|source| Error::Write {
                        path: dir.clone(),
                        source,
                    })?;
                }
            }
            Err(source) => return Err(Error::Io { path: dir, source }),
        }
        let file = dir.join(name);
        if std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(outside(
                &format!("{STATE_DIR}/{name}"),
                format!(
                    "{} is a symbolic link: the log and the lock must be inside the tree",
                    file.display()
                ),
            ));
        }
        Ok(file)
    }
}

/// A lock on a tree: `ROOT/.costfix/lock`, held while files are written (`apply`, `rollback`,
/// `recover`, `fix --apply`, `log reset-breaker`).
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    pub fn acquire(root: &Root) -> Result<Lock> {
        let path = root.state_file("lock", true)?;
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let file = no_follow(
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true),
        )
        .open(&path)
        .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::InvalidNoSource {
                path: path.clone(),
                message: "another costfix apply, rollback, recover or fix --apply is running on this tree: wait for it to finish".into(),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(io(source)),
        }
    }
}

/// Open options that refuse a symbolic link as the last component (`O_NOFOLLOW`), so that a link
/// put in place after the check is not followed either.
pub(crate) fn no_follow(o: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    o
}

/// Hold an exclusive advisory lock on a file while it is checked and replaced: two costfix runs
/// whose roots share a file (a module folder that is also a root) take turns on it, and the
/// second sees the first's change by its hash. The lock is released when the guard drops.
pub fn lock_file(path: &Path) -> Result<std::fs::File> {
    let f = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    f.lock().map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(f)
}

/// `dir` joined with `rel`; `rel` alone when `dir` is `.` (as the source index names files).
fn join(dir: &Path, rel: &Path) -> PathBuf {
    if crate::hcl::source::normalize(dir) == Path::new(".") {
        rel.to_path_buf()
    } else {
        dir.join(rel)
    }
}

/// A name as a relative path of plain components, or why it is refused.
fn relative_name(name: &str) -> std::result::Result<PathBuf, String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.contains('\0') {
        return Err("the name holds a NUL byte".into());
    }
    let mut rel = PathBuf::new();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(s) => rel.push(s),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err("it climbs out of the root with `..`".into());
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err("it is an absolute path: names are relative to the root".into());
            }
        }
    }
    if rel.as_os_str().is_empty() {
        return Err("the name is the root itself, not a file".into());
    }
    Ok(rel)
}

fn outside(name: &str, why: impl Into<String>) -> Error {
    Error::OutsideRoot {
        name: name.to_string(),
        message: why.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_inside_the_root_only() {
        let t = tempfile::tempdir().unwrap();
        let root_dir = t.path().join("tree");
        std::fs::create_dir_all(root_dir.join("modules/db")).unwrap();
        std::fs::create_dir_all(t.path().join("outside")).unwrap();
        std::fs::write(root_dir.join("main.tf"), "").unwrap();
        let root = Root::open(&root_dir).unwrap();
        assert_eq!(root.resolve("main.tf").unwrap(), root_dir.join("main.tf"));
        assert_eq!(
            root.resolve("./modules/db/main.tf").unwrap(),
            root_dir.join("modules/db/main.tf")
        );
        for bad in [
            "/etc/passwd",
            "../outside/x.tf",
            "modules/../../x.tf",
            "",
            ".",
        ] {
            let e = root.resolve(bad).unwrap_err();
            assert!(matches!(e, Error::OutsideRoot { .. }), "{bad}: {e}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(t.path().join("outside"), root_dir.join("linked")).unwrap();
            assert!(
                root.resolve("linked/main.tf").is_err(),
                "a symlinked folder"
            );
            std::os::unix::fs::symlink(root_dir.join("main.tf"), root_dir.join("alias.tf"))
                .unwrap();
            assert!(root.resolve("alias.tf").is_err(), "a symlinked file");
            std::os::unix::fs::symlink(t.path().join("outside"), root_dir.join(STATE_DIR)).unwrap();
            assert!(root.state_file("oplog.jsonl", true).is_err());
        }
        assert_eq!(
            root.name_of(&root_dir.join("modules/db/main.tf")),
            "modules/db/main.tf"
        );
        let dot = Root::open(Path::new(".")).unwrap();
        assert_eq!(dot.name_of(Path::new("./main.tf")), "main.tf");
        assert_eq!(dot.resolve("main.tf").unwrap(), Path::new("main.tf"));
        assert!(Root::open(&t.path().join("missing")).is_err());
        assert!(Root::open(&root_dir.join("main.tf")).is_err());
    }
}
