//! Baselines: the findings a team accepted (`--write-baseline`), so that only new ones fail; and
//! how an ignore id (`costfix:ignore ID`, a baseline entry) matches a finding id.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::check::Violation;
use crate::error::{Error, Result};

/// `ID` of an ignore comment against a finding id: the full id (`policy:costfix.policies.gp2_volumes.warn`),
/// the id without its kind, the package (`costfix.policies.gp2_volumes`), its last segment
/// (`gp2_volumes`), or a budget name.
pub(crate) fn id_matches(ignore: &str, finding: &str) -> bool {
    if ignore == finding || ignore == "all" {
        return true;
    }
    let bare = finding.split_once(':').map_or(finding, |(_, b)| b);
    if ignore == bare {
        return true;
    }
    if finding.starts_with("policy:") {
        let package = bare.rsplit_once('.').map_or(bare, |(p, _)| p);
        return ignore == package || package.rsplit('.').next() == Some(ignore);
    }
    false
}

/// Accepted findings: only new ones fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// For people reading the file; matching uses the fingerprint.
    pub message: String,
    /// What identifies the finding across runs (version 2): see [`fingerprint`]. Entries of
    /// version 1 files have none and match on the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl BaselineEntry {
    pub(crate) fn matches(&self, f: &Violation) -> bool {
        match &self.fingerprint {
            Some(fp) => *fp == fingerprint(f),
            None => self.id == f.id && self.resource == f.resource && self.message == f.message,
        }
    }
}

/// A finding's identity, stable when amounts change: its rule id and resource; without a
/// resource, a budget's or costfix's own finding is its id alone, and a policy result is its id
/// and its message with the numbers masked (`$1,303.28` and `3` count as the same).
pub(crate) fn fingerprint(f: &Violation) -> String {
    match &f.resource {
        Some(r) => format!("{}|{r}", f.id),
        None if f.id.starts_with("budget:") || f.id.starts_with("costfix:") => f.id.clone(),
        None => format!("{}|{}", f.id, mask_numbers(&f.message)),
    }
}

/// Every run of digits (with the `.` and `,` inside it) becomes `#`.
fn mask_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|n| n.is_ascii_digit() || *n == '.' || *n == ',')
            {
                chars.next();
            }
            out.push('#');
        } else {
            out.push(c);
        }
    }
    out
}

impl Baseline {
    /// Write the baseline file atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a baseline serialises");
        crate::fsutil::write_atomic(path, format!("{text}\n").as_bytes())
    }

    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text)
            .map_err(|e| Error::json_in(path, &text, &e, "not a costfix baseline"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_ids() {
        let f = "policy:costfix.policies.gp2_volumes.warn";
        for ok in [
            "gp2_volumes",
            "costfix.policies.gp2_volumes",
            "costfix.policies.gp2_volumes.warn",
            f,
            "all",
        ] {
            assert!(id_matches(ok, f), "{ok}");
        }
        assert!(!id_matches("gp2", f));
        assert!(id_matches("stack", "budget:stack"));
        assert_eq!(
            crate::hcl::source::ignore_comment(
                "# costfix:ignore gp2_volumes legacy volume, migrating in Q3"
            ),
            Some((
                "gp2_volumes".into(),
                "legacy volume, migrating in Q3".into()
            ))
        );
    }
}
