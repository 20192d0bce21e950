//! Human renderings of an estimate: an aligned table for terminals and logs, and Markdown for pull
//! request comments. JSON is the engine's model serialised as is.

use std::io::{self, Write};

use crate::cost::{ItemStatus, LineItem, Support};
use crate::estimate::{Estimate, ModuleSubtotal, ResourceEstimate};
use crate::terraform::plan::ChangeKind;

use crate::pricing::money::{delta, qty, unit_price, usd};

/// Rows in the Markdown resource table before the rest is summarised in one line.
const MARKDOWN_MAX_ROWS: usize = 50;

fn is_priced(r: &ResourceEstimate) -> bool {
    crate::cost::support(&r.resource_type) == Support::Priced
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
        // Unit prices are listed under the table.
        ItemStatus::UsageBased => "usage-based".into(),
        ItemStatus::Unpriced => "unpriced".into(),
    }
}

fn singular(unit: &str) -> &str {
    match unit {
        "hours" => "hour",
        "requests" => "request",
        "GB-seconds" => "GB-second",
        "unit-hours" => "unit-hour",
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

/// Types named in [`incomplete_note`] before "N more types".
const TYPES_SHOWN: usize = 8;

/// What the totals leave out, in one line ("3 of 40 resources not priced: ..."), when they are not
/// the whole cost. Reports put it at the top.
pub fn incomplete_note(est: &Estimate) -> Option<String> {
    if est.complete {
        return None;
    }
    let c = &est.counts;
    let partial = c.with_unpriced_items - c.unpriced;
    let mut parts = Vec::new();
    if !est.not_priced.is_empty() {
        let mut by_type: std::collections::BTreeMap<&str, usize> = Default::default();
        for n in &est.not_priced {
            *by_type.entry(n.resource_type.as_str()).or_default() += 1;
        }
        let mut types: Vec<String> = by_type
            .iter()
            .take(TYPES_SHOWN)
            .map(|(t, n)| {
                if *n == 1 {
                    t.to_string()
                } else {
                    format!("{t} ×{n}")
                }
            })
            .collect();
        if by_type.len() > TYPES_SHOWN {
            types.push(format!("{} more types", by_type.len() - TYPES_SHOWN));
        }
        parts.push(format!(
            "{} of {} resources not priced ({})",
            est.not_priced.len(),
            c.resources,
            types.join(", ")
        ));
    }
    if partial > 0 && parts.is_empty() {
        parts.push(format!(
            "{partial} of {} resources only partly priced",
            c.resources
        ));
    } else if partial > 0 {
        parts.push(format!("{partial} more only partly priced"));
    }
    Some(format!("{}; the totals may be low", parts.join(", ")))
}

/// Aligned plain-text table.
pub fn table(out: &mut impl Write, est: &Estimate, command: &str) -> io::Result<()> {
    writeln!(out, "{}", header(est, command))?;
    if let Some(note) = incomplete_note(est) {
        writeln!(out, "Warning: {note}.")?;
    }
    writeln!(out)?;
    let (rows, resource_rows) = table_rows(est);
    if rows.len() == 1 {
        writeln!(out, "No priced resources.")?;
    } else {
        write_aligned(out, &rows, &resource_rows)?;
    }
    writeln!(out)?;
    if est.modules.len() > 1 {
        table_modules(out, est)?;
    }
    let left_out = match est.counts.not_priced() {
        0 => String::new(),
        n => format!(", not counting {n} resource(s) that are not priced"),
    };
    writeln!(
        out,
        "Total monthly cost: {} → {} ({}){left_out}",
        usd(est.totals.before),
        usd(est.totals.after),
        delta(est.totals.delta)
    )?;
    notes(out, est)?;
    Ok(())
}

/// A row of the text table: name, monthly quantity, unit, before, after, delta.
type Row = [String; 6];

/// The text table's rows: the header, then each priced resource and its components; and the
/// indexes of the resource rows.
fn table_rows(est: &Estimate) -> (Vec<Row>, Vec<usize>) {
    let mut rows: Vec<Row> = vec![[
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
            side_cell(r.before.as_ref()),
            side_cell(r.after.as_ref()),
            delta_cell(r),
        ]);
        let deleted = r.after.is_none();
        for i in shown_items(r) {
            rows.push(item_row(i, deleted));
        }
    }
    (rows, resource_rows)
}

/// A resource's monthly cost on one side: `-` where it does not exist, `unpriced` where none of
/// its components has a price (never $0.00).
fn side_cell(side: Option<&crate::estimate::CostSide>) -> String {
    match side {
        None => "-".into(),
        Some(s) => s.known().map_or("unpriced".into(), usd),
    }
}

/// A resource's delta, or `?` when a side that exists has no known cost.
fn delta_cell(r: &ResourceEstimate) -> String {
    let unknown = r.sides().any(|s| s.known().is_none());
    if unknown {
        "?".into()
    } else {
        delta(r.delta)
    }
}

/// A component's row: its cost in the after column, or the before column for a deleted resource.
fn item_row(i: &LineItem, deleted: bool) -> Row {
    let cost = item_cost(i);
    let (b, a) = if deleted {
        (cost, String::new())
    } else {
        (String::new(), cost)
    };
    [
        format!("  {}", item_label(i)),
        i.quantity.map(qty).unwrap_or_default(),
        i.unit.clone(),
        b,
        a,
        String::new(),
    ]
}

/// Write rows in aligned columns, with a blank line before each resource after the first.
fn write_aligned(out: &mut impl Write, rows: &[Row], resource_rows: &[usize]) -> io::Result<()> {
    let mut w = [0usize; 6];
    for row in rows {
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
    Ok(())
}

/// The text table's module subtotals (modules with a cost).
fn table_modules(out: &mut impl Write, est: &Estimate) -> io::Result<()> {
    writeln!(out, "Modules:")?;
    let w = est
        .modules
        .iter()
        .map(|m| module_name(&m.module).len())
        .max()
        .unwrap_or(0);
    for m in costed_modules(est) {
        writeln!(
            out,
            "  {:<w$}  {} → {} ({})",
            module_name(&m.module),
            usd(m.cost.before),
            usd(m.cost.after),
            delta(m.cost.delta)
        )?;
    }
    writeln!(out)
}

/// The modules that cost something before or after the change.
fn costed_modules(est: &Estimate) -> impl Iterator<Item = &ModuleSubtotal> {
    est.modules
        .iter()
        .filter(|m| !(m.cost.before.is_zero() && m.cost.after.is_zero()))
}

fn module_name(m: &str) -> &str {
    if m.is_empty() {
        "(root)"
    } else {
        m
    }
}

/// Assumptions made (note → number of items), from the components shown.
fn assumptions(est: &Estimate) -> std::collections::BTreeMap<&str, usize> {
    let mut out: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &est.resources {
        for i in shown_items(r) {
            if let (Some(n), false) = (&i.note, i.status == ItemStatus::Unpriced) {
                *out.entry(n.as_str()).or_default() += 1;
            }
        }
    }
    out
}

fn usage_price(unit_price_opt: Option<rust_decimal::Decimal>, unit: &str) -> String {
    unit_price_opt
        .map(|p| format!("{} per {}", unit_price(p), singular(unit)))
        .unwrap_or_default()
}

fn notes(out: &mut impl Write, est: &Estimate) -> io::Result<()> {
    let assumptions = assumptions(est);
    if !assumptions.is_empty() {
        writeln!(out)?;
        writeln!(out, "* Assumptions:")?;
        for (n, count) in assumptions {
            writeln!(out, "  {n} ({count} item(s))")?;
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
            writeln!(out, "  {}  {}: {}", u.address, u.item, u.reason)?;
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
            writeln!(
                out,
                "  {}  {}: {}",
                u.address,
                u.item,
                usage_price(u.unit_price, &u.unit)
            )?;
        }
    }
    if !est.unsupported.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "No cost model yet (not in the totals): {}",
            unsupported_list(est)
        )?;
    }
    writeln!(out)?;
    let c = &est.counts;
    writeln!(out, "{}", counts_line(c))?;
    writeln!(out, "{}", footer_prices(est))?;
    Ok(())
}

