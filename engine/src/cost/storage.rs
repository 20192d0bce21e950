//! Block and object storage: `aws_ebs_volume` (and the volumes of instances and launch templates),
//! `aws_s3_bucket`.

use rust_decimal::Decimal;

use super::{dec, str_or_default, unknown_item, Ctx, LineItem};
use crate::values::{Attrs, Field};

/// The attributes that price an EBS volume.
pub(crate) struct Volume {
    pub volume_type: Field<String>,
    pub size_gb: Field<Decimal>,
    pub iops: Option<Decimal>,
    pub throughput: Option<Decimal>,
    pub note: Option<String>,
    /// Why a size that is set cannot be used (not a number, out of range).
    pub size_invalid: Option<String>,
}

impl Volume {
    /// From an `aws_ebs_volume` (`type`, `size`) or a block device (`volume_type`, `volume_size`).
    pub fn from_attrs(
        attrs: &Attrs<'_>,
        type_key: &str,
        size_key: &str,
        default_size: Option<i64>,
    ) -> Volume {
        let (vt, mut note) = str_or_default(attrs, type_key, "gp2");
        let size_invalid = match (attrs.num(size_key), attrs.raw(size_key)) {
            (Field::Missing, Some(raw)) if raw.get() != "null" => Some(format!(
                "{size_key} is {}: not a size costfix can price (not a number, or out of range)",
                raw.get().chars().take(40).collect::<String>()
            )),
            _ => None,
        };
        let size_gb = match attrs.num(size_key) {
            Field::Missing if size_invalid.is_some() => Field::Missing,
            Field::Missing => match default_size {
                Some(d) => {
                    note = Some(join(note, format!("{size_key} not set: assumed {d} GB")));
                    Field::Known(dec(d))
                }
                None => Field::Missing,
            },
            f => f,
        };
        Volume {
            volume_type: vt.map(|s| s.to_string()),
            size_gb,
            iops: attrs.num("iops").known(),
            throughput: attrs.num("throughput").known(),
            note,
            size_invalid,
        }
    }
}

fn join(a: Option<String>, b: String) -> String {
    match a {
        Some(a) => format!("{a}; {b}"),
        None => b,
    }
}

/// Line items of one EBS volume.
pub(crate) fn volume_items(v: &Volume, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let vt = match &v.volume_type {
        Field::Known(t) => t.as_str(),
        Field::Unknown => return vec![unknown_item("Storage", "GB", "the volume type")],
        Field::Missing => "gp2",
    };
    let label = match vt {
        "gp2" => "general purpose SSD, gp2",
        "gp3" => "general purpose SSD, gp3",
        "io1" => "provisioned IOPS SSD, io1",
        "io2" => "provisioned IOPS SSD, io2",
        "st1" => "throughput optimized HDD, st1",
        "sc1" => "cold HDD, sc1",
        "standard" => "magnetic",
        other => {
            return vec![LineItem::unpriced(
                format!("Storage ({other})"),
                "GB",
                None,
                format!("unknown EBS volume type `{other}`"),
            )]
        }
    };
    let mut items = Vec::new();
    let storage_name = format!("Storage ({label})");
    match &v.size_gb {
        Field::Known(size) => items.push(
            ctx.fixed(storage_name, "GB", *size, "ebs", vt, "storage")
                .with_note(v.note.clone()),
        ),
        Field::Unknown => items.push(unknown_item(&storage_name, "GB", "the volume size")),
        Field::Missing => items.push(LineItem::unpriced(
            storage_name,
            "GB",
            None,
            v.size_invalid.clone().unwrap_or_else(|| {
                "the volume size is not set (a size from a snapshot is not in the plan)".into()
            }),
        )),
    }
    match vt {
        "gp3" => {
            if let Some(t) = v.throughput.filter(|t| *t > dec(125)) {
                items.push(ctx.fixed(
                    "Provisioned throughput",
                    "MiBps",
                    t - dec(125),
                    "ebs",
                    "gp3",
                    "provisioned_throughput_above_125",
                ));
            }
            if let Some(i) = v.iops.filter(|i| *i > dec(3000)) {
                items.push(ctx.fixed(
                    "Provisioned IOPS",
                    "IOPS",
                    i - dec(3000),
                    "ebs",
                    "gp3",
                    "provisioned_iops_above_3000",
                ));
            }
        }
        "io1" => match v.iops {
            Some(i) => items.push(ctx.fixed(
                "Provisioned IOPS",
                "IOPS",
                i,
                "ebs",
                "io1",
                "provisioned_iops",
            )),
            None => items.push(unknown_item("Provisioned IOPS", "IOPS", "iops")),
        },
        "io2" => match v.iops {
            Some(i) => {
                let tiers = [
                    (dec(0), dec(32000), "provisioned_iops_tier1_upto_32000"),
                    (
                        dec(32000),
                        dec(64000),
                        "provisioned_iops_tier2_32001_to_64000",
                    ),
                    (
                        dec(64000),
                        Decimal::MAX,
                        "provisioned_iops_tier3_above_64000",
                    ),
                ];
                for (lo, hi, dim) in tiers {
                    if i > lo {
                        let q = i.min(hi) - lo;
                        let name = if lo.is_zero() {
                            "Provisioned IOPS".to_string()
                        } else {
                            format!("Provisioned IOPS (above {lo})")
                        };
                        items.push(ctx.fixed(name, "IOPS", q, "ebs", "io2", dim));
                    }
                }
            }
            None => items.push(unknown_item("Provisioned IOPS", "IOPS", "iops")),
        },
        "standard" => items.push(ctx.usage_item(
            "I/O requests",
            "1M requests",
            &["monthly_standard_io_requests"],
            Decimal::new(1, 6),
            "ebs",
            "standard",
            "io_requests",
        )),
        _ => {}
    }
    items
}

