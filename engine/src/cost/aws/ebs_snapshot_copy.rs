//! `aws_ebs_snapshot_copy`: a copy of an EBS snapshot, in the region of its provider.
//!
//! **Components.** Snapshot storage (GB-month; `ebs` `snapshot` `storage`, or `snapshot-archive`
//! for `storage_tier = "archive"`), as `aws_ebs_snapshot`.
//!
//! **Attributes.** `volume_size`, else the source snapshot's (through `source_snapshot_id`), else
//! the `size` of the volume that snapshot is taken of (through its `volume_id`); `storage_tier`;
//! `completion_duration_minutes`.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** The copy is priced at its volume's full size, as infracost does (an upper bound:
//! a copy stores the source's blocks, and a later copy of the same volume may store only the
//! changed ones).
//!
//! **Not priced.** Cross-region data transfer of the copy; time-based copies
//! (`completion_duration_minutes`: no price in the catalog, unpriced); the source snapshot, which
//! is its own resource (`aws_ebs_snapshot`).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType, Reference};
use crate::terraform::values::Attrs;

use super::ebs_snapshot;

pub const TYPE: PricedType = PricedType {
    name: "aws_ebs_snapshot_copy",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["ebs"],
    references: &[&SNAPSHOT],
    cost,
    source: include_str!("ebs_snapshot_copy.rs"),
};

/// The `source_snapshot_id` attribute's reference to the source `aws_ebs_snapshot` (by
/// configuration reference: the attribute holds a snapshot ID).
const SNAPSHOT: Reference = Reference {
    attribute: "source_snapshot_id",
    target: "aws_ebs_snapshot",
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
        .or_else(|| {
            ctx.referenced(&SNAPSHOT)
                .and_then(|s| s.num("volume_size").known())
        })
        .or_else(|| source_volume_size(ctx));
    let mut items = vec![match size {
        Some(gb) => ctx.fixed(STORAGE, "GB", gb, "ebs", volume_type, "storage"),
        None => LineItem::unpriced(
            STORAGE,
            "GB",
            None,
            "the snapshot's size is unknown until apply (its source aws_ebs_snapshot, or that \
             snapshot's aws_ebs_volume, is not in the plan or has no known size)"
                .into(),
        ),
    }];
    if let Some(minutes) = attrs
        .num("completion_duration_minutes")
        .known()
        .filter(|m| *m > Decimal::ZERO)
    {
        items.push(LineItem::unpriced(
            "Time-based copy",
            "GB",
            size,
            format!(
                "a time-based copy (completion within {minutes} minutes) is billed per GB copied: \
                 the catalog has no price for it"
            ),
        ));
    }
    items
}

/// The `size` of the volume the source snapshot is taken of: the source snapshot (its
/// `source_snapshot_id` reference), then that snapshot's `volume_id` reference.
fn source_volume_size(ctx: &Ctx<'_, '_>) -> Option<Decimal> {
    let snapshot = ctx.referenced_resource(&SNAPSHOT)?;
    ctx.others
        .referenced(&snapshot.address, &ebs_snapshot::VOLUME)
        .and_then(|v| v.attrs.num("size").known())
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::super::test_plan::{estimate_plan, items, price};
    use crate::cost::ItemStatus;

    /// eu-west-1: an archived copy of a snapshot of a 100 GB volume (sizes unknown in the plan,
    /// found through the two references) is 100 GB-months at the archive price; a time-based
    /// copy's fee is unpriced.
    #[test]
    fn an_archived_copy_through_two_references() {
        let volume =
            r#"{"volume_id": {"references": ["aws_ebs_volume.v.id", "aws_ebs_volume.v"]}}"#;
        let source = r#"{"source_snapshot_id": {"references": ["aws_ebs_snapshot.s.id", "aws_ebs_snapshot.s"]}}"#;
        let est = estimate_plan(
            &[
                (
                    "aws_ebs_volume.v",
                    r#"{"size": 100, "availability_zone": "eu-west-1a"}"#,
                    "{}",
                    "{}",
                ),
                (
                    "aws_ebs_snapshot.s",
                    "{}",
                    r#"{"volume_id": true, "volume_size": true}"#,
                    volume,
                ),
                (
                    "aws_ebs_snapshot_copy.c",
                    r#"{"source_region": "eu-west-1", "storage_tier": "archive", "completion_duration_minutes": 60}"#,
                    r#"{"source_snapshot_id": true, "volume_size": true}"#,
                    source,
                ),
            ],
            "eu-west-1",
            "",
        );
        let archive = price("ebs", "eu-west-1", "snapshot-archive", "storage");
        let c = items(&est, "aws_ebs_snapshot_copy.c");
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].quantity, Some(Decimal::from(100)));
        assert_eq!(c[0].monthly, Some(Decimal::from(100) * archive));
        assert_eq!(c[1].status, ItemStatus::Unpriced);
    }
}
