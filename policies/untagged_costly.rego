# METADATA
# title: Untagged costly resources
# description: |
#   A resource that costs money and carries no tags cannot be attributed to a team or a budget.
#   Denies resources created or updated with a monthly cost at or above the threshold (default
#   $100; data.costfix.config.untagged_min_monthly_cost overrides it) and no tags.
package costfix.policies.untagged_costly

import rego.v1

default threshold := 100

threshold := data.costfix.config.untagged_min_monthly_cost

untagged(after) if not after.tags

untagged(after) if after.tags == null

untagged(after) if {
	is_object(after.tags)
	count(after.tags) == 0
}

deny contains result if {
	some rc in input.resource_changes
	rc.mode == "managed"
	some action in rc.change.actions
	action in {"create", "update"}
	cost := input.costfix.resources[rc.address].monthly_after
	cost >= threshold
	untagged(rc.change.after)
	result := {
		"msg": sprintf("%s costs %s a month and has no tags; tag it (team, env) so its cost can be attributed", [rc.address, money(cost)]),
		"resource": rc.address,
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
