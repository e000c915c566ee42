# Every log group is created here, before whatever writes to it, so that each one is encrypted
# with the cell's key and has a retention period (a log group a service creates for itself has
# neither). The application logs no personal data (gunicorn logs paths without query strings,
# Sentry scrubs events), but logs are treated as sensitive all the same. Retention is the
# jurisdiction's (local.log_retention_days, variables.tf): a year in England, seven in Victoria.

locals {
  process_names = ["web", "worker", "beat", "release"]
}

resource "aws_cloudwatch_log_group" "app" {
  for_each = toset(local.process_names)

  name              = "/patchwork/${var.name}/${each.key}"
  retention_in_days = local.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "ecs_exec" {
  name              = "/patchwork/${var.name}/ecs-exec"
  retention_in_days = local.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.common_tags
}

# RDS writes to /aws/rds/instance/<identifier>/<log type>; creating the groups first keeps
# RDS from creating unencrypted ones with no expiry.
resource "aws_cloudwatch_log_group" "rds" {
  for_each = toset(["postgresql", "upgrade"])

  name              = "/aws/rds/instance/${local.prefix}/${each.key}"
  retention_in_days = local.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/patchwork/${var.name}/vpc-flow-logs"
  retention_in_days = local.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.common_tags
}

# WAF requires the name to start with "aws-waf-logs-".
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-${local.prefix}"
  retention_in_days = local.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.common_tags
}

# CloudTrail's copy of the cell's API activity (audit.tf), for metric filters and searching; the
# signed, immutable record is the trail's bucket.
resource "aws_cloudwatch_log_group" "cloudtrail" {
  name              = "/patchwork/${var.name}/cloudtrail"
  retention_in_days = local.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.common_tags
}
