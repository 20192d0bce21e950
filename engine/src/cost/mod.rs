//! The cost model: one small function per resource type, from a resource's attribute values (and
//! usage) to priced line items. Unpriced and usage-based items are values, not errors.
//!
//! Conventions: a month is 730 hours; quantities are monthly; prices come only from the
//! [`Catalog`] for the resource's own region. Defaults that AWS applies when an attribute is not set
//! (a gp2 volume type, an 8 GB root volume, ...) are used and named in the item's `note`.

mod compute;
mod database;
mod network;
mod serverless;
mod storage;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::address::Address;
use crate::pricing::{Catalog, Price, HOURS_PER_MONTH};
use crate::usage::UsageEntry;
use crate::values::{Attrs, Field};

/// Whether an item has a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Priced from the resource's attributes (or from usage, see `LineItem::from_usage`).
    Priced,
    /// Depends on usage that the usage file does not give: unit price only.
    UsageBased,
    /// No price: `note` says why.
    Unpriced,
}

/// One cost component of a resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    pub name: String,
    /// Sub-component this item belongs to (`root_block_device`, `ebs_block_device[0]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub unit: String,
    #[serde(with = "opt_dec")]
    pub quantity: Option<Decimal>,
    #[serde(with = "opt_dec")]
    pub unit_price: Option<Decimal>,
    #[serde(with = "opt_dec")]
    pub monthly: Option<Decimal>,
    pub status: ItemStatus,
    /// The quantity came from the usage file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_usage: bool,
    /// Why it is unpriced, or an assumption made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub(crate) mod opt_dec {
    use rust_decimal::Decimal;
    use serde::Serializer;
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.normalize().to_string()),
            None => s.serialize_none(),
        }
    }
}

/// `Option<Decimal>` as a decimal string (or null), both ways.
pub(crate) mod opt_dec_de {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        super::opt_dec::serialize(v, s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| s.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// The cost of one resource in one state (before or after).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResourceCost {
    pub items: Vec<LineItem>,
}

impl ResourceCost {
    /// Sum of priced items.
    pub fn monthly(&self) -> Decimal {
        self.items.iter().filter_map(|i| i.monthly).sum()
    }
    pub fn has_unpriced(&self) -> bool {
        self.items.iter().any(|i| i.status == ItemStatus::Unpriced)
    }
    pub fn has_usage_based(&self) -> bool {
        self.items
            .iter()
            .any(|i| i.status == ItemStatus::UsageBased)
    }
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

/// Everything a cost function may look at besides the resource's own values.
pub struct Ctx<'c, 'a> {
    pub catalog: &'c Catalog,
    pub region: &'c str,
    pub address: &'c Address,
    pub usage: Option<UsageEntry<'c>>,
    /// Other resources of the same plan, for types priced from another (ASG → launch template).
    pub lookup: &'c dyn Fn(&Address, &str) -> Option<Attrs<'a>>,
    /// The resource's `expressions` in the plan's configuration, when the plan has them.
    pub config: Option<&'c Attrs<'a>>,
}

impl Ctx<'_, '_> {
    /// Whether the configuration sets `key` (None when the plan carries no configuration). An
    /// attribute that is unknown in the plan and not configured gets the provider's default.
    pub fn configured(&self, key: &str) -> Option<bool> {
        self.config.map(|c| c.raw(key).is_some())
    }

    fn price(&self, service: &str, product: &str, dimension: &str) -> Result<&Price, String> {
        self.catalog
            .get(service, self.region, product, dimension)
            .ok_or_else(|| {
                let what = if dimension.is_empty() {
                    format!("{service} {product}")
                } else {
                    format!("{service} {product} ({dimension})")
                };
                format!("no price for {what} in {} in the catalog", self.region)
            })
    }

    /// An item billed per hour, running all month, `count` times.
    pub fn hourly(
        &self,
        name: impl Into<String>,
        count: Decimal,
        service: &str,
        product: &str,
        dimension: &str,
    ) -> LineItem {
        self.fixed(
            name,
            "hours",
            HOURS_PER_MONTH * count,
            service,
            product,
            dimension,
        )
    }

