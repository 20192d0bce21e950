//! `aws_cloudwatch_log_group`: a CloudWatch Logs log group.
//!
//! **Components.** Data ingested, archival storage and Logs Insights data scanned (GB each, from
//! usage).
//!
//! **Attributes.** None.
//!
//! **Usage keys.** `monthly_data_ingested_gb`, `storage_gb`, `monthly_data_scanned_gb`.
//!
//! **Defaults.** Standard log class.
//!
//! **Not priced.** The Infrequent Access log class; vended logs; the free tier.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_cloudwatch_log_group",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["cloudwatch_logs"],
    references: &[],
    cost,
    source: include_str!("cloudwatch_log_group.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![
        ctx.usage_item(
            "Data ingested",
            "GB",
            &["monthly_data_ingested_gb"],
            Decimal::ONE,
            "cloudwatch_logs",
            "ingestion",
            "",
        ),
        ctx.usage_item(
            "Archival Storage",
            "GB",
            &["storage_gb"],
            Decimal::ONE,
            "cloudwatch_logs",
            "archival_storage",
            "",
        ),
        ctx.usage_item(
            "Insights queries data scanned",
            "GB",
            &["monthly_data_scanned_gb"],
            Decimal::ONE,
            "cloudwatch_logs",
            "insights_scanned",
            "",
        ),
    ]
}
