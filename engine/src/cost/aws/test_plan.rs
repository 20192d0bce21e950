//! Tests only: a plan of a few created resources, with their configuration expressions (so that
//! references between them are seen as in a real plan), costed through the real estimate. The
//! whole file is test code (its `mod` line in `mod.rs` is `#[cfg(test)]`); the attributes below
//! say so to the layer check (`engine/tests/layers.rs`), as tests may use the estimate.

#[cfg(test)]
use crate::cost::LineItem;
#[cfg(test)]
use crate::estimate::{estimate, Estimate, Options};
#[cfg(test)]
use crate::pricing::usage::Usage;
#[cfg(test)]
use crate::{parse_document, Catalog, InputFile};

/// One created resource: its address, its planned values, its `after_unknown` and its
/// configuration `expressions` (all JSON).
pub(super) type Created<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The estimate of a plan creating `resources` in `region`, with the usage file `usage` (YAML
/// under `resource_usage`, or empty).
pub(super) fn estimate_plan(resources: &[Created<'_>], region: &str, usage: &str) -> Estimate {
    let changes: Vec<String> = resources
        .iter()
        .map(|(address, after, unknown, _)| {
            let (rtype, name) = address.split_once('.').unwrap();
            format!(
                r#"{{"address": "{address}", "mode": "managed", "type": "{rtype}", "name": "{name}",
                    "provider_name": "registry.terraform.io/hashicorp/aws",
                    "change": {{"actions": ["create"], "before": null, "after": {after}, "after_unknown": {unknown}}}}}"#
            )
        })
        .collect();
    let config: Vec<String> = resources
        .iter()
        .map(|(address, _, _, expressions)| {
            let (rtype, name) = address.split_once('.').unwrap();
            format!(
                r#"{{"address": "{address}", "mode": "managed", "type": "{rtype}", "name": "{name}",
                    "provider_config_key": "aws", "expressions": {expressions}}}"#
            )
        })
        .collect();
    let plan = format!(
        r#"{{"format_version": "1.2", "terraform_version": "1.9.8",
            "resource_changes": [{}],
            "configuration": {{"provider_config": {{"aws": {{"name": "aws", "expressions": {{"region": {{"constant_value": "{region}"}}}}}}}},
                "root_module": {{"resources": [{}]}}}}}}"#,
        changes.join(","),
        config.join(","),
    );
    let file = InputFile::from_bytes(std::path::Path::new("plan.json"), plan.into_bytes()).unwrap();
    let (doc, _) = parse_document(&file).unwrap();
    let usage = if usage.is_empty() {
        Usage::default()
    } else {
        Usage::parse(
            std::path::Path::new("usage.yml"),
            &format!("version: 0.1\nresource_usage:\n{usage}"),
        )
        .unwrap()
    };
    estimate(
        &doc,
        "plan.json",
        None,
        &Catalog::embedded(),
        &usage,
        &Options::default(),
    )
}

/// The planned line items of the resource at `address`.
pub(super) fn items(est: &Estimate, address: &str) -> Vec<LineItem> {
    let r = est
        .resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("{address} is not in the estimate"));
    r.after.as_ref().unwrap().items.to_vec()
}

/// A catalog price, which a test multiplies by hand.
pub(super) fn price(
    service: &str,
    region: &str,
    product: &str,
    dimension: &str,
) -> rust_decimal::Decimal {
    Catalog::embedded()
        .get(service, region, product, dimension)
        .unwrap_or_else(|| panic!("no {service} {product} {dimension} in {region}"))
        .usd
}
