//! Reading input files: encodings, byte-order marks, wrapper noise, and positions for diagnostics.
//!
//! Terraform's JSON is UTF-8, but real files arrive as UTF-16 (PowerShell's `>` redirect), with a
//! UTF-8 BOM, or with text before the JSON (the `terraform_wrapper` of setup-terraform prints the
//! command line first). [`InputFile`] normalises all of these once; everything else borrows from it.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Files from this size up are memory-mapped instead of read: no copy, no zeroed pages.
const MMAP_THRESHOLD: u64 = 4 * 1024 * 1024;

/// The bytes of a file: owned (small files, decoded UTF-16) or memory-mapped (large files).
#[derive(Debug)]
enum Text {
    Owned(String),
    /// Validated as UTF-8 when mapped.
    Mapped(memmap2::Mmap),
}

/// A decoded input file. The JSON text is `text()[start..]`; offsets in diagnostics are into `text()`.
#[derive(Debug)]
pub struct InputFile {
    pub path: PathBuf,
    /// The whole file as UTF-8 (decoded from UTF-16 when needed).
    text: Text,
    /// Where the JSON document starts (after a BOM or a wrapper preamble).
    pub start: usize,
    /// Notes about what was normalised (shown as warnings).
    pub notes: Vec<String>,
}

impl InputFile {
    /// Turn a serde_json error into a diagnostic pointing at the line and column.
    pub fn json_error(&self, e: &serde_json::Error) -> Error {
        let file = self;
        let offset = file.offset_of(e.line(), e.column());
        let (src, span) = Error::source_window(&file.display_name(), file.text(), offset);
        let (message, help) = match e.classify() {
            serde_json::error::Category::Eof => (
                format!("the file ends too early ({e})"),
                "the file looks truncated: re-create it with `terraform show -json plan.out > plan.json` and check that the write finished".to_string(),
            ),
            serde_json::error::Category::Syntax => (
                e.to_string(),
                "the JSON is malformed; costfix reads the unmodified output of `terraform show -json`".to_string(),
            ),
            _ => (
                e.to_string(),
                "a field has an unexpected type; is this the output of `terraform show -json`?".to_string(),
            ),
        };
        Error::Json {
            src,
            span,
            message: crate::error::cap_message(&message),
            help,
        }
    }

    /// Read and decode a file. Large UTF-8 files are memory-mapped (like ripgrep, costfix assumes
    /// that a plan is not rewritten while it is being read).
    ///
    /// `-` reads standard input (shown as `<stdin>`).
    pub fn read(path: &Path) -> Result<InputFile> {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map_err(
                |source| Error::Io {
                    path: PathBuf::from("<stdin>"),
                    source,
                },
            )?;
            return Self::from_bytes(Path::new("<stdin>"), bytes);
        }
        if path.is_dir() {
            return Err(Error::WrongKind {
                path: path.to_owned(),
                expected: "a Terraform plan or state (a JSON file)",
                found: "a directory",
                help: "make the plan's JSON in that directory: `terraform plan -out plan.out && terraform show -json plan.out > plan.json`, then give plan.json (`fix --dir DIR` takes the .tf sources)".into(),
            });
        }
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len >= MMAP_THRESHOLD {
            // SAFETY: the map is read-only and private; a concurrent writer could change the bytes
            // under us, which at worst makes the parse fail (UTF-8 is checked below, and every
            // later read goes through the checked `&str`).
            if let Ok(map) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
                let utf16 = map.starts_with(&[0xFF, 0xFE]) || map.starts_with(&[0xFE, 0xFF]);
                let zip = map.starts_with(b"PK\x03\x04");
                if !utf16 && !zip {
                    if let Err(e) = std::str::from_utf8(&map) {
                        return Err(Error::Encoding {
                            path: path.to_owned(),
                            offset: e.valid_up_to(),
                            reason: "the file is not valid UTF-8".into(),
                        });
                    }
                    return Self::finish(path, Text::Mapped(map), Vec::new());
                }
            }
        }
        let mut bytes = Vec::with_capacity(len as usize + 1);
        std::io::Read::read_to_end(&mut &file, &mut bytes).map_err(io)?;
        Self::from_bytes(path, bytes)
    }

    /// The whole file as UTF-8.
    pub fn text(&self) -> &str {
        match &self.text {
            Text::Owned(s) => s,
            // SAFETY: validated as UTF-8 in `read` before it was stored.
            Text::Mapped(m) => unsafe { std::str::from_utf8_unchecked(m) },
        }
    }

    /// Let the kernel take back the pages of a memory-mapped file that have been read. Call it
    /// once the file has been indexed: the parts still borrowed (attribute values, addresses)
    /// are read again from the page cache when they are touched, so the process keeps only the
    /// pages it still uses instead of the whole file. A no-op for files read into memory.
    pub fn release_pages(&self) {
        if let Text::Mapped(m) = &self.text {
            // SAFETY: the mapping is private and read-only: we never write to it, so there are
            // no private copies to lose; MADV_DONTNEED drops the pages from this process and
            // later reads fault them back in from the file, with the same bytes.
            let _ = unsafe { m.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
        }
    }

    /// Decode bytes already read (used by tests and by the fuzzers).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<InputFile> {
        let mut notes = Vec::new();
        if bytes.starts_with(b"PK\x03\x04") {
            return Err(Error::BinaryPlan {
                path: path.to_owned(),
            });
        }
        let text = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            let le = bytes[0] == 0xFF;
            notes.push(format!(
                "decoded from UTF-16 {}",
                if le { "little-endian" } else { "big-endian" }
            ));
            decode_utf16(path, &bytes[2..], le)?
        } else {
            String::from_utf8(bytes).map_err(|e| {
                let offset = e.utf8_error().valid_up_to();
                Error::Encoding {
                    path: path.to_owned(),
                    offset,
                    reason: "the file is not valid UTF-8".into(),
                }
            })?
        };
        Self::finish(path, Text::Owned(text), notes)
    }

    fn finish(path: &Path, text: Text, mut notes: Vec<String>) -> Result<InputFile> {
        let mut file = InputFile {
            path: path.to_owned(),
            text,
            start: 0,
            notes: Vec::new(),
        };
        let text = file.text();
        let mut start = 0;
        if text.starts_with('\u{feff}') {
            start = '\u{feff}'.len_utf8();
            notes.push("skipped a UTF-8 byte-order mark".into());
        }
        let body = &text[start..];
        let trimmed = body.trim_start();
        if trimmed.is_empty() {
            return Err(Error::Empty {
                path: path.to_owned(),
            });
        }
        if !trimmed.starts_with('{') {
            // Text before the JSON, as the setup-terraform wrapper prints. Take the first line that
            // starts with `{`.
            match find_json_line(body) {
                Some(off) => {
                    let skipped_lines = body[..off].lines().count();
                    notes.push(format!(
                        "skipped {skipped_lines} line(s) of non-JSON text before the document"
                    ));
                    start += off;
                }
                None => {
                    let offset = start + (body.len() - trimmed.len());
                    let (src, span) =
                        Error::source_window(&path.display().to_string(), text, offset);
                    return Err(Error::NotJson { src, span });
                }
            }
        }
        file.start = start;
        file.notes = notes;
        if is_ui_stream(file.json()) {
            return Err(Error::WrongKind {
                path: path.to_owned(),
                expected: "a Terraform plan (`terraform show -json`)",
                found: "the UI event stream of `terraform plan -json`",
                help: "`terraform plan -json` prints progress messages, not the plan: run `terraform plan -out plan.out && terraform show -json plan.out > plan.json` and give plan.json".into(),
            });
        }
        Ok(file)
    }

    /// The JSON document text.
    pub fn json(&self) -> &str {
        &self.text()[self.start..]
    }

    /// Byte offset into `text` of a serde_json (line, column) position relative to `json()`.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let json = self.json();
        let mut off = 0;
        for _ in 1..line.max(1) {
            match json[off..].find('\n') {
                Some(i) => off += i + 1,
                None => break,
            }
        }
        let off = (off + column.saturating_sub(1)).min(json.len());
        let mut abs = self.start + off;
        while !self.text().is_char_boundary(abs) {
            abs -= 1;
        }
        abs
    }

    pub fn display_name(&self) -> String {
        self.path.display().to_string()
    }
}

