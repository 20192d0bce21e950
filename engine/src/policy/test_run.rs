//! `costfix policy test`: every `test_*` rule, like `opa test`.

use serde::Serialize;

use super::source::rule_heads;
use super::{limits, PolicySet};
use crate::error::Result;

/// Outcome of one `test_*` rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestOutcome {
    pub package: String,
    pub name: String,
    pub file: String,
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PolicySet {
    /// Run every `test_*` rule, like `opa test`. A test that hits a limit, or recursive
    /// functions, stop the run with an error.
    pub fn run_tests(&self) -> Result<Vec<TestOutcome>> {
        self.ready()?;
        limits::with_memory_bound(|| self.run_tests_bounded())
    }

    fn run_tests_bounded(&self) -> Result<Vec<TestOutcome>> {
        let mut out = Vec::new();
        for (package, idxs) in &self.packages {
            for &i in idxs {
                let file = &self.files[i];
                for name in rule_heads(&file.text)
                    .into_iter()
                    .filter(|n| n.starts_with("test_"))
                {
                    if out
                        .iter()
                        .any(|t: &TestOutcome| &t.package == package && t.name == name)
                    {
                        continue;
                    }
                    let mut engine = self.engine.clone();
                    engine.set_input(regorus::Value::new_object());
                    let (passed, error) = match engine.eval_rule(format!("{package}.{name}")) {
                        Ok(v) => (v == regorus::Value::from(true), None),
                        Err(e) => {
                            if let Some(m) = limits::limit_message(&e) {
                                return Err(limits::exceeded(
                                    &format!("running {package}.{name}"),
                                    std::slice::from_ref(&file.name),
                                    &m,
                                ));
                            }
                            (false, Some(e.to_string()))
                        }
                    };
                    out.push(TestOutcome {
                        package: package.clone(),
                        name,
                        file: file.name.clone(),
                        passed,
                        error,
                    });
                }
            }
        }
        Ok(out)
    }
}
