package costfix.policies.previous_generation_test

import rego.v1

import data.costfix.policies.previous_generation

plan(rc) := {"resource_changes": [rc], "costfix": {}}

instance(size, tags, actions) := {
	"address": "aws_instance.web",
	"mode": "managed",
	"type": "aws_instance",
	"change": {"actions": actions, "after": {"instance_type": size, "tags": tags}},
}

test_t2_in_production_is_denied if {
	count(previous_generation.deny) == 1 with input as plan(instance("t2.micro", {"env": "prod"}, ["create"]))
}

test_t2_outside_production_warns if {
	inp := plan(instance("t2.micro", {"env": "dev"}, ["create"]))
	count(previous_generation.deny) == 0 with input as inp
	count(previous_generation.warn) == 1 with input as inp
}

test_environment_option_wins_over_tags if {
	inp := object.union(plan(instance("m4.large", {"env": "dev"}, ["update"])), {"costfix": {"environment": "production"}})
	count(previous_generation.deny) == 1 with input as inp
}

test_current_generation_passes if {
	inp := plan(instance("m6i.large", {"env": "prod"}, ["create"]))
	count(previous_generation.deny) == 0 with input as inp
	count(previous_generation.warn) == 0 with input as inp
}

test_unchanged_and_deleted_resources_are_not_judged if {
	count(previous_generation.warn) == 0 with input as plan(instance("t2.micro", {}, ["no-op"]))
	count(previous_generation.warn) == 0 with input as plan(instance("t2.micro", {}, ["delete"]))
}

test_rds_class_family if {
	rc := {
		"address": "aws_db_instance.db",
		"mode": "managed",
		"type": "aws_db_instance",
		"change": {"actions": ["create"], "after": {"instance_class": "db.m4.large", "tags": {"Environment": "Production"}}},
	}
	count(previous_generation.deny) == 1 with input as plan(rc)
}

test_result_names_the_resource if {
	some r in previous_generation.warn with input as plan(instance("c4.xlarge", {}, ["create"]))
	r.resource == "aws_instance.web"
	contains(r.msg, "c4")
}
