//! `aws_eks_cluster`: an EKS cluster's control plane.
//!
//! **Components.** Cluster hours (730 a month; `eks` `cluster_hour`, $0.10 an hour in every region
//! of the catalog); the extended-support surcharge (730 hours, `eks`
//! `extended_support_surcharge_hour`, billed on top of the cluster hours) while the cluster's
//! Kubernetes version is in extended support.
//!
//! **Attributes.** `version` (the Kubernetes minor version, `1.29`), `upgrade_policy.support_type`.
//!
//! **Usage keys.** None.
//!
//! **Defaults.** A version is in extended support when AWS's EKS release calendar (the table in
//! `eks_cluster.rs`) puts the end of its standard support on or before the as-of date of the
//! catalog's `eks` prices (2025-06-16 for the embedded catalog): the estimate prices the catalog's
//! month, and does not move with the clock. A version past the end of its extended support too is
//! billed the surcharge as well, with a note (AWS upgrades its control plane to the oldest version
//! still in extended support). `version` not set: the newest version EKS offers, in standard
//! support. `upgrade_policy.support_type` `STANDARD`: no surcharge (AWS upgrades the cluster at the
//! end of standard support instead).
//!
//! **Not priced.** EKS Auto Mode fees; EKS on Outposts; the nodes, which are their own resources
//! (`aws_eks_node_group`, `aws_instance`, ...).

use rust_decimal::Decimal;

