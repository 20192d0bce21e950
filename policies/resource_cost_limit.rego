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
		"msg": sprintf("%s would cost $%.2f a month, above the $%.2f limit per resource", [address, r.monthly_after, limit]),
		"resource": address,
	}
}
