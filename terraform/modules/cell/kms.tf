# One customer-managed key per cell encrypts everything the cell stores: the database and its
# snapshots and Performance Insights, Redis, the media bucket, Secrets Manager secrets, CloudWatch
# log groups and the image repository. The key never leaves the region, so neither can the data.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition
  prefix     = "patchwork-${var.name}"

  common_tags = merge(var.tags, {
    Application  = "patchwork"
    Cell         = var.name
    Environment  = var.environment
    Jurisdiction = var.jurisdiction
    ManagedBy    = "terraform"
  })
}

# The key policy separates who may manage the key from who may use it, and how:
#   administrators (the account through IAM, and key_administrator_arns) may manage it (enable,
#     rotate, tag, change the policy, schedule deletion) but never encrypt or decrypt with it;
#   the account's principals may use it only through the AWS services that hold the cell's data
#     (the pattern of AWS managed keys): RDS, ElastiCache, S3, Secrets Manager, ECR, AWS Backup, SNS;
#   the application's roles are named as users, each through the services it needs;
#   AWS services write with it under conditions tying them to this account: CloudWatch Logs (the
#     cell's log groups), CloudTrail (this account's trails), CloudWatch alarms (publishing to
#     encrypted SNS topics).
# The account keeps the administrative actions so that the key can never become unmanageable
# (docs/adr/0030-no-open-egress-and-least-privilege.md).

locals {
  # Everything a key administrator may do: manage, never use. No Encrypt, Decrypt, ReEncrypt,
  # GenerateDataKey, and no CreateGrant (a grant could hand its holder those).
  kms_administrative_actions = [
    "kms:CreateAlias",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
  ]

  # The services through which the account's principals (the deploying role creating the database
  # and writing the secrets, AWS Backup's role, readers of the bucket) may use the key.
  kms_via_services = [for service in ["rds", "elasticache", "s3", "secretsmanager", "ecr", "backup", "sns"] : "${service}.${local.region}.amazonaws.com"]
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; the account may only administer it (no use), and every permission-management action is logged in CloudTrail.
  #checkov:skip=CKV_AWS_111:In a key policy Resource "*" is this key only; write access is limited to this account's administrators and to named services under conditions.
  #checkov:skip=CKV_AWS_356:A key policy cannot name its own key ARN; Resource "*" is the documented form and means this key only.
  statement {
    sid       = "AccountAdministersKeyButNeverUsesIt"
    effect    = "Allow"
    actions   = local.kms_administrative_actions
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(var.key_administrator_arns) > 0 ? [var.key_administrator_arns] : []

    content {
      sid       = "KeyAdministrators"
      effect    = "Allow"
      actions   = local.kms_administrative_actions
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = statement.value
      }
    }
  }

  statement {
    sid       = "AccountUsesKeyOnlyThroughCellServices"
    effect    = "Allow"
    resources = ["*"]
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
      "kms:CreateGrant",
    ]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = local.kms_via_services
    }
  }

  # Grants are how RDS, ElastiCache, ECR and AWS Backup keep using the key for the resources they
  # hold; only grants for AWS resources, never one a person could use directly.
  statement {
    sid       = "AccountGrantsOnlyToAwsResources"
    effect    = "Allow"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }

    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }

  # web and worker read and write the media bucket, and the worker reads councils' Notify keys.
  statement {
    sid       = "ApplicationUsesKeyThroughS3AndSecretsManager"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.task["web"].arn, aws_iam_role.task["worker"].arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com", "secretsmanager.${local.region}.amazonaws.com"]
    }
  }

  # ECS, as the execution role, reads the secrets it injects and pulls the image.
  statement {
    sid       = "EcsReadsSecretsAndImage"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.execution.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com", "ecr.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid    = "CloudWatchLogsEncryptsThisCellsLogGroups"
    effect = "Allow"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }

  # CloudTrail encrypts the log files of this account's trails (the encryption context names the trail).
  statement {
    sid       = "CloudTrailEncryptsThisAccountsTrails"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "CloudTrailDescribesKey"
    effect    = "Allow"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # An SNS topic encrypted with this key: its publisher, CloudWatch (alarms of this account), needs
  # the data key SNS encrypts each message with.
  statement {
    sid       = "CloudWatchAlarmsPublishToEncryptedSnsTopics"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*"]
    }
  }

  # GuardDuty's findings reach the same encrypted topic through EventBridge rules of this account.
  statement {
    sid       = "EventBridgeRulesPublishToEncryptedSnsTopics"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:events:${local.region}:${local.account_id}:rule/*"]
    }
  }
}

resource "aws_kms_key" "main" {
  description             = "Patchwork cell ${var.name}: data at rest (RDS, Redis, S3, secrets, logs, images)"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
  multi_region            = false
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = local.common_tags
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.prefix}"
  target_key_id = aws_kms_key.main.key_id
}
