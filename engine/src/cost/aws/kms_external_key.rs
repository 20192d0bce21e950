//! `aws_kms_external_key`: a KMS key whose key material is imported.
//!
//! **Components.** The key, $1 a key-month (`kms` `key_month`), as infracost prices it.
//!
//! **Attributes.** None.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** The key is enabled all month.
//!
//! **Not priced.** API requests (the first 20,000 a month are free; infracost does not price them
//! for imported keys either).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_kms_external_key",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["kms"],
    references: &[],
    cost,
    source: include_str!("kms_external_key.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.fixed(
        "Customer master key",
        "months",
        Decimal::ONE,
        "kms",
        "key_month",
        "",
    )]
}
