//! What a priced resource type declares ([`PricedType`]), and everything derived from the
//! [`REGISTRY`] of them: which types are priced or free, the dispatch to their cost functions, and
//! the catalog services an estimate names the as-of dates of.

use super::{aws, Ctx, LineItem, ResourceCost, REGISTRY};
use crate::terraform::values::Attrs;

/// A cost function: a resource's attribute values to its line items.
pub type CostFn = fn(&Attrs<'_>, &Ctx<'_, '_>) -> Vec<LineItem>;

/// A resource type with a cost model: infracost's registry item and resource in one value, in its
/// own file (`aws/nat_gateway.rs`) whose `//!` doc comment says what is priced.
pub struct PricedType {
    /// The Terraform resource type (`aws_nat_gateway`).
    pub name: &'static str,
    /// Other types priced by the same function (`aws_alb` for `aws_lb`).
    pub aliases: &'static [&'static str],
    /// The cloud, for the provider configuration and the attribute that give the region.
    pub cloud: Cloud,
    /// The catalog services its prices come from (`docs/pricing.md`): an estimate names their
    /// as-of dates.
    pub services: &'static [&'static str],
    /// Other resources of the plan that the cost function reads (infracost's
    /// `ReferenceAttributes`): an autoscaling group's launch template.
    pub references: &'static [&'static Reference],
    pub cost: CostFn,
    /// The type's source file; its `//!` lines are its documentation (`docs/cost-model.md`).
    pub source: &'static str,
}

impl PricedType {
    /// Whether this type prices `resource_type` (its name or an alias).
    pub fn prices(&self, resource_type: &str) -> bool {
        self.name == resource_type || self.aliases.contains(&resource_type)
    }
}

impl std::fmt::Debug for PricedType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// An attribute through which a priced type reads another resource of the same plan.
#[derive(Debug, PartialEq, Eq)]
pub struct Reference {
    /// The referring attribute (`launch_template`). The references recorded for it in the plan's
    /// configuration (`aws_launch_template.web.id`) name the resource.
    pub attribute: &'static str,
    /// The type referred to (`aws_launch_template`).
    pub target: &'static str,
    /// Where the referring resource gives the other's `name`, for plans without configuration
    /// references: nested block names, then the attribute (`["launch_template", "name"]`).
    pub name_at: &'static [&'static str],
}

impl Reference {
    /// The name the referring resource gives at [`Reference::name_at`], if known.
    pub fn name_in<'a>(&self, attrs: &Attrs<'a>) -> Option<std::borrow::Cow<'a, str>> {
        let (last, blocks) = self.name_at.split_last()?;
        let mut at = attrs.clone();
        for b in blocks {
            at = at.blocks(b).into_iter().next()?;
        }
        at.str(last).known()
    }
}

/// Resources of another type that point at a priced resource through one of their attributes (an
/// `aws_appautoscaling_target` whose `resource_id` names an ElastiCache replication group): the
/// reverse of a [`Reference`], read with [`Ctx::referrers`](super::Ctx::referrers).
#[derive(Debug, PartialEq, Eq)]
pub struct Referrer {
    /// The type of the referring resources (`aws_appautoscaling_target`).
    pub source_type: &'static str,
    /// Their attribute whose configuration expression references the priced resource
    /// (`resource_id`).
    pub attribute: &'static str,
    /// Where a referring resource's configuration does not place it (a state has no
    /// configuration; a literal expression has no references), the attributes of the priced
    /// resource that its value is matched against, whole or as its last `/`-separated segment
    /// (`replication-group/ID`): `["id", "replication_group_id"]`.
    pub matches: &'static [&'static str],
}

/// The cloud a priced type belongs to: which Terraform provider configures it and where its
/// region is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Aws,
}

impl Cloud {
    /// The provider's local name (`aws`): the provider configuration a resource uses when its
    /// configuration names none.
    pub const fn provider(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
        }
    }

    /// The attributes, of a resource and of its provider configuration, that give its region
    /// (AWS: `region`; Azure's `location` and Google's `zone` come with those clouds).
    pub const fn region_attributes(self) -> &'static [&'static str] {
        match self {
            Cloud::Aws => &["region"],
        }
    }

    /// The name used in messages (`AWS`).
    pub const fn label(self) -> &'static str {
        match self {
            Cloud::Aws => "AWS",
        }
    }
}

