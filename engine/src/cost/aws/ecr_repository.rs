//! `aws_ecr_repository`: a private ECR repository.
//!
//! **Components.** Image storage (GB-month, `ecr` `storage`, from usage).
//!
//! **Attributes.** None.
//!
//! **Usage keys.** `storage_gb`.
//!
//! **Defaults.** None: without usage the storage is usage-based.
//!
//! **Not priced.** Data transfer out; the free tier (500 MB a month for a year); public repositories
//! (free up to 50 GB).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_ecr_repository",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["ecr"],
    references: &[],
    cost,
    source: include_str!("ecr_repository.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.usage_item(
        "Storage",
        "GB",
        &["storage_gb"],
        Decimal::ONE,
        "ecr",
        "storage",
        "",
    )]
}
