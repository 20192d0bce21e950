//! `aws_lb` and `aws_alb`: an application or network load balancer.
//!
//! **Components.** Load balancer hours (730 a month, application or network); capacity units
//! (LCU-hours or NLCU-hours, from usage).
//!
//! **Attributes.** `load_balancer_type`.
//!
//! **Usage keys.** `processed_bytes_gb`, `new_connections`, `active_connections`,
//! `rule_evaluations` (application load balancers).
//!
//! **Defaults.** `load_balancer_type` application. Capacity-unit hours a month = the largest of
//! `processed_bytes_gb` (GB a month; a GB is one LCU-hour), `new_connections` / 100,
//! `active_connections` / 3,000 and `rule_evaluations` / 1,000: infracost's arithmetic for its
//! usage keys, so that its usage files give the same figures.
//!
//! **Not priced.** Gateway load balancers (unpriced); classic load balancers are `aws_elb`, which
//! has no cost model yet.

use rust_decimal::Decimal;

use crate::cost::{dec, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_lb",
    aliases: &["aws_alb"],
    cloud: Cloud::Aws,
    services: &["alb", "nlb"],
    references: &[],
    cost,
    source: include_str!("lb.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
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
