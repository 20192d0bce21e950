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

/// Aligned plain-text table.
pub fn table(out: &mut impl Write, est: &Estimate, command: &str) -> io::Result<()> {
    writeln!(out, "{}", header(est, command))?;
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
    writeln!(
        out,
        "Total monthly cost: {} → {} ({})",
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
            r.before.as_ref().map_or("-".into(), |s| usd(s.monthly)),
            r.after.as_ref().map_or("-".into(), |s| usd(s.monthly)),
            delta(r.delta),
        ]);
        let deleted = r.after.is_none();
        for i in shown_items(r) {
            rows.push(item_row(i, deleted));
        }
    }
    (rows, resource_rows)
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
    writeln!(
        out,
        "{} resource(s): {} priced, {} free, {} without a cost model.",
        c.resources, c.priced, c.free, c.unsupported
    )?;
    writeln!(out, "{}", footer_prices(est))?;
    Ok(())
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
            writeln!(out, "- {} ({count} item(s))", md_escape(n))?;
        }
        writeln!(out)?;
    }
    if !est.unpriced.is_empty() {
        writeln!(out, "**Unpriced**")?;
        writeln!(out)?;
        for u in &est.unpriced {
            writeln!(
                out,
                "- `{}` {}: {}",
                md_escape(&u.address),
                md_escape(&u.item),
                md_escape(&u.reason)
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
                "- `{}` {}: {}",
                md_escape(&u.address),
                md_escape(&u.item),
                usage_price(u.unit_price, &u.unit)
            )?;
        }
        writeln!(out)?;
    }
    if !est.unsupported.is_empty() {
        writeln!(
            out,
            "**No cost model yet**: {}",
            md_escape(&unsupported_list(est))
        )?;
        writeln!(out)?;
    }
    writeln!(out, "</details>")?;
    writeln!(out)?;
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
    writeln!(out)
}

/// The comment's folded list of each shown resource's components.
fn md_components(out: &mut impl Write, shown: &[&ResourceEstimate]) -> io::Result<()> {
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
            "| `{}` | {} | {} | {} |",
            md_escape(module_name(&m.module)),
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
