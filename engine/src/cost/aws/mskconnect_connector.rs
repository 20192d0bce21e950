//! `aws_mskconnect_connector`: an MSK Connect connector.
//!
//! **Components.** Worker MCU-hours (`msk` `connect_mcu_hour`): workers × MCUs per worker × 730.
//!
//! **Attributes.** `capacity`: `provisioned_capacity` (`worker_count`, `mcu_count`) or
//! `autoscaling` (`min_worker_count`, `max_worker_count`, `mcu_count`).
//!
//! **Usage keys.** None.
//!
//! **Defaults.** `mcu_count` 1 when not set (AWS's default). An autoscaling connector is priced at
//! its `min_worker_count` (the workers it always runs), with a note giving the price at
//! `max_worker_count`: how many it runs between the two depends on its load.
//!
//! **Not priced.** Data transfer; the MSK cluster, the CloudWatch Logs, Firehose or S3 log delivery
//! and the custom plugins' S3 objects, which are their own resources.

use rust_decimal::Decimal;

use crate::cost::{join_notes, unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::pricing::money::usd;
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_mskconnect_connector",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["msk"],
    references: &[],
    cost,
    source: include_str!("mskconnect_connector.rs"),
};

const NAME: &str = "Connector workers";
const UNIT: &str = "MCU-hours";

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let Some(capacity) = attrs.blocks("capacity").into_iter().next() else {
        return vec![unknown_item(NAME, UNIT, "the capacity block")];
    };
    if let Some(p) = capacity.blocks("provisioned_capacity").into_iter().next() {
        let Some(workers) = p.num("worker_count").known() else {
            return vec![unknown_item(NAME, UNIT, "worker_count")];
        };
        let Ok((mcus, note)) = mcu_count(&p) else {
            return vec![unknown_item(NAME, UNIT, "mcu_count")];
        };
        return vec![worker_item(ctx, workers, mcus).with_note(note)];
    }
    if let Some(a) = capacity.blocks("autoscaling").into_iter().next() {
        let Some(min) = a.num("min_worker_count").known() else {
            return vec![unknown_item(NAME, UNIT, "min_worker_count")];
        };
        let Ok((mcus, default_note)) = mcu_count(&a) else {
            return vec![unknown_item(NAME, UNIT, "mcu_count")];
        };
        let item = worker_item(ctx, min, mcus);
        let at_max = match (a.num("max_worker_count").known(), item.unit_price) {
            (Some(max), Some(price)) => format!(
                ", {} a month at max_worker_count {max}",
                usd(max * mcus * HOURS_PER_MONTH * price)
            ),
            _ => String::new(),
        };
        let note = join_notes(
            default_note,
            &format!(
                "autoscaling: priced at min_worker_count {min}, the workers it always runs{at_max}"
            ),
        );
        // An unpriced item keeps its reason first.
        let note = join_notes(item.note.clone(), &note);
        return vec![LineItem {
            note: Some(note),
            ..item
        }];
    }
    vec![unknown_item(NAME, UNIT, "the capacity mode")]
}

/// `workers × mcus` workers' MCUs all month.
fn worker_item(ctx: &Ctx<'_, '_>, workers: Decimal, mcus: Decimal) -> LineItem {
    ctx.fixed(
        format!("Connector workers ({workers} × {mcus} MCU)"),
        UNIT,
        workers * mcus * HOURS_PER_MONTH,
        "msk",
        "connect_mcu_hour",
        "",
    )
}

/// MCUs per worker: the attribute, or AWS's default 1 with a note; `Err` when unknown.
fn mcu_count(block: &Attrs<'_>) -> Result<(Decimal, Option<String>), ()> {
    match block.num("mcu_count") {
        Field::Known(n) => Ok((n, None)),
        Field::Missing => Ok((Decimal::ONE, Some("mcu_count not set: assumed 1".into()))),
        Field::Unknown => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::{cost_values, ItemStatus, LineItem};
    use crate::pricing::usage::Usage;
    use crate::Catalog;

    fn item(capacity: serde_json::Value, region: &str) -> LineItem {
        let address = "aws_mskconnect_connector.c".parse().unwrap();
        let mut items = cost_values(
            &address,
            "aws_mskconnect_connector",
            &json!({"name": "c", "capacity": [capacity]}),
            &json!({}),
            None,
            region,
            &Catalog::embedded(),
            &Usage::default(),
        )
        .items;
        assert_eq!(items.len(), 1, "{items:?}");
        items.remove(0)
    }

    #[test]
    fn provisioned_and_autoscaling_workers() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // aws-services.csv, us-east-1: connect_mcu_hour 0.11. 3 workers × 2 MCUs × 730 h = 4,380
        // MCU-hours × 0.11 = 481.8.
        let p = item(
            json!({"provisioned_capacity": [{"worker_count": 3, "mcu_count": 2}], "autoscaling": []}),
            "us-east-1",
        );
        assert_eq!(p.name, "Connector workers (3 × 2 MCU)");
        assert_eq!(p.unit, "MCU-hours");
        assert_eq!((p.quantity, p.monthly), (Some(d("4380")), Some(d("481.8"))));
        assert_eq!(p.status, ItemStatus::Priced);
        // Autoscaling from 2 to 8 workers of 1 MCU (not set): 2 × 730 × 0.11 = 160.6; at 8, 642.4.
        let a = item(
            json!({"autoscaling": [{"min_worker_count": 2, "max_worker_count": 8, "scale_in_policy": [], "scale_out_policy": []}], "provisioned_capacity": []}),
            "us-east-1",
        );
        assert_eq!(a.monthly, Some(d("160.6")));
        assert_eq!(
            a.note.as_deref(),
            Some("mcu_count not set: assumed 1; autoscaling: priced at min_worker_count 2, the workers it always runs, $642.40 a month at max_worker_count 8")
        );
        // eu-west-1's own price, 0.123: 1 × 4 × 730 × 0.123 = 359.16.
        let eu = item(
            json!({"provisioned_capacity": [{"worker_count": 1, "mcu_count": 4}]}),
            "eu-west-1",
        );
        assert_eq!(eu.monthly, Some(d("359.16")));
    }
}
