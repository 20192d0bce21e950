//! `aws_s3_bucket`: an S3 bucket, priced per storage class from usage.
//!
//! **Components.** Per storage class (Standard, Intelligent-Tiering, Standard-IA, One Zone-IA,
//! Glacier Flexible Retrieval, Glacier Deep Archive): storage (GB), requests (1k requests),
//! retrievals (GB), Intelligent-Tiering monitoring (1k objects), as infracost's usage keys name
//! them; all from usage.
//!
//! **Attributes.** None: the bucket's contents are usage.
//!
//! **Usage keys.** Per class (`standard`, `intelligent_tiering`, `standard_infrequent_access`,
//! `one_zone_infrequent_access`, `glacier_flexible_retrieval`, `glacier_deep_archive`):
//! `storage_gb` (Intelligent-Tiering: `frequent_access_storage_gb`,
//! `infrequent_access_storage_gb`, `archive_access_storage_gb`, `deep_archive_access_storage_gb`,
//! `monitored_objects`), `monthly_tier_1_requests`, `monthly_tier_2_requests`,
//! `monthly_lifecycle_transition_requests`, `monthly_data_retrieval_gb`,
//! `monthly_select_data_scanned_gb`, `monthly_select_data_returned_gb`, `early_delete_gb`, and
//! Glacier's `monthly_{standard,expedited,bulk}_data_retrieval_{requests,gb}` and
//! `monthly_{standard,expedited,bulk}_select_data_{scanned,returned}_gb`; for example
//! `standard.storage_gb`.
//!
//! **Defaults.** Without usage, the Standard class's storage and requests are listed as
//! usage-based with their prices; another class appears when the usage file gives it. S3 prices
//! are in the catalog for the five catalog regions.
//!
//! **Not priced.** Select, lifecycle transitions, most retrieval requests and early delete are
//! unpriced when usage gives a quantity for them (`aws-services.csv` has some of these prices; the
//! model does not read them yet); data transfer, replication, S3 Glacier Instant Retrieval.

use crate::cost::{dec, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_s3_bucket",
    aliases: &[],
    cloud: Cloud::Aws,
    services: &["s3"],
    references: &[],
    cost,
    source: include_str!("s3_bucket.rs"),
};

/// A kind of component, as infracost's usage key names it.
struct Component {
    /// The usage key inside the class (`monthly_tier_1_requests`).
    key: &'static str,
    name: &'static str,
    unit: &'static str,
    /// The usage quantity per catalog unit (1,000 requests per "1k requests").
    scale: i64,
}

const fn gb(key: &'static str, name: &'static str) -> Component {
    Component {
        key,
        name,
        unit: "GB",
        scale: 1,
    }
}

const fn thousands(key: &'static str, name: &'static str, unit: &'static str) -> Component {
    Component {
        key,
        name,
        unit,
        scale: 1000,
    }
}

const STORAGE: Component = gb("storage_gb", "Storage");
const TIER_1: Component = thousands(
    "monthly_tier_1_requests",
    "PUT, COPY, POST, LIST requests",
    "1k requests",
);
const TIER_2: Component = thousands(
    "monthly_tier_2_requests",
    "GET, SELECT, and all other requests",
    "1k requests",
);
const LIFECYCLE: Component = thousands(
    "monthly_lifecycle_transition_requests",
    "Lifecycle transition",
    "1k requests",
);
const RETRIEVAL: Component = gb("monthly_data_retrieval_gb", "Retrievals");
const SELECT_SCANNED: Component = gb("monthly_select_data_scanned_gb", "Select data scanned");
const SELECT_RETURNED: Component = gb("monthly_select_data_returned_gb", "Select data returned");
const STANDARD_RETRIEVAL_REQUESTS: Component = thousands(
    "monthly_standard_data_retrieval_requests",
    "Retrieval requests (standard)",
    "1k requests",
);
const STANDARD_RETRIEVALS: Component = gb(
    "monthly_standard_data_retrieval_gb",
    "Retrievals (standard)",
);

/// A storage class: its usage key, label and components, each with its catalog item (`None`: the
/// catalog has no price for it).
struct Class {
    key: &'static str,
    label: &'static str,
    components: &'static [(Component, Option<&'static str>)],
}

