//! `aws_eks_fargate_profile`: an EKS Fargate profile (which pods of a cluster run on Fargate).
//!
//! **Components.** The pods' vCPU-hours (`fargate` `vcpu_hour_linux_x86`) and GB-hours
//! (`gb_hour_linux_x86`), from usage.
//!
//! **Attributes.** None: the profile selects pods, it does not size them.
//!
//! **Usage keys.** `monthly_vcpu_hours`, `monthly_gb_hours` (costfix's own: infracost has no usage
//! keys for this type).
//!
//! **Defaults.** None: without usage the pods' hours are usage-based (infracost assumes one pod of
//! 1 vCPU and 1 GB running all month).
//!
//! **Not priced.** Ephemeral storage over the 20 GB included; the cluster (`aws_eks_cluster`).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_eks_fargate_profile",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["fargate"],
    references: &[],
    cost,
    source: include_str!("eks_fargate_profile.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![
        ctx.usage_item(
            "Per GB per hour",
            "GB-hours",
            &["monthly_gb_hours"],
            Decimal::ONE,
            "fargate",
            "gb_hour_linux_x86",
            "",
        ),
        ctx.usage_item(
            "Per vCPU per hour",
            "vCPU-hours",
            &["monthly_vcpu_hours"],
            Decimal::ONE,
            "fargate",
            "vcpu_hour_linux_x86",
            "",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::cost::{cost_values, ItemStatus};
    use crate::pricing::usage::Usage;
    use crate::terraform::address::Address;
    use crate::Catalog;

    /// us-east-1: a 1 vCPU, 2 GB pod all month is 730 × $0.04048 + 1,460 × $0.004445 = $36.0401;
    /// without usage both items are usage-based.
    #[test]
    fn pod_hours_from_usage() {
        let addr: Address = "aws_eks_fargate_profile.p".parse().unwrap();
        let cost = |usage: &str| {
            let usage = Usage::parse(std::path::Path::new("usage.yml"), usage).unwrap();
            cost_values(
                &addr,
                "aws_eks_fargate_profile",
                &serde_json::json!({}),
                &serde_json::json!({}),
                None,
                "us-east-1",
                &Catalog::embedded(),
                &usage,
            )
        };
        let used = cost("version: 0.1\nresource_usage:\n  aws_eks_fargate_profile.p:\n    monthly_vcpu_hours: 730\n    monthly_gb_hours: 1460\n");
        assert_eq!(used.monthly(), Decimal::new(360401, 4));
        let unused = cost("version: 0.1\nresource_usage: {}\n");
        assert!(unused
            .items
            .iter()
            .all(|i| i.status == ItemStatus::UsageBased));
    }
}
