//! Rego policies, evaluated by regorus, the way conftest evaluates them.
//!
//! A [`PolicySet`] holds `.rego` files (the defaults shipped in `policies/` are embedded in the
//! binary; users add folders) and JSON data files. Rego v1 is the default; a file that only parses
//! as v0 (with or without `future.keywords` imports) is read as v0. The engine has no network or
//! file-system builtins (`http.send`, `opa.runtime` are not compiled in).
//!
//! [`PolicySet::evaluate`] collects the conftest rules from the chosen packages, as conftest does:
//! `deny`, `violation` (failures) and `warn` (warnings), and their prefixed forms (`deny_public`,
//! `warn_size`, ...), each result a string or an object with `msg`. A package's `exception` rule
//! (a set of lists of rule names) exempts `deny_NAME` and `violation_NAME` (`""`: the bare `deny`
//! and `violation`); exempted results are reported, marked, and do not fail. Data documents
//! (JSON or YAML) load into `data`.
//! [`PolicySet::run_tests`] runs `test_*` rules like `opa test` / `conftest verify`.
//! Every parse and evaluation is bounded ([`limits`]): a policy that recurses, nests too deep,
//! runs past the deadline or allocates past the memory bound is reported and stops the command.

mod diagnostic;
pub mod input;
pub mod limits;
mod recursion;
pub mod rego_value;
pub mod shipped;
mod source;
mod test_run;

use diagnostic::line_col_offset;
pub(crate) use diagnostic::rego_error;
use source::{collect, is_test_folder, rule_heads};
pub use source::{metadata, PolicyDoc};
pub use test_run::TestOutcome;

use shipped::EMBEDDED;
pub use shipped::{declared_reads, Reads, EMBEDDED_TESTS};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

/// A policy or data file.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Shown in reports: `policies/cost.rego` for embedded ones, the path for users'.
    pub name: String,
    pub text: String,
}

/// Which packages' rules to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespaces {
    /// These packages (conftest's default is `main`).
    Only(Vec<String>),
    /// Every package that defines `deny`, `violation` or `warn`.
    All,
}

/// How serious a result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Warn,
    Deny,
}

/// One policy result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyResult {
    pub level: Level,
    /// `data.main`.
    pub package: String,
    /// `deny`, `violation` or `warn`.
    pub rule: String,
    /// The files of the package that define the rule.
    pub files: Vec<String>,
    pub msg: String,
    /// The resource address, when the result object names one (`resource`, `address` or `id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The whole result object, for object results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    /// Exempted by the package's `exception` rule (reported, never a failure).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exception: bool,
}

/// The level of a conftest rule name: `deny`, `violation` and `warn`, bare or with a `_suffix`;
/// and the name an `exception` uses for it (`deny_foo` → `foo`, `deny` → `""`).
pub fn rule_kind(rule: &str) -> Option<(Level, &str)> {
    for (prefix, level) in [
        ("deny", Level::Deny),
        ("violation", Level::Deny),
        ("warn", Level::Warn),
    ] {
        if let Some(rest) = rule.strip_prefix(prefix) {
            if rest.is_empty() {
                return Some((level, ""));
            }
            if let Some(name) = rest.strip_prefix('_') {
                if !name.is_empty() {
                    return Some((level, name));
                }
            }
        }
    }
    None
}

/// A set of policies and data, ready to evaluate.
#[derive(Clone)]
pub struct PolicySet {
    pub files: Vec<PolicyFile>,
    data: Vec<(String, serde_json::Value)>,
    engine: regorus::Engine,
    /// package → files declaring it
    packages: BTreeMap<String, Vec<usize>>,
    /// Set once the loaded policies were found free of recursive functions.
    sound: std::sync::OnceLock<()>,
}