use crate::cost::{unknown_item, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::{Attrs, Field};

pub const TYPE: PricedType = PricedType {
    name: "aws_eks_cluster",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["eks"],
    references: &[],
    cost,
    source: include_str!("eks_cluster.rs"),
};

/// AWS's EKS Kubernetes release calendar: (minor version, end of standard support, end of extended
/// support), UTC dates; extended support is billed from the first day of the end of standard
/// support. Source: the Amazon EKS User Guide, "Understand the Kubernetes version lifecycle on EKS",
/// section "Amazon EKS Kubernetes release calendar" (awsdocs/amazon-eks-user-guide,
/// `latest/ug/versioning/kubernetes-versions.adoc`, commits 8596db85 for 1.27 to 1.33 and
/// 01385604 for 1.34; 1.23 from the same page's extended-support FAQ). 1.35 is not in those
/// copies: its dates are those of the aws-samples EKS operation review's version calendar
/// ("last verified 2026-04-24") and endoflife.date's amazon-eks page, which agree. 1.24 to 1.26
/// are older than 1.27 and newer than 1.23, so their standard support ended between those two
/// versions' ends (see `support`).
const CALENDAR: &[(u32, &str, &str)] = &[
    (23, "2023-10-11", "2024-10-11"),
    (27, "2024-07-24", "2025-07-24"),
    (28, "2024-11-26", "2025-11-26"),
    (29, "2025-03-23", "2026-03-23"),
    (30, "2025-07-23", "2026-07-23"),
    (31, "2025-11-26", "2026-11-26"),
    (32, "2026-03-23", "2027-03-23"),
    (33, "2026-07-29", "2027-07-29"),
    (34, "2026-12-02", "2027-12-02"),
    (35, "2027-03-27", "2028-03-27"),
];

/// Where a minor version of Kubernetes 1 stands on `date` (YYYY-MM-DD).
#[derive(Debug, PartialEq)]
enum Support {
    Standard,
    /// Standard support ended (on the date given, when the calendar has the version).
    Extended(Option<&'static str>),
    /// Extended support ended too.
    Ended,
    /// The calendar cannot tell.
    Unknown,
}

/// The calendar's answer for `minor` on `date`. A version absent from the calendar stands where
/// its neighbours put it: past standard support if a version at least as new is, in standard support
/// if a version at most as new is.
fn support(minor: u32, date: &str) -> Support {
    if let Some((_, standard, extended)) = CALENDAR.iter().find(|(m, _, _)| *m == minor) {
        return if *extended <= date {
            Support::Ended
        } else if *standard <= date {
            Support::Extended(Some(standard))
        } else {
            Support::Standard
        };
    }
    let newer = CALENDAR.iter().filter(|(m, _, _)| *m > minor);
    if newer.clone().any(|(_, _, extended)| *extended <= date) {
        Support::Ended
    } else if newer.clone().any(|(_, standard, _)| *standard <= date) {
        Support::Extended(None)
    } else if CALENDAR
        .iter()
        .any(|(m, standard, _)| *m < minor && *standard > date)
    {
        Support::Standard
    } else {
        Support::Unknown
    }
}

/// The minor version of `1.MINOR` (`1.29`, or `1.29.3`).
fn minor_version(version: &str) -> Option<u32> {
    let rest = version.strip_prefix("1.")?;
    rest.split('.').next()?.parse().ok()
}

const SURCHARGE: &str = "Extended support";

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = vec![ctx.hourly("EKS cluster", Decimal::ONE, "eks", "cluster_hour", "")];
    items.extend(extended_support(attrs, ctx));
    items
}

/// The surcharge, when the version is in extended support on the date of the catalog's prices.
fn extended_support(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Option<LineItem> {
    let version = match attrs.str("version") {
        Field::Known(v) => v,
        // Optional and computed: unknown in a plan when not configured, and then EKS's newest.
        Field::Unknown if ctx.configured("version") == Some(true) => {
            return Some(unknown_item(SURCHARGE, "hours", "the Kubernetes version"))
        }
        Field::Unknown | Field::Missing => return None,
    };
    let policy = attrs
        .blocks("upgrade_policy")
        .into_iter()
        .next()
        .and_then(|p| p.str("support_type").known());
    if policy.is_some_and(|p| p.eq_ignore_ascii_case("STANDARD")) {
        return None;
    }
    let Some(minor) = minor_version(&version) else {
        return Some(LineItem::unpriced(
            SURCHARGE,
            "hours",
            None,
            format!("`{version}` is not a Kubernetes 1.x version"),
        ));
    };
    let Some(date) = ctx.catalog.as_of.get("eks") else {
        return Some(LineItem::unpriced(
            SURCHARGE,
            "hours",
            None,
            "the catalog has no date for its eks prices".into(),
        ));
    };
    let note = match support(minor, date) {
        Support::Standard => return None,
        Support::Unknown => {
            return Some(LineItem::unpriced(
                SURCHARGE,
                "hours",
                None,
                format!("Kubernetes 1.{minor} is not in the EKS release calendar costfix has"),
            ))
        }
        Support::Extended(Some(ended)) => format!(
            "Kubernetes 1.{minor}: standard support ended {ended}, before the catalog's eks prices ({date})"
        ),
        Support::Extended(None) => format!(
            "Kubernetes 1.{minor}: standard support ended before the catalog's eks prices ({date})"
        ),
        Support::Ended => format!(
            "Kubernetes 1.{minor}: extended support too had ended by the catalog's eks prices ({date}); AWS upgrades the control plane to the oldest version still in extended support, billed the same"
        ),
    };
    Some(
        ctx.hourly(
            format!("{SURCHARGE} (Kubernetes 1.{minor})"),
            Decimal::ONE,
            "eks",
            "extended_support_surcharge_hour",
            "",
        )
        .with_note(Some(note)),
    )
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

    /// A real plan (Terraform 1.11.4, AWS provider 5.100.0) of two us-east-1 clusters: 1.28, whose
    /// standard support ended 2024-11-26, before the catalog's eks prices (2025-06-16), pays the
    /// surcharge on top of the cluster hours: 730 × $0.10 + 730 × $0.50 = $438.00; 1.33 (standard
    /// support until 2026-07-29) only the cluster hours, $73.00.
    #[test]
    fn a_version_in_extended_support_pays_the_surcharge_on_top() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/plans/eks-extended-support.json");
        let file = InputFile::read(&path).unwrap();
        let (doc, _) = parse_document(&file).unwrap();
        let catalog = Catalog::embedded();
        let est = estimate(
            &doc,
            "eks-extended-support.json",
            None,
            &catalog,
            &Default::default(),
            &Options::default(),
        );
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let got: Vec<_> = est
            .resources
            .iter()
            .map(|r| {
                let items: Vec<_> = r
                    .after
                    .as_ref()
                    .unwrap()
                    .items
                    .iter()
                    .map(|i| {
                        (
                            i.name.clone(),
                            i.quantity.unwrap(),
                            i.unit_price.unwrap(),
                            i.note.clone(),
                        )
                    })
                    .collect();
                (r.address.as_str(), items, r.after_monthly())
            })
            .collect();
        let cluster = ("EKS cluster".to_string(), d("730"), d("0.1"), None);
        assert_eq!(
            got,
            [
                ("aws_eks_cluster.current", vec![cluster.clone()], d("73")),
                (
                    "aws_eks_cluster.old",
                    vec![
                        cluster,
                        (
                            "Extended support (Kubernetes 1.28)".to_string(),
                            d("730"),
                            d("0.5"),
                            Some("Kubernetes 1.28: standard support ended 2024-11-26, before the catalog's eks prices (2025-06-16)".to_string())
                        )
                    ],
                    d("438")
                ),
            ]
        );
        assert_eq!(est.totals.after, d("511"));
        assert_eq!(est.catalog.as_of["eks"], "2025-06-16");
    }

    #[test]
    fn the_calendar_on_a_date() {
        use super::{minor_version, support, Support};
        let on = "2025-06-16";
        assert_eq!(support(33, on), Support::Standard);
        assert_eq!(
            support(30, on),
            Support::Standard,
            "standard until 2025-07-23"
        );
        assert_eq!(support(29, on), Support::Extended(Some("2025-03-23")));
        assert_eq!(support(27, on), Support::Extended(Some("2024-07-24")));
        // Not in the calendar, older than 1.27: its standard support ended before 1.27's.
        assert_eq!(support(25, on), Support::Extended(None));
        assert_eq!(support(23, on), Support::Ended);
        assert_eq!(support(20, on), Support::Ended);
        // Newer than the calendar: newer than a version still in standard support.
        assert_eq!(support(36, on), Support::Standard);
        // Billing starts on the day standard support ends.
        assert_eq!(
            support(30, "2025-07-23"),
            Support::Extended(Some("2025-07-23"))
        );
        assert_eq!(support(30, "2025-07-22"), Support::Standard);
        // Between the ends of 1.23 and 1.27, 1.25 cannot be placed; before 1.23's, it is newer than a
        // version in standard support.
        assert_eq!(support(25, "2024-01-01"), Support::Unknown);
        assert_eq!(support(25, "2023-01-01"), Support::Standard);
        assert_eq!(minor_version("1.29"), Some(29));
        assert_eq!(minor_version("1.29.3"), Some(29));
        assert_eq!(minor_version("2.0"), None);
    }

    #[test]
    fn a_standard_support_policy_pays_no_surcharge() {
        use crate::cost::{cost_values, ItemStatus};
        use serde_json::json;
        let address = "aws_eks_cluster.c".parse().unwrap();
        let run = |values: serde_json::Value, unknown: serde_json::Value| {
            cost_values(
                &address,
                "aws_eks_cluster",
                &values,
                &unknown,
                None,
                "eu-west-1",
                &Catalog::embedded(),
                &Default::default(),
            )
            .items
        };
        let standard = run(
            json!({"version": "1.27", "upgrade_policy": [{"support_type": "STANDARD"}]}),
            json!({}),
        );
        assert_eq!(standard.len(), 1);
        let extended = run(
            json!({"version": "1.27", "upgrade_policy": [{"support_type": "EXTENDED"}]}),
            json!({}),
        );
        assert_eq!(extended[1].monthly, Some(Decimal::from(365)));
        assert_eq!(extended[1].status, ItemStatus::Priced);
        // No version in the plan (and no configuration saying one is set): EKS's newest.
        assert_eq!(run(json!({}), json!({"version": true})).len(), 1);
    }
}
