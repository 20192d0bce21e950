//! `costfix estimate` and `costfix diff`: one entry point each, from file paths to an estimate.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::estimate::{diff, Estimate, Pricing, PricingRequest};
use crate::terraform::input::InputFile;
use crate::terraform::plan::{parse_document, Document, Warning};

#[derive(Debug, Default)]
pub struct EstimateRequest {
    /// A plan, or a state (its current cost).
    pub plan: PathBuf,
    /// A state whose resources the plan does not change count as unchanged.
    pub state: Option<PathBuf>,
    pub pricing: PricingRequest,
    /// The process ends after this call: leave the inputs' memory to the OS instead of freeing
    /// a large plan's structures one by one.
    pub exiting: bool,
}

/// The estimate of a plan (or a state), with the warnings of reading it. `phase` is told each
/// step as it starts (for progress and timings).
pub fn run(req: &EstimateRequest, phase: &dyn Fn(&str)) -> Result<Estimate> {
    phase("catalog");
    let pricing = Pricing::load_request(&req.pricing)?;
    phase("read");
    let file = InputFile::read(&req.plan)?;
    phase("parse");
    let (doc, mut warnings) = parse_document(&file)?;
    // Costing reads the resources' values again; the rest need not stay resident.
    file.release_pages();
    let state_file = req.state.as_deref().map(InputFile::read).transpose()?;
    let state_doc = match &state_file {
        Some(f) => {
            let (d, w) = parse_document(f)?;
            warnings.extend(w);
            match d {
                Document::State(s) => Some(s),
                Document::Plan(_) => return Err(Error::WrongKind {
                    path: f.path.clone(),
                    expected: "a Terraform state",
                    found: "a Terraform plan",
                    help: "--state takes terraform.tfstate or `terraform show -json` of a state; give the plan as the first argument".into(),
                }),
            }
        }
        None => None,
    };
    if matches!(doc, Document::State(_)) {
        warnings.push(Warning {
            file: file.display_name(),
            message: "this is a state, not a plan: showing its current cost (before = after)"
                .into(),
        });
    }
    phase("cost");
    let mut est = pricing.estimate(&doc, &file.display_name(), state_doc.as_ref());
    est.warnings.splice(0..0, warnings);
    if req.exiting {
        std::mem::forget(state_doc);
        std::mem::forget(doc);
        std::mem::forget(state_file);
        std::mem::forget(file);
    }
    Ok(est)
}

#[derive(Debug, Default)]
pub struct DiffRequest {
    /// The base plan or state (the target branch) and the head plan (the pull request).
    pub base: PathBuf,
    pub head: PathBuf,
    pub pricing: PricingRequest,
}

/// The cost change from a base plan or state to a head plan.
pub fn run_diff(req: &DiffRequest) -> Result<Estimate> {
    let pricing = Pricing::load_request(&req.pricing)?;
    let base_file = InputFile::read(&req.base)?;
    let head_file = InputFile::read(&req.head)?;
    let (base_doc, mut warnings) = parse_document(&base_file)?;
    let (head_doc, w) = parse_document(&head_file)?;
    warnings.extend(w);
    let base = pricing.estimate(&base_doc, &base_file.display_name(), None);
    let head = pricing.estimate(&head_doc, &head_file.display_name(), None);
    let mut est = diff(&base, &head, &pricing.catalog);
    est.warnings.splice(0..0, warnings);
    Ok(est)
}