const CLASSES: &[Class] = &[
    Class {
        key: "standard",
        label: "Standard",
        components: &[
            (STORAGE, Some("standard_storage_first_50TB")),
            (TIER_1, Some("standard_put_copy_post_list")),
            (TIER_2, Some("standard_get_select_other")),
            (SELECT_SCANNED, None),
            (SELECT_RETURNED, None),
        ],
    },
    Class {
        key: "intelligent_tiering",
        label: "Intelligent tiering",
        components: &[
            (
                gb("frequent_access_storage_gb", "Storage (frequent access)"),
                Some("intelligent_tiering_frequent_storage"),
            ),
            (
                gb(
                    "infrequent_access_storage_gb",
                    "Storage (infrequent access)",
                ),
                Some("intelligent_tiering_infrequent_storage"),
            ),
            (
                gb("archive_access_storage_gb", "Storage (archive access)"),
                Some("intelligent_tiering_archive_access_storage"),
            ),
            (
                gb(
                    "deep_archive_access_storage_gb",
                    "Storage (deep archive access)",
                ),
                Some("intelligent_tiering_deep_archive_access_storage"),
            ),
            (
                thousands(
                    "monitored_objects",
                    "Monitoring and automation",
                    "1k objects",
                ),
                Some("intelligent_tiering_monitoring"),
            ),
            (TIER_1, None),
            (TIER_2, None),
            (LIFECYCLE, None),
            (SELECT_SCANNED, None),
            (SELECT_RETURNED, None),
            (gb("early_delete_gb", "Early delete (within 30 days)"), None),
        ],
    },
    Class {
        key: "standard_infrequent_access",
        label: "Standard - infrequent access",
        components: &[
            (STORAGE, Some("standard_ia_storage")),
            (TIER_1, Some("standard_ia_put_copy_post_list")),
            (TIER_2, None),
            (LIFECYCLE, None),
            (RETRIEVAL, Some("standard_ia_retrieval")),
            (SELECT_SCANNED, None),
            (SELECT_RETURNED, None),
        ],
    },
    Class {
        key: "one_zone_infrequent_access",
        label: "One zone - infrequent access",
        components: &[
            (STORAGE, Some("one_zone_ia_storage")),
            (TIER_1, None),
            (TIER_2, None),
            (LIFECYCLE, None),
            (RETRIEVAL, None),
            (SELECT_SCANNED, None),
            (SELECT_RETURNED, None),
        ],
    },
    Class {
        key: "glacier_flexible_retrieval",
        label: "Glacier flexible retrieval",
        components: &[
            (STORAGE, Some("glacier_flexible_retrieval_storage")),
            (TIER_1, None),
            (TIER_2, None),
            (LIFECYCLE, None),
            (STANDARD_RETRIEVAL_REQUESTS, None),
            (STANDARD_RETRIEVALS, None),
            (
                gb(
                    "monthly_standard_select_data_scanned_gb",
                    "Select data scanned (standard)",
                ),
                None,
            ),
            (
                gb(
                    "monthly_standard_select_data_returned_gb",
                    "Select data returned (standard)",
                ),
                None,
            ),
            (
                thousands(
                    "monthly_expedited_data_retrieval_requests",
                    "Retrieval requests (expedited)",
                    "1k requests",
                ),
                None,
            ),
            (
                gb(
                    "monthly_expedited_data_retrieval_gb",
                    "Retrievals (expedited)",
                ),
                None,
            ),
            (
                gb(
                    "monthly_expedited_select_data_scanned_gb",
                    "Select data scanned (expedited)",
                ),
                None,
            ),
            (
                gb(
                    "monthly_expedited_select_data_returned_gb",
                    "Select data returned (expedited)",
                ),
                None,
            ),
            (
                gb(
                    "monthly_bulk_select_data_scanned_gb",
                    "Select data scanned (bulk)",
                ),
                None,
            ),
            (
                gb(
                    "monthly_bulk_select_data_returned_gb",
                    "Select data returned (bulk)",
                ),
                None,
            ),
            (gb("early_delete_gb", "Early delete (within 90 days)"), None),
        ],
    },
    Class {
        key: "glacier_deep_archive",
        label: "Glacier deep archive",
        components: &[
            (STORAGE, Some("glacier_deep_archive_storage")),
            (TIER_1, None),
            (TIER_2, None),
            (LIFECYCLE, None),
            (STANDARD_RETRIEVAL_REQUESTS, None),
            (STANDARD_RETRIEVALS, None),
            (
                thousands(
                    "monthly_bulk_data_retrieval_requests",
                    "Retrieval requests (bulk)",
                    "1k requests",
                ),
                None,
            ),
            (
                gb("monthly_bulk_data_retrieval_gb", "Retrievals (bulk)"),
                None,
            ),
            (
                gb("early_delete_gb", "Early delete (within 180 days)"),
                None,
            ),
        ],
    },
];

/// Everything is usage-based. Without usage, the Standard class's storage and requests are
/// listed with their prices; a storage class appears when the usage file gives it. Components the
/// catalog has no price for are unpriced when usage gives a quantity for them.
fn cost(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let mut items = Vec::new();
    for class in CLASSES {
        let qty = |c: &Component| ctx.usage.and_then(|u| u.num(&[class.key, c.key]));
        let given = class.components.iter().any(|(c, _)| qty(c).is_some());
        if !given && class.key != "standard" {
            continue;
        }
        for (c, item) in class.components {
            let q = qty(c).map(|q| q / dec(c.scale));
            let line = match item {
                Some(item) => ctx.usage_qty(c.name, c.unit, q, "s3", item, ""),
                // No price, but nothing used: nothing to report.
                None if q.is_some_and(|q| q.is_zero()) => continue,
                None if q.is_some() => LineItem::unpriced(
                    c.name,
                    c.unit,
                    q,
                    format!("no price for s3 {} {} in the catalog", class.key, c.key),
                ),
                None => continue,
            };
            items.push(line.in_group(class.label));
        }
    }
    items
}
