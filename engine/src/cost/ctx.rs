//! What a cost function sees besides the resource's own values, and the helpers that turn a catalog
//! price into a line item.

use rust_decimal::Decimal;

use super::{ItemStatus, LineItem, Reference, Referrer};
use crate::pricing::quantity;
use crate::pricing::usage::{Usage, UsageEntry};
use crate::pricing::{Catalog, Price, HOURS_PER_MONTH};
use crate::terraform::address::Address;
use crate::terraform::values::{check_numbers, Attrs};

/// The items `cost` gives one resource, with every number it reads checked: each plan attribute
/// read with `Attrs::num` (of the resource, its blocks and the other resources it looks at) by
/// [`attribute_number`], each usage value by `UsageEntry`. When one is not a valid quantity
/// (negative, not finite, not whole where a count is, beyond the ceiling of its kind: see
/// [`crate::pricing::quantity`]), none of the resource's items is priced and each says why,
/// naming the key and the value (`size = -1 is not a valid quantity (negative)`): such a resource
/// is never shown as $0, a default or a negative figure. Every priced type goes through here
/// ([`super::cost_resource`]).
pub(super) fn checked(cost: impl FnOnce() -> Vec<LineItem>) -> Vec<LineItem> {
    let (items, problems) = check_numbers(attribute_number, cost);
    if problems.is_empty() {
        return items;
    }
    let reason = problems.join("; ");
    if items.is_empty() {
        return vec![LineItem::unpriced("Cost", "", None, reason)];
    }
    items
        .into_iter()
        .map(|i| LineItem {
            quantity: None,
            unit_price: None,
            monthly: None,
            status: ItemStatus::Unpriced,
            from_usage: false,
            note: Some(reason.clone()),
            ..i
        })
        .collect()
}

/// A plan attribute's number as the cost model may use it (`raw` is its JSON, not null): a
/// number, or a string holding one ([`quantity::judge`]); an empty string is not set; anything
/// else (a word, a list, `true`, a number out of range) is refused with the key and the value.
fn attribute_number(key: &str, raw: &str) -> Result<Option<Decimal>, String> {
    let refuse = |why: &str| Err(quantity::reason(key, raw, why));
    let text = if raw.starts_with('"') {
        if raw.len() > 200 {
            return refuse("not a number");
        }
        match serde_json::from_str::<String>(raw) {
            Ok(s) if s.trim().is_empty() => return Ok(None),
            Ok(s) => s,
            Err(_) => return refuse("not a number"),
        }
    } else if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        raw.to_string()
    } else {
        return refuse("not a number");
    };
    match quantity::judge(key, &text) {
        Ok(d) => Ok(Some(d)),
        Err(why) => refuse(why),
    }
}

/// Everything a cost function may look at besides the resource's own values.
pub struct Ctx<'c, 'a> {
    pub catalog: &'c Catalog,
    pub region: &'c str,
    pub address: &'c Address,
    pub usage: Option<UsageEntry<'c>>,
    /// The whole usage file, for the usage of other resources (an autoscaling target's `capacity`).
    pub usages: &'c Usage,
    /// The other resources of the same input: those this one refers to (ASG → launch template),
    /// those that refer to it (an autoscaling target → the replication group it scales), those
    /// with a given attribute value.
    pub others: &'c dyn Neighbours<'a>,
    /// The resource's `expressions` in the plan's configuration, when the plan has them.
    pub config: Option<&'c Attrs<'a>>,
}

/// Another resource of the input, as a cost function sees it.
#[derive(Debug, Clone)]
pub struct Other<'a> {
    pub address: Address,
    pub attrs: Attrs<'a>,
}

/// The other resources of an input, indexed once per estimate (`estimate::compute`); a resource
/// costed alone ([`super::cost_values`]) sees none ([`NoNeighbours`]).
pub trait Neighbours<'a>: Sync {
    /// The resource that the one at `from` refers to through `reference`.
    fn referenced(&self, from: &Address, reference: &Reference) -> Option<Other<'a>>;
    /// The resources of `referrer.source_type` whose `referrer.attribute` refers to the one at
    /// `to`, in address order.
    fn referrers(&self, to: &Address, referrer: &Referrer) -> Vec<Other<'a>>;
    /// The resources of `of.source_type` whose `of.attribute` is the string `value`, in address
    /// order.
    fn with_value(&self, of: &Referrer, value: &str) -> Vec<Other<'a>>;
}

/// No other resources.
pub struct NoNeighbours;

impl<'a> Neighbours<'a> for NoNeighbours {
    fn referenced(&self, _: &Address, _: &Reference) -> Option<Other<'a>> {
        None
    }
    fn referrers(&self, _: &Address, _: &Referrer) -> Vec<Other<'a>> {
        Vec::new()
    }
    fn with_value(&self, _: &Referrer, _: &str) -> Vec<Other<'a>> {
        Vec::new()
    }
}

impl<'c, 'a> Ctx<'c, 'a> {
    /// Whether the configuration sets `key` (None when the plan carries no configuration). An
    /// attribute that is unknown in the plan and not configured gets the provider's default.
    pub fn configured(&self, key: &str) -> Option<bool> {
        self.config.map(|c| c.raw(key).is_some())
    }

    /// The resource of the plan this one refers to through `reference` (its launch template), if
    /// the plan has it.
    pub fn referenced(&self, reference: &Reference) -> Option<Attrs<'a>> {
        self.others
            .referenced(self.address, reference)
            .map(|o| o.attrs)
    }

    /// Like [`Ctx::referenced`], with the other resource's address (to ask for its referrers).
    pub fn referenced_resource(&self, reference: &Reference) -> Option<Other<'a>> {
        self.others.referenced(self.address, reference)
    }

    /// The resources of the input that refer to this one through `referrer` (the autoscaling
    /// targets of a replication group): by the references of their configuration, or, where that
    /// places them nowhere, by the literal value of one of [`Referrer::matches`] of this resource.
    pub fn referrers(&self, referrer: &Referrer) -> Vec<Other<'a>> {
        self.others.referrers(self.address, referrer)
    }

    /// The resources that refer to the one at `to` (another resource of the input) through
    /// `referrer`.
    pub fn referrers_of(&self, to: &Address, referrer: &Referrer) -> Vec<Other<'a>> {
        self.others.referrers(to, referrer)
    }

    /// The resources of `of.source_type` whose `of.attribute` is `value` (the `aws_ebs_volume`
    /// whose `id` is a block device's `volume_id`).
    pub fn with_value(&self, of: &Referrer, value: &str) -> Vec<Other<'a>> {
        self.others.with_value(of, value)
    }

    /// The usage file's entry for another resource.
    pub fn usage_of(&self, address: &Address) -> Option<UsageEntry<'c>> {
        self.usages.get(address)
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
                if self.catalog.has_region(self.region) {
                    format!("no price for {what} in {} in the catalog", self.region)
                } else {
                    let known: Vec<&str> = self.catalog.regions().collect();
                    format!(
                        "{} is not one of the catalog's regions ({}); give its prices with --prices",
                        self.region,
                        known.join(", ")
                    )
                }
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

    /// This context with prices of another region (`global` for Route 53's global prices).
    pub fn in_region<'r>(&'r self, region: &'r str) -> Ctx<'r, 'a> {
        Ctx {
            catalog: self.catalog,
            region,
            address: self.address,
            usage: self.usage,
            usages: self.usages,
            others: self.others,
            config: self.config,
        }
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
            usages: self.usages,
            others: self.others,
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
