//! The policies shipped in `policies/`, embedded in the binary, with what each reads of the
//! policy input, and their own tests.

use super::PolicyFile;

/// What a shipped policy reads of a plan's policy input. When every loaded policy is a shipped
/// one, the input is built with only these fields (on a 50,000-resource plan, a fraction of the
/// memory and time of the whole `after` of every resource); a user policy gets them all. A test
/// checks each declaration: the policy gives the same results on the declared input as on the
/// whole document.
#[derive(Debug)]
pub struct Reads {
    /// Fields of a `resource_changes` entry (`change.actions` and `change.after` are always there).
    pub resource: &'static [&'static str],
    /// Attributes of `change.after`.
    pub after: &'static [&'static str],
    /// Fields of a `costfix.resources` entry.
    pub costfix_resource: &'static [&'static str],
}

/// The shipped default policies (tests excluded), embedded at build time, with what each reads.
pub(crate) const EMBEDDED: &[(&str, &str, Reads)] = &[
    (
        "policies/previous_generation.rego",
        include_str!("../../../policies/previous_generation.rego"),
        Reads {
            resource: &["address", "mode", "type"],
            after: &["instance_type", "instance_class", "node_type", "tags"],
            costfix_resource: &[],
        },
    ),
    (
        "policies/gp2_volumes.rego",
        include_str!("../../../policies/gp2_volumes.rego"),
        Reads {
            resource: &["address", "mode", "type"],
            after: &[
                "type",
                "root_block_device",
                "ebs_block_device",
                "block_device_mappings",
            ],
            costfix_resource: &[],
        },
    ),
    (
        "policies/untagged_costly.rego",
        include_str!("../../../policies/untagged_costly.rego"),
        Reads {
            resource: &["address", "mode"],
            after: &["tags"],
            costfix_resource: &["monthly_after"],
        },
    ),
    (
        "policies/resource_cost_limit.rego",
        include_str!("../../../policies/resource_cost_limit.rego"),
        Reads {
            resource: &[],
            after: &[],
            costfix_resource: &["action", "monthly_after"],
        },
    ),
    (
        // Evaluated on operations, not on plans.
        "policies/approval.rego",
        include_str!("../../../policies/approval.rego"),
        Reads {
            resource: &[],
            after: &[],
            costfix_resource: &[],
        },
    ),
];

/// The declared reads of a file, if it is a shipped policy as shipped.
pub fn declared_reads(file: &PolicyFile) -> Option<&'static Reads> {
    EMBEDDED
        .iter()
        .find(|(n, t, _)| *n == file.name && *t == file.text)
        .map(|(_, _, r)| r)
}

/// The shipped policies' unit tests (for `costfix policy test` on the defaults).
pub const EMBEDDED_TESTS: &[(&str, &str)] = &[
    (
        "policies/previous_generation_test.rego",
        include_str!("../../../policies/previous_generation_test.rego"),
    ),
    (
        "policies/gp2_volumes_test.rego",
        include_str!("../../../policies/gp2_volumes_test.rego"),
    ),
    (
        "policies/untagged_costly_test.rego",
        include_str!("../../../policies/untagged_costly_test.rego"),
    ),
    (
        "policies/resource_cost_limit_test.rego",
        include_str!("../../../policies/resource_cost_limit_test.rego"),
    ),
    (
        "policies/approval_test.rego",
        include_str!("../../../policies/approval_test.rego"),
    ),
];
