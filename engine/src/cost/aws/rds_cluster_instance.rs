//! `aws_rds_cluster_instance`: an instance of an Aurora DB cluster.
//!
//! **Components.** Instance hours (`aurora`, by engine and instance class, at the Aurora Standard
//! or I/O-Optimized price of its cluster's storage configuration); for `db.serverless` (Aurora
//! Serverless v2), ACU-hours from usage (`aurora` `serverless_v2_acu_hour`, with its PostgreSQL and
//! I/O-Optimized variants); listed as unpriced when usage gives them, having no catalog price: CPU
//! credits (vCPU-hours) of db.t3 and db.t4g classes.
//!
//! **Attributes.** `instance_class`, `engine` (else the cluster's), `cluster_identifier` (the
//! cluster's `storage_type`: `aurora-iopt1` is I/O-Optimized).
//!
//! **Usage keys.** `capacity_units_per_hr` (Serverless v2: average ACUs over the month),
//! `monthly_cpu_credit_hrs`, `vcpu_count`, `reserved_instance_type` / `reserved_instance_term`
//! (make the hours unpriced).
//!
//! **Defaults.** Aurora Standard when the cluster does not set `storage_type` or is not in the plan.
//!
//! **Not priced.** Storage, I/O and backups (billed on the cluster, `aws_rds_cluster`); reserved
//! instances; Performance Insights and RDS Extended Support (not modelled); instances of Multi-AZ DB
//! clusters of the `mysql` and `postgres` engines (unpriced).

use rust_decimal::Decimal;