    /// Like [`Ctx::fixed`], priced in another region than the resource's (a global table's replica).
    #[allow(clippy::too_many_arguments)]
    pub fn fixed_in(
        &self,
        region: &str,
        name: impl Into<String>,
        unit: &str,
        quantity: Decimal,
        service: &str,
        product: &str,
        dimension: &str,
    ) -> LineItem {
        Ctx {
            catalog: self.catalog,
            region,
            address: self.address,
            usage: self.usage,
            lookup: self.lookup,
            config: self.config,
        }
        .fixed(name, unit, quantity, service, product, dimension)
    }

    /// An item with a known monthly quantity.
    pub fn fixed(
        &self,
        name: impl Into<String>,
        unit: &str,
        quantity: Decimal,
        service: &str,
        product: &str,
        dimension: &str,
    ) -> LineItem {
        match self.price(service, product, dimension) {
            Ok(p) => LineItem::priced(name, unit, quantity, p.usd, false),
            Err(reason) => LineItem::unpriced(name, unit, Some(quantity), reason),
        }
    }

    /// An item whose quantity comes from usage: `usage_key` (a path) times `scale` (e.g. 1/1e6 for
    /// per-million prices). Without usage it is usage-based with its unit price.
    #[allow(clippy::too_many_arguments)]
    pub fn usage_item(
        &self,
        name: impl Into<String>,
        unit: &str,
        usage_key: &[&str],
        scale: Decimal,
        service: &str,
        product: &str,
        dimension: &str,
    ) -> LineItem {
        let qty = self.usage.and_then(|u| u.num(usage_key)).map(|q| q * scale);
        self.usage_qty(name, unit, qty, service, product, dimension)
    }

    /// Like [`Ctx::usage_item`] with a quantity already computed from usage (or None).
    pub fn usage_qty(
        &self,
        name: impl Into<String>,
        unit: &str,
        qty: Option<Decimal>,
        service: &str,
        product: &str,
        dimension: &str,
    ) -> LineItem {
        let name = name.into();
        let price = match self.price(service, product, dimension) {
            Ok(p) => p.usd,
            Err(reason) => return LineItem::unpriced(name, unit, qty, reason),
        };
        match qty {
            Some(q) => LineItem::priced(name, unit, q, price, true),
            None => LineItem {
                name,
                group: None,
                unit: unit.into(),
                quantity: None,
                unit_price: Some(price),
                monthly: None,
                status: ItemStatus::UsageBased,
                from_usage: false,
                note: None,
            },
        }
    }
}

impl LineItem {
    /// A priced item: `quantity × unit_price`.
    pub fn priced(
        name: impl Into<String>,
        unit: &str,
        quantity: Decimal,
        unit_price: Decimal,
        from_usage: bool,
    ) -> LineItem {
        LineItem {
            name: name.into(),
            group: None,
            unit: unit.into(),
            quantity: Some(quantity),
            unit_price: Some(unit_price),
            monthly: Some(quantity * unit_price),
            status: ItemStatus::Priced,
            from_usage,
            note: None,
        }
    }

    pub fn unpriced(
        name: impl Into<String>,
        unit: &str,
        quantity: Option<Decimal>,
        reason: String,
    ) -> LineItem {
        LineItem {
            name: name.into(),
            group: None,
            unit: unit.into(),
            quantity,
            unit_price: None,
            monthly: None,
            status: ItemStatus::Unpriced,
            from_usage: false,
            note: Some(reason),
        }
    }

