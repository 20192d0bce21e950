//! Databases and caches: `aws_db_instance`, `aws_elasticache_cluster`,
//! `aws_elasticache_replication_group`, `aws_dynamodb_table`.

use rust_decimal::Decimal;

use super::{dec, unknown_item, Ctx, LineItem};
use crate::pricing::HOURS_PER_MONTH;
use crate::values::{Attrs, Field};

/// `aws_db_instance`: instance hours, storage, provisioned IOPS and throughput, backup storage.
pub(crate) fn db_instance(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let engine = match attrs.str("engine") {
        Field::Known(e) => e,
        Field::Unknown => return vec![unknown_item("Database instance", "hours", "the engine")],
        // A read replica or a snapshot restore takes its engine from the source.
        Field::Missing => {
            return vec![LineItem::unpriced(
                "Database instance",
                "hours",
                None,
                "engine is not set (replica or snapshot restore): its engine is not in the plan"
                    .into(),
            )]
        }
    };
    let engine_key = match engine.as_ref() {
        "mysql" => "mysql",
        "postgres" => "postgres",
        other => {
            return vec![LineItem::unpriced(
                format!("Database instance ({other})"),
                "hours",
                None,
                format!("the catalog has MySQL and PostgreSQL prices only, not `{other}`"),
            )]
        }
    };
    let multi_az = attrs.bool("multi_az").known().unwrap_or(false);
    let (deployment, label) = if multi_az {
        ("multi-az", "Multi-AZ")
    } else {
        ("single-az", "Single-AZ")
    };
    let mut items = Vec::new();
    match attrs.str("instance_class") {
        Field::Known(class) if reserved(ctx).is_some() => items.push(LineItem::unpriced(
            format!("Database instance (reserved, {label}, {class})"),
            "hours",
            None,
            reserved(ctx).unwrap_or_default(),
        )),
        Field::Known(class) => items.push(ctx.hourly(
            format!("Database instance (on-demand, {label}, {class})"),
            Decimal::ONE,
            "rds",
            &format!("{engine_key}:{class}"),
            deployment,
        )),
        _ => items.push(unknown_item(
            "Database instance",
            "hours",
            "the instance class",
        )),
    }

    let iops = attrs.num("iops").known().filter(|i| !i.is_zero());
    let (storage_type, note) = match attrs.str("storage_type") {
        Field::Known(t) => (t.to_string(), None),
        Field::Unknown | Field::Missing => {
            let t = if iops.is_some() { "io1" } else { "gp2" };
            (
                t.to_string(),
                Some(format!("storage_type not set: assumed {t}")),
            )
        }
    };
    let (st_key, st_label) = match storage_type.as_str() {
        "gp2" => ("gp2", "general purpose SSD, gp2"),
        "gp3" => ("gp3", "general purpose SSD, gp3"),
        "io1" => ("io1", "provisioned IOPS SSD, io1"),
        "io2" => ("io2", "provisioned IOPS SSD, io2"),
        "standard" => ("magnetic", "magnetic"),
        other => {
            items.push(LineItem::unpriced(
                format!("Storage ({other})"),
                "GB",
                None,
                format!("unknown RDS storage type `{other}`"),
            ));
            return items;
        }
    };
    let product = format!("{engine_key}:{deployment}:{st_key}");
    let size = attrs.num("allocated_storage");
    match size {
        Field::Known(gb) => items.push(
            ctx.fixed(
                format!("Storage ({st_label})"),
                "GB",
                gb,
                "rds_storage",
                &product,
                "storage",
            )
            .with_note(note),
        ),
        _ => items.push(unknown_item("Storage", "GB", "allocated_storage")),
    }
    match st_key {
        "io1" | "io2" => match iops {
            Some(i) => items.push(ctx.fixed(
                "Provisioned IOPS",
                "IOPS",
                i,
                "rds_storage",
                &product,
                "provisioned_iops",
            )),
            None => items.push(unknown_item("Provisioned IOPS", "IOPS", "iops")),
        },
        "gp3" => {
            // gp3 includes 3,000 IOPS and 125 MiB/s below 400 GB, 12,000 IOPS and 500 MiB/s from 400 GB.
            let large = size.clone().known().is_some_and(|s| s >= dec(400));
            let (base_iops, base_tp) = if large {
                (dec(12000), dec(500))
            } else {
                (dec(3000), dec(125))
            };
            if let Some(i) = iops.filter(|i| *i > base_iops) {
                items.push(ctx.fixed(
                    "Provisioned IOPS (above baseline)",
                    "IOPS",
                    i - base_iops,
                    "rds_storage",
                    &product,
                    "provisioned_iops_above_baseline",
                ));
            }
            if let Some(t) = attrs
                .num("storage_throughput")
                .known()
                .filter(|t| *t > base_tp)
            {
                items.push(ctx.fixed(
                    "Provisioned throughput (above baseline)",
                    "MiBps",
                    t - base_tp,
                    "rds_storage",
                    &product,
                    "provisioned_throughput_above_baseline",
                ));
            }
        }
        "magnetic" => items.push(
            ctx.usage_item(
                "I/O requests",
                "1M requests",
                &["monthly_standard_io_requests"],
                Decimal::ONE,
                "rds_storage",
                &format!("{engine_key}:any:magnetic"),
                "io_requests",
            )
            .with_note(Some("priced per request".into())),
        ),
        _ => {}
    }
    items.push(ctx.usage_item(
        "Additional backup storage",
        "GB",
        &["additional_backup_storage_gb"],
        Decimal::ONE,
        "rds_storage",
        &format!("{engine_key}:any:backup"),
        "backup_storage_beyond_free",
    ));
    items
}

