//! `aws_mq_broker`: an Amazon MQ broker (ActiveMQ or RabbitMQ).
//!
//! **Components.** Broker hours (`mq`, by engine, host instance type and deployment: one price for
//! the deployment, an active/standby pair or a three-node RabbitMQ cluster); broker storage
//! (GB-month, from usage; `storage_efs` for ActiveMQ on EFS, `storage_ebs` for ActiveMQ on EBS and
//! for RabbitMQ), per broker: three for a RabbitMQ cluster.
//!
//! **Attributes.** `engine_type`, `host_instance_type`, `deployment_mode`, `storage_type`.
//!
//! **Usage keys.** `storage_size_gb` (the storage of one broker).
//!
//! **Defaults.** `SINGLE_INSTANCE`; EFS storage for ActiveMQ, EBS for RabbitMQ.
//!
//! **Not priced.** Reserved brokers (not offered); data transfer.

use rust_decimal::Decimal;

use crate::cost::{dec, str_or_default, unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_mq_broker",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["mq"],
    references: &[],
    cost,
    source: include_str!("mq_broker.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let engine = match attrs.str("engine_type") {
        Field::Known(e) => e.to_ascii_lowercase(),
        _ => return vec![unknown_item("Broker instance", "hours", "the engine type")],
    };
    if engine != "activemq" && engine != "rabbitmq" {
        return vec![LineItem::unpriced(
            "Broker instance",
            "hours",
            None,
            format!("unknown Amazon MQ engine `{engine}`"),
        )];
    }
    let (mode, note) = str_or_default(attrs, "deployment_mode", "SINGLE_INSTANCE");
    let Field::Known(mode) = mode else {
        return vec![unknown_item("Broker instance", "hours", "deployment_mode")];
    };
    // `ACTIVE_STANDBY_MULTI_AZ` is the catalog's `active-standby-multi-az`.
    let deployment = mode.to_ascii_lowercase().replace('_', "-");
    let mut items = vec![match attrs.str("host_instance_type") {
        Field::Known(t) => ctx
            .hourly(
                format!("Broker instance ({engine}, {t}, {deployment})"),
                Decimal::ONE,
                "mq",
                &format!("{engine}:{t}"),
                &deployment,
            )
            .with_note(note),
        _ => unknown_item("Broker instance", "hours", "the host instance type"),
    }];
    let storage = match attrs.str("storage_type").known() {
        Some(t) => t.to_ascii_lowercase(),
        None if engine == "rabbitmq" => "ebs".into(),
        None => "efs".into(),
    };
    let product = if engine == "activemq" && storage == "efs" {
        "storage_efs"
    } else {
        "storage_ebs"
    };
    let brokers = if deployment == "cluster-multi-az" {
        dec(3)
    } else {
        Decimal::ONE
    };
    let gb = ctx
        .usage
        .and_then(|u| u.num(&["storage_size_gb"]))
        .map(|gb| gb * brokers);
    items.push(ctx.usage_qty(
        format!("Storage ({engine}, {})", storage.to_ascii_uppercase()),
        "GB",
        gb,
        "mq",
        product,
        "",
    ));
    items
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::{cost_values, ItemStatus};
    use crate::pricing::usage::Usage;
    use crate::Catalog;

    fn monthly(
        values: serde_json::Value,
        region: &str,
    ) -> Vec<(String, Option<Decimal>, ItemStatus)> {
        let address = "aws_mq_broker.b".parse().unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            "version: 0.1\nresource_usage:\n  aws_mq_broker.b:\n    storage_size_gb: 10\n",
        )
        .unwrap();
        cost_values(
            &address,
            "aws_mq_broker",
            &values,
            &json!({}),
            None,
            region,
            &Catalog::embedded(),
            &usage,
        )
        .items
        .into_iter()
        .map(|i| (i.name, i.monthly, i.status))
        .collect()
    }

    #[test]
    fn brokers_and_storage() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        let p = ItemStatus::Priced;
        // us-east-1 mq.m5.large: $0.288 an hour single, $0.576 the active/standby pair, $0.864 the
        // RabbitMQ cluster; storage $0.30 (EFS) and $0.10 (EBS) a GB-month.
        assert_eq!(
            monthly(
                json!({"engine_type": "ActiveMQ", "host_instance_type": "mq.m5.large", "deployment_mode": "ACTIVE_STANDBY_MULTI_AZ"}),
                "us-east-1"
            ),
            [
                (
                    "Broker instance (activemq, mq.m5.large, active-standby-multi-az)".into(),
                    d("420.48"),
                    p
                ),
                ("Storage (activemq, EFS)".into(), d("3"), p),
            ]
        );
        assert_eq!(
            monthly(
                json!({"engine_type": "RabbitMQ", "host_instance_type": "mq.m5.large", "deployment_mode": "CLUSTER_MULTI_AZ"}),
                "us-east-1"
            ),
            [
                (
                    "Broker instance (rabbitmq, mq.m5.large, cluster-multi-az)".into(),
                    d("630.72"),
                    p
                ),
                ("Storage (rabbitmq, EBS)".into(), d("3"), p),
            ]
        );
        // The feed has no EFS storage price for eu-west-1: unpriced, not borrowed.
        let eu = monthly(
            json!({"engine_type": "ActiveMQ", "host_instance_type": "mq.m5.large"}),
            "eu-west-1",
        );
        assert_eq!(eu[0].2, p);
        assert_eq!(eu[1].2, ItemStatus::Unpriced);
    }
}
