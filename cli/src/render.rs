//! Human renderings of an estimate: an aligned table for terminals and logs, and Markdown for pull
//! request comments. JSON is the engine's model serialised as is.

use std::io::{self, Write};

use costfix_engine::cost::{ItemStatus, LineItem, Support};
use costfix_engine::estimate::{Estimate, ResourceEstimate};
use costfix_engine::plan::ChangeKind;

use crate::money::{delta, qty, unit_price, usd};

/// Rows in the Markdown resource table before the rest is summarised in one line.
const MARKDOWN_MAX_ROWS: usize = 50;

fn is_priced(r: &ResourceEstimate) -> bool {
    costfix_engine::cost::support(&r.resource_type) == Support::Priced
}

/// The side whose components are shown: after, or before for a deleted resource.
fn shown_items(r: &ResourceEstimate) -> &[LineItem] {
    r.after
        .as_ref()
        .or(r.before.as_ref())
        .map_or(&[][..], |s| s.items.as_slice())
}

fn item_label(i: &LineItem) -> String {
    let mut s = match &i.group {
        Some(g) => format!("{g}: {}", i.name),
        None => i.name.clone(),
    };
    // Assumptions are marked here and listed under the table; unpriced reasons are listed too.
    if i.note.is_some() && i.status != ItemStatus::Unpriced {
        s.push_str(" *");
    }
    s
}

fn item_cost(i: &LineItem) -> String {
    match i.status {
        ItemStatus::Priced => usd(i.monthly.unwrap_or_default()),
        ItemStatus::UsageBased => match i.unit_price {
            Some(p) => format!("{} per {}", unit_price(p), singular(&i.unit)),
            None => "usage-based".into(),
        },
        ItemStatus::Unpriced => "unpriced".into(),
    }
}

fn singular(unit: &str) -> &str {
    match unit {
        "hours" => "hour",
        "requests" => "request",
        u => u,
    }
}

fn header(est: &Estimate, command: &str) -> String {
    let names: Vec<String> = est
        .inputs
        .iter()
        .map(|i| {
            let mut s = format!("{} ({}", i.file, i.kind);
            if let Some(v) = &i.format_version {
                s.push_str(&format!(" format {v}"));
            }
            if let Some(v) = &i.terraform_version {
                s.push_str(&format!(", Terraform {v}"));
            }
            s.push(')');
            s
        })
        .collect();
    match command {
        "diff" => format!("Cost diff: {}", names.join(" → ")),
        _ => format!("Cost estimate: {}", names.join(", ")),
    }
}

fn footer_prices(est: &Estimate) -> String {
    let mut s = String::from("Prices in USD, on-demand list prices, 730 hours a month.");
    if !est.catalog.as_of.is_empty() {
        let dates: Vec<String> = est
            .catalog
            .as_of
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        s.push_str(&format!(" Catalog as of: {}.", dates.join(", ")));
    }
    if let Some(o) = &est.catalog.overrides {
        s.push_str(&format!(" Overrides: {o}."));
    }
    s
}

