//! Files: written atomically (a crash never leaves a half-written `.tf`, log or output file),
//! hashed, named for people, and read for their module docs.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename over
/// the original (keeping its permissions), fsync of the folder. A read-only file, and a symbolic
/// link (which the rename would replace by a regular file), are refused before anything is written.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::InvalidNoSource {
            path: path.to_owned(),
            message: "is a symbolic link: costfix does not replace a link with a file (nothing was written)".into(),
        });
    }
    let meta = std::fs::metadata(path).ok();
    if meta.as_ref().is_some_and(|m| m.permissions().readonly()) {
        return Err(Error::InvalidNoSource {
            path: path.to_owned(),
            message: "the file is read-only: nothing was written".into(),
        });
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".costfix-").suffix(".tmp");
    #[cfg(unix)]
    if meta.is_none() {
        // A new file gets the mode any tool gives one (0666 less the umask: 0644 usually), not
        // the temporary file's 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    if let Some(m) = &meta {
        tmp.as_file().set_permissions(m.permissions()).map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Most bytes a file of settings may have: configuration, budgets, usage, policies (a real one
/// is kilobytes; without a bound a 1 GB file took 2 GB and many seconds before its error).
pub const MAX_SETTINGS_FILE: u64 = 64 << 20;
/// Most bytes a price file or a policy data document may have.
pub const MAX_TABLE_FILE: u64 = 512 << 20;

/// Read a text file of at most `max` bytes: a larger one is refused with its size before it is
/// read, as what it is (`kind`: "a price file").
pub fn read_text_capped(path: &Path, kind: &str, max: u64) -> Result<String> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > max {
        return Err(Error::InvalidNoSource {
            path: path.to_owned(),
            message: format!(
                "the file is {} MiB: {kind} may be at most {} MiB",
                len >> 20,
                max >> 20
            ),
        });
    }
    std::fs::read_to_string(path).map_err(io)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// The sha256 of `bytes` as lowercase hex (how files, blocks and log entries are hashed).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// A path for humans and patches: relative to the working directory when under it, without a
/// leading `./`.
pub fn display_path(p: &Path) -> String {
    if p.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = p.strip_prefix(&cwd) {
                return rel.display().to_string();
            }
        }
    }
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The module documentation of a Rust source file: its first run of `//!` lines, without the
/// markers (the rule and cost-type catalogues are generated from them).
pub fn module_doc(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else {
            if !out.is_empty() {
                break;
            }
            continue;
        };
        out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        out.push('\n');
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_keep_permissions_and_refuse_read_only_files() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("main.tf");
        std::fs::write(&p, "a = 1\n").unwrap();
        write_atomic(&p, b"a = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a = 2\n");
        let mut perm = std::fs::metadata(&p).unwrap().permissions();
        perm.set_readonly(true);
        std::fs::set_permissions(&p, perm).unwrap();
        assert!(write_atomic(&p, b"a = 3\n").is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a = 2\n");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
