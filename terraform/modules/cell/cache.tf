# Redis: the Celery broker (database 0) and Django's cache (database 1). Encrypted at rest with
# the cell's key and in transit (TLS required, AUTH token), primary and replica in different AZs.

locals {
  redis_node_count = 2
  # ElastiCache names the nodes of a replication group <group id>-001, -002, ...; its metrics are
  # per node (monitoring.tf). The names are known at plan time, unlike member_clusters.
  redis_member_clusters = [for index in range(local.redis_node_count) : format("%s-%03d", local.prefix, index + 1)]
}

resource "aws_elasticache_subnet_group" "main" {
  name        = local.prefix
  description = "Patchwork ${var.name}: private data subnets"
  subnet_ids  = aws_subnet.data[*].id
  tags        = local.common_tags
}

resource "aws_elasticache_parameter_group" "main" {
  name        = "${local.prefix}-redis7"
  family      = "redis7"
  description = "Patchwork ${var.name}"
  tags        = local.common_tags

  # Only keys with a TTL (cache entries) may be evicted; Celery's queues have none and must
  # never be dropped to make room.
  parameter {
    name  = "maxmemory-policy"
    value = "volatile-lru"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_elasticache_replication_group" "main" {
  replication_group_id = local.prefix
  description          = "Patchwork ${var.name}: Celery broker and Django cache"
  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.main.name

  num_cache_clusters         = local.redis_node_count
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.main.name
  security_group_ids         = [aws_security_group.redis.id]

  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.main.arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  auth_token                 = random_password.redis_auth.result
  auth_token_update_strategy = "ROTATE"

  snapshot_retention_limit   = 1
  snapshot_window            = "01:00-02:00"
  maintenance_window         = "sun:04:30-sun:05:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  tags = local.common_tags
}
