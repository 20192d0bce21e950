//! Which region a resource lives in.
//!
//! In order: the resource's own `region` attribute (AWS provider 6 has one on every resource); the
//! `region` of the provider configuration the resource uses (aliases, module-local providers and
//! providers passed to modules are followed; a region given by a root variable is read from the
//! plan's `variables`); for AWS, the region its own `arn` or `availability_zone` names (a state
//! has no provider configuration, but its resources say where they are); the `--region` option.
//! Otherwise the resource is unpriced with a note.
//!
//! The provider and the attribute names come from the resource type's cloud, which the caller's
//! [`ProviderOf`] knows (the cost registry's: `aws` and `region` for AWS types); this layer does
//! not depend on the cost model.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::terraform::address::Address;
use crate::terraform::plan::{Expression, ModuleConfig, Plan};
use crate::terraform::values::Attrs;

/// Where a region came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionSource {
    Resource,
    Provider,
    /// The region named by the resource's ARN or availability zone.
    Inferred,
    Option,
}

/// The provider a resource type uses when its configuration names none, and the attributes (of
/// the resource and of the provider configuration) that give its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderSpec {
    pub name: &'static str,
    pub region_attributes: &'static [&'static str],
}

/// The provider of a resource type, if the caller knows it.
pub type ProviderOf = fn(&str) -> Option<ProviderSpec>;

/// Resolves regions for many resources, remembering the answer per provider configuration and
/// module path (most resources of a plan share a handful of them).
pub struct Resolver<'a, 'o> {
    plan: Option<&'a Plan<'a>>,
    fallback: Option<&'o str>,
    provider_of: ProviderOf,
    memo: std::sync::Mutex<std::collections::HashMap<String, Option<String>>>,
}

impl<'a, 'o> Resolver<'a, 'o> {
    pub fn new(
        plan: Option<&'a Plan<'a>>,
        fallback: Option<&'o str>,
        provider_of: ProviderOf,
    ) -> Self {
        Resolver {
            plan,
            fallback,
            provider_of,
            memo: Default::default(),
        }
    }

    /// The region of the resource at `addr` with attribute values `attrs`.
    pub fn resolve(&self, addr: &Address, attrs: &Attrs<'_>) -> Option<(String, RegionSource)> {
        let (provider, attributes) = provider_of(self.provider_of, &addr.resource_type);
        for a in attributes {
            if let Some(r) = attrs.str(a).known() {
                return Some((r.into_owned(), RegionSource::Resource));
            }
        }
        if let Some(plan) = self.plan {
            let key = plan
                .config_resource(addr)
                .and_then(|r| r.provider_config_key.as_deref())
                .unwrap_or(provider);
            let mut memo_key = String::from(key);
            for m in &addr.module {
                memo_key.push('/');
                memo_key.push_str(&m.name);
            }
            let cached = self
                .memo
                .lock()
                .expect("no panics while locked")
                .get(&memo_key)
                .cloned();
            let region = match cached {
                Some(r) => r,
                None => {
                    let r = provider_region_for_key(plan, addr, key, attributes);
                    self.memo
                        .lock()
                        .expect("no panics while locked")
                        .insert(memo_key, r.clone());
                    r
                }
            };
            if let Some(r) = region {
                return Some((r, RegionSource::Provider));
            }
        }
        if provider == "aws" {
            if let Some(r) = aws_region_of(attrs) {
                return Some((r, RegionSource::Inferred));
            }
        }
        self.fallback.map(|r| (r.to_string(), RegionSource::Option))
    }
}

/// The region an AWS resource's `arn` (`arn:aws:ec2:eu-west-1:123456789012:...`) or availability
/// zone (`eu-west-1a`, the first of `availability_zones`) names.
fn aws_region_of(attrs: &Attrs<'_>) -> Option<String> {
    if let Some(arn) = attrs.str("arn").known() {
        let mut parts = arn.split(':');
        if parts.next() == Some("arn") && parts.next().is_some_and(|p| p.starts_with("aws")) {
            let region = parts.nth(1).filter(|r| is_aws_region(r));
            if let Some(r) = region {
                return Some(r.to_string());
            }
        }
    }
    let zone = attrs.str("availability_zone").known().or_else(|| {
        let raw = attrs.raw("availability_zones")?;
        let zones: Vec<Cow<'_, str>> = serde_json::from_str(raw.get()).ok()?;
        zones.into_iter().next()
    })?;
    region_of_zone(&zone)
}

/// `us-east-1a` → `us-east-1`; `us-gov-west-1b` → `us-gov-west-1`; `us-east-1-bos-1a` (a Local
/// Zone) → `us-east-1`. Zone ids (`use1-az1`) name no region.
fn region_of_zone(zone: &str) -> Option<String> {
    let mut parts = zone.split('-');
    let geo = parts.next()?;
    let mut out = vec![geo];
    let mut next = parts.next()?;
    if next == "gov" || next == "iso" || next == "isob" {
        out.push(next);
        next = parts.next()?;
    }
    out.push(next);
    let number = parts.next()?;
    let digits = number.trim_end_matches(|c: char| c.is_ascii_lowercase());
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let region = format!("{}-{digits}", out.join("-"));
    is_aws_region(&region).then_some(region)
}

