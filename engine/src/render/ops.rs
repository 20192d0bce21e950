//! The output of `costfix apply` (per operation: state, risk, approval, the six checks, the last
//! event, manual steps after a failed rollback) and of `costfix log show`.

use std::io::{self, Write};

use crate::ops::log::Entry;
use crate::ops::model::{CheckStatus, OpState};
use crate::ops::ApplyReport;

/// What `costfix apply` did, operation by operation.
pub fn apply(out: &mut impl Write, report: &ApplyReport) -> io::Result<()> {
    let ops = &report.operations;
    for op in ops {
        writeln!(
            out,
            "{}  {}  {} {}  {}",
            op.id,
            op.state.name(),
            op.rule,
            op.rule_name,
            op.address
        )?;
        writeln!(
            out,
            "  risk {} ({}) · approval: {}{}",
            op.risk.name(),
            op.risk_reasons.join(", "),
            if op.approval.required {
                "required"
            } else {
                "automatic"
            },
            op.approval
                .approved_by
                .as_ref()
                .map(|n| format!(" (approved by {n})"))
                .unwrap_or_default()
        )?;
        for c in &op.checks {
            let mark = match c.status {
                CheckStatus::Passed => "ok  ",
                CheckStatus::Warning => "warn",
                CheckStatus::Skipped => "skip",
                CheckStatus::Failed => "FAIL",
            };
            writeln!(out, "  [{mark}] {}: {}", c.name, c.message)?;
        }
        if let Some(last) = op.log.last() {
            writeln!(out, "  {}", last.message)?;
        }
        if op.state == OpState::RollbackFailed {
            writeln!(out, "  manual steps:")?;
            for s in &op.rollback.steps {
                writeln!(
                    out,
                    "    {}. {}: {}; then check {}",
                    s.order, s.file, s.restore, s.verify
                )?;
            }
        }
        writeln!(out)?;
    }
    let already = report.already_applied();
    let applied = ops.iter().filter(|o| o.state == OpState::Applied).count() - already;
    if already > 0 {
        writeln!(
            out,
            "{applied} of {} operation(s) applied; {already} had been applied before.",
            ops.len()
        )
    } else {
        writeln!(out, "{applied} of {} operation(s) applied.", ops.len())
    }
}

/// Log entries, one a line.
pub fn log_table(out: &mut impl Write, entries: &[&Entry]) -> io::Result<()> {
    for e in entries {
        writeln!(
            out,
            "{:>4}  {}  {:<16} {:<28} {:<5} {}",
            e.seq,
            e.time,
            e.op,
            e.transition.text(),
            e.level.name(),
            e.message
        )?;
    }
    Ok(())
}
