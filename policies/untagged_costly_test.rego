package costfix.policies.untagged_costly_test

import rego.v1

import data.costfix.policies.untagged_costly

inp(tags, cost) := {
	"resource_changes": [{
		"address": "aws_instance.web",
		"mode": "managed",
		"type": "aws_instance",
		"change": {"actions": ["create"], "after": {"instance_type": "m5.large", "tags": tags}},
	}],
	"costfix": {"resources": {"aws_instance.web": {"monthly_after": cost}}},
}

test_untagged_costly_is_denied if {
	count(untagged_costly.deny) == 1 with input as inp(null, 150)
	count(untagged_costly.deny) == 1 with input as inp({}, 150)
}

test_tagged_passes if {
	count(untagged_costly.deny) == 0 with input as inp({"team": "payments"}, 150)
}

test_cheap_untagged_passes if {
	count(untagged_costly.deny) == 0 with input as inp(null, 20)
}

test_threshold_from_data if {
	count(untagged_costly.deny) == 1 with input as inp(null, 20)
		with data.costfix.config.untagged_min_monthly_cost as 10
}
