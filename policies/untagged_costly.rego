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
		"msg": sprintf("%s costs $%.2f a month and has no tags; tag it (team, env) so its cost can be attributed", [rc.address, cost]),
		"resource": rc.address,
	}
}
