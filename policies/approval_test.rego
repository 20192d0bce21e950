package costfix.approval_test

import rego.v1

import data.costfix.approval

fix(risk, env) := {
	"action": "change_instance_type",
	"risk_level": risk,
	"environment": env,
	"resource_type": "aws_instance",
	"gitops": false,
	"monthly_savings": 42.5,
}

test_low_risk_is_auto_approved if {
	d := approval.decision with input as fix("low", "production")
	d.auto_approve
	not d.require_approval
	d.approval_type == "automatic"
}

test_medium_risk_in_production_needs_approval if {
	d := approval.decision with input as fix("medium", "production")
	not d.auto_approve
	d.require_approval
}

test_medium_risk_in_staging_is_auto_approved if {
	d := approval.decision with input as fix("medium", "staging")
	d.auto_approve
}

test_high_and_critical_always_need_approval if {
	every risk in ["high", "critical"] {
		d := approval.decision with input as fix(risk, "dev")
		d.require_approval
		not d.auto_approve
	}
}

test_gitops_goes_through_review if {
	d := approval.decision with input as object.union(fix("low", "dev"), {"gitops": true})
	d.approval_type == "gitops"
	d.require_approval
}

test_unknown_risk_defaults_to_manual if {
	d := approval.decision with input as fix("unheard-of", "dev")
	d.require_approval
	d.approval_type == "manual"
}
