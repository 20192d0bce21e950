//! EBS volumes, shared by `aws_ebs_volume`, the block devices of `aws_instance` and launch
//! configurations, and the `block_device_mappings` of launch templates.

use rust_decimal::Decimal;

use crate::cost::{
    dec, join_notes, str_or_default, unknown_item, Ctx, ItemStatus, LineItem, Referrer,
};
use crate::terraform::values::{Attrs, Field};

/// The attributes that price an EBS volume.
pub(super) struct Volume {
    pub volume_type: Field<String>,
    pub size_gb: Field<Decimal>,
    pub iops: Option<Decimal>,
    pub throughput: Option<Decimal>,
    pub note: Option<String>,
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
        // A size that is set but not a valid quantity (`-1`, `1e400`) makes the whole resource
        // unpriced, naming it (`cost::ctx::checked`); the default is only for a size not set.
        let size_gb = match attrs.num(size_key) {
            Field::Missing if attrs.raw(size_key).is_some() => Field::Missing,
            Field::Missing => match default_size {
                Some(d) => {
                    note = Some(join_notes(
                        note,
                        &format!("{size_key} not set: assumed {d} GB"),
                    ));
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
        }
    }

    /// A block device's volume (an instance's `ebs_block_device`, a launch template's
    /// `block_device_mappings.ebs`). In a real plan an unset `volume_type` is unknown until apply
    /// (the provider computes it): EC2 then launches it as gp2, so gp2 is assumed and said.
    pub fn block_device(attrs: &Attrs<'_>) -> Volume {
        let mut v = Volume::from_attrs(attrs, "volume_type", "volume_size", None);
        if v.volume_type.is_unknown() {
            v.volume_type = Field::Known("gp2".into());
            v.note = Some(join_notes(
                v.note.take(),
                "volume_type unknown until apply (not set): assumed gp2, the EC2 default",
            ));
        }
        v
    }

    /// A volume of a known type and size, nothing else set.
    pub fn sized(volume_type: &str, size_gb: Decimal, note: Option<String>) -> Volume {
        Volume {
            volume_type: Field::Known(volume_type.into()),
            size_gb: Field::Known(size_gb),
            iops: None,
            throughput: None,
            note,
        }
    }
}

/// Line items of one EBS volume: storage, then provisioned IOPS, throughput or I/O requests.
pub(super) fn volume_items(v: &Volume, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
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
    let storage_name = format!("Storage ({label})");
    let storage = match &v.size_gb {
        Field::Known(size) => ctx
            .fixed(storage_name, "GB", *size, "ebs", vt, "storage")
            .with_note(v.note.clone()),
        Field::Unknown => unknown_item(&storage_name, "GB", "the volume size"),
        Field::Missing => LineItem::unpriced(
            storage_name,
            "GB",
            None,
            "the volume size is not set (a size from a snapshot is not in the plan)".into(),
        ),
    };
    let mut items = vec![storage];
    items.extend(performance_items(vt, v, ctx));
    items
}

/// What a volume type bills besides storage: gp3 IOPS and throughput above the baseline, io1 and
/// io2 IOPS, magnetic I/O requests.
fn performance_items(vt: &str, v: &Volume, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
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
        "io1" => items.push(match v.iops {
            Some(i) => ctx.fixed(
                "Provisioned IOPS",
                "IOPS",
                i,
                "ebs",
                "io1",
                "provisioned_iops",
            ),
            None => unknown_item("Provisioned IOPS", "IOPS", "iops"),
        }),
        "io2" => match v.iops {
            Some(i) => items.extend(io2_iops(i, ctx)),
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

/// io2 IOPS in AWS's three tiers (up to 32,000, up to 64,000, above).
fn io2_iops(iops: Decimal, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
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
    let mut items = Vec::new();
    for (lo, hi, dim) in tiers {
        if iops > lo {
            let q = iops.min(hi) - lo;
            let name = if lo.is_zero() {
                "Provisioned IOPS".to_string()
            } else {
                format!("Provisioned IOPS (above {lo})")
            };
            items.push(ctx.fixed(name, "IOPS", q, "ebs", "io2", dim));
        }
    }
    items
}

/// Root and EBS block devices of an instance or a launch configuration (`root_block_device`,
/// `ebs_block_device`), each as a group of items.
pub(super) fn block_devices(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    let roots = attrs.blocks("root_block_device");
    let root = roots.first().map_or_else(
        || {
            Volume::sized(
                "gp2",
                dec(8),
                Some("no root_block_device: assumed 8 GB gp2".into()),
            )
        },
        root_volume,
    );
    items.extend(
        volume_items(&root, ctx)
            .into_iter()
            .map(|i| i.in_group("root_block_device")),
    );
    for (n, b) in attrs.blocks("ebs_block_device").iter().enumerate() {
        if let Some(why) = attached_elsewhere(b, ctx) {
            items.push(LineItem {
                name: "Storage (attached volume)".into(),
                group: Some(format!("ebs_block_device[{n}]")),
                unit: "GB".into(),
                quantity: b.num("volume_size").known(),
                unit_price: None,
                monthly: Some(Decimal::ZERO),
                status: ItemStatus::Priced,
                from_usage: false,
                note: Some(format!("not priced here: {why}")),
            });
            continue;
        }
        let v = Volume::block_device(b);
        items.extend(
            volume_items(&v, ctx)
                .into_iter()
                .map(|i| i.in_group(format!("ebs_block_device[{n}]"))),
        );
    }
    items
}

/// The `aws_ebs_volume`s of the input, by `id`.
const VOLUMES: Referrer = Referrer {
    source_type: "aws_ebs_volume",
    attribute: "id",
    matches: &[],
};

/// The `aws_volume_attachment`s of the input, by `volume_id`.
const ATTACHMENTS: Referrer = Referrer {
    source_type: "aws_volume_attachment",
    attribute: "volume_id",
    matches: &[],
};

/// Why an instance's `ebs_block_device` is priced elsewhere: after apply, the provider lists in
/// it the volumes attached to the instance, and one whose `volume_id` is the `id` of an
/// `aws_ebs_volume` of the input, or the `volume_id` of an `aws_volume_attachment`, is that
/// volume, priced as its own resource.
fn attached_elsewhere(device: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Option<String> {
    let id = device.str("volume_id").known()?;
    if let Some(v) = ctx.with_value(&VOLUMES, &id).first() {
        return Some(format!("{id} is {}, priced there", v.address));
    }
    let a = ctx.with_value(&ATTACHMENTS, &id).into_iter().next()?;
    Some(format!(
        "{id} is attached by {}, so it is an aws_ebs_volume priced as its own resource (not in \
         this input)",
        a.address
    ))
}

/// A `root_block_device`. The AMI decides an unset root volume's type and size; AWS's defaults
/// are gp2 and 8 GB.
fn root_volume(r: &Attrs<'_>) -> Volume {
    let mut v = Volume::from_attrs(r, "volume_type", "volume_size", Some(8));
    if v.volume_type.is_unknown() {
        v.volume_type = Field::Known("gp2".into());
        v.note = Some(join_notes(
            v.note.take(),
            "volume_type comes from the AMI (unknown until apply): assumed gp2",
        ));
    }
    if v.size_gb.is_unknown() {
        v.size_gb = Field::Known(dec(8));
        v.note = Some(join_notes(
            v.note.take(),
            "volume_size comes from the AMI (unknown until apply): assumed 8 GB",
        ));
    }
    v
}