/// The reason an item is unpriced when usage says it runs on a reservation.
pub(crate) fn reserved(ctx: &Ctx<'_, '_>) -> Option<String> {
    let u = ctx.usage?;
    let kind = u
        .str("reserved_instance_type")
        .or_else(|| u.str("reserved_instance_term"))?;
    Some(format!(
        "usage says it is reserved ({kind}); reserved prices are not in the catalog"
    ))
}

fn cache_engine(attrs: &Attrs<'_>) -> Result<String, LineItem> {
    match attrs.str("engine") {
        Field::Known(e) if matches!(e.as_ref(), "redis" | "memcached" | "valkey") => {
            Ok(e.to_string())
        }
        Field::Known(e) => Err(LineItem::unpriced(
            "ElastiCache nodes",
            "hours",
            None,
            format!("unknown ElastiCache engine `{e}`"),
        )),
        Field::Unknown => Err(unknown_item("ElastiCache nodes", "hours", "the engine")),
        Field::Missing => Ok("redis".into()),
    }
}

fn cache_nodes(
    engine: &str,
    node_type: Field<std::borrow::Cow<'_, str>>,
    nodes: Decimal,
    ctx: &Ctx<'_, '_>,
) -> LineItem {
    match node_type {
        Field::Known(t) if reserved(ctx).is_some() => LineItem::unpriced(
            format!("ElastiCache (reserved, {t})"),
            "hours",
            Some(HOURS_PER_MONTH * nodes),
            reserved(ctx).unwrap_or_default(),
        ),
        Field::Known(t) => ctx.hourly(
            format!("ElastiCache (on-demand, {t})"),
            nodes,
            "elasticache",
            &format!("{engine}:{t}"),
            "node",
        ),
        _ => unknown_item("ElastiCache nodes", "hours", "the node type"),
    }
}

fn snapshot_storage(engine: &str, ctx: &Ctx<'_, '_>) -> Option<LineItem> {
    (engine != "memcached").then(|| {
        ctx.usage_item(
            "Backup storage",
            "GB",
            &["snapshot_storage_size_gb"],
            Decimal::ONE,
            "elasticache",
            "backup_storage",
            "",
        )
    })
}

/// `aws_elasticache_cluster`.
pub(crate) fn elasticache_cluster(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    if attrs.str("replication_group_id").known().is_some() {
        // A member of a replication group: its nodes are priced on the group.
        return Vec::new();
    }
    let engine = match cache_engine(attrs) {
        Ok(e) => e,
        Err(item) => return vec![item],
    };
    let nodes = attrs.num("num_cache_nodes").known().unwrap_or(Decimal::ONE);
    let mut items = vec![cache_nodes(&engine, attrs.str("node_type"), nodes, ctx)];
    if attrs
        .num("snapshot_retention_limit")
        .known()
        .is_some_and(|r| r > Decimal::ONE)
    {
        items.extend(snapshot_storage(&engine, ctx));
    }
    items
}

/// `aws_elasticache_replication_group`.
pub(crate) fn elasticache_replication_group(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let engine = match cache_engine(attrs) {
        Ok(e) => e,
        Err(item) => return vec![item],
    };
    let clusters = attrs
        .num("num_cache_clusters")
        .known()
        .or_else(|| attrs.num("number_cache_clusters").known());
    let nodes = match clusters {
        Some(n) => n,
        None => {
            let groups = attrs.num("num_node_groups").known().unwrap_or(Decimal::ONE);
            let replicas = attrs
                .num("replicas_per_node_group")
                .known()
                .unwrap_or(Decimal::ZERO);
            groups * (replicas + Decimal::ONE)
        }
    };
    let mut items = vec![cache_nodes(&engine, attrs.str("node_type"), nodes, ctx)];
    if attrs
        .num("snapshot_retention_limit")
        .known()
        .is_some_and(|r| r > Decimal::ONE)
    {
        items.extend(snapshot_storage(&engine, ctx));
    }
    items
}

/// `aws_dynamodb_table`: provisioned capacity, or on-demand requests from usage; storage from usage.
pub(crate) fn dynamodb_table(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    let mode = attrs.str("billing_mode").known();
    if mode.as_deref() == Some("PAY_PER_REQUEST") {
        let per_m = Decimal::new(1, 6);
        items.push(ctx.usage_item(
            "Write request unit (WRU)",
            "1M WRU",
            &["monthly_write_request_units"],
            per_m,
            "dynamodb",
            "on_demand_write_request_units",
            "",
        ));
        items.push(ctx.usage_item(
            "Read request unit (RRU)",
            "1M RRU",
            &["monthly_read_request_units"],
            per_m,
            "dynamodb",
            "on_demand_read_request_units",
            "",
        ));
    } else {
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
    }
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
    // Global tables: every replica region bills replicated writes at its own price.
    let provisioned = mode.as_deref() != Some("PAY_PER_REQUEST");
    for replica in attrs.blocks("replica") {
        let Some(region) = replica.str("region_name").known() else {
            continue;
        };
        let group = format!("Global table ({region})");
        let item = if provisioned {
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