impl std::fmt::Debug for PolicySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicySet")
            .field(
                "files",
                &self.files.iter().map(|p| &p.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl PolicySet {
    /// An empty set.
    pub fn new() -> PolicySet {
        let mut engine = regorus::Engine::new();
        // As OPA: a builtin given a value of the wrong type makes the expression undefined
        // instead of failing the whole evaluation.
        engine.set_strict_builtin_errors(false);
        engine.set_execution_timer_config(limits::timer(&limits::get()));
        PolicySet {
            files: Vec::new(),
            data: Vec::new(),
            engine,
            packages: BTreeMap::new(),
            sound: std::sync::OnceLock::new(),
        }
    }

    /// The shipped default policies.
    pub fn embedded() -> Result<PolicySet> {
        let mut set = PolicySet::new();
        for (name, text, _) in EMBEDDED {
            set.add(PolicyFile {
                name: (*name).to_string(),
                text: (*text).to_string(),
            })?;
        }
        Ok(set)
    }

    /// Add a `.rego` file: parsed as Rego v1, or v0 if it only parses as v0; refused when its
    /// brackets nest too deep or its parse takes longer than the deadline ([`limits`]).
    pub fn add(&mut self, file: PolicyFile) -> Result<()> {
        limits::check_nesting(&file.name, &file.text)?;
        let mut engine = self.engine.clone();
        let (name, text) = (file.name.clone(), file.text.clone());
        let (engine, parsed) = limits::parse_within(&file.name, move || {
            engine.set_rego_v0(false);
            let parsed = match engine.add_policy(name.clone(), text.clone()) {
                Ok(p) => Ok(p),
                Err(v1_err) => {
                    engine.set_rego_v0(true);
                    engine
                        .add_policy(name, text)
                        .map_err(|v0_err| (v1_err.to_string(), v0_err.to_string()))
                }
            };
            (engine, parsed)
        })?;
        let package = match parsed {
            Ok(p) => p,
            Err((v1_err, v0_err)) => {
                // Report the error of the dialect the file seems to be written in.
                let v1 = file.text.contains("rego.v1")
                    || file.text.contains(" if ")
                    || file.text.contains(" contains ");
                let e = if v1 { v1_err } else { v0_err };
                return Err(rego_error(&[file], &e));
            }
        };
        self.engine = engine;
        self.sound = std::sync::OnceLock::new();
        self.files.push(file);
        self.packages
            .entry(package)
            .or_default()
            .push(self.files.len() - 1);
        Ok(())
    }

    /// Add a YAML data document (merged into `data`), as JSON.
    pub fn add_yaml_data(&mut self, name: &str, yaml: &str) -> Result<()> {
        crate::yaml::check_nesting(name, yaml)?;
        let value: serde_json::Value =
            serde_yaml_ng::from_str(yaml).map_err(|e| Error::InvalidNoSource {
                path: PathBuf::from(name),
                message: format!("policy data is not valid YAML: {e}"),
            })?;
        if value.is_null() {
            return Ok(());
        }
        self.add_data(name, &value.to_string())
    }

    /// Add a JSON data document (merged into `data`).
    pub fn add_data(&mut self, name: &str, json: &str) -> Result<()> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            let offset = line_col_offset(json, e.line(), e.column());
            let (src, span) = Error::source_window(name, json, offset);
            Error::Invalid {
                src,
                span,
                message: format!("policy data is not valid JSON: {e}"),
                label: "here".into(),
            }
        })?;
        let rv = regorus::Value::from_json_str(json).map_err(|e| Error::InvalidNoSource {
            path: PathBuf::from(name),
            message: format!("policy data: {e}"),
        })?;
        self.engine
            .add_data(rv)
            .map_err(|e| Error::InvalidNoSource {
                path: PathBuf::from(name),
                message: format!("policy data conflicts with data loaded before: {e}"),
            })?;
        self.data.push((name.to_string(), value));
        Ok(())
    }

    /// Load every `.rego` (and `.json` data) file below `dir`, sorted by path. With
    /// `include_tests`, `*_test.rego` files are loaded too.
    /// The policies of a folder with their `test_*` rules (`costfix policy test DIR`).
    pub fn with_tests_in(dir: &Path) -> Result<PolicySet> {
        let mut set = PolicySet::new();
        set.load_dir(dir, true)?;
        Ok(set)
    }

    /// The shipped policies with their own tests.
    pub fn embedded_with_tests() -> Result<PolicySet> {
        let mut set = PolicySet::embedded()?;
        for (name, text) in EMBEDDED_TESTS {
            set.add(PolicyFile {
                name: (*name).to_string(),
                text: (*text).to_string(),
            })?;
        }
        Ok(set)
    }

    ///
    /// `dir` may also be one `.rego` file. Data files (`.json`, `.yaml`, `.yml`) are read from the
    /// folders of the policies, not from folders of test inputs (`testdata`, `fixtures`, names
    /// ending in `_test`, hidden ones), where a plan used by a policy's tests would otherwise load
    /// as data. Returns how many `.rego` files were loaded.
    pub fn load_dir(&mut self, dir: &Path, include_tests: bool) -> Result<usize> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let mut paths = Vec::new();
        if dir.is_file() {
            paths.push(dir.to_owned());
        } else {
            collect(dir, &mut paths).map_err(io(dir))?;
        }
        paths.sort();
        let mut n = 0;
        for p in paths {
            let name = p.display().to_string();
            let is_test = name.ends_with("_test.rego");
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
            let data = matches!(ext, "json" | "yaml" | "yml")
                && !p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .parent()
                    .is_some_and(|rel| rel.components().any(|c| is_test_folder(c.as_os_str())));
            if !(ext == "rego" && (include_tests || !is_test)) && !data {
                continue;
            }
            let text = if ext == "rego" {
                crate::fsutil::read_text_capped(&p, "a policy", crate::fsutil::MAX_SETTINGS_FILE)?
            } else {
                crate::fsutil::read_text_capped(&p, "policy data", crate::fsutil::MAX_TABLE_FILE)?
            };
            match ext {
                "json" => self.add_data(&name, &text)?,
                "yaml" | "yml" => self.add_yaml_data(&name, &text)?,
                _ => {
                    self.add(PolicyFile { name, text })?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Load data documents (`--data`): a JSON or YAML file, or every one below a folder.
    pub fn load_data(&mut self, path: &Path) -> Result<usize> {
        let mut paths = Vec::new();
        if path.is_file() {
            paths.push(path.to_owned());
        } else {
            collect(path, &mut paths).map_err(|source| Error::Io {
                path: path.to_owned(),
                source,
            })?;
        }
        paths.sort();
        let mut n = 0;
        for p in paths {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
            if !matches!(ext, "json" | "yaml" | "yml") {
                continue;
            }
            let text =
                crate::fsutil::read_text_capped(&p, "policy data", crate::fsutil::MAX_TABLE_FILE)?;
            let name = p.display().to_string();
            if ext == "json" {
                self.add_data(&name, &text)?;
            } else {
                self.add_yaml_data(&name, &text)?;
            }
            n += 1;
        }
        Ok(n)
    }

    /// The packages declared by the files loaded from the `first`-th on (as `x.y`): those of the
    /// user's policies when `first` is the count of files loaded before them.
    pub fn packages_from(&self, first: usize) -> Vec<&str> {
        self.packages
            .iter()
            .filter(|(_, files)| files.iter().any(|&i| i >= first))
            .map(|(p, _)| p.trim_start_matches("data."))
            .collect()
    }

    /// The METADATA of the first file named `name` that has one.
    pub fn doc_of(&self, name: &str) -> Option<PolicyDoc> {
        self.files
            .iter()
            .filter(|f| f.name == name)
            .find_map(|f| metadata(&f.text))
    }

    /// The packages loaded, as `data.x.y`.
    pub fn packages(&self) -> impl Iterator<Item = &str> {
        self.packages.keys().map(String::as_str)
    }

    /// Evaluate the conftest rules of the chosen packages on `input` (a JSON document).
    pub fn evaluate(&self, input_json: &str, namespaces: &Namespaces) -> Result<Vec<PolicyResult>> {
        let input =
            regorus::Value::from_json_str(input_json).map_err(|e| Error::InvalidNoSource {
                path: PathBuf::from("<policy input>"),
                message: e.to_string(),
            })?;
        self.evaluate_value(input, namespaces)
    }

    /// Whether any chosen package defines a conftest rule (else there is nothing to evaluate).
    pub fn has_rules(&self, namespaces: &Namespaces) -> bool {
        self.chosen(namespaces)
            .iter()
            .any(|p| !self.conftest_rules(p).is_empty())
    }

    /// The conftest rules a package declares (`deny`, `warn_x`, ...), sorted, and whether it
    /// declares `exception`.
    fn conftest_rules(&self, package: &str) -> Vec<String> {
        let mut rules: Vec<String> = self
            .packages
            .get(package)
            .into_iter()
            .flatten()
            .flat_map(|&i| rule_heads(&self.files[i].text))
            .filter(|r| rule_kind(r).is_some())
            .collect();
        rules.sort();
        rules.dedup();
        rules
    }

    fn chosen(&self, namespaces: &Namespaces) -> Vec<String> {
        match namespaces {
            Namespaces::All => self.packages.keys().cloned().collect(),
            Namespaces::Only(ns) => ns
                .iter()
                .map(|n| format!("data.{n}"))
                .filter(|p| self.packages.contains_key(p))
                .collect(),
        }
    }

    /// Evaluate the conftest rules of the chosen packages on an input value.
    pub fn evaluate_value(
        &self,
        input: regorus::Value,
        namespaces: &Namespaces,
    ) -> Result<Vec<PolicyResult>> {
        self.ready()?;
        limits::with_memory_bound(|| self.evaluate_bounded(input, namespaces))
    }

    fn evaluate_bounded(
        &self,
        input: regorus::Value,
        namespaces: &Namespaces,
    ) -> Result<Vec<PolicyResult>> {
        use rayon::prelude::*;
        let mut engine = self.engine.clone();
        engine.set_input(input);
        // Each (package, rule) is evaluated on its own engine clone, in parallel: the clones
        // share the policies and the input.
        let chosen = self.chosen(namespaces);
        let exceptions = chosen
            .iter()
            .map(|p| Ok((p.clone(), self.exceptions(&engine, p)?)))
            .collect::<Result<BTreeMap<String, Vec<String>>>>()?;
        let jobs: Vec<(String, String, Level, Vec<String>, bool)> = chosen
            .into_iter()
            .flat_map(|package| {
                self.conftest_rules(&package)
                    .into_iter()
                    .map(move |rule| (package.clone(), rule))
            })
            .filter_map(|(package, rule)| {
                let (level, name) = rule_kind(&rule)?;
                let excepted = level == Level::Deny
                    && exceptions
                        .get(&package)
                        .is_some_and(|e| e.iter().any(|x| x == name));
                let files = self.files_declaring(&package, &rule);
                (!files.is_empty()).then(|| (package, rule.clone(), level, files, excepted))
            })
            .collect();
        let per_job: Vec<Result<Vec<PolicyResult>>> = jobs
            .par_iter()
            .map(|(package, rule, level, files, excepted)| {
                let mut engine = engine.clone();
                let value = engine
                    .eval_rule(format!("{package}.{rule}"))
                    .map_err(|e| self.eval_error(&format!("{package}.{rule}"), files, &e))?;
                Ok(items(&value)
                    .into_iter()
                    .map(|item| {
                        let (msg, resource, details) = match &item {
                            serde_json::Value::String(s) => (s.clone(), None, None),
                            serde_json::Value::Object(o) => {
                                let msg = o
                                    .get("msg")
                                    .and_then(|m| m.as_str())
                                    .map(str::to_owned)
                                    .unwrap_or_else(|| item.to_string());
                                let resource = ["resource", "address", "id"].iter().find_map(|k| {
                                    o.get(*k).and_then(|v| v.as_str()).map(str::to_owned)
                                });
                                (msg, resource, Some(item.clone()))
                            }
                            other => (other.to_string(), None, None),
                        };
                        PolicyResult {
                            level: *level,
                            package: package.clone(),
                            rule: rule.to_string(),
                            files: files.clone(),
                            msg,
                            resource,
                            details,
                            exception: *excepted,
                        }
                    })
                    .collect())
            })
            .collect();
        let mut results = Vec::new();
        for r in per_job {
            results.extend(r?);
        }
        results.sort_by(|a, b| {
            (b.level, &a.package, &a.rule, &a.msg).cmp(&(a.level, &b.package, &b.rule, &b.msg))
        });
        Ok(results)
    }

    /// The rule names a package's `exception` rule exempts on this input (conftest: a set of
    /// lists of names; `""` for the bare `deny` and `violation`).
    fn exceptions(&self, engine: &regorus::Engine, package: &str) -> Result<Vec<String>> {
        if self.files_declaring(package, "exception").is_empty() {
            return Ok(Vec::new());
        }
        let mut engine = engine.clone();
        let rule = format!("{package}.exception");
        let value = engine
            .eval_rule(rule.clone())
            .map_err(|e| self.eval_error(&rule, &self.files_declaring(package, "exception"), &e))?;
        let mut names = Vec::new();
        for item in items(&value) {
            match item {
                serde_json::Value::Array(a) => {
                    names.extend(a.into_iter().filter_map(|v| v.as_str().map(str::to_owned)))
                }
                serde_json::Value::String(s) => names.push(s),
                _ => {}
            }
        }
        Ok(names)
    }

    /// Evaluate one rule to JSON (`None` when undefined).
    pub fn eval_rule(&self, rule: &str, input_json: &str) -> Result<Option<serde_json::Value>> {
        let input =
            regorus::Value::from_json_str(input_json).map_err(|e| Error::InvalidNoSource {
                path: PathBuf::from("<policy input>"),
                message: e.to_string(),
            })?;
        self.ready()?;
        let mut engine = self.engine.clone();
        engine.set_input(input);
        let v = limits::with_memory_bound(|| engine.eval_rule(rule.to_string()))
            .map_err(|e| self.eval_error(rule, &[], &e))?;
        Ok(to_json(&v))
    }

    /// Refuse recursive functions (once per set of loaded policies): regorus would overflow
    /// its stack on them.
    fn ready(&self) -> Result<()> {
        if self.sound.get().is_some() {
            return Ok(());
        }
        let ast = self
            .engine
            .get_ast_as_json()
            .map_err(|e| Error::InvalidNoSource {
                path: PathBuf::from("<policies>"),
                message: format!("cannot read the policies' syntax tree: {e}"),
            })?;
        let texts: BTreeMap<&str, &str> = self
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.text.as_str()))
            .collect();
        recursion::check(&ast, &texts)?;
        let _ = self.sound.set(());
        Ok(())
    }

    /// An evaluation error of `rule`: a limit it hit, or regorus's error with file and line.
    fn eval_error(&self, rule: &str, files: &[String], e: &anyhow::Error) -> Error {
        match limits::limit_message(e) {
            Some(m) => limits::exceeded(&format!("evaluating {rule}"), files, &m),
            None => rego_error(&self.files, &e.to_string()),
        }
    }

    fn files_declaring(&self, package: &str, rule: &str) -> Vec<String> {
        self.packages
            .get(package)
            .into_iter()
            .flatten()
            .map(|&i| &self.files[i])
            .filter(|f| rule_heads(&f.text).iter().any(|h| h == rule))
            .map(|f| f.name.clone())
            .collect()
    }
}

impl Default for PolicySet {
    fn default() -> Self {
        PolicySet::new()
    }
}

/// The members of a rule's value: a set or array's elements, or the value itself.
fn items(v: &regorus::Value) -> Vec<serde_json::Value> {
    match to_json(v) {
        None => Vec::new(),
        Some(serde_json::Value::Array(a)) => a,
        Some(serde_json::Value::Bool(false)) => Vec::new(),
        Some(other) => vec![other],
    }
}

fn to_json(v: &regorus::Value) -> Option<serde_json::Value> {
    if *v == regorus::Value::Undefined {
        return None;
    }
    v.to_json_str()
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
}
