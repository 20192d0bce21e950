package costfix.policies.gp2_volumes_test

import rego.v1

import data.costfix.policies.gp2_volumes

change(type, after) := {"resource_changes": [{
	"address": sprintf("%s.x", [type]),
	"mode": "managed",
	"type": type,
	"change": {"actions": ["create"], "after": after},
}]}

test_gp2_volume_warns if {
	count(gp2_volumes.warn) == 1 with input as change("aws_ebs_volume", {"type": "gp2", "size": 100})
}

test_gp3_volume_passes if {
	count(gp2_volumes.warn) == 0 with input as change("aws_ebs_volume", {"type": "gp3", "size": 100})
}

test_instance_block_devices if {
	after := {
		"root_block_device": [{"volume_type": "gp2"}],
		"ebs_block_device": [{"volume_type": "gp3"}, {"volume_type": "gp2"}],
	}
	count(gp2_volumes.warn) == 2 with input as change("aws_instance", after)
}

test_launch_template_mappings if {
	after := {"block_device_mappings": [{"ebs": [{"volume_type": "gp2"}]}]}
	count(gp2_volumes.warn) == 1 with input as change("aws_launch_template", after)
}
