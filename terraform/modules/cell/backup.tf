# Immutable backups of what cannot be rebuilt: the database and the media bucket, every day, into
# a vault in the cell's own region, encrypted with the cell's key and under Vault Lock. Once the
# lock's grace period (backup_vault_lock_changeable_for_days) is over, no one (an attacker with
# administrator rights, a mistaken script, the account root) can delete a recovery point before
# its retention ends or shorten that retention. There is no copy to another region or account:
# data residency; the single-region key could not decrypt one elsewhere in any case.
#
# These recovery points sit beside RDS's own automated backups (point-in-time recovery over
# db_backup_retention_days) and the media bucket's versioning, which are quicker to restore from
# but are not protected from deletion.

locals {
  # The lock's bounds: AWS Backup fails any job whose retention falls outside them, so a plan that
  # asks for less than a week, or a retention the lock would refuse, fails instead (variables.tf).
  backup_vault_min_retention_days = 7
  backup_vault_max_retention_days = 365
}

resource "aws_backup_vault" "main" {
  name          = local.prefix
  kms_key_arn   = aws_kms_key.main.arn
  force_destroy = false
  tags          = local.common_tags
}

resource "aws_backup_vault_lock_configuration" "main" {
  backup_vault_name   = aws_backup_vault.main.name
  min_retention_days  = local.backup_vault_min_retention_days
  max_retention_days  = local.backup_vault_max_retention_days
  changeable_for_days = var.backup_vault_lock_changeable_for_days
}

# Failed, expired or aborted jobs and failed restores reach the people on call (monitoring.tf).
resource "aws_backup_vault_notifications" "main" {
  backup_vault_name = aws_backup_vault.main.name
  sns_topic_arn     = aws_sns_topic.alarms.arn
  backup_vault_events = [
    "BACKUP_JOB_FAILED",
    "BACKUP_JOB_EXPIRED",
    "RESTORE_JOB_FAILED",
    "S3_BACKUP_OBJECT_FAILED",
    "S3_RESTORE_OBJECT_FAILED",
  ]

  depends_on = [aws_sns_topic_policy.alarms]
}

# Daily at 05:00 UTC, after RDS's backup window (02:00-03:00) and the Sunday maintenance window
# (03:30-04:30). No copy_action: the recovery points never leave the region.
resource "aws_backup_plan" "main" {
  name = local.prefix
  tags = local.common_tags

  rule {
    rule_name           = "daily"
    target_vault_name   = aws_backup_vault.main.name
    schedule            = "cron(0 5 * * ? *)"
    start_window        = 60
    completion_window   = 480
    recovery_point_tags = local.common_tags

    lifecycle {
      delete_after = var.backup_retention_days
    }
  }

  depends_on = [aws_backup_vault_lock_configuration.main]
}

data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "backup" {
  name               = "${local.prefix}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
  tags               = local.common_tags
}

# The AWS managed policies for backing up and restoring, RDS (the first two) and S3 (the last two).
resource "aws_iam_role_policy_attachment" "backup" {
  for_each = toset([
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
  ])

  role       = aws_iam_role.backup.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

resource "aws_backup_selection" "main" {
  name         = local.prefix
  plan_id      = aws_backup_plan.main.id
  iam_role_arn = aws_iam_role.backup.arn

  resources = [
    aws_db_instance.main.arn,
    aws_s3_bucket.media.arn,
  ]

  depends_on = [aws_iam_role_policy_attachment.backup]
}
