# METADATA
# title: gp2 volumes
# description: |
#   gp3 costs 20% less than gp2 per GB and includes 3,000 IOPS and 125 MiB/s. Warns on gp2 EBS
#   volumes, instance root and EBS block devices, and launch-template block device mappings.
package costfix.policies.gp2_volumes

import rego.v1

# Indexes into input.resource_changes: a set of whole resources would be compared attribute by
# attribute on every insertion.
changed contains n if {
	some n, rc in input.resource_changes
	rc.mode == "managed"
	some action in rc.change.actions
	action in {"create", "update"}
}

gp2 contains {"address": rc.address, "path": "type"} if {
	some n in changed
	rc := input.resource_changes[n]
	rc.type == "aws_ebs_volume"
	rc.change.after.type == "gp2"
}

gp2 contains {"address": rc.address, "path": sprintf("%s[%d]", [block, i])} if {
	some n in changed
	rc := input.resource_changes[n]
	rc.type == "aws_instance"
	some block in ["root_block_device", "ebs_block_device"]
	some i, device in rc.change.after[block]
	device.volume_type == "gp2"
}

gp2 contains {"address": rc.address, "path": sprintf("block_device_mappings[%d]", [i])} if {
	some n in changed
	rc := input.resource_changes[n]
	rc.type == "aws_launch_template"
	some i, mapping in rc.change.after.block_device_mappings
	some ebs in mapping.ebs
	ebs.volume_type == "gp2"
}

warn contains result if {
	some v in gp2
	result := {
		"msg": sprintf("%s: %s is a gp2 volume; gp3 costs 20%% less for the same size", [v.address, v.path]),
		"resource": v.address,
	}
}
