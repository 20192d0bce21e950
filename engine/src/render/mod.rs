//! Renderings of the reports for people and tools: tables, Markdown, SARIF, GitHub annotations,
//! JUnit, diffs. Each writes to the `Write` it is given (the CLI gives stdout); JSON is each
//! report's model serialised. Like ripgrep's `printer` crate, formats live in the library.

pub mod check;
pub mod estimate;
pub mod fix;
pub mod ops;
pub mod rules;
