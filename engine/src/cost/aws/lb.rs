//! `aws_lb` and `aws_alb`: an application, network or gateway load balancer.
//!
//! **Components.** Load balancer hours (730 a month, application, network or gateway: `alb`,
//! `nlb`, `gwlb` `lb_hour`); capacity units (LCU-hours, NLCU-hours or GLCU-hours, from usage).
//!
//! **Attributes.** `load_balancer_type`.
//!
//! **Usage keys.** `processed_bytes_gb`, `new_connections`, `active_connections`,
//! `rule_evaluations` (application load balancers).
//!
//! **Defaults.** `load_balancer_type` application. Capacity-unit hours a month = the largest of
//! `processed_bytes_gb` (GB a month; a GB is one LCU-hour), `new_connections` / 100,
//! `active_connections` / 3,000 and `rule_evaluations` / 1,000: infracost's arithmetic for its
//! usage keys, so that its usage files give the same figures. A gateway load balancer's GLCU-hours
//! come from the same keys as a network load balancer's (all but `rule_evaluations`).
//!
//! **Not priced.** Classic load balancers are `aws_elb`; the Gateway Load Balancer endpoints
//! that send traffic to a gateway load balancer are `aws_vpc_endpoint`; data transfer.

use rust_decimal::Decimal;

use crate::cost::{dec, Cloud, Ctx, LineItem, PricedType};
use crate::terraform::values::Attrs;

pub const TYPE: PricedType = PricedType {
    name: "aws_lb",
    aliases: &["aws_alb"],
    cloud: Cloud::Aws,
    services: &["alb", "nlb", "gwlb"],
    references: &[],
    cost,
    source: include_str!("lb.rs"),
};

fn cost(attrs: &Attrs<'_>, ctx: &Ctx<'_, '_>) -> Vec<LineItem> {
    let lb_type = attrs.str("load_balancer_type").known();
    let (service, name, unit) = match lb_type.as_deref() {
        None | Some("application") => ("alb", "Application load balancer", "LCU-hours"),
        Some("network") => ("nlb", "Network load balancer", "NLCU-hours"),
        Some("gateway") => ("gwlb", "Gateway load balancer", "GLCU-hours"),
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
    let product = match service {
        "alb" => "lcu_hour",
        "nlb" => "nlcu_hour",
        _ => "glcu_hour",
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

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use crate::cost::{cost_values, ItemStatus};
    use crate::pricing::usage::Usage;
    use crate::Catalog;

    /// An item's name, unit, quantity, monthly cost and status.
    type Row = (String, String, Option<Decimal>, Option<Decimal>, ItemStatus);

    fn items(values: serde_json::Value, usage: &str, region: &str) -> Vec<Row> {
        let address = "aws_lb.g".parse().unwrap();
        let usage = Usage::parse(std::path::Path::new("usage.yml"), usage).unwrap();
        cost_values(
            &address,
            "aws_lb",
            &values,
            &json!({}),
            None,
            region,
            &Catalog::embedded(),
            &usage,
        )
        .items
        .into_iter()
        .map(|i| (i.name, i.unit, i.quantity, i.monthly, i.status))
        .collect()
    }

    #[test]
    fn a_gateway_load_balancer_is_priced_from_the_gwlb_rows() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        let gateway = json!({"load_balancer_type": "gateway"});
        // aws-services.csv, us-east-1: gwlb lb_hour 0.0125, glcu_hour 0.004. 730 h × 0.0125 =
        // 9.125. GLCU-hours: the largest of 1,000 GB, 10,000 / 100 new connections and 1,000 /
        // 3,000 active ones = 1,000 × 0.004 = 4.
        let usage = "version: 0.1\nresource_usage:\n  aws_lb.g:\n    processed_bytes_gb: 1000\n    new_connections: 10000\n    active_connections: 1000\n    rule_evaluations: 5000000\n";
        assert_eq!(
            items(gateway.clone(), usage, "us-east-1"),
            [
                (
                    "Gateway load balancer".into(),
                    "hours".into(),
                    d("730"),
                    d("9.125"),
                    ItemStatus::Priced
                ),
                (
                    "Load balancer capacity units".into(),
                    "GLCU-hours".into(),
                    d("1000"),
                    d("4"),
                    ItemStatus::Priced
                ),
            ]
        );
        // eu-central-1's own prices (0.0147 an hour: 10.731); GLCUs usage-based without usage.
        let eu = items(gateway, "version: 0.1\n", "eu-central-1");
        assert_eq!(eu[0].3, d("10.731"));
        assert_eq!(eu[1].4, ItemStatus::UsageBased);
        // A type the catalog does not know stays unpriced with its reason.
        let other = items(
            json!({"load_balancer_type": "quantum"}),
            "version: 0.1\n",
            "us-east-1",
        );
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].4, ItemStatus::Unpriced);
    }
}
