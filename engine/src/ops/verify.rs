//! `costfix apply OPS --verify-plan AFTER.json`: operations already applied are checked against
//! a plan made after the change: each instance's planned values must be the fix's and the monthly
//! cost lower. An operation that fails is rolled back.

use std::path::PathBuf;

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::estimate::{Pricing, PricingRequest};
use crate::ops::apply::{open_log, plan_of};
use crate::ops::log::Level;
use crate::ops::model::{Operation, OpsFile};
use crate::ops::undo::{applied_changes, restore, undo_text, Restored};
use crate::ops::world::instance_cost;
use crate::root::Root;
use crate::terraform::input::InputFile;
use crate::terraform::plan::{parse_document, Document, Plan};

#[derive(Debug)]
pub struct VerifyRequest {
    pub ops_file: PathBuf,
    /// The plan made after the change.
    pub new_plan: PathBuf,
    /// The root folder (the log's, and the files').
    pub dir: PathBuf,
    pub pricing: PricingRequest,
}

/// One applied operation, checked.
#[derive(Debug)]
pub struct Verified {
    pub id: String,
    pub address: String,
    /// What is wrong (empty: verified; else it was rolled back).
    pub problems: Vec<String>,
}

#[derive(Debug)]
pub struct VerifyReport {
    pub operations: Vec<Verified>,
}

impl VerifyReport {
    pub fn rolled_back(&self) -> usize {
        self.operations
            .iter()
            .filter(|o| !o.problems.is_empty())
            .count()
    }
}

/// Check the applied operations of an operations file against a plan made after the change.
pub fn verify_plan(req: &VerifyRequest) -> Result<VerifyReport> {
    let ops = OpsFile::load(&req.ops_file)?;
    let root = Root::open(&req.dir)?;
    let (_lock, mut log) = open_log(&root)?;
    let pricing = Pricing::load_request(&req.pricing)?;
    let old_file = InputFile::read(&plan_of(&ops, &root)?)?;
    let (old_doc, _) = parse_document(&old_file)?;
    let new_file = InputFile::read(&req.new_plan)?;
    let (new_doc, _) = parse_document(&new_file)?;
    let (Document::Plan(old), Document::Plan(new)) = (&old_doc, &new_doc) else {
        return Err(Error::InvalidNoSource {
            path: req.new_plan.clone(),
            message: "--verify-plan needs plans (the operations' plan and the new one)".into(),
        });
    };
    let entries = log.entries().to_vec();
    let mut report = VerifyReport {
        operations: Vec::new(),
    };
    let name = req.new_plan.display();
    for op in &ops.operations {
        let Some(changes) = applied_changes(&entries, &op.id) else {
            continue;
        };
        let (problems, before, after) = compare(op, old, new, &pricing, &name.to_string());
        if problems.is_empty() {
            let msg = format!("verified against {name}: values as planned, monthly cost ${before:.2} → ${after:.2}");
            log.note(&op.id, Level::Info, msg, serde_json::Value::Null)?;
        } else {
            let why = format!(
                "verification against {name} failed: {}",
                problems.join("; ")
            );
            let mut files = Vec::new();
            for c in changes.iter().rev() {
                let path = root.resolve(&c.file)?;
                let (now, undone) =
                    undo_text(c, &path, false).map_err(|message| Error::Rollback { message })?;
                files.push(Restored::new(c, path, &now, undone));
            }
            restore(&mut log, &op.id, &files, &why)?;
        }
        report.operations.push(Verified {
            id: op.id.clone(),
            address: op.address.clone(),
            problems,
        });
    }
    Ok(report)
}

/// What differs from the operation in the new plan, and the monthly cost before and after.
fn compare(
    op: &Operation,
    old: &Plan<'_>,
    new: &Plan<'_>,
    pricing: &Pricing,
    name: &str,
) -> (Vec<String>, Decimal, Decimal) {
    let mut problems = Vec::new();
    let (mut before, mut after) = (Decimal::ZERO, Decimal::ZERO);
    for inst in &op.instances {
        let Some(now) = instance_cost(new, inst, pricing, &[]) else {
            problems.push(format!("{inst} is not priced in {name}"));
            continue;
        };
        for c in &op.target.changes {
            let v = c
                .path
                .get(&now.values)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            let same_number = v.is_number() && c.to.is_number() && v.as_f64() == c.to.as_f64();
            if v != c.to && !same_number {
                problems.push(format!(
                    "{inst}: {} is {v} in the new plan, not {}",
                    c.path, c.to
                ));
            }
        }
        after += now.monthly;
        before += instance_cost(old, inst, pricing, &[]).map_or(now.monthly, |c| c.monthly);
    }
    // A saving the rule computed is not seen by re-costing the attributes.
    let lowered = after < before || op.saving_basis != crate::rules::SavingBasis::Recost;
    if !lowered && problems.is_empty() {
        problems.push(format!(
            "the monthly cost did not go down (${before:.2} → ${after:.2})"
        ));
    }
    (problems, before, after)
}
