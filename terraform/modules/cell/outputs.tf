output "region" {
  description = "The region this cell runs in: where every council's data in it lives."
  value       = local.region
}

output "ecr_repository_url" {
  description = "Push the application image here (tag it, then set image_tag)."
  value       = aws_ecr_repository.app.repository_url
}

output "load_balancer_dns_name" {
  description = "The ALB's DNS name (the platform domain and *.platform domain are aliased to it)."
  value       = aws_lb.main.dns_name
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.main.name
}

output "service_names" {
  description = "ECS services of the cell."
  value       = [aws_ecs_service.web.name, aws_ecs_service.worker.name, aws_ecs_service.beat.name]
}

output "release_task_definition_arn" {
  description = "Task definition that runs the release command (migrations, database roles); run it once per deploy before the services roll."
  value       = aws_ecs_task_definition.app["release"].arn
}

output "release_run_task_command" {
  description = "Runs the release task (python manage.py release) in the cell's private subnets, waits for it and fails unless it exits 0. Run from the repository root."
  value = join(" ", [
    "python infra/release_runner.py",
    "--region ${local.region}",
    "--cluster ${aws_ecs_cluster.main.name}",
    "--task-definition ${aws_ecs_task_definition.app["release"].arn}",
    "--subnets ${join(",", aws_subnet.app[*].id)}",
    "--security-groups ${aws_security_group.app.id}",
  ])
}

output "app_subnet_ids" {
  description = "Private subnets the tasks run in."
  value       = aws_subnet.app[*].id
}

output "app_security_group_id" {
  description = "Security group of the tasks (for one-off run-task commands)."
  value       = aws_security_group.app.id
}

output "database_address" {
  description = "RDS PostgreSQL endpoint (private)."
  value       = aws_db_instance.main.address
}

output "redis_primary_endpoint" {
  description = "ElastiCache Redis primary endpoint (private, TLS)."
  value       = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "media_bucket_name" {
  description = "AWS_STORAGE_BUCKET_NAME: media, invoices and exports."
  value       = aws_s3_bucket.media.id
}

output "logs_bucket_name" {
  description = "Bucket holding S3 and ALB access logs."
  value       = aws_s3_bucket.logs.id
}

output "kms_key_arn" {
  description = "The cell's customer-managed key."
  value       = aws_kms_key.main.arn
}

output "secret_arns" {
  description = "Secrets Manager secrets injected into the containers, by environment variable name."
  value       = { for name, secret in aws_secretsmanager_secret.app : name => secret.arn }
}

output "ses_identity" {
  description = "The SES domain identity mail is sent from."
  value       = aws_sesv2_email_identity.domain.email_identity
}

output "web_acl_arn" {
  description = "WAF web ACL in front of the load balancer."
  value       = aws_wafv2_web_acl.main.arn
}

output "jurisdiction" {
  description = "The jurisdiction whose councils live in this cell (PATCHWORK_JURISDICTION)."
  value       = var.jurisdiction
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm, failed backup and GuardDuty finding is sent to; subscribe on-call tools here."
  value       = aws_sns_topic.alarms.arn
}

output "cloudtrail_bucket_name" {
  description = "Object-locked bucket holding the cell's CloudTrail log files (validate them with aws cloudtrail validate-logs)."
  value       = aws_s3_bucket.cloudtrail.id
}

output "audit_archive_bucket_name" {
  description = "AWS_AUDIT_ARCHIVE_BUCKET_NAME: object-locked bucket the worker exports the application's audit trail to."
  value       = aws_s3_bucket.audit_archive.id
}

output "backup_vault_name" {
  description = "Locked AWS Backup vault holding the daily recovery points of the database and the media bucket."
  value       = aws_backup_vault.main.name
}
