//! The cost difference of two estimates (`costfix diff`): the base's after-cost against the
//! head's.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::pricing::Catalog;
use crate::terraform::plan::ChangeKind;

use super::*;

/// The cost difference between two estimates: `before` is the base's after-cost, `after` the head's.
pub fn diff(base: &Estimate, head: &Estimate, catalog: &Catalog) -> Estimate {
    let mut by_addr: BTreeMap<&str, (Option<&ResourceEstimate>, Option<&ResourceEstimate>)> =
        BTreeMap::new();
    for r in &base.resources {
        by_addr.entry(&r.address).or_default().0 = Some(r);
    }
    for r in &head.resources {
        by_addr.entry(&r.address).or_default().1 = Some(r);
    }
    let resources = by_addr
        .into_iter()
        .map(|(addr, (b, h))| {
            let before = b.and_then(|r| r.after.clone());
            let after = h.and_then(|r| r.after.clone());
            let any = h.or(b).expect("one side exists");
            let action = match (&before, &after) {
                (None, Some(_)) => ChangeKind::Create,
                (Some(_), None) => ChangeKind::Delete,
                (Some(x), Some(y)) if x != y => ChangeKind::Update,
                _ if b.is_none() => ChangeKind::Create,
                _ if h.is_none() => ChangeKind::Delete,
                _ => ChangeKind::NoOp,
            };
            let mut r = ResourceEstimate {
                address: addr.to_string(),
                module: any.module.clone(),
                resource_type: any.resource_type.clone(),
                action,
                region: any.region.clone(),
                region_source: any.region_source,
                before,
                after,
                delta: Decimal::ZERO,
                tags: any.tags.clone(),
                support: any.support,
            };
            r.delta = r.after_monthly() - r.before_monthly();
            r
        })
        .collect();
    let mut warnings = base.warnings.clone();
    warnings.extend(head.warnings.iter().cloned());
    let inputs = base
        .inputs
        .iter()
        .chain(head.inputs.iter())
        .cloned()
        .collect();
    summarise(resources, inputs, catalog, warnings)
}