/// "40 resource(s): 30 priced, 7 free, 1 unpriced, 2 without a cost model."
fn counts_line(c: &crate::estimate::Counts) -> String {
    let unpriced = match c.unpriced {
        0 => String::new(),
        n => format!(", {n} unpriced"),
    };
    format!(
        "{} resource(s): {} priced, {} free{unpriced}, {} without a cost model.",
        c.resources, c.priced, c.free, c.unsupported
    )
}

fn unsupported_list(est: &Estimate) -> String {
    est.unsupported
        .iter()
        .map(|t| format!("{} ×{}", t.resource_type, t.count))
        .collect::<Vec<_>>()
        .join(", ")
}

fn md_notes(out: &mut impl Write, est: &Estimate) -> io::Result<()> {
    let assumptions = assumptions(est);
    if assumptions.is_empty()
        && est.unpriced.is_empty()
        && est.usage_based.is_empty()
        && est.unsupported.is_empty()
    {
        return Ok(());
    }
    writeln!(
        out,
        "<details><summary>Assumptions and what is not in the totals</summary>"
    )?;
    writeln!(out)?;
    if !assumptions.is_empty() {
        writeln!(out, "**Assumptions** (items marked *)")?;
        writeln!(out)?;
        for (n, count) in assumptions {
            writeln!(out, "- {} ({count} item(s))", super::md_text(n))?;
        }
        writeln!(out)?;
    }
    if !est.unpriced.is_empty() {
        writeln!(out, "**Unpriced**")?;
        writeln!(out)?;
        for u in &est.unpriced {
            writeln!(
                out,
                "- {} {}: {}",
                super::md_code(&u.address),
                super::md_text(&u.item),
                super::md_text(&u.reason)
            )?;
        }
        writeln!(out)?;
    }
    if !est.usage_based.is_empty() {
        writeln!(out, "**Usage-based** (give quantities with `--usage FILE`)")?;
        writeln!(out)?;
        for u in &est.usage_based {
            writeln!(
                out,
                "- {} {}: {}",
                super::md_code(&u.address),
                super::md_text(&u.item),
                usage_price(u.unit_price, &u.unit)
            )?;
        }
        writeln!(out)?;
    }
    if !est.unsupported.is_empty() {
        writeln!(
            out,
            "**No cost model yet**: {}",
            super::md_text(&unsupported_list(est))
        )?;
        writeln!(out)?;
    }
    writeln!(out, "</details>")?;
    writeln!(out)?;
    Ok(())
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
    if let Some(note) = incomplete_note(est) {
        writeln!(out, "> [!WARNING]")?;
        writeln!(out, "> {}.", super::md_text(&note))?;
        writeln!(out)?;
    }
    let shown = md_shown(est);
    if shown.is_empty() {
        writeln!(out, "No priced resource changes.")?;
    } else {
        md_resources(out, &shown)?;
        md_components(out, &shown)?;
    }
    if est.modules.len() > 1 {
        md_modules(out, est)?;
    }
    md_notes(out, est)?;
    let c = &est.counts;
    writeln!(
        out,
        "<sub>{} {} costfix {}</sub>",
        counts_line(c),
        footer_prices(est),
        env!("CARGO_PKG_VERSION")
    )?;
    Ok(())
}

