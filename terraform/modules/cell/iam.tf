# IAM for the cell's tasks: the execution role ECS uses to start them, and the application's own
# roles, one per process so that each holds only what it does: web and worker use the media bucket
# and send mail; the worker also reads councils' GOV.UK Notify keys; beat only publishes a metric;
# release (migrations) holds nothing, since ECS injects its database credentials. The cell's key is
# usable by each only through the AWS services that need it (kms:ViaService), never directly.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# The execution role is what ECS itself uses to start a task: pull the image, read the secrets,
# create log streams. The application never holds it.
resource "aws_iam_role" "execution" {
  name               = "${local.prefix}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = local.common_tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PullImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.app.arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = concat([for group in aws_cloudwatch_log_group.app : "${group.arn}:*"], ["${aws_cloudwatch_log_group.egress.arn}:*"])
  }

  statement {
    sid       = "ReadSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [for secret in aws_secretsmanager_secret.app : secret.arn]
  }

  statement {
    sid       = "DecryptSecretsAndImage"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com", "ecr.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-patchwork-tasks"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- The application's roles, one per process -----------------------------------------------------

resource "aws_iam_role" "task" {
  for_each = toset(["web", "worker", "beat", "release"])

  name               = "${local.prefix}-task-${each.key}"
  description        = "Patchwork ${var.name}: the ${each.key} process"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = local.common_tags
}

# web and worker: the media bucket (uploads, invoices, exports, the worker's council backups under
# backups/), its key through S3 only, and sending mail as the platform domain through this region's SES.
data "aws_iam_policy_document" "task_media_and_mail" {
  statement {
    sid       = "ListMediaBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.media.arn]
  }

  statement {
    sid = "ReadWriteMediaObjects"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${aws_s3_bucket.media.arn}/*"]
  }

  statement {
    sid       = "UseKeyThroughS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid     = "SendMail"
    actions = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [
      aws_sesv2_email_identity.domain.arn,
      aws_sesv2_configuration_set.main.arn,
    ]
  }
}

# The worker delivers the outbox: for a council that chose GOV.UK Notify it reads the council's API
# key, the secret patchwork/<council slug>/notify-api-key in this region (core/notifications/transports.py).
data "aws_iam_policy_document" "task_worker" {
  source_policy_documents = [data.aws_iam_policy_document.task_media_and_mail.json]

  statement {
    sid       = "ReadNotifyApiKeys"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:patchwork/*/notify-api-key-??????"]
  }

  statement {
    sid       = "UseKeyThroughSecretsManager"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

# beat publishes the queue depth, in the Patchwork namespace only. PutMetricData has no resource
# to name, so the namespace condition is what narrows it.
data "aws_iam_policy_document" "task_beat" {
  statement {
    sid       = "PublishQueueDepth"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Patchwork"]
    }
  }
}

locals {
  # release has no policy at all: it reaches only the database, with credentials ECS injects.
  task_policies = {
    web    = data.aws_iam_policy_document.task_media_and_mail.json
    worker = data.aws_iam_policy_document.task_worker.json
    beat   = data.aws_iam_policy_document.task_beat.json
  }
}

resource "aws_iam_role_policy" "task" {
  for_each = local.task_policies

  name   = "patchwork-${each.key}"
  role   = aws_iam_role.task[each.key].id
  policy = each.value
}