use super::aurora::{self, Storage, CLUSTER};
use super::reserved;
use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::pricing::HOURS_PER_MONTH;
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_rds_cluster_instance",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["aurora"],
    references: &[&CLUSTER],
    cost,
    source: include_str!("rds_cluster_instance.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let cluster = ctx.referenced(&CLUSTER);
    let engine = match aurora::engine(
        aurora::instance_engine(attrs, cluster.as_ref()),
        "Database instance",
        "hours",
    ) {
        Ok(e) => e,
        Err(item) => return vec![item],
    };
    let (storage, note) = match &cluster {
        Some(c) => Storage::of(c),
        None => (
            Storage::Standard,
            Some("its cluster is not in the plan: assumed Aurora Standard".into()),
        ),
    };
    let class = match attrs.str("instance_class") {
        Field::Known(c) => c,
        _ => {
            return vec![unknown_item(
                "Database instance",
                "hours",
                "the instance class",
            )]
        }
    };
    if class == "db.serverless" {
        return vec![aurora::serverless_v2(engine, storage, ctx).with_note(note)];
    }
    let label = match storage {
        Storage::Standard => "",
        Storage::IoOptimized => "I/O-Optimized, ",
    };
    let mut items = vec![match reserved(ctx) {
        Some(reason) => LineItem::unpriced(
            format!("Database instance (reserved, {label}{class})"),
            "hours",
            Some(HOURS_PER_MONTH),
            reason,
        ),
        None => ctx
            .hourly(
                format!("Database instance (on-demand, {label}{class})"),
                Decimal::ONE,
                "aurora",
                &format!("{}:{class}", engine.key()),
                storage.deployment(),
            )
            .with_note(note),
    }];
    let burstable = class.starts_with("db.t3.") || class.starts_with("db.t4g.");
    let credit_hours = ctx
        .usage
        .and_then(|u| u.num(&["monthly_cpu_credit_hrs"]))
        .filter(|h| !h.is_zero());
    if let (true, Some(hours)) = (burstable, credit_hours) {
        let vcpus = ctx
            .usage
            .and_then(|u| u.num(&["vcpu_count"]))
            .unwrap_or(Decimal::ONE);
        items.push(LineItem::unpriced(
            "CPU credits",
            "vCPU-hours",
            Some(hours * vcpus),
            "burstable CPU credit prices are not in the catalog".into(),
        ));
    }
    items
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::estimate::{estimate, Options};
    use crate::pricing::usage::Usage;
    use crate::{parse_document, Catalog, InputFile};

    fn resource(address: &str, after: &str, unknown: &str) -> String {
        let (rtype, name) = address.split_once('.').unwrap();
        format!(
            r#"{{"address": "{address}", "mode": "managed", "type": "{rtype}", "name": "{name}",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {{"actions": ["create"], "before": null, "after": {after}, "after_unknown": {unknown}}}}}"#
        )
    }

    fn config(address: &str, expressions: &str) -> String {
        let (rtype, name) = address.split_once('.').unwrap();
        format!(
            r#"{{"address": "{address}", "mode": "managed", "type": "{rtype}", "name": "{name}",
                "provider_config_key": "aws", "expressions": {expressions}}}"#
        )
    }

    /// A plan creating an I/O-Optimized Aurora PostgreSQL cluster with a provisioned and a
    /// Serverless v2 instance, which take their engine from the cluster (unknown in the plan), and an
    /// instance of a cluster that is not in the plan.
    #[test]
    fn instances_take_engine_and_storage_from_their_cluster() {
        let reference = r#"{"cluster_identifier": {"references": ["aws_rds_cluster.main.id", "aws_rds_cluster.main"]},
            "engine": {"references": ["aws_rds_cluster.main.engine", "aws_rds_cluster.main"]}}"#;
        let plan = format!(
            r#"{{"format_version": "1.2", "terraform_version": "1.9.8",
                "resource_changes": [{}, {}, {}, {}],
                "configuration": {{"provider_config": {{"aws": {{"name": "aws", "expressions": {{"region": {{"constant_value": "us-east-1"}}}}}}}},
                    "root_module": {{"resources": [{}, {}, {}, {}]}}}}}}"#,
            resource(
                "aws_rds_cluster.main",
                r#"{"engine": "aurora-postgresql", "storage_type": "aurora-iopt1", "backup_retention_period": 7}"#,
                "{}"
            ),
            resource(
                "aws_rds_cluster_instance.writer",
                r#"{"instance_class": "db.r6g.large"}"#,
                r#"{"engine": true, "cluster_identifier": true}"#
            ),
            resource(
                "aws_rds_cluster_instance.serverless",
                r#"{"instance_class": "db.serverless"}"#,
                r#"{"engine": true, "cluster_identifier": true}"#
            ),
            resource(
                "aws_rds_cluster_instance.other",
                r#"{"instance_class": "db.t4g.medium", "engine": "aurora-mysql", "cluster_identifier": "elsewhere"}"#,
                "{}"
            ),
            config(
                "aws_rds_cluster.main",
                r#"{"engine": {"constant_value": "aurora-postgresql"}}"#
            ),
            config("aws_rds_cluster_instance.writer", reference),
            config("aws_rds_cluster_instance.serverless", reference),
            config(
                "aws_rds_cluster_instance.other",
                r#"{"cluster_identifier": {"constant_value": "elsewhere"}}"#
            ),
        );
        let file =
            InputFile::from_bytes(std::path::Path::new("plan.json"), plan.into_bytes()).unwrap();
        let (doc, _) = parse_document(&file).unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            "version: 0.1\nresource_usage:\n  aws_rds_cluster_instance.serverless:\n    capacity_units_per_hr: 2\n  aws_rds_cluster_instance.other:\n    monthly_cpu_credit_hrs: 5\n",
        )
        .unwrap();
        let catalog = Catalog::embedded();
        let est = estimate(
            &doc,
            "plan.json",
            None,
            &catalog,
            &usage,
            &Options::default(),
        );
        let items = |addr: &str| {
            let r = est.resources.iter().find(|r| r.address == addr).unwrap();
            r.after.as_ref().unwrap().items.clone()
        };
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let writer = items("aws_rds_cluster_instance.writer");
        assert_eq!(writer.len(), 1, "{writer:?}");
        assert_eq!(
            writer[0].name,
            "Database instance (on-demand, I/O-Optimized, db.r6g.large)"
        );
        let io_optimized = catalog
            .get(
                "aurora",
                "us-east-1",
                "aurora-postgresql:db.r6g.large",
                "aurora-io-optimized",
            )
            .unwrap()
            .usd;
        assert_eq!(writer[0].unit_price, Some(io_optimized));
        assert_eq!(writer[0].monthly, Some(io_optimized * d("730")));
        let serverless = items("aws_rds_cluster_instance.serverless");
        assert_eq!(serverless[0].name, "Aurora Serverless v2");
        assert_eq!(serverless[0].quantity, Some(d("1460")));
        // us-east-1 Aurora PostgreSQL Serverless v2, I/O-Optimized: $0.16 an ACU-hour.
        assert_eq!(serverless[0].monthly, Some(d("233.6")));
        let other = items("aws_rds_cluster_instance.other");
        assert_eq!(
            other[0].note.as_deref(),
            Some("its cluster is not in the plan: assumed Aurora Standard")
        );
        let standard = catalog
            .get(
                "aurora",
                "us-east-1",
                "aurora-mysql:db.t4g.medium",
                "aurora-standard",
            )
            .unwrap()
            .usd;
        assert_eq!(other[0].unit_price, Some(standard));
        assert_eq!(other[1].name, "CPU credits");
        assert_eq!(other[1].monthly, None);
        assert_eq!(est.catalog.as_of["aurora"], "2025-06-17");
    }
}