/// The priced resources the comment shows (changed, or with a cost delta), largest delta first.
fn md_shown(est: &Estimate) -> Vec<&ResourceEstimate> {
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
    shown
}

/// The comment's resource table (the first rows, then one line for the rest).
fn md_resources(out: &mut impl Write, shown: &[&ResourceEstimate]) -> io::Result<()> {
    writeln!(out, "| Resource | Action | Before | After | Delta |")?;
    writeln!(out, "|---|---|--:|--:|--:|")?;
    for r in shown.iter().take(MARKDOWN_MAX_ROWS) {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            super::md_code(&r.address),
            r.action.as_str(),
            side_cell(r.before.as_ref()),
            side_cell(r.after.as_ref()),
            delta_cell(r)
        )?;
    }
    if shown.len() > MARKDOWN_MAX_ROWS {
        let rest = &shown[MARKDOWN_MAX_ROWS..];
        let d: rust_decimal::Decimal = rest.iter().map(|r| r.delta).sum();
        writeln!(out, "| … {} more | | | | {} |", rest.len(), delta(d))?;
    }
    writeln!(out)
}

/// The comment's folded list of each shown resource's components.
fn md_components(out: &mut impl Write, shown: &[&ResourceEstimate]) -> io::Result<()> {
    writeln!(out, "<details><summary>Cost components</summary>")?;
    writeln!(out)?;
    for r in shown.iter().take(MARKDOWN_MAX_ROWS) {
        writeln!(out, "**{}**", super::md_code(&r.address))?;
        writeln!(out)?;
        for i in shown_items(r) {
            let q = i
                .quantity
                .map(|q| format!("{} {} ", qty(q), i.unit))
                .unwrap_or_default();
            writeln!(
                out,
                "- {}: {q}{}",
                super::md_text(&item_label(i)),
                item_cost(i)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "</details>")?;
    writeln!(out)
}

/// The comment's folded table of module subtotals (modules with a cost).
fn md_modules(out: &mut impl Write, est: &Estimate) -> io::Result<()> {
    writeln!(out, "<details><summary>Modules</summary>")?;
    writeln!(out)?;
    writeln!(out, "| Module | Before | After | Delta |")?;
    writeln!(out, "|---|--:|--:|--:|")?;
    for m in costed_modules(est) {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            super::md_code(module_name(&m.module)),
            usd(m.cost.before),
            usd(m.cost.after),
            delta(m.cost.delta)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "</details>")?;
    writeln!(out)
}

/// The catalog in the price-file format (`costfix prices`), optionally one service or region.
pub fn prices(
    out: &mut impl Write,
    catalog: &crate::Catalog,
    service: Option<&str>,
    region: Option<&str>,
) -> io::Result<()> {
    use crate::pricing::PriceSource;
    writeln!(out, "service,region,product,dimension,unit,usd,source")?;
    for (k, p) in catalog.rows() {
        if service.is_some_and(|s| s != k[0]) || region.is_some_and(|r| r != k[1]) {
            continue;
        }
        let source = match &p.source {
            PriceSource::Embedded { table } => format!("embedded:{table}"),
            PriceSource::Override { file, line } => format!("{file}:{line}"),
        };
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            k[0],
            k[1],
            k[2],
            k[3],
            p.unit,
            p.usd.normalize(),
            source
        )?;
    }
    Ok(())
}