fn find_json_line(body: &str) -> Option<usize> {
    let mut off = 0;
    for line in body.split_inclusive('\n') {
        if line.trim_start().starts_with('{') {
            return Some(off + (line.len() - line.trim_start().len()));
        }
        off += line.len();
    }
    None
}

fn decode_utf16(path: &Path, bytes: &[u8], le: bool) -> Result<String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Error::Encoding {
            path: path.to_owned(),
            offset: bytes.len() + 1,
            reason: "UTF-16 file has an odd number of bytes (truncated?)".into(),
        });
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    for (i, r) in char::decode_utf16(units).enumerate() {
        match r {
            Ok(c) => out.push(c),
            Err(_) => {
                return Err(Error::Encoding {
                    path: path.to_owned(),
                    offset: 2 + i * 2,
                    reason: "invalid UTF-16 (unpaired surrogate)".into(),
                })
            }
        }
    }
    Ok(out)
}

/// Whether the text is Terraform's machine-readable UI output (`terraform plan -json`): JSON lines,
/// each an object that starts with its `@level` key.
fn is_ui_stream(json: &str) -> bool {
    let first = json.lines().next().unwrap_or_default();
    first.trim_start().starts_with("{\"@level\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<InputFile> {
        InputFile::from_bytes(Path::new("t.json"), bytes.to_vec())
    }

    #[test]
    fn bom_and_preamble() {
        let f = decode(b"\xEF\xBB\xBF{\"a\":1}").unwrap();
        assert_eq!(f.json(), "{\"a\":1}");
        let f = decode(b"[command]/usr/bin/terraform show -json\n{\"a\":1}\n").unwrap();
        assert_eq!(f.json(), "{\"a\":1}\n");
        assert_eq!(f.notes.len(), 1);
    }

    #[test]
    fn utf16() {
        let mut b = vec![0xFF, 0xFE];
        for u in "{\"a\":\"é\"}".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let f = decode(&b).unwrap();
        assert_eq!(f.json(), "{\"a\":\"é\"}");
    }

    #[test]
    fn empty_and_garbage() {
        assert!(matches!(decode(b"  \n"), Err(Error::Empty { .. })));
        assert!(matches!(decode(b"hello"), Err(Error::NotJson { .. })));
        assert!(matches!(
            decode(b"\xFF\x00\x01"),
            Err(Error::Encoding { .. })
        ));
    }

    #[test]
    fn offsets() {
        let f = decode(b"{\n  \"a\": x\n}").unwrap();
        assert_eq!(&f.text()[f.offset_of(2, 8)..f.offset_of(2, 8) + 1], "x");
    }
}
