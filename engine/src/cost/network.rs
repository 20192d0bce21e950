//! Networking: `aws_nat_gateway`, `aws_eip`, `aws_lb` / `aws_alb`.

use rust_decimal::Decimal;

use super::{dec, Ctx, LineItem};
use crate::pricing::HOURS_PER_MONTH;
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
/// Usage keys, as infracost defines them: `new_connections` (per second), `active_connections`
/// (per minute), `processed_bytes_gb` (per hour), `rule_evaluations` (per second, ALB only).
/// Capacity units per hour are the largest of the dimensions, each divided by what one unit buys.
pub(crate) fn load_balancer(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let lb_type = attrs.str("load_balancer_type").known();
    let (service, name, unit, per_unit): (&str, &str, &str, [Decimal; 4]) = match lb_type.as_deref()
    {
        None | Some("application") => (
            "alb",
            "Application load balancer",
            "LCU-hours",
            [dec(25), dec(3000), dec(1), dec(1000)],
        ),
        Some("network") => (
            "nlb",
            "Network load balancer",
            "NLCU-hours",
            [dec(800), dec(100_000), dec(1), Decimal::ZERO],
        ),
        Some(other) => {
            return vec![LineItem::unpriced(
                format!("Load balancer ({other})"),
                "hours",
                None,
                format!("`{other}` load balancer prices are not in the catalog"),
            )]
        }
    };
    let units_per_hour = ctx.usage.and_then(|u| {
        let dims = [
            u.num(&["new_connections"]),
            u.num(&["active_connections"]),
            u.num(&["processed_bytes_gb"]),
            u.num(&["rule_evaluations"]),
        ];
        if dims.iter().all(Option::is_none) {
            return None;
        }
        dims.iter()
            .zip(per_unit)
            .filter(|(_, per)| !per.is_zero())
            .filter_map(|(d, per)| d.map(|d| d / per))
            .max()
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
            units_per_hour.map(|u| u * HOURS_PER_MONTH),
            service,
            product,
            "",
        ),
    ]
}
