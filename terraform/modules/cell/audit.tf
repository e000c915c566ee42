# The record of who did what, kept where no one can change it:
#   cloudtrail:    every AWS API call in the cell's region (management events) and every read and
#                  write of an object in the media and audit-archive buckets (data events), signed
#                  (log file validation) and written to a bucket under Object Lock in COMPLIANCE mode;
#   audit archive: the application's own audit trail, exported nightly by the worker
#                  (AWS_AUDIT_ARCHIVE_BUCKET_NAME), under the same lock;
#   GuardDuty:     threat detection for the account in this region, and a malware scan of every
#                  object uploaded to the media bucket (photos, agreements, imports).
# Both buckets keep each object for the jurisdiction's retention (local.audit_retention_days,
# variables.tf): COMPLIANCE mode means not even the account root can delete or overwrite it sooner.
# Everything stays in the cell's region: the trail is single-region, the buckets do not replicate.

locals {
  cloudtrail_bucket_name    = "${local.prefix}-cloudtrail-${local.account_id}"
  audit_archive_bucket_name = "${local.prefix}-audit-${local.account_id}"
  trail_name                = local.prefix
  # Built rather than read from the trail, which itself waits for the bucket policy that names it.
  trail_arn = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
}

# --- The two locked buckets ----------------------------------------------------------------------

resource "aws_s3_bucket" "cloudtrail" {
  #checkov:skip=CKV_AWS_144:No cross-region replication by design: the audit record stays in the cell's region (data residency). Object Lock and versioning protect it.
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events; CloudTrail is the only writer.
  bucket              = local.cloudtrail_bucket_name
  object_lock_enabled = true
  force_destroy       = false
  tags                = merge(local.common_tags, { Name = local.cloudtrail_bucket_name })
}

resource "aws_s3_bucket" "audit_archive" {
  #checkov:skip=CKV_AWS_144:No cross-region replication by design: the audit archive stays in the cell's region (data residency). Object Lock and versioning protect it.
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events; the worker's nightly export is the only writer.
  bucket              = local.audit_archive_bucket_name
  object_lock_enabled = true
  force_destroy       = false
  tags                = merge(local.common_tags, { Name = local.audit_archive_bucket_name })
}

# Each bucket: owner-enforced (no ACLs), no public access, versioned, locked in COMPLIANCE mode for
# the jurisdiction's retention by default, SSE-KMS with the cell's key. Objects go when their lock
# does, and not before: the expiry of the current version and of any older version equals the
# retention (a locked version could not be removed earlier in any case). Server access logs go to
# the cell's log bucket (storage.tf), whose policy must admit these two buckets as sources.

# --- CloudTrail bucket ---