/// `aws_ebs_volume`.
pub(crate) fn ebs_volume(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut v = Volume::from_attrs(attrs, "type", "size", None);
    if v.volume_type.is_unknown() && ctx.configured("type") == Some(false) {
        // Not set in the code: the provider leaves it to the EC2 API, whose default is gp2.
        v.volume_type = Field::Known("gp2".into());
        v.note = Some("type not set: the EC2 default gp2".into());
    }
    volume_items(&v, ctx)
}

/// S3 storage classes: (usage key, label, components). A component is (usage key, name, unit,
/// scale from the usage quantity to the catalog unit, catalog item or `None` when the catalog has
/// no price for it).
type S3Component = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<&'static str>,
);
const S3_CLASSES: &[(&str, &str, &[S3Component])] = &[
    (
        "standard",
        "Standard",
        &[
            (
                "storage_gb",
                "Storage",
                "GB",
                1,
                Some("standard_storage_first_50TB"),
            ),
            (
                "monthly_tier_1_requests",
                "PUT, COPY, POST, LIST requests",
                "1k requests",
                1000,
                Some("standard_put_copy_post_list"),
            ),
            (
                "monthly_tier_2_requests",
                "GET, SELECT, and all other requests",
                "1k requests",
                1000,
                Some("standard_get_select_other"),
            ),
            (
                "monthly_select_data_scanned_gb",
                "Select data scanned",
                "GB",
                1,
                None,
            ),
            (
                "monthly_select_data_returned_gb",
                "Select data returned",
                "GB",
                1,
                None,
            ),
        ],
    ),
    (
        "intelligent_tiering",
        "Intelligent tiering",
        &[
            (
                "frequent_access_storage_gb",
                "Storage (frequent access)",
                "GB",
                1,
                Some("intelligent_tiering_frequent_storage"),
            ),
            (
                "infrequent_access_storage_gb",
                "Storage (infrequent access)",
                "GB",
                1,
                Some("intelligent_tiering_infrequent_storage"),
            ),
            (
                "archive_access_storage_gb",
                "Storage (archive access)",
                "GB",
                1,
                Some("intelligent_tiering_archive_access_storage"),
            ),
            (
                "deep_archive_access_storage_gb",
                "Storage (deep archive access)",
                "GB",
                1,
                Some("intelligent_tiering_deep_archive_access_storage"),
            ),
            (
                "monitored_objects",
                "Monitoring and automation",
                "1k objects",
                1000,
                Some("intelligent_tiering_monitoring"),
            ),
            (
                "monthly_tier_1_requests",
                "PUT, COPY, POST, LIST requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_tier_2_requests",
                "GET, SELECT, and all other requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_lifecycle_transition_requests",
                "Lifecycle transition",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_select_data_scanned_gb",
                "Select data scanned",
                "GB",
                1,
                None,
            ),
            (
                "monthly_select_data_returned_gb",
                "Select data returned",
                "GB",
                1,
                None,
            ),
            (
                "early_delete_gb",
                "Early delete (within 30 days)",
                "GB",
                1,
                None,
            ),
        ],
    ),
    (
        "standard_infrequent_access",
        "Standard - infrequent access",
        &[
            (
                "storage_gb",
                "Storage",
                "GB",
                1,
                Some("standard_ia_storage"),
            ),
            (
                "monthly_tier_1_requests",
                "PUT, COPY, POST, LIST requests",
                "1k requests",
                1000,
                Some("standard_ia_put_copy_post_list"),
            ),
            (
                "monthly_tier_2_requests",
                "GET, SELECT, and all other requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_lifecycle_transition_requests",
                "Lifecycle transition",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_data_retrieval_gb",
                "Retrievals",
                "GB",
                1,
                Some("standard_ia_retrieval"),
            ),
            (
                "monthly_select_data_scanned_gb",
                "Select data scanned",
                "GB",
                1,
                None,
            ),
            (
                "monthly_select_data_returned_gb",
                "Select data returned",
                "GB",
                1,
                None,
            ),
        ],
    ),
    (
        "one_zone_infrequent_access",
        "One zone - infrequent access",
        &[
            (
                "storage_gb",
                "Storage",
                "GB",
                1,
                Some("one_zone_ia_storage"),
            ),
            (
                "monthly_tier_1_requests",
                "PUT, COPY, POST, LIST requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_tier_2_requests",
                "GET, SELECT, and all other requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_lifecycle_transition_requests",
                "Lifecycle transition",
                "1k requests",
                1000,
                None,
            ),
            ("monthly_data_retrieval_gb", "Retrievals", "GB", 1, None),
            (
                "monthly_select_data_scanned_gb",
                "Select data scanned",
                "GB",
                1,
                None,
            ),
            (
                "monthly_select_data_returned_gb",
                "Select data returned",
                "GB",
                1,
                None,
            ),
        ],
    ),
    (
        "glacier_flexible_retrieval",
        "Glacier flexible retrieval",
        &[
            (
                "storage_gb",
                "Storage",
                "GB",
                1,
                Some("glacier_flexible_retrieval_storage"),
            ),
            (
                "monthly_tier_1_requests",
                "PUT, COPY, POST, LIST requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_tier_2_requests",
                "GET, SELECT, and all other requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_lifecycle_transition_requests",
                "Lifecycle transition",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_standard_data_retrieval_requests",
                "Retrieval requests (standard)",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_standard_data_retrieval_gb",
                "Retrievals (standard)",
                "GB",
                1,
                None,
            ),
            (
                "monthly_standard_select_data_scanned_gb",
                "Select data scanned (standard)",
                "GB",
                1,
                None,
            ),
            (
                "monthly_standard_select_data_returned_gb",
                "Select data returned (standard)",
                "GB",
                1,
                None,
            ),
            (
                "monthly_expedited_data_retrieval_requests",
                "Retrieval requests (expedited)",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_expedited_data_retrieval_gb",
                "Retrievals (expedited)",
                "GB",
                1,
                None,
            ),
            (
                "monthly_expedited_select_data_scanned_gb",
                "Select data scanned (expedited)",
                "GB",
                1,
                None,
            ),
            (
                "monthly_expedited_select_data_returned_gb",
                "Select data returned (expedited)",
                "GB",
                1,
                None,
            ),
            (
                "monthly_bulk_select_data_scanned_gb",
                "Select data scanned (bulk)",
                "GB",
                1,
                None,
            ),
            (
                "monthly_bulk_select_data_returned_gb",
                "Select data returned (bulk)",
                "GB",
                1,
                None,
            ),
            (
                "early_delete_gb",
                "Early delete (within 90 days)",
                "GB",
                1,
                None,
            ),
        ],
    ),
    (
        "glacier_deep_archive",
        "Glacier deep archive",
        &[
            (
                "storage_gb",
                "Storage",
                "GB",
                1,
                Some("glacier_deep_archive_storage"),
            ),
            (
                "monthly_tier_1_requests",
                "PUT, COPY, POST, LIST requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_tier_2_requests",
                "GET, SELECT, and all other requests",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_lifecycle_transition_requests",
                "Lifecycle transition",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_standard_data_retrieval_requests",
                "Retrieval requests (standard)",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_standard_data_retrieval_gb",
                "Retrievals (standard)",
                "GB",
                1,
                None,
            ),
            (
                "monthly_bulk_data_retrieval_requests",
                "Retrieval requests (bulk)",
                "1k requests",
                1000,
                None,
            ),
            (
                "monthly_bulk_data_retrieval_gb",
                "Retrievals (bulk)",
                "GB",
                1,
                None,
            ),
            (
                "early_delete_gb",
                "Early delete (within 180 days)",
                "GB",
                1,
                None,
            ),
        ],
    ),
];

/// `aws_s3_bucket`: everything is usage-based. Without usage, the Standard class's storage and
/// requests are listed with their prices; a storage class appears when the usage file gives it.
/// Components the catalog has no price for are unpriced when usage gives a quantity for them.
pub(crate) fn s3_bucket(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    for (class, label, components) in S3_CLASSES {
        let given = ctx
            .usage
            .is_some_and(|u| components.iter().any(|c| u.num(&[class, c.0]).is_some()));
        if !given && *class != "standard" {
            continue;
        }
        for (key, name, unit, scale, item) in *components {
            let qty = ctx
                .usage
                .and_then(|u| u.num(&[class, key]))
                .map(|q| q / dec(*scale));
            let line = match item {
                Some(item) => ctx.usage_qty(*name, unit, qty, "s3", item, ""),
                // No price, but nothing used: nothing to report.
                None if qty.is_some_and(|q| q.is_zero()) => continue,
                None if qty.is_some() => LineItem::unpriced(
                    *name,
                    unit,
                    qty,
                    format!("no price for s3 {class} {key} in the catalog"),
                ),
                None => continue,
            };
            items.push(line.in_group(*label));
        }
    }
    items
}
