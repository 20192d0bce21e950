//! Tiered prices: a monthly quantity split over tiers (first N at one price, the next M at
//! another, ...), each tier an item. Without a quantity (no usage), only the first tier is shown,
//! usage-based, as infracost does.

use rust_decimal::Decimal;

use crate::cost::{Ctx, LineItem};

/// One tier: its item name, its catalog product, and where it ends (cumulative, in the item's
/// unit; None for the last).
pub(super) struct Tier {
    pub name: &'static str,
    pub product: &'static str,
    pub upto: Option<i64>,
}

/// The items of `qty` (in `unit`) over `tiers` of `service`.
pub(super) fn tiered(
    ctx: &Ctx<'_, '_>,
    unit: &str,
    qty: Option<Decimal>,
    service: &str,
    tiers: &[Tier],
) -> Vec<LineItem> {
    let Some(qty) = qty else {
        let first = &tiers[0];
        return vec![ctx.usage_qty(first.name, unit, None, service, first.product, "")];
    };
    let mut items = Vec::new();
    let mut from = Decimal::ZERO;
    for t in tiers {
        let upto = t.upto.map_or(qty, |u| qty.min(Decimal::from(u)));
        if upto > from || (items.is_empty() && qty.is_zero()) {
            items.push(ctx.usage_qty(t.name, unit, Some(upto - from), service, t.product, ""));
        }
        from = from.max(upto);
    }
    items
}