resource "aws_s3_bucket_ownership_controls" "cloudtrail" {
  bucket = aws_s3_bucket.cloudtrail.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "cloudtrail" {
  bucket                  = aws_s3_bucket.cloudtrail.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "cloudtrail" {
  bucket = aws_s3_bucket.cloudtrail.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_object_lock_configuration" "cloudtrail" {
  bucket = aws_s3_bucket.cloudtrail.id

  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = local.audit_retention_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.cloudtrail]
}

resource "aws_s3_bucket_server_side_encryption_configuration" "cloudtrail" {
  bucket = aws_s3_bucket.cloudtrail.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "cloudtrail" {
  bucket = aws_s3_bucket.cloudtrail.id

  rule {
    id     = "expire-after-retention"
    status = "Enabled"

    filter {}

    expiration {
      days = local.audit_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = local.audit_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.cloudtrail]
}

resource "aws_s3_bucket_logging" "cloudtrail" {
  bucket        = aws_s3_bucket.cloudtrail.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3-access/${local.cloudtrail_bucket_name}/"
}

# --- Audit archive bucket ---

resource "aws_s3_bucket_ownership_controls" "audit_archive" {
  bucket = aws_s3_bucket.audit_archive.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "audit_archive" {
  bucket                  = aws_s3_bucket.audit_archive.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "audit_archive" {
  bucket = aws_s3_bucket.audit_archive.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_object_lock_configuration" "audit_archive" {
  bucket = aws_s3_bucket.audit_archive.id

  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = local.audit_retention_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.audit_archive]
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit_archive" {
  bucket = aws_s3_bucket.audit_archive.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "audit_archive" {
  bucket = aws_s3_bucket.audit_archive.id

  rule {
    id     = "expire-after-retention"
    status = "Enabled"

    filter {}

    expiration {
      days = local.audit_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = local.audit_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.audit_archive]
}

resource "aws_s3_bucket_logging" "audit_archive" {
  bucket        = aws_s3_bucket.audit_archive.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3-access/${local.audit_archive_bucket_name}/"
}

data "aws_iam_policy_document" "audit_bucket_tls" {
  for_each = {
    cloudtrail    = aws_s3_bucket.cloudtrail.arn
    audit_archive = aws_s3_bucket.audit_archive.arn
  }

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value, "${each.value}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyTlsOlderThan12"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value, "${each.value}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

# CloudTrail may check the bucket's ACL and write under cloudtrail/AWSLogs/<account>/, for this
# trail only (aws:SourceArn).
data "aws_iam_policy_document" "cloudtrail_bucket" {
  source_policy_documents = [data.aws_iam_policy_document.audit_bucket_tls["cloudtrail"].json]

  statement {
    sid       = "CloudTrailChecksAcl"
    actions   = ["s3:GetBucketAcl"]
    resources = [aws_s3_bucket.cloudtrail.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "CloudTrailWrites"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.cloudtrail.arn}/cloudtrail/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }
  }
}

resource "aws_s3_bucket_policy" "cloudtrail" {
  bucket = aws_s3_bucket.cloudtrail.id
  policy = data.aws_iam_policy_document.cloudtrail_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.cloudtrail]
}

# The archive refuses any object not encrypted with KMS, on top of TLS only.
data "aws_iam_policy_document" "audit_archive_bucket" {
  source_policy_documents = [data.aws_iam_policy_document.audit_bucket_tls["audit_archive"].json]

  statement {
    sid       = "DenyObjectsNotEncryptedWithKms"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.audit_archive.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEqualsIfExists"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["aws:kms"]
    }
  }
}

resource "aws_s3_bucket_policy" "audit_archive" {
  bucket = aws_s3_bucket.audit_archive.id
  policy = data.aws_iam_policy_document.audit_archive_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.audit_archive]
}

# The worker writes the nightly export and can do nothing else with the archive: no read, no list,
# no delete (the lock would refuse a delete anyway; the policy does not even ask).
data "aws_iam_policy_document" "worker_audit_archive" {
  statement {
    sid       = "WriteAuditExports"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.audit_archive.arn}/audit/*"]
  }

  # Reading back: a night that stored an object but failed before recording it checks the object
  # against the day's events rather than writing it again. Listing the prefix makes a missing object
  # a 404 rather than a 403.
  statement {
    sid       = "ReadAuditExports"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.audit_archive.arn}/audit/*"]
  }

  statement {
    sid       = "ListAuditExports"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.audit_archive.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["audit/*"]
    }
  }

  # kms:Decrypt as well as GenerateDataKey: S3 needs it to complete a multipart upload.
  statement {
    sid       = "UseKeyThroughS3ForTheArchive"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.main.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }

    # With bucket keys the encryption context is the bucket's ARN; without, the object's.
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = [aws_s3_bucket.audit_archive.arn, "${aws_s3_bucket.audit_archive.arn}/audit/*"]
    }
  }
}

resource "aws_iam_role_policy" "worker_audit_archive" {
  name   = "write-audit-archive"
  role   = aws_iam_role.task["worker"].id
  policy = data.aws_iam_policy_document.worker_audit_archive.json
}

# --- CloudTrail ----------------------------------------------------------------------------------

data "aws_iam_policy_document" "cloudtrail_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

resource "aws_iam_role" "cloudtrail" {
  name               = "${local.prefix}-cloudtrail"
  assume_role_policy = data.aws_iam_policy_document.cloudtrail_assume.json
  tags               = local.common_tags
}

data "aws_iam_policy_document" "cloudtrail_logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.cloudtrail.arn}:log-stream:*"]
  }
}

resource "aws_iam_role_policy" "cloudtrail" {
  name   = "write-cloudtrail-logs"
  role   = aws_iam_role.cloudtrail.id
  policy = data.aws_iam_policy_document.cloudtrail_logs.json
}

# Single-region: a trail of every region would copy other regions' events into this one and,
# worse, a multi-region trail of another cell would copy this region's events out. Global service
# events (IAM, STS) are included: they are the account's own changes of who may do what, and they
# come into the region, nothing leaves it.
resource "aws_cloudtrail" "main" {
  #checkov:skip=CKV_AWS_67:The trail is single-region on purpose: each cell keeps its own region's record and nothing leaves it (data residency).
  #checkov:skip=CKV_AWS_252:Log file delivery notifications are not used; alarms on the trail's CloudWatch Logs copy are (metric filters below).
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.cloudtrail.id
  s3_key_prefix                 = "cloudtrail"
  is_multi_region_trail         = false
  include_global_service_events = true
  enable_log_file_validation    = true
  enable_logging                = true
  kms_key_id                    = aws_kms_key.main.arn
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.cloudtrail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.cloudtrail.arn
  tags                          = local.common_tags

  advanced_event_selector {
    name = "All management events"

    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }

  # Who read or changed which upload, invoice, export or audit export: objects of the media bucket
  # and of the audit archive.
  advanced_event_selector {
    name = "Objects of the media bucket and the audit archive"

    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }

    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }

    field_selector {
      field       = "resources.ARN"
      starts_with = ["${aws_s3_bucket.media.arn}/", "${aws_s3_bucket.audit_archive.arn}/"]
    }
  }

  depends_on = [
    aws_s3_bucket_policy.cloudtrail,
    aws_s3_bucket_object_lock_configuration.cloudtrail,
    aws_iam_role_policy.cloudtrail,
  ]
}

# Alarms on the trail for the changes that should never happen unannounced. Each matching event
# counts 1 in Patchwork/Audit; any count is an alarm.
locals {
  trail_alarms = {
    root-account-used     = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
    cloudtrail-changed    = "{ ($.eventSource = \"cloudtrail.amazonaws.com\") && (($.eventName = \"StopLogging\") || ($.eventName = \"DeleteTrail\") || ($.eventName = \"UpdateTrail\") || ($.eventName = \"PutEventSelectors\")) }"
    kms-key-disabled      = "{ ($.eventSource = \"kms.amazonaws.com\") && (($.eventName = \"DisableKey\") || ($.eventName = \"ScheduleKeyDeletion\")) }"
    iam-policy-changed    = "{ ($.eventSource = \"iam.amazonaws.com\") && (($.eventName = \"PutRolePolicy\") || ($.eventName = \"AttachRolePolicy\") || ($.eventName = \"DetachRolePolicy\") || ($.eventName = \"DeleteRolePolicy\") || ($.eventName = \"UpdateAssumeRolePolicy\") || ($.eventName = \"CreateAccessKey\")) }"
    guardduty-disabled    = "{ ($.eventSource = \"guardduty.amazonaws.com\") && (($.eventName = \"DeleteDetector\") || ($.eventName = \"UpdateDetector\") || ($.eventName = \"DeleteMalwareProtectionPlan\")) }"
    backup-vault-changed  = "{ ($.eventSource = \"backup.amazonaws.com\") && (($.eventName = \"DeleteBackupVaultLockConfiguration\") || ($.eventName = \"DeleteRecoveryPoint\") || ($.eventName = \"DeleteBackupPlan\")) }"
    console-login-failure = "{ ($.eventName = \"ConsoleLogin\") && ($.errorMessage = \"Failed authentication\") }"
  }
}

resource "aws_cloudwatch_log_metric_filter" "trail" {
  for_each = local.trail_alarms

  name           = "${local.prefix}-${each.key}"
  log_group_name = aws_cloudwatch_log_group.cloudtrail.name
  pattern        = each.value

  metric_transformation {
    name          = each.key
    namespace     = "Patchwork/Audit"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "trail" {
  for_each = local.trail_alarms

  alarm_name          = "${local.prefix}-${each.key}"
  alarm_description   = "CloudTrail recorded ${each.key} in cell ${var.name}: check who, in the trail."
  namespace           = "Patchwork/Audit"
  metric_name         = each.key
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  depends_on = [aws_cloudwatch_log_metric_filter.trail]
}

# --- GuardDuty -----------------------------------------------------------------------------------

# An account has one detector per region; where the organisation already runs one, set
# enable_guardduty_detector = false and the malware plan below works all the same.
resource "aws_guardduty_detector" "main" {
  #checkov:skip=CKV2_AWS_3:Organisation-wide GuardDuty (delegated administrator, auto-enable) is configured in the organisation's management account, not by a cell; this detector covers the cell's account and region.
  count = var.enable_guardduty_detector ? 1 : 0

  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
  tags                         = local.common_tags
}

# GuardDuty findings of medium severity and above, and every malware verdict on an upload, go to
# the alarm topic (monitoring.tf).
resource "aws_cloudwatch_event_rule" "guardduty_findings" {
  name        = "${local.prefix}-guardduty-findings"
  description = "GuardDuty findings of medium severity or more in cell ${var.name}"
  tags        = local.common_tags

  event_pattern = jsonencode({
    source      = ["aws.guardduty"]
    detail-type = ["GuardDuty Finding"]
    detail = {
      severity = [{ numeric = [">=", 4] }]
    }
  })
}

resource "aws_cloudwatch_event_target" "guardduty_findings" {
  rule = aws_cloudwatch_event_rule.guardduty_findings.name
  arn  = aws_sns_topic.alarms.arn
}

resource "aws_cloudwatch_event_rule" "malware_found" {
  name        = "${local.prefix}-malware-found"
  description = "GuardDuty found malware in an object uploaded to the media bucket of cell ${var.name}"
  tags        = local.common_tags

  event_pattern = jsonencode({
    source      = ["aws.guardduty"]
    detail-type = ["GuardDuty Malware Protection Object Scan Result"]
    detail = {
      scanResultDetails = {
        scanResultStatus = ["THREATS_FOUND"]
      }
    }
  })
}

resource "aws_cloudwatch_event_target" "malware_found" {
  rule = aws_cloudwatch_event_rule.malware_found.name
  arn  = aws_sns_topic.alarms.arn
}

# The role GuardDuty assumes to scan the media bucket, as the GuardDuty user guide lays it out:
# its own EventBridge rule, the bucket's notification setting, reading and tagging objects, the
# validation object it writes once, and the key through S3.
data "aws_iam_policy_document" "guardduty_malware_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["malware-protection-plan.guardduty.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "guardduty_malware" {
  name               = "${local.prefix}-guardduty-malware"
  assume_role_policy = data.aws_iam_policy_document.guardduty_malware_assume.json
  tags               = local.common_tags
}

data "aws_iam_policy_document" "guardduty_malware" {
  statement {
    sid = "AllowManagedRuleToSendS3EventsToGuardDuty"
    actions = [
      "events:PutRule",
      "events:DeleteRule",
      "events:PutTargets",
      "events:RemoveTargets",
    ]
    resources = ["arn:${local.partition}:events:${local.region}:${local.account_id}:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*"]

    condition {
      test     = "StringLike"
      variable = "events:ManagedBy"
      values   = ["malware-protection-plan.guardduty.amazonaws.com"]
    }
  }

  statement {
    sid       = "AllowGuardDutyToMonitorEventBridgeManagedRule"
    actions   = ["events:DescribeRule", "events:ListTargetsByRule"]
    resources = ["arn:${local.partition}:events:${local.region}:${local.account_id}:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*"]
  }

  statement {
    sid = "AllowPostScanTag"
    actions = [
      "s3:PutObjectTagging",
      "s3:GetObjectTagging",
      "s3:PutObjectVersionTagging",
      "s3:GetObjectVersionTagging",
    ]
    resources = ["${aws_s3_bucket.media.arn}/*"]
  }

  statement {
    sid       = "AllowEnableS3EventBridgeEvents"
    actions   = ["s3:PutBucketNotification", "s3:GetBucketNotification"]
    resources = [aws_s3_bucket.media.arn]
  }

  statement {
    sid       = "AllowPutValidationObject"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.media.arn}/malware-protection-resource-validation-object"]
  }

  statement {
    sid       = "AllowCheckBucketOwnership"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.media.arn]
  }

  statement {
    sid       = "AllowMalwareScan"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.media.arn}/*"]
  }

  statement {
    sid       = "AllowDecryptForMalwareScan"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.main.arn]

    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "guardduty_malware" {
  name   = "scan-media-bucket"
  role   = aws_iam_role.guardduty_malware.id
  policy = data.aws_iam_policy_document.guardduty_malware.json
}

# Every object in the media bucket is scanned when it is written and tagged with the verdict
# (GuardDutyMalwareScanStatus); a THREATS_FOUND verdict also reaches the alarm topic (above).
resource "aws_guardduty_malware_protection_plan" "media" {
  role = aws_iam_role.guardduty_malware.arn
  tags = local.common_tags

  protected_resource {
    s3_bucket {
      bucket_name = aws_s3_bucket.media.id
    }
  }

  actions {
    tagging {
      status = "ENABLED"
    }
  }

  depends_on = [aws_iam_role_policy.guardduty_malware]
}
