//! DocumentDB storage configurations, shared by `aws_docdb_cluster` and
//! `aws_docdb_cluster_instance`.

use crate::cost::Reference;
use crate::terraform::values::{Attrs, Field};

/// An instance's `cluster_identifier` reference to its `aws_docdb_cluster` (by configuration
/// reference only: a cluster is named by `cluster_identifier`, not `name`).
pub(super) const CLUSTER: Reference = Reference {
    attribute: "cluster_identifier",
    target: "aws_docdb_cluster",
    name_at: &[],
};

/// Whether a cluster is I/O-Optimized (`storage_type = "iopt1"`: dearer instances and storage, no
/// I/O charge), with a note when `storage_type` is not set (standard).
pub(super) fn io_optimized(cluster: &Attrs<'_>) -> (bool, Option<String>) {
    match cluster.str("storage_type") {
        Field::Known(t) => (t == "iopt1", None),
        Field::Unknown | Field::Missing => (
            false,
            Some("storage_type not set: assumed standard storage".into()),
        ),
    }
}
