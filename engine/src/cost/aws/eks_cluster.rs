//! `aws_eks_cluster`: an EKS cluster's control plane.
//!
//! **Components.** Cluster hours (730 a month; `eks` `cluster_hour`, $0.10 an hour in every region
//! of the catalog).
//!
//! **Attributes.** None: every cluster is priced the same.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** Standard Kubernetes version support.
//!
//! **Not priced.** The extended-support surcharge billed while the cluster's Kubernetes version is
//! in extended support; EKS Auto Mode fees; the nodes, which are their own resources
//! (`aws_eks_node_group`, `aws_instance`, ...).

use rust_decimal::Decimal;

use crate::cost::{Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_eks_cluster",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["eks"],
    references: &[],
    cost,
    source: include_str!("eks_cluster.rs"),
};

fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![ctx.hourly("EKS cluster", Decimal::ONE, "eks", "cluster_hour", "")]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::estimate::{estimate, Options};
    use crate::{parse_document, Catalog, InputFile};

    /// A real plan (Terraform 1.11.4, AWS provider 5.100.0) of two clusters, one per region:
    /// $73.00 a month each, 730 hours × $0.10.
    #[test]
    fn a_cluster_costs_730_hours_at_ten_cents_in_its_region() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/plans/eks-cluster.json");
        let file = InputFile::read(&path).unwrap();
        let (doc, _) = parse_document(&file).unwrap();
        let catalog = Catalog::embedded();
        let est = estimate(
            &doc,
            "eks-cluster.json",
            None,
            &catalog,
            &Default::default(),
            &Options::default(),
        );
        let got: Vec<_> = est
            .resources
            .iter()
            .map(|r| {
                let items = &r.after.as_ref().unwrap().items;
                assert_eq!(items.len(), 1, "{items:?}");
                let i = &items[0];
                (
                    r.address.as_str(),
                    r.region.as_deref().unwrap(),
                    i.name.as_str(),
                    i.quantity.unwrap(),
                    i.unit_price.unwrap(),
                    r.after_monthly(),
                )
            })
            .collect();
        let (hours, price, monthly) = (Decimal::from(730), Decimal::new(1, 1), Decimal::from(73));
        assert_eq!(
            got,
            [
                (
                    "aws_eks_cluster.ireland",
                    "eu-west-1",
                    "EKS cluster",
                    hours,
                    price,
                    monthly
                ),
                (
                    "aws_eks_cluster.virginia",
                    "us-east-1",
                    "EKS cluster",
                    hours,
                    price,
                    monthly
                ),
            ]
        );
        assert_eq!(est.totals.after, Decimal::from(146));
        assert_eq!(est.counts.unsupported, 0);
        assert_eq!(est.catalog.as_of["eks"], "2025-06-16");
    }
}