    pub fn in_group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    pub fn with_note(mut self, note: Option<String>) -> Self {
        if note.is_some() && self.note.is_none() {
            self.note = note;
        }
        self
    }
}

/// Which resource types have a cost model, are free, or are not supported yet.
pub fn support(resource_type: &str) -> Support {
    if PRICED.contains(&resource_type) {
        Support::Priced
    } else if is_free(resource_type) {
        Support::Free
    } else {
        Support::Unsupported
    }
}

/// Resource types with a cost model.
pub const PRICED: &[&str] = &[
    "aws_instance",
    "aws_ebs_volume",
    "aws_db_instance",
    "aws_nat_gateway",
    "aws_eip",
    "aws_lb",
    "aws_alb",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_autoscaling_group",
    "aws_eks_node_group",
    "aws_lambda_function",
    "aws_cloudwatch_log_group",
    "aws_dynamodb_table",
    "aws_s3_bucket",
];

fn is_free(t: &str) -> bool {
    // Non-AWS utility providers cost nothing.
    const FREE_PREFIXES: &[&str] = &[
        "null_",
        "random_",
        "time_",
        "tls_",
        "local_",
        "template_",
        "terraform_",
        "test_",
        "archive_",
        "external",
        "http",
        "corner_",
        "aws_iam_",
        "aws_s3_bucket_",
        "aws_security_group",
        "aws_vpc",
        "aws_subnet",
        "aws_route",
        "aws_network_acl",
        "aws_internet_gateway",
        "aws_egress_only_internet_gateway",
        "aws_db_subnet_group",
        "aws_db_parameter_group",
        "aws_db_option_group",
        "aws_elasticache_subnet_group",
        "aws_elasticache_parameter_group",
        "aws_lb_listener",
        "aws_lb_target_group",
        "aws_alb_listener",
        "aws_alb_target_group",
        "aws_eip_association",
        "aws_volume_attachment",
        "aws_launch_configuration",
        "aws_launch_template",
        "aws_autoscaling_",
        "aws_cloudwatch_log_stream",
        "aws_cloudwatch_log_resource_policy",
        "aws_lambda_permission",
        "aws_lambda_alias",
        "aws_lambda_layer_version",
        "aws_main_route_table_association",
        "aws_default_",
        "aws_key_pair",
        "aws_placement_group",
        "aws_eks_addon",
        "aws_eks_access_",
        "aws_eks_identity_provider_config",
        "aws_ecr_lifecycle_policy",
        "aws_ecr_repository_policy",
        "aws_kms_alias",
        "aws_sns_topic_subscription",
        "aws_sns_topic_policy",
        "aws_sqs_queue_policy",
        "aws_vpc_endpoint_route_table_association",
        "aws_flow_log",
        "aws_db_instance_role_association",
        "aws_dynamodb_table_item",
        "aws_ssm_parameter",
        "aws_ami",
        "aws_availability_zones",
        "aws_caller_identity",
        "aws_region",
        "aws_partition",
    ];
    FREE_PREFIXES.iter().any(|p| t.starts_with(p)) && !PRICED.contains(&t)
}

/// Cost one resource's attribute values. `None` for a type without a cost model.
pub fn cost_resource(
    resource_type: &str,
    attrs: &Attrs<'_>,
    ctx: &Ctx<'_, '_>,
) -> Option<ResourceCost> {
    let items = match resource_type {
        "aws_instance" => compute::instance(attrs, ctx),
        "aws_autoscaling_group" => compute::autoscaling_group(attrs, ctx),
        "aws_eks_node_group" => compute::eks_node_group(attrs, ctx),
        "aws_ebs_volume" => storage::ebs_volume(attrs, ctx),
        "aws_s3_bucket" => storage::s3_bucket(attrs, ctx),
        "aws_db_instance" => database::db_instance(attrs, ctx),
        "aws_elasticache_cluster" => database::elasticache_cluster(attrs, ctx),
        "aws_elasticache_replication_group" => database::elasticache_replication_group(attrs, ctx),
        "aws_dynamodb_table" => database::dynamodb_table(attrs, ctx),
        "aws_nat_gateway" => network::nat_gateway(attrs, ctx),
        "aws_eip" => network::eip(attrs, ctx),
        "aws_lb" | "aws_alb" => network::load_balancer(attrs, ctx),
        "aws_lambda_function" => serverless::lambda_function(attrs, ctx),
        "aws_cloudwatch_log_group" => serverless::cloudwatch_log_group(attrs, ctx),
        _ => return None,
    };
    Some(ResourceCost { items })
}

/// A known string attribute, or the default AWS applies (with a note saying so), or an unknown.
pub(crate) fn str_or_default<'a>(
    attrs: &Attrs<'a>,
    key: &str,
    default: &'static str,
) -> (Field<std::borrow::Cow<'a, str>>, Option<String>) {
    match attrs.str(key) {
        Field::Missing => (
            Field::Known(default.into()),
            Some(format!("{key} not set: assumed {default}")),
        ),
        other => (other, None),
    }
}

pub(crate) fn unknown_item(name: &str, unit: &str, what: &str) -> LineItem {
    LineItem::unpriced(name, unit, None, format!("{what} is unknown until apply"))
}

pub(crate) fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}
