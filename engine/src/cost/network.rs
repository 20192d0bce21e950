//! Networking: `aws_nat_gateway`, `aws_eip`, `aws_lb` / `aws_alb`.

use rust_decimal::Decimal;

use super::{dec, Ctx, LineItem};
use crate::values::Attrs;

/// `aws_nat_gateway`: gateway hours and data processed (usage `monthly_data_processed_gb`).
pub(crate) fn nat_gateway(_attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    vec![
        ctx.hourly(
            "NAT gateway",
            Decimal::ONE,
            "nat_gateway",
            "gateway_hour",
            "",
        ),
        ctx.usage_item(
            "Data processed",
            "GB",
            &["monthly_data_processed_gb"],
            Decimal::ONE,
            "nat_gateway",
            "data_processed",
            "",
        ),
    ]
}

/// `aws_eip`: the public IPv4 address hour. Since 2024-02-01 AWS bills every public IPv4 address,
/// attached or idle, at the same hourly rate, so an attached address is not free.
pub(crate) fn eip(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    if attrs.str("customer_owned_ipv4_pool").known().is_some() {
        return Vec::new();
    }
    vec![ctx.hourly(
        "IP address (public IPv4)",
        Decimal::ONE,
        "eip",
        "idle_address_hour",
        "",
    )]
}

/// `aws_lb` / `aws_alb`: load balancer hours and capacity units (from usage).
///
/// The usage keys are infracost's, with infracost's arithmetic so that existing usage files give
/// the same figures: capacity-unit hours per month = the largest of `processed_bytes_gb` (GB per
/// month; one GB is one LCU-hour), `new_connections` / 100, `active_connections` / 3,000 and, for
/// an application load balancer, `rule_evaluations` / 1,000.
pub(crate) fn load_balancer(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let lb_type = attrs.str("load_balancer_type").known();
    let (service, name, unit) = match lb_type.as_deref() {
        None | Some("application") => ("alb", "Application load balancer", "LCU-hours"),
        Some("network") => ("nlb", "Network load balancer", "NLCU-hours"),
        Some(other) => {
            return vec![LineItem::unpriced(
                format!("Load balancer ({other})"),
                "hours",
                None,
                format!("`{other}` load balancer prices are not in the catalog"),
            )]
        }
    };
    let lcu_hours = ctx.usage.and_then(|u| {
        let mut dims = vec![
            u.num(&["processed_bytes_gb"]),
            u.num(&["new_connections"]).map(|n| n / dec(100)),
            u.num(&["active_connections"]).map(|n| n / dec(3000)),
        ];
        if service == "alb" {
            dims.push(u.num(&["rule_evaluations"]).map(|n| n / dec(1000)));
        }
        dims.into_iter().flatten().max()
    });
    let product = if service == "alb" {
        "lcu_hour"
    } else {
        "nlcu_hour"
    };
    vec![
        ctx.hourly(name, Decimal::ONE, service, "lb_hour", ""),
        ctx.usage_qty(
            "Load balancer capacity units",
            unit,
            lcu_hours,
            service,
            product,
            "",
        ),
    ]
}
