//! `aws_ebs_snapshot`: an EBS snapshot.
//!
//! **Components.** Snapshot storage (GB-month; `ebs` `snapshot` `storage`, or `snapshot-archive`
//! for `storage_tier = "archive"`); fast snapshot restore (DSU-hours, `snapshot`
//! `fast_snapshot_restore`), from usage.
//!
//! **Attributes.** `volume_size`, `volume_id` (the volume's `size`), `storage_tier`.
//!
//! **Usage keys.** `fast_snapshot_restore_hours`; `monthly_list_block_requests`,
//! `monthly_get_block_requests`, `monthly_put_block_requests` (unpriced).
//!
//! **Defaults.** The snapshot is priced at its volume's full size, as infracost does: the first
//! snapshot of a volume stores its used blocks, later ones only the changed blocks, so this is an
//! upper bound. The size is `volume_size` when the plan knows it, else the `size` of the volume
//! the configuration refers to.
//!
//! **Not priced.** EBS direct API requests (no prices in the catalog: unpriced when usage gives
//! them); copies (their own type, `aws_ebs_snapshot_copy`).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType, Reference};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_ebs_snapshot",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["ebs"],
    references: &[&VOLUME],
    cost,
    source: include_str!("ebs_snapshot.rs"),
};

/// The `volume_id` attribute's reference to the `aws_ebs_volume` (by configuration reference).
pub(super) const VOLUME: Reference = Reference {
    attribute: "volume_id",
    target: "aws_ebs_volume",
    name_at: &[],
};

const STORAGE: &str = "EBS snapshot storage";

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let archive = attrs.str("storage_tier").known().as_deref() == Some("archive");
    let volume_type = if archive {
        "snapshot-archive"
    } else {
        "snapshot"
    };
    let size = attrs
        .num("volume_size")
        .known()
        .or_else(|| ctx.referenced(&VOLUME).and_then(|v| v.num("size").known()));
    let mut items = vec![match size {
        Some(gb) => ctx.fixed(STORAGE, "GB", gb, "ebs", volume_type, "storage"),
        None => LineItem::unpriced(
            STORAGE,
            "GB",
            None,
            "the volume's size is unknown until apply (its aws_ebs_volume is not in the plan or has no known size)"
                .into(),
        ),
    }];
    items.push(ctx.usage_item(
        "Fast snapshot restore",
        "DSU-hours",
        &["fast_snapshot_restore_hours"],
        Decimal::ONE,
        "ebs",
        "snapshot",
        "fast_snapshot_restore",
    ));
    for (key, name) in [
        (
            "monthly_list_block_requests",
            "ListChangedBlocks & ListSnapshotBlocks API requests",
        ),
        (
            "monthly_get_block_requests",
            "GetSnapshotBlock API requests",
        ),
        (
            "monthly_put_block_requests",
            "PutSnapshotBlock API requests",
        ),
    ] {
        let n = ctx.usage.as_ref().and_then(|u| u.num(&[key]));
        if let Some(n) = n.filter(|n| *n > Decimal::ZERO) {
            items.push(LineItem::unpriced(
                name,
                "requests",
                Some(n),
                "EBS direct API prices are not in the catalog".into(),
            ));
        }
    }
    items
}
