//! Reading one `.tf` or `.tf.json` file of the index: its resource, data and module blocks, with
//! their spans, lines and `costfix:ignore` comments.

use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::structure::{Body, Structure};
use hcl::edit::Span;

use super::{Block, SourceFile, Visitor};
use crate::error::{Error, Result};

/// What one file declares.
pub(super) struct Parsed {
    /// Resource and data blocks: (data, type, name, block).
    pub(super) blocks: Vec<(bool, String, String, Block)>,
    pub(super) modules: Vec<Call>,
}

/// A `module` block with a `source`, as found in a file.
pub(super) struct Call {
    pub(super) name: String,
    pub(super) source: String,
    pub(super) file: PathBuf,
    /// The block's span (`0..0` in a `.tf.json` file).
    pub(super) span: Range<usize>,
}

/// The 1-based line of a byte offset, counted from the start.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Read one `.tf` (or `.tf.json`) file and list what it declares; a `.tf` file's tree is then
/// given to `visit`.
pub(super) fn parse_file(
    path: &Path,
    module_key: &str,
    visit: Option<Visitor<'_>>,
) -> Result<Parsed> {
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
            message: crate::error::cap_message(&format!("HCL syntax error: {}", e.message())),
            label: "here".into(),
        }
    })?;
    let out = declarations(path, &text, &body, bom);
    if let Some(v) = visit {
        v(module_key, path, &SourceFile::new(text, body, bom));
    }
    Ok(out)
}

/// Line numbers of offsets, counted on from the previous offset when they come in order (blocks
/// do), so that numbering a file's blocks is linear in its length.
struct LineCounter<'t> {
    text: &'t str,
    at: usize,
    at_line: usize,
}

impl LineCounter<'_> {
    /// The 1-based line of `offset`.
    fn line(&mut self, offset: usize) -> usize {
        if offset >= self.at {
            self.at_line += self.text.as_bytes()[self.at..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.at = offset;
            self.at_line
        } else {
            line_of(self.text, offset)
        }
    }
}

/// The resource, data and module blocks of a parsed `.tf` file (spans shifted by `bom`).
fn declarations(path: &Path, text: &str, body: &Body, bom: usize) -> Parsed {
    let mut out = Parsed {
        blocks: Vec::new(),
        modules: Vec::new(),
    };
    let mut lines = LineCounter {
        text,
        at: 0,
        at_line: 1,
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
                let line = lines.line(span.start);
                let ignores = ignores(text, &span);
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
                    out.modules.push(Call {
                        name: mname.to_string(),
                        source: src.as_str().to_string(),
                        file: path.to_owned(),
                        span,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// `.tf.json`: `{"resource": {"TYPE": {"NAME": {...}}}}`, `{"module": {"NAME": {"source": ...}}}`.
fn parse_json_file(path: &Path, text: &str) -> Result<Parsed> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::json_in(path, text, &e, "not valid JSON"))?;
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
                out.modules.push(Call {
                    name: mname.clone(),
                    source: src.to_string(),
                    file: path.to_owned(),
                    span: 0..0,
                });
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
