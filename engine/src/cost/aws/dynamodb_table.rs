//! `aws_dynamodb_table`: a DynamoDB table.
//!
//! **Components.** Provisioned write and read capacity (WCU and RCU unit-hours), or on-demand write
//! and read request units (1M WRU/RRU, from usage); data storage, point-in-time recovery and
//! on-demand backup storage, restored data (GB, from usage); stream read request units (from
//! usage); for each `replica` (a global table), replicated writes priced in the replica's region.
//!
//! **Attributes.** `billing_mode`, `write_capacity`, `read_capacity`, `replica.region_name`.
//!
//! **Usage keys.** `monthly_write_request_units`, `monthly_read_request_units`, `storage_gb`,
//! `pitr_backup_storage_gb`, `on_demand_backup_storage_gb`, `monthly_data_restored_gb`,
//! `monthly_streams_read_request_units`.
//!
//! **Defaults.** `billing_mode` `PROVISIONED`. The catalog has DynamoDB prices for the five
//! catalog regions and us-east-2 (replicated writes: the five and us-west-1); elsewhere the
//! components are unpriced.
//!
//! **Not priced.** On-demand replicated writes (unpriced); the Standard-IA table class, exports and
//! imports (`aws-services.csv` has their prices; the model does not read them yet); capacity set
//! by application autoscaling (the table's configured capacity is priced).

use rust_decimal::Decimal;

use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_dynamodb_table",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["dynamodb"],
    references: &[],
    cost,
    source: include_str!("dynamodb_table.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let on_demand = attrs.str("billing_mode").known().as_deref() == Some("PAY_PER_REQUEST");
    let mut items = if on_demand {
        request_units(ctx)
    } else {
        capacity(attrs, ctx)
    };
    for (key, name, product) in [
        ("storage_gb", "Data storage", "storage"),
        (
            "pitr_backup_storage_gb",
            "Point-in-time recovery (PITR) backup storage",
            "pitr_backup_storage",
        ),
        (
            "on_demand_backup_storage_gb",
            "On-demand backup storage",
            "on_demand_backup_storage",
        ),
        (
            "monthly_data_restored_gb",
            "Table data restored",
            "table_restore",
        ),
    ] {
        items.push(ctx.usage_item(name, "GB", &[key], Decimal::ONE, "dynamodb", product, ""));
    }
    items.push(ctx.usage_item(
        "Streams read request unit (sRRU)",
        "sRRUs",
        &["monthly_streams_read_request_units"],
        Decimal::ONE,
        "dynamodb",
        "streams_read_request_unit",
        "",
    ));
    items.extend(replicas(attrs, on_demand, ctx));
    items
}

/// On-demand: write and read request units from usage.
fn request_units(ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let per_m = Decimal::new(1, 6);
    vec![
        ctx.usage_item(
            "Write request unit (WRU)",
            "1M WRU",
            &["monthly_write_request_units"],
            per_m,
            "dynamodb",
            "on_demand_write_request_units",
            "",
        ),
        ctx.usage_item(
            "Read request unit (RRU)",
            "1M RRU",
            &["monthly_read_request_units"],
            per_m,
            "dynamodb",
            "on_demand_read_request_units",
            "",
        ),
    ]
}

/// Provisioned: the configured write and read capacity, all month.
fn capacity(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    for (key, name, product) in [
        (
            "write_capacity",
            "Write capacity unit (WCU)",
            "provisioned_wcu",
        ),
        (
            "read_capacity",
            "Read capacity unit (RCU)",
            "provisioned_rcu",
        ),
    ] {
        match attrs.num(key) {
            Field::Known(n) => items.push(ctx.fixed(
                name,
                "unit-hours",
                n * HOURS_PER_MONTH,
                "dynamodb",
                product,
                "",
            )),
            Field::Unknown => items.push(unknown_item(name, "unit-hours", key)),
            Field::Missing => {}
        }
    }
    items
}

/// Global tables: every replica region bills replicated writes at its own price.
fn replicas(attrs: &Attrs<'_>, on_demand: bool, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    for replica in attrs.blocks("replica") {
        let Some(region) = replica.str("region_name").known() else {
            continue;
        };
        let group = format!("Global table ({region})");
        let item = if !on_demand {
            match attrs.num("write_capacity") {
                Field::Known(n) => ctx.fixed_in(
                    &region,
                    "Replicated write capacity unit (rWCU)",
                    "unit-hours",
                    n * HOURS_PER_MONTH,
                    "dynamodb",
                    "replicated_wcu",
                    "",
                ),
                _ => unknown_item(
                    "Replicated write capacity unit (rWCU)",
                    "unit-hours",
                    "write_capacity",
                ),
            }
        } else {
            let writes = ctx
                .usage
                .and_then(|u| u.num(&["monthly_write_request_units"]));
            LineItem::unpriced(
                "Replicated write request unit (rWRU)",
                "rWRU",
                writes,
                format!("no price for dynamodb replicated_wru in {region} in the catalog"),
            )
        };
        items.push(item.in_group(group));
    }
    items
}
