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

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; the account root statement is what lets IAM policies grant use of the key.
  #checkov:skip=CKV_AWS_111:In a key policy Resource "*" is this key only, and write access is granted to this account (administered through IAM), no one outside it.
  #checkov:skip=CKV_AWS_356:A key policy cannot name its own key ARN; Resource "*" is the documented form and means this key only.
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
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
}

resource "aws_kms_key" "main" {
  description             = "Patchwork cell ${var.name}: data at rest (RDS, Redis, S3, secrets, logs, images)"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
  multi_region            = false
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = local.common_tags

  lifecycle {
    precondition {
      condition     = contains(var.allowed_regions, local.region)
      error_message = "Cell ${var.name} may only be deployed to ${join(", ", var.allowed_regions)}; the provider is configured for ${local.region}."
    }
  }
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.prefix}"
  target_key_id = aws_kms_key.main.key_id
}
