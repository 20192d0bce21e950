//! `aws_elb`: a Classic Load Balancer.
//!
//! **Components.** Load balancer hours (730 a month; `clb` `lb_hour`); data processed (GB,
//! `data_processed`), from usage.
//!
//! **Attributes.** None: every classic load balancer is priced the same.
//!
//! **Usage keys.** `monthly_data_processed_gb`.
//!
//! **Defaults.** None.
//!
//! **Not priced.** Data transfer out; the instances behind it.

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_elb",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["clb"],
    references: &[],
    cost,
    source: include_str!("elb.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![
        ctx.hourly("Classic load balancer", Decimal::ONE, "clb", "lb_hour", ""),
        ctx.usage_item(
            "Data processed",
            "GB",
            &["monthly_data_processed_gb"],
            Decimal::ONE,
            "clb",
            "data_processed",
            "",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::cost::cost_values;
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    /// eu-west-1: 730 h × $0.028 = $20.44, plus 500 GB × $0.008 = $4.
    #[test]
    fn hours_and_data() {
        let addr: Address = "aws_elb.lb".parse().unwrap();
        let usage = Usage::parse(
            std::path::Path::new("usage.yml"),
            "version: 0.1\nresource_usage:\n  aws_elb.lb:\n    monthly_data_processed_gb: 500\n",
        )
        .unwrap();
        let cost = cost_values(
            &addr,
            "aws_elb",
            &serde_json::json!({}),
            &serde_json::json!({}),
            None,
            "eu-west-1",
            &Catalog::embedded(),
            &usage,
        );
        assert_eq!(cost.monthly(), Decimal::new(2444, 2));
    }
}
