package costfix.policies.resource_cost_limit_test

import rego.v1

import data.costfix.policies.resource_cost_limit

inp(action, cost) := {"costfix": {"resources": {"aws_db_instance.big": {"action": action, "monthly_after": cost}}}}

test_expensive_change_is_denied if {
	some r in resource_cost_limit.deny with input as inp("create", 1500)
	r.resource == "aws_db_instance.big"
}

test_under_the_limit_passes if {
	count(resource_cost_limit.deny) == 0 with input as inp("create", 900)
}

test_unchanged_resources_are_not_judged if {
	count(resource_cost_limit.deny) == 0 with input as inp("no-op", 5000)
}

test_limit_from_data if {
	count(resource_cost_limit.deny) == 1 with input as inp("update", 900)
		with data.costfix.config.resource_monthly_limit as 500
}

test_money_is_written_as_people_write_it if {
	some r in resource_cost_limit.deny with input as inp("create", 1303.284)
	r.msg == "aws_db_instance.big would cost $1,303.28 a month, above the $1,000.00 limit per resource"
}
