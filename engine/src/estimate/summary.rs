//! Summing resource estimates: totals, module subtotals, the unpriced and usage-based lists, the
//! unsupported types and the catalog's as-of dates.

use std::collections::BTreeMap;

use crate::cost::{self, ItemStatus, LineItem};
use crate::pricing::Catalog;
use crate::terraform::plan::Warning;

use super::*;

/// Totals, module subtotals, unpriced and usage-based lists.
pub(super) fn summarise(
    resources: Vec<ResourceEstimate>,
    inputs: Vec<InputInfo>,
    catalog: &Catalog,
    warnings: Vec<Warning>,
) -> Estimate {
    let mut totals = Subtotal::default();
    let mut modules: BTreeMap<String, ModuleSubtotal> = BTreeMap::new();
    let mut unpriced = Vec::new();
    let mut usage_based = Vec::new();
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    let mut counts = Counts::default();
    let mut services = std::collections::BTreeSet::new();
    let mut not_priced = Vec::new();
    for r in &resources {
        counts.resources += 1;
        let pricing = r.coverage();
        match pricing {
            Coverage::Priced | Coverage::Partial => counts.priced += 1,
            Coverage::Free => counts.free += 1,
            Coverage::Unpriced => counts.unpriced += 1,
            Coverage::NoModel => {
                counts.unsupported += 1;
                *unsupported.entry(r.resource_type.clone()).or_default() += 1;
            }
        }
        if pricing.is_not_priced() {
            not_priced.push(not_priced_entry(r, pricing));
        }
        totals.add(r);
        let m = modules
            .entry(r.module.clone())
            .or_insert_with(|| ModuleSubtotal {
                module: r.module.clone(),
                resources: 0,
                cost: Subtotal::default(),
            });
        m.resources += 1;
        m.cost.add(r);
        let any_unpriced = list_items(r, &mut unpriced, &mut usage_based);
        if any_unpriced {
            counts.with_unpriced_items += 1;
        }
        if r.sides()
            .any(|side| side.items.iter().any(|i| i.unit_price.is_some()))
        {
            services.extend(cost::services(&r.resource_type).iter().copied());
        }
    }
    not_priced.sort_by(|a, b| a.address.cmp(&b.address));
    let as_of = services
        .into_iter()
        .filter_map(|s| catalog.as_of.get(s).map(|d| (s.to_string(), d.clone())))
        .collect();
    Estimate {
        schema_version: SCHEMA_VERSION,
        currency: "USD",
        inputs,
        catalog: CatalogInfo {
            as_of,
            overrides: catalog.overrides.as_ref().map(|p| p.display().to_string()),
        },
        resources,
        modules: modules.into_values().collect(),
        totals,
        complete: counts.complete(),
        counts,
        unpriced,
        usage_based,
        unsupported: unsupported
            .into_iter()
            .map(|(resource_type, count)| TypeCount {
                resource_type,
                count,
            })
            .collect(),
        not_priced,
        warnings,
    }
}

/// A resource none of whose cost is known, with the first reason its components give.
fn not_priced_entry(r: &ResourceEstimate, pricing: Coverage) -> NotPriced {
    let reason = r
        .sides()
        .flat_map(|s| s.items.iter())
        .find_map(|i| {
            (i.status == ItemStatus::Unpriced)
                .then(|| i.note.clone())
                .flatten()
        })
        .unwrap_or_else(|| format!("no cost model for {} yet", r.resource_type));
    NotPriced {
        address: r.address.clone(),
        resource_type: r.resource_type.clone(),
        pricing,
        reason,
    }
}

/// Add a resource's unpriced items (once when both sides have one) and its usage-based items
/// (of the after side) to the lists; whether it has an unpriced item.
fn list_items(
    r: &ResourceEstimate,
    unpriced: &mut Vec<UnpricedItem>,
    usage_based: &mut Vec<UsageBasedItem>,
) -> bool {
    let mut any_unpriced = false;
    for (side_name, side) in [("before", &r.before), ("after", &r.after)] {
        let Some(side) = side else { continue };
        for i in side.items.iter() {
            match i.status {
                ItemStatus::Unpriced => {
                    any_unpriced = true;
                    let dup = side_name == "before"
                        && r.after.as_ref().is_some_and(|a| {
                            a.items
                                .iter()
                                .any(|j| j.name == i.name && j.status == ItemStatus::Unpriced)
                        });
                    if !dup {
                        unpriced.push(UnpricedItem {
                            address: r.address.clone(),
                            side: side_name,
                            item: qualified(i),
                            reason: i.note.clone().unwrap_or_default(),
                        });
                    }
                }
                ItemStatus::UsageBased if side_name == "after" || r.after.is_none() => usage_based
                    .push(UsageBasedItem {
                        address: r.address.clone(),
                        item: qualified(i),
                        unit: i.unit.clone(),
                        unit_price: i.unit_price,
                    }),
                _ => {}
            }
        }
    }
    any_unpriced
}

fn qualified(i: &LineItem) -> String {
    match &i.group {
        Some(g) => format!("{g}: {}", i.name),
        None => i.name.clone(),
    }
}
