# METADATA
# title: Monthly cost limit per resource
# description: |
#   Denies a resource whose monthly cost after the change exceeds the limit (default $1,000;
#   data.costfix.config.resource_monthly_limit overrides it). Unchanged resources are not judged.
package costfix.policies.resource_cost_limit

import rego.v1

default limit := 1000

limit := data.costfix.config.resource_monthly_limit

deny contains result if {
	some address, r in input.costfix.resources
	r.action != "no-op"
	r.monthly_after > limit
	result := {
		"msg": sprintf("%s would cost %s a month, above the %s limit per resource", [address, money(r.monthly_after), money(limit)]),
		"resource": address,
	}
}

# Dollars as people write them: "$1,303.28".
money(x) := sprintf("$%s.%s", [grouped(floor(c / 100)), cents(c % 100)]) if c := round(x * 100)

cents(n) := sprintf("%d", [n]) if n >= 10

cents(n) := sprintf("0%d", [n]) if n < 10

grouped(n) := d if {
	d := format_int(n, 10)
	count(d) <= 3
}

grouped(n) := s if {
	d := format_int(n, 10)
	k := count(d)
	k > 3
	first := ((k - 1) % 3) + 1
	groups := [substring(d, i, 3) | some i in numbers.range(first, k - 1); (i - first) % 3 == 0]
	s := concat(",", array.concat([substring(d, 0, first)], groups))
}