/// The provider and region attributes of a priced type, for the region resolver.
pub fn provider_of(resource_type: &str) -> Option<crate::terraform::region::ProviderSpec> {
    find(resource_type).map(|t| crate::terraform::region::ProviderSpec {
        name: t.cloud.provider(),
        region_attributes: t.cloud.region_attributes(),
    })
}

/// How a resource type is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Has a cost model.
    Priced,
    /// Known to cost nothing by itself (IAM, security groups, VPCs, ...).
    Free,
    /// No cost model yet.
    Unsupported,
}

/// Providers all of whose resources cost nothing whatever the cloud (`null_resource`,
/// `random_id`, `terraform_data`, ...), matched by the provider's type prefix.
const FREE_PROVIDERS: &[&str] = &[
    "null_",
    "random_",
    "time_",
    "tls_",
    "local_",
    "template_",
    "terraform_",
    "test_",
    "archive_",
    "corner_",
];

/// The priced type of `resource_type`, if it has a cost model: one hash lookup (the registry's
/// names and aliases, indexed on first use), not a scan of the registry per resource.
pub fn find(resource_type: &str) -> Option<&'static PricedType> {
    static INDEX: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, &'static PricedType>> =
        std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| {
            REGISTRY
                .iter()
                .flat_map(|t| {
                    std::iter::once(t.name)
                        .chain(t.aliases.iter().copied())
                        .map(move |n| (n, *t))
                })
                .collect()
        })
        .get(resource_type)
        .copied()
}

/// Which resource types have a cost model, are free, or are not supported yet.
pub fn support(resource_type: &str) -> Support {
    if find(resource_type).is_some() {
        Support::Priced
    } else if aws::free::is_free(resource_type)
        || FREE_PROVIDERS.iter().any(|p| resource_type.starts_with(p))
    {
        Support::Free
    } else {
        Support::Unsupported
    }
}

/// The catalog services a resource type is priced from (none for a type without a cost model).
pub fn services(resource_type: &str) -> &'static [&'static str] {
    find(resource_type).map_or(&[], |t| t.services)
}

/// Cost one resource's attribute values, every number read checked ([`super::ctx::checked`]).
/// `None` for a type without a cost model.
pub fn cost_resource(
    resource_type: &str,
    attrs: &Attrs<'_>,
    ctx: &Ctx<'_, '_>,
) -> Option<ResourceCost> {
    let t = find(resource_type)?;
    Some(ResourceCost {
        items: super::ctx::checked(|| (t.cost)(attrs, ctx)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_registered_once_and_priced_before_free() {
        let mut names: Vec<&str> = REGISTRY
            .iter()
            .flat_map(|t| std::iter::once(t.name).chain(t.aliases.iter().copied()))
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "a type is registered twice");
        for n in names {
            assert_eq!(support(n), Support::Priced, "{n}");
        }
        for t in super::aws::free::FREE {
            assert!(find(t).is_none(), "{t} is both priced and listed as free");
        }
        // Free companions do not hide the priced type they start with, nor the other way.
        assert_eq!(support("aws_s3_bucket_policy"), Support::Free);
        assert_eq!(support("aws_autoscaling_policy"), Support::Free);
        assert_eq!(support("aws_launch_template"), Support::Free);
        assert_eq!(support("random_id"), Support::Free);
        assert_eq!(support("aws_ec2_host"), Support::Unsupported);
    }

    /// Every type file (`pub const TYPE: PricedType`) is in the registry.
    #[test]
    fn every_type_file_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cost/aws");
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let Some(at) = text.find("pub const TYPE: PricedType = PricedType {") else {
                continue;
            };
            let name = text[at..]
                .split('"')
                .nth(1)
                .expect("a TYPE names its resource type");
            assert!(
                find(name).is_some_and(|t| t.name == name),
                "{} defines {name}, which is not in REGISTRY",
                path.display()
            );
        }
    }

    #[test]
    fn services_are_catalog_services() {
        let catalog = crate::pricing::Catalog::embedded();
        for t in REGISTRY {
            assert!(!t.services.is_empty(), "{t:?} names no catalog service");
            for s in t.services {
                assert!(catalog.as_of.contains_key(*s), "{t:?}: no table for {s}");
            }
        }
    }
}
