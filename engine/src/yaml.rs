//! YAML from outside (usage files, policy data) read safely: libyaml takes time quadratic in the
//! nesting of flow collections (`a: [[[[…`: 30,000 levels took 1.2 s, 100,000 levels 17 s, for
//! a 200 KB file) before serde's recursion limit answers, so nesting is bounded before parsing.

use crate::error::{Error, Result};

/// Deepest nesting of `[` and `{` a YAML document may have (serde stops at 128 anyway).
pub const MAX_FLOW_NESTING: usize = 64;

/// Refuse `text` when its flow collections nest deeper than [`MAX_FLOW_NESTING`], pointing at
/// the bracket one level too deep. Quoted scalars and comments are skipped.
pub(crate) fn check_nesting(name: &str, text: &str) -> Result<()> {
    let Some(i) = crate::nesting::too_deep(text, MAX_FLOW_NESTING, &crate::nesting::YAML) else {
        return Ok(());
    };
    let (src, span) = Error::source_window(name, text, i);
    Err(Error::Invalid {
        src,
        span,
        message: format!(
            "brackets nested more than {MAX_FLOW_NESTING} deep: refused before parsing"
        ),
        label: "one level too deep".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_collections_are_refused_and_quoted_brackets_are_not_counted() {
        let ok = format!("a: {}{}\n", "[".repeat(64), "]".repeat(64));
        assert!(check_nesting("u.yml", &ok).is_ok());
        let deep = format!("a: {}\n", "[".repeat(100_000));
        let e = check_nesting("u.yml", &deep).unwrap_err();
        assert!(e.to_string().contains("nested more than 64 deep"), "{e}");
        let quoted = format!(
            "a: \"{}\"\nb: '{}'\n# {}\n",
            "[".repeat(100),
            "{".repeat(100),
            "[".repeat(100)
        );
        assert!(check_nesting("u.yml", &quoted).is_ok());
    }
}
