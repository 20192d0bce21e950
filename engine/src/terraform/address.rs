//! Terraform resource addresses: `module.a["x"].module.b.aws_instance.web[2]`.
//!
//! An [`Address`] parses and displays round-trip: `addr.to_string().parse() == addr`.
//! Index keys are integers (`count`) or strings (`for_each`); string keys are printed
//! with Terraform's quoting (`"` and `\` escaped).

use std::fmt;
use std::str::FromStr;

/// The index key of a resource or module instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndexKey {
    Int(i64),
    Str(String),
}

impl IndexKey {
    /// The key of a `count` (number) or `for_each` (string) instance, from its JSON.
    pub fn from_raw(raw: &serde_json::value::RawValue) -> Option<IndexKey> {
        let t = raw.get();
        if let Ok(i) = t.parse::<i64>() {
            return Some(IndexKey::Int(i));
        }
        serde_json::from_str::<String>(t).ok().map(IndexKey::Str)
    }
}

impl fmt::Display for IndexKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexKey::Int(i) => write!(f, "[{i}]"),
            IndexKey::Str(s) => {
                f.write_str("[\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\t' => f.write_str("\\t")?,
                        '\r' => f.write_str("\\r")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"]")
            }
        }
    }
}

/// One `module.NAME[KEY]` step of a module path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<IndexKey>,
}

/// Whether an address names a managed resource or a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// A resource instance address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    pub module: Vec<ModuleStep>,
    pub mode: Mode,
    pub resource_type: String,
    pub name: String,
    pub key: Option<IndexKey>,
}

/// Why an address did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid resource address `{input}`: {reason} (at byte {offset})")]
pub struct AddressError {
    pub input: String,
    pub offset: usize,
    pub reason: &'static str,
}

impl Address {
    /// The module path alone, as Terraform prints it (`module.a["x"].module.b`), empty for the root.
    pub fn module_path(&self) -> String {
        let mut out = String::new();
        write_module_path(&mut out, &self.module).expect("writing to a String cannot fail");
        out
    }
}

fn write_module_path(f: &mut impl fmt::Write, module: &[ModuleStep]) -> fmt::Result {
    for (i, step) in module.iter().enumerate() {
        if i > 0 {
            f.write_char('.')?;
        }
        write!(f, "module.{}", step.name)?;
        if let Some(k) = &step.key {
            write!(f, "{k}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_module_path(f, &self.module)?;
        if !self.module.is_empty() {
            f.write_str(".")?;
        }
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.resource_type, self.name)?;
        if let Some(k) = &self.key {
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, reason: &'static str) -> AddressError {
        AddressError {
            input: self.input.to_owned(),
            offset: self.pos,
            reason,
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn ident(&mut self) -> Result<&'a str, AddressError> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            return Err(self.err("expected a name"));
        }
        self.pos += len;
        Ok(&rest[..len])
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn key(&mut self) -> Result<Option<IndexKey>, AddressError> {
        if !self.eat("[") {
            return Ok(None);
        }
        let key = if self.eat("\"") {
            let mut s = String::new();
            let mut chars = self.rest().char_indices();
            loop {
                let Some((i, c)) = chars.next() else {
                    return Err(self.err("unterminated string key"));
                };
                match c {
                    '"' => {
                        self.pos += i + 1;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => s.push('\n'),
                        Some((_, 't')) => s.push('\t'),
                        Some((_, 'r')) => s.push('\r'),
                        Some((_, c)) => s.push(c),
                        None => return Err(self.err("unterminated string key")),
                    },
                    c => s.push(c),
                }
            }
            IndexKey::Str(s)
        } else {
            let rest = self.rest();
            let len = rest
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
                .map_or(rest.len(), |(i, _)| i);
            let n = rest[..len]
                .parse::<i64>()
                .map_err(|_| self.err("expected an integer or a quoted string key"))?;
            self.pos += len;
            IndexKey::Int(n)
        };
        if !self.eat("]") {
            return Err(self.err("expected `]`"));
        }
        Ok(Some(key))
    }
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let mut p = Parser { input, pos: 0 };
        let mut module = Vec::new();
        loop {
            let start = p.pos;
            let word = p.ident()?;
            if word == "module" && p.eat(".") {
                let name = p.ident()?.to_owned();
                let key = p.key()?;
                module.push(ModuleStep { name, key });
                if !p.eat(".") {
                    return Err(p.err("expected `.` after a module step"));
                }
                continue;
            }
            p.pos = start;
            break;
        }
        let mode = if p.rest().starts_with("data.") {
            p.pos += 5;
            Mode::Data
        } else {
            Mode::Managed
        };
        let resource_type = p.ident()?.to_owned();
        if !p.eat(".") {
            return Err(p.err("expected `.` between resource type and name"));
        }
        let name = p.ident()?.to_owned();
        let key = p.key()?;
        if !p.rest().is_empty() {
            return Err(p.err("unexpected text after the address"));
        }
        Ok(Address {
            module,
            mode,
            resource_type,
            name,
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "aws_instance.web",
            "aws_instance.web[2]",
            "data.aws_ami.ubuntu",
            r#"module.a["x"].module.b.aws_instance.web[2]"#,
            r#"module.vpc.aws_nat_gateway.this["eu-west-1a"]"#,
            r#"aws_s3_bucket.b["quote\"and\\slash"]"#,
            "module.m[0].data.aws_iam_policy_document.p",
        ] {
            let a: Address = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
    }

    #[test]
    fn parts() {
        let a: Address = r#"module.a["x"].module.b.aws_instance.web[2]"#.parse().unwrap();
        assert_eq!(a.module.len(), 2);
        assert_eq!(a.module[0].key, Some(IndexKey::Str("x".into())));
        assert_eq!(a.module_path(), r#"module.a["x"].module.b"#);
        assert_eq!(a.resource_type, "aws_instance");
        assert_eq!(a.key, Some(IndexKey::Int(2)));
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "aws_instance",
            "aws_instance.web[",
            "aws_instance.web[x]",
            "module.a",
            "a.b c",
        ] {
            assert!(s.parse::<Address>().is_err(), "{s} should not parse");
        }
    }
}
