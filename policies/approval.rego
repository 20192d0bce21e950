# METADATA
# title: Approval of cost fixes
# description: |
#   Decides whether a cost fix may be applied without a human. Input: action, risk_level (low,
#   medium, high, critical), environment, resource_type, gitops (bool), monthly_savings.
#   Low risk is auto-approved; medium risk needs approval in production; high and critical
#   always need approval. A resource managed through a GitOps flow always goes through review.
package costfix.approval

import rego.v1

production if input.environment in {"prod", "production", "prd", "live"}

default decision := {
	"auto_approve": false,
	"require_approval": true,
	"approval_type": "manual",
	"reason": "no rule matched: manual approval required",
}

decision := {
	"auto_approve": false,
	"require_approval": true,
	"approval_type": "gitops",
	"reason": "the resource is managed through a GitOps flow: the fix goes through its review",
} if {
	input.gitops == true
}

decision := {
	"auto_approve": true,
	"require_approval": false,
	"approval_type": "automatic",
	"reason": "low-risk fix",
} if {
	not input.gitops == true
	input.risk_level == "low"
}

decision := {
	"auto_approve": false,
	"require_approval": true,
	"approval_type": "manual",
	"reason": "medium-risk fix in production",
} if {
	not input.gitops == true
	input.risk_level == "medium"
	production
}

decision := {
	"auto_approve": true,
	"require_approval": false,
	"approval_type": "automatic",
	"reason": "medium-risk fix outside production",
} if {
	not input.gitops == true
	input.risk_level == "medium"
	not production
}

decision := {
	"auto_approve": false,
	"require_approval": true,
	"approval_type": "manual",
	"reason": sprintf("%s-risk fix: always needs approval", [input.risk_level]),
} if {
	not input.gitops == true
	input.risk_level in {"high", "critical"}
}
