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
  description = "Task definition that runs migrate_schemas; run it once per deploy before the services roll."
  value       = aws_ecs_task_definition.app["release"].arn
}

output "release_run_task_command" {
  description = "AWS CLI command that runs the release task (migrations) in the cell's private subnets."
  value = join(" ", [
    "aws ecs run-task",
    "--region ${local.region}",
    "--cluster ${aws_ecs_cluster.main.name}",
    "--task-definition ${aws_ecs_task_definition.app["release"].arn}",
    "--launch-type FARGATE",
    "--network-configuration 'awsvpcConfiguration={subnets=[${join(",", aws_subnet.app[*].id)}],securityGroups=[${aws_security_group.app.id}],assignPublicIp=DISABLED}'",
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