/// Aligned plain-text table.
pub fn table(out: &mut impl Write, est: &Estimate, command: &str) -> io::Result<()> {
    writeln!(out, "{}", header(est, command))?;
    writeln!(out)?;
    // Columns: name, qty, unit, before, after, delta.
    let mut rows: Vec<[String; 6]> = vec![[
        "Resource / component".into(),
        "Monthly qty".into(),
        "Unit".into(),
        "Before".into(),
        "After".into(),
        "Delta".into(),
    ]];
    let mut resource_rows = Vec::new();
    for r in est.resources.iter().filter(|r| is_priced(r)) {
        resource_rows.push(rows.len());
        rows.push([
            format!("{} ({})", r.address, r.action.as_str()),
            String::new(),
            String::new(),
            r.before.as_ref().map_or("-".into(), |s| usd(s.monthly)),
            r.after.as_ref().map_or("-".into(), |s| usd(s.monthly)),
            delta(r.delta),
        ]);
        let items = shown_items(r);
        let deleted = r.after.is_none();
        for i in items {
            let cost = item_cost(i);
            let (b, a) = if deleted {
                (cost, String::new())
            } else {
                (String::new(), cost)
            };
            rows.push([
                format!("  {}", item_label(i)),
                i.quantity.map(qty).unwrap_or_default(),
                i.unit.clone(),
                b,
                a,
                String::new(),
            ]);
        }
    }
    if rows.len() == 1 {
        writeln!(out, "No priced resources.")?;
    } else {
        let mut w = [0usize; 6];
        for row in &rows {
            for (c, cell) in row.iter().enumerate() {
                w[c] = w[c].max(cell.chars().count());
            }
        }
        for (n, row) in rows.iter().enumerate() {
            if n > 1 && resource_rows.contains(&n) {
                writeln!(out)?;
            }
            let line = format!(
                "{:<w0$}  {:>w1$}  {:<w2$}  {:>w3$}  {:>w4$}  {:>w5$}",
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2],
                w3 = w[3],
                w4 = w[4],
                w5 = w[5]
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    writeln!(out)?;
    if est.modules.len() > 1 {
        writeln!(out, "Modules:")?;
        let w = est
            .modules
            .iter()
            .map(|m| module_name(&m.module).len())
            .max()
            .unwrap_or(0);
        for m in est
            .modules
            .iter()
            .filter(|m| !(m.cost.before.is_zero() && m.cost.after.is_zero()))
        {
            writeln!(
                out,
                "  {:<w$}  {} → {} ({})",
                module_name(&m.module),
                usd(m.cost.before),
                usd(m.cost.after),
                delta(m.cost.delta)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "Total monthly cost: {} → {} ({})",
        usd(est.totals.before),
        usd(est.totals.after),
        delta(est.totals.delta)
    )?;
    notes(out, est, "")?;
    Ok(())
}

fn module_name(m: &str) -> &str {
    if m.is_empty() {
        "(root)"
    } else {
        m
    }
}

fn notes(out: &mut impl Write, est: &Estimate, bullet: &str) -> io::Result<()> {
    let mut assumptions: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &est.resources {
        for i in shown_items(r) {
            if let (Some(n), false) = (&i.note, i.status == ItemStatus::Unpriced) {
                *assumptions.entry(n.as_str()).or_default() += 1;
            }
        }
    }
    if !assumptions.is_empty() {
        writeln!(out)?;
        writeln!(out, "* Assumptions:")?;
        for (n, count) in assumptions {
            writeln!(out, "{bullet}  {n} ({count} item(s))")?;
        }
    }
    if !est.unpriced.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{} unpriced item(s), not in the totals:",
            est.unpriced.len()
        )?;
        for u in &est.unpriced {
            writeln!(out, "{bullet}  {}  {}: {}", u.address, u.item, u.reason)?;
        }
    }
    if !est.usage_based.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{} usage-based item(s), not in the totals (give quantities with --usage FILE):",
            est.usage_based.len()
        )?;
        for u in &est.usage_based {
            let price = u
                .unit_price
                .map(|p| format!("{} per {}", unit_price(p), singular(&u.unit)))
                .unwrap_or_default();
            writeln!(out, "{bullet}  {}  {}: {price}", u.address, u.item)?;
        }
    }
    if !est.unsupported.is_empty() {
        writeln!(out)?;
        let list: Vec<String> = est
            .unsupported
            .iter()
            .map(|t| format!("{} ×{}", t.resource_type, t.count))
            .collect();
        writeln!(
            out,
            "No cost model yet (not in the totals): {}",
            list.join(", ")
        )?;
    }
    writeln!(out)?;
    let c = &est.counts;
    writeln!(
        out,
        "{} resource(s): {} priced, {} free, {} without a cost model.",
        c.resources, c.priced, c.free, c.unsupported
    )?;
    writeln!(out, "{}", footer_prices(est))?;
    Ok(())
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// A pull-request comment.
pub fn markdown(out: &mut impl Write, est: &Estimate, command: &str) -> io::Result<()> {
    let title = if command == "diff" {
        "Cost diff"
    } else {
        "Cost estimate"
    };
    writeln!(out, "## costfix: {title}")?;
    writeln!(out)?;
    writeln!(
        out,
        "**Monthly cost: {} → {} ({})**",
        usd(est.totals.before),
        usd(est.totals.after),
        delta(est.totals.delta)
    )?;
    writeln!(out)?;
    let mut shown: Vec<&ResourceEstimate> = est
        .resources
        .iter()
        .filter(|r| is_priced(r) && (r.action != ChangeKind::NoOp || !r.delta.is_zero()))
        .collect();
    shown.sort_by(|a, b| {
        b.delta
            .abs()
            .cmp(&a.delta.abs())
            .then_with(|| a.address.cmp(&b.address))
    });
    if shown.is_empty() {
        writeln!(out, "No priced resource changes.")?;
    } else {
        writeln!(out, "| Resource | Action | Before | After | Delta |")?;
        writeln!(out, "|---|---|--:|--:|--:|")?;
        for r in shown.iter().take(MARKDOWN_MAX_ROWS) {
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                md_escape(&r.address),
                r.action.as_str(),
                r.before.as_ref().map_or("-".into(), |s| usd(s.monthly)),
                r.after.as_ref().map_or("-".into(), |s| usd(s.monthly)),
                delta(r.delta)
            )?;
        }
        if shown.len() > MARKDOWN_MAX_ROWS {
            let rest = &shown[MARKDOWN_MAX_ROWS..];
            let d: rust_decimal::Decimal = rest.iter().map(|r| r.delta).sum();
            writeln!(out, "| … {} more | | | | {} |", rest.len(), delta(d))?;
        }
        writeln!(out)?;
        writeln!(out, "<details><summary>Cost components</summary>")?;
        writeln!(out)?;
        for r in shown.iter().take(MARKDOWN_MAX_ROWS) {
            writeln!(out, "**`{}`**", md_escape(&r.address))?;
            writeln!(out)?;
            for i in shown_items(r) {
                let q = i
                    .quantity
                    .map(|q| format!("{} {}", qty(q), i.unit))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "- {}: {} {}",
                    md_escape(&item_label(i)),
                    q,
                    item_cost(i)
                )?;
            }
            writeln!(out)?;
        }
        writeln!(out, "</details>")?;
        writeln!(out)?;
    }
    if est.modules.len() > 1 {
        writeln!(out, "<details><summary>Modules</summary>")?;
        writeln!(out)?;
        writeln!(out, "| Module | Before | After | Delta |")?;
        writeln!(out, "|---|--:|--:|--:|")?;
        for m in est
            .modules
            .iter()
            .filter(|m| !(m.cost.before.is_zero() && m.cost.after.is_zero()))
        {
            writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                md_escape(module_name(&m.module)),
                usd(m.cost.before),
                usd(m.cost.after),
                delta(m.cost.delta)
            )?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
        writeln!(out)?;
    }
    if !est.unpriced.is_empty() || !est.usage_based.is_empty() || !est.unsupported.is_empty() {
        writeln!(out, "<details><summary>Not in the totals</summary>")?;
        writeln!(out)?;
        let mut buf = Vec::new();
        notes(&mut buf, est, "-")?;
        // `notes` ends with counts and prices; keep only the lists here.
        let text = String::from_utf8_lossy(&buf);
        let lists: Vec<&str> = text.lines().collect();
        let cut = lists.len().saturating_sub(3);
        for l in &lists[..cut] {
            writeln!(out, "{}", md_escape(l))?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
        writeln!(out)?;
    }
    let c = &est.counts;
    writeln!(
        out,
        "<sub>{} resource(s): {} priced, {} free, {} without a cost model. {} costfix {}</sub>",
        c.resources,
        c.priced,
        c.free,
        c.unsupported,
        footer_prices(est),
        env!("CARGO_PKG_VERSION")
    )?;
    Ok(())
}