/// The shape of an AWS region name: `eu-west-1`, `us-gov-east-1`, `ap-southeast-4`.
fn is_aws_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    let (geo, rest) = match parts.as_slice() {
        [geo, "gov" | "iso" | "isob", rest @ ..] | [geo, rest @ ..] => (geo, rest),
        _ => return false,
    };
    geo.len() == 2
        && geo.bytes().all(|b| b.is_ascii_lowercase())
        && matches!(rest, [dir, n] if !dir.is_empty()
            && dir.bytes().all(|b| b.is_ascii_lowercase())
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod inference_tests {
    use super::*;

    #[test]
    fn zones_and_region_shapes() {
        assert_eq!(region_of_zone("us-east-1a").as_deref(), Some("us-east-1"));
        assert_eq!(region_of_zone("eu-west-2c").as_deref(), Some("eu-west-2"));
        assert_eq!(
            region_of_zone("us-gov-west-1b").as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(
            region_of_zone("us-east-1-bos-1a").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(region_of_zone("use1-az1"), None);
        assert_eq!(region_of_zone("garbage"), None);
        assert!(is_aws_region("ap-southeast-4"));
        assert!(!is_aws_region("global"));
        assert!(!is_aws_region(""));
    }
}

/// The provider a resource uses when its configuration names none, and the attributes (of the
/// resource and of the provider configuration) that give its region: from its priced type's cloud;
/// for another type, Terraform's implied provider (the type's first word) and `region`.
fn provider_of(known: ProviderOf, resource_type: &str) -> (&str, &'static [&'static str]) {
    match known(resource_type) {
        Some(p) => (p.name, p.region_attributes),
        None => (
            resource_type.split('_').next().unwrap_or(resource_type),
            &["region"],
        ),
    }
}

fn provider_region_for_key(
    plan: &Plan<'_>,
    addr: &Address,
    key: &str,
    attributes: &[&str],
) -> Option<String> {
    let configs = &plan.configuration.provider_config;
    if configs.is_empty() {
        return None;
    }
    // `key` is `aws`, `aws.alias`, `module.x:aws`, or (older Terraform) `x:aws` with the module's
    // call name only. Try it as written, then the module path from the innermost module outwards.
    let local = key.rsplit(':').next().unwrap_or(key);
    let mut candidates: Vec<String> = vec![key.to_string()];
    for depth in (1..=addr.module.len()).rev() {
        let path: Vec<String> = addr.module[..depth]
            .iter()
            .map(|m| format!("module.{}", m.name))
            .collect();
        candidates.push(format!("{}:{local}", path.join(".")));
    }
    candidates.push(local.to_string());
    for c in candidates {
        let Some(pc) = configs.get(c.as_str()) else {
            continue;
        };
        let Some(expr) = attributes
            .iter()
            .find_map(|a| pc.expressions.get(*a))
            .and_then(|r| Expression::parse(r))
        else {
            continue;
        };
        let module_path = pc
            .module_address
            .as_deref()
            .map(module_names)
            .unwrap_or_default();
        if let Some(r) = eval_string(plan, &expr, &module_path, 0) {
            return Some(r);
        }
    }
    None
}

fn module_names(module_address: &str) -> Vec<String> {
    format!("{module_address}.x.y")
        .parse::<Address>()
        .map(|a| a.module.into_iter().map(|m| m.name).collect())
        .unwrap_or_default()
}

/// Evaluate a constant, or a reference to a variable (in the root module: the plan's variables;
/// in a module: the calling module's argument, followed upwards).
fn eval_string(
    plan: &Plan<'_>,
    expr: &Expression<'_>,
    module_path: &[String],
    depth: usize,
) -> Option<String> {
    if depth > 32 {
        return None;
    }
    if let Some(c) = expr.constant_value {
        return json_string(c);
    }
    let var = expr
        .references
        .iter()
        .find_map(|r| r.strip_prefix("var."))?;
    let var = var.split('.').next().unwrap_or(var);
    if module_path.is_empty() {
        return plan.variable(var).and_then(json_string);
    }
    // The argument of the module call that sets this variable.
    let parent_path = &module_path[..module_path.len() - 1];
    let mut m: &ModuleConfig<'_> = &plan.configuration.root_module;
    for name in parent_path {
        m = &m.module_calls.get(name.as_str())?.module;
    }
    let call = m.module_calls.get(module_path.last()?.as_str())?;
    let arg = call.expressions.get(var).and_then(|r| Expression::parse(r));
    match arg {
        Some(e) => eval_string(plan, &e, parent_path, depth + 1),
        None => {
            // The variable's default, if the configuration records it.
            let default = call.module.variables.get(var)?;
            #[derive(serde::Deserialize)]
            struct Var<'a> {
                #[serde(borrow, default)]
                default: Option<&'a RawValue>,
            }
            let v: Var<'_> = serde_json::from_str(default.get()).ok()?;
            v.default.and_then(json_string)
        }
    }
}

fn json_string(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<Cow<'_, str>>(raw.get())
        .ok()
        .map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_comes_from_the_type() {
        // A priced type: its cloud's provider and region attribute.
        assert_eq!(
            provider_of(crate::cost::provider_of, "aws_instance"),
            ("aws", &["region"][..])
        );
        // Another type: Terraform's implied provider, the type's first word.
        assert_eq!(
            provider_of(crate::cost::provider_of, "google_compute_instance").0,
            "google"
        );
        assert_eq!(
            provider_of(crate::cost::provider_of, "azurerm_linux_virtual_machine").0,
            "azurerm"
        );
    }
}
