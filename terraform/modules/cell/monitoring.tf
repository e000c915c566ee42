# Protective monitoring: CloudWatch alarms on what a council would notice first (errors, slowness,
# unhealthy tasks), on what runs out (database CPU, storage and memory, Redis memory, the Celery
# backlog) and on attack (WAF blocks), all sent to one SNS topic encrypted with the cell's key.
# The people on call subscribe by email (alarm_email_addresses); AWS Backup reports failed jobs,
# and GuardDuty its findings, to the same topic (backup.tf, audit.tf). Every alarm also says when
# it is over (ok_actions).
#
# Missing data is decided per alarm:
#   notBreaching for counts of events (5xx, WAF blocks, response time): no traffic, nothing wrong;
#   breaching    for what a running resource always publishes (host counts, RDS, Redis, ECS task
#                counts, the queue depth beat publishes every minute): silence means it is gone.

locals {
  alarm_thresholds = var.alarm_thresholds
  alarm_actions    = [aws_sns_topic.alarms.arn]
}

resource "aws_sns_topic" "alarms" {
  name              = "${local.prefix}-alarms"
  display_name      = "Patchwork ${var.name} alarms"
  kms_master_key_id = aws_kms_key.main.arn
  tags              = local.common_tags
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# Who may publish: CloudWatch alarms, AWS Backup (backup.tf) and EventBridge for GuardDuty findings
# (audit.tf), each only for this account or these rules. Each of them also needs the key (kms.tf).
data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "AccountManagesTopic"
    actions   = ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "BackupPublishesJobFailures"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

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

  statement {
    sid       = "EventBridgeForwardsGuardDutyFindings"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.guardduty_findings.arn, aws_cloudwatch_event_rule.malware_found.arn]
    }
  }

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

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
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

# --- Load balancer -------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${local.prefix}-alb-5xx"
  alarm_description   = "The load balancer itself answered 5xx (no healthy task, or tasks refusing connections)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_ELB_5XX_Count"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_thresholds.alb_5xx_per_5_minutes
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    LoadBalancer = aws_lb.main.arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "target_5xx" {
  alarm_name          = "${local.prefix}-web-5xx"
  alarm_description   = "The web tasks answered 5xx (application errors: see Sentry and the web log group)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_thresholds.target_5xx_per_5_minutes
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    LoadBalancer = aws_lb.main.arn_suffix
    TargetGroup  = aws_lb_target_group.web.arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "target_response_time_p99" {
  alarm_name          = "${local.prefix}-web-response-time-p99"
  alarm_description   = "The slowest 1% of requests took longer than the threshold (seconds) for 15 minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_thresholds.target_response_time_p99_s
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    LoadBalancer = aws_lb.main.arn_suffix
    TargetGroup  = aws_lb_target_group.web.arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${local.prefix}-web-unhealthy-hosts"
  alarm_description   = "At least one web task has failed the load balancer's /healthz probe for 3 minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    LoadBalancer = aws_lb.main.arn_suffix
    TargetGroup  = aws_lb_target_group.web.arn_suffix
  }
}

# --- Database ------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${local.prefix}-rds-cpu"
  alarm_description   = "PostgreSQL CPU above the threshold (%) for 15 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_thresholds.rds_cpu_percent
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    DBInstanceIdentifier = aws_db_instance.main.identifier
  }
}

resource "aws_cloudwatch_metric_alarm" "rds_free_storage" {
  alarm_name          = "${local.prefix}-rds-free-storage"
  alarm_description   = "PostgreSQL free storage below the threshold. Storage autoscaling may be at db_max_allocated_storage."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = local.alarm_thresholds.rds_free_storage_gib * 1024 * 1024 * 1024
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    DBInstanceIdentifier = aws_db_instance.main.identifier
  }
}

resource "aws_cloudwatch_metric_alarm" "rds_freeable_memory" {
  alarm_name          = "${local.prefix}-rds-freeable-memory"
  alarm_description   = "PostgreSQL freeable memory below the threshold for 15 minutes (too many connections, or the instance is too small)."
  namespace           = "AWS/RDS"
  metric_name         = "FreeableMemory"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "LessThanThreshold"
  threshold           = local.alarm_thresholds.rds_freeable_memory_mib * 1024 * 1024
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    DBInstanceIdentifier = aws_db_instance.main.identifier
  }
}

# --- Redis ---------------------------------------------------------------------------------------

# One alarm per node: ElastiCache publishes memory per node (CacheClusterId), not per group. Redis
# holds the Celery queues, which are never evicted (cache.tf), so a full Redis refuses new tasks.
resource "aws_cloudwatch_metric_alarm" "redis_memory" {
  for_each = toset(local.redis_member_clusters)

  alarm_name          = "${local.prefix}-redis-memory-${each.key}"
  alarm_description   = "Redis node ${each.key} has used more than the threshold (%) of its memory for 10 minutes."
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_thresholds.redis_memory_percent
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    CacheClusterId = each.key
  }
}

# --- Celery --------------------------------------------------------------------------------------

# The worker scales out on the backlog (compute.tf); this says it is not keeping up even so, or that
# beat has stopped publishing (missing data).
resource "aws_cloudwatch_metric_alarm" "queue_depth" {
  alarm_name          = "${local.prefix}-celery-queue-depth"
  alarm_description   = "More Celery tasks waiting than the threshold for 10 minutes, or beat has stopped publishing the queue depth."
  namespace           = local.queue_metric.namespace
  metric_name         = local.queue_metric.name
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_thresholds.queue_depth
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    Queue = local.queue_metric.queue
  }
}

# --- WAF -----------------------------------------------------------------------------------------

# A surge of blocked requests is an attack in progress (or a rule blocking real users).
resource "aws_cloudwatch_metric_alarm" "waf_blocked_requests" {
  alarm_name          = "${local.prefix}-waf-blocked-requests"
  alarm_description   = "The WAF blocked more requests than the threshold in 5 minutes (all rules)."
  namespace           = "AWS/WAFV2"
  metric_name         = "BlockedRequests"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_thresholds.waf_blocked_requests_per_5_min
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  dimensions = {
    WebACL = aws_wafv2_web_acl.main.name
    Region = local.region
    Rule   = "ALL"
  }
}

# --- ECS services --------------------------------------------------------------------------------

# Fewer tasks running than desired for 5 minutes: tasks crash, fail their health checks, or cannot
# start (image, secrets, capacity). Beat's deploy stops the old task first (about a minute at 0),
# which 5 minutes rides out.
resource "aws_cloudwatch_metric_alarm" "service_running_below_desired" {
  for_each = {
    web    = aws_ecs_service.web.name
    worker = aws_ecs_service.worker.name
    beat   = aws_ecs_service.beat.name
  }

  alarm_name          = "${local.prefix}-${each.key}-running-below-desired"
  alarm_description   = "ECS service ${each.value} has run fewer tasks than desired for 5 minutes."
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.common_tags

  metric_query {
    id          = "missing"
    label       = "Desired minus running tasks"
    expression  = "desired - running"
    return_data = true
  }

  metric_query {
    id = "desired"

    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "DesiredTaskCount"
      stat        = "Average"
      period      = 60

      dimensions = {
        ClusterName = aws_ecs_cluster.main.name
        ServiceName = each.value
      }
    }
  }

  metric_query {
    id = "running"

    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      stat        = "Average"
      period      = 60

      dimensions = {
        ClusterName = aws_ecs_cluster.main.name
        ServiceName = each.value
      }
    }
  }
}
