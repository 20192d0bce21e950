# Example SLO budgets for `costfix check --slo slo/`. Copy this file into your repository and set
# your own limits. The format is described in docs/slo.md.

# Everything the plan runs, after the change.
budget "stack" {
  description   = "Monthly cost of the whole stack"
  monthly_limit = 2000
  warn_at       = 0.8
  action        = "block"
}

# What one team's resources may cost (resources tagged team = "payments").
budget "team-payments" {
  monthly_limit = 500
  tags          = { team = "payments" }
  action        = "warn"
}

# Databases, wherever they are.
budget "databases" {
  monthly_limit = 800
  types         = ["aws_db_instance", "aws_elasticache_cluster", "aws_elasticache_replication_group"]
}

# How much a single change may add.
change_budget "per-change" {
  max_monthly_increase = 500
  max_increase_percent = 25
  action               = "warn"
}
