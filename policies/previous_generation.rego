# METADATA
# title: Previous-generation instance families
# description: |
#   Instances, database instances and cache nodes of previous-generation families cost more than
#   their current equivalents for the same size (t2 → t3, m4 → m6i, r4 → r6i, ...). Denied for
#   resources in production, warned elsewhere. The environment is input.costfix.environment
#   (`--environment`), else the resource's `env`/`environment` tag.
package costfix.policies.previous_generation

import rego.v1

previous_families := {
	"t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "i2", "d2", "g2", "x1",
	"db.t2", "db.m1", "db.m2", "db.m3", "db.m4", "db.r3", "db.r4",
	"cache.t1", "cache.t2", "cache.m1", "cache.m2", "cache.m3", "cache.m4", "cache.c1", "cache.r3", "cache.r4",
}

size_attributes := {
	"aws_instance": "instance_type",
	"aws_launch_template": "instance_type",
	"aws_launch_configuration": "instance_type",
	"aws_db_instance": "instance_class",
	"aws_elasticache_cluster": "node_type",
	"aws_elasticache_replication_group": "node_type",
}

family(size) := f if {
	parts := split(size, ".")
	count(parts) == 3
	f := concat(".", [parts[0], parts[1]])
}

family(size) := parts[0] if {
	parts := split(size, ".")
	count(parts) == 2
}

environment(rc) := input.costfix.environment if input.costfix.environment

environment(rc) := lower(env) if {
	not input.costfix.environment
	some key in ["env", "environment", "Env", "Environment"]
	env := rc.change.after.tags[key]
}

default is_production(_) := false

is_production(rc) if environment(rc) in {"prod", "production", "prd", "live"}

# Each finding holds the resource's address, not the resource: a set of whole resources would be
# compared attribute by attribute on every insertion.
findings contains f if {
	some rc in input.resource_changes
	rc.mode == "managed"
	some action in rc.change.actions
	action in {"create", "update"}
	attr := size_attributes[rc.type]
	size := rc.change.after[attr]
	fam := family(size)
	fam in previous_families
	f := {"address": rc.address, "size": size, "family": fam, "production": is_production(rc)}
}

deny contains result if {
	some f in findings
	f.production
	result := {
		"msg": sprintf("%s uses the previous-generation %s family (%s) in production; use a current generation", [f.address, f.family, f.size]),
		"resource": f.address,
	}
}

warn contains result if {
	some f in findings
	not f.production
	result := {
		"msg": sprintf("%s uses the previous-generation %s family (%s); a current generation costs less", [f.address, f.family, f.size]),
		"resource": f.address,
	}
}
