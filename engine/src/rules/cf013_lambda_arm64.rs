//! ## What it does
//!
//! Finds Lambda functions (`aws_lambda_function`) running on x86_64: `architectures` not set (the
//! default) or `["x86_64"]`.
//!
//! The fix sets `architectures = ["arm64"]`.
//!
//! ## Why is this bad?
//!
//! arm64 (Graviton) duration is 20% cheaper per GB-second ($0.0000133334 against $0.0000166667 in
//! us-east-1); requests cost the same. The saving is computed from the usage file's
//! `monthly_requests` and `request_duration_ms`; without them it is unknown.
//!
//! ## Example
//!
//! ```hcl
//! resource "aws_lambda_function" "api" {
//!   function_name = "api"
//!   role          = "arn:aws:iam::123456789012:role/lambda"
//!   handler       = "app.handler"
//!   runtime       = "python3.12"
//!   s3_bucket     = "artifacts"
//!   s3_key        = "api.zip"
//!   memory_size   = 1024
//! }
//! ```
//!
//! Use instead:
//!
//! ```hcl
//! resource "aws_lambda_function" "api" {
//!   function_name = "api"
//!   role          = "arn:aws:iam::123456789012:role/lambda"
//!   handler       = "app.handler"
//!   runtime       = "python3.12"
//!   s3_bucket     = "artifacts"
//!   s3_key        = "api.zip"
//!   memory_size   = 1024
//!   architectures = ["arm64"]
//! }
//! ```
//!
//! ## Fix safety
//!
//! Always unsafe: the deployment package must run on arm64. Pure Python, Node.js, Java and .NET
//! code usually does; native extensions (numpy wheels, sharp, bcrypt), bundled binaries, container
//! images and layers must be built for arm64.

use serde_json::Value;

use super::{Applicability, AttrPath, Change, Proposal, Resource, Rule};

pub const RULE: Rule = Rule {
    id: "CF013",
    name: "lambda-arm64",
    summary: "Lambda function on x86_64 that could run on arm64",
    types: &["aws_lambda_function"],
    applicability: Applicability::Unsafe,
    needs: &[],
    source: include_str!("cf013_lambda_arm64.rs"),
    check,
};

fn check(r: &Resource<'_>) -> Option<Proposal> {
    if r.is_unknown("architectures") && r.configured("architectures") == Some(true) {
        return None;
    }
    let current = r
        .values
        .get("architectures")
        .cloned()
        .unwrap_or(Value::Null);
    let x86 = match &current {
        Value::Null => true,
        Value::Array(a) => a.is_empty() || a == &[Value::from("x86_64")],
        _ => false,
    };
    if !x86 {
        return None;
    }
    Some(
        Proposal::new(
            &RULE,
            "the function runs on x86_64: arm64 duration costs 20% less".into(),
            vec![Change::set(
                AttrPath::key("architectures"),
                current,
                Value::from(vec!["arm64"]),
            )],
        )
        .note("the package, its layers and native dependencies must be built for arm64"),
    )
}
