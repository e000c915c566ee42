# ECS on Fargate: three long-running services from one image (web behind the ALB, Celery worker,
# Celery beat) and a "release" task definition that is run once per deploy for migrations
# (README.md, "Deploying"). Tasks run in the private app subnets with no public IP, as a non-root
# user on a read-only root filesystem with a scratch /tmp. Each process has its own task role
# (iam.tf), its own health check, and the worker scales on the depth of the Celery queue.

# --- Image repository ----------------------------------------------------------------------------

resource "aws_ecr_repository" "app" {
  name                 = local.prefix
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false
  tags                 = local.common_tags

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.main.arn
  }
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Keep the 50 most recent images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = 50
        }
        action = {
          type = "expire"
        }
      },
    ]
  })
}

# --- Cluster -------------------------------------------------------------------------------------

resource "aws_ecs_cluster" "main" {
  name = local.prefix
  tags = local.common_tags

  # Data residency: the region follows from the jurisdiction (variables.tf), and a plan anywhere
  # else fails before anything is created.
  lifecycle {
    precondition {
      condition     = contains(local.allowed_regions, local.region)
      error_message = "Cell ${var.name} (${var.jurisdiction}) may only be deployed to ${join(", ", local.allowed_regions)}; the provider is configured for ${local.region}."
    }
  }

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  # ECS Exec is off on every service (one-off commands run as tasks, see README.md); should it
  # ever be turned on, sessions are encrypted with the cell's key and logged.
  configuration {
    execute_command_configuration {
      kms_key_id = aws_kms_key.main.arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.ecs_exec.name
      }
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# --- Task definitions ----------------------------------------------------------------------------

locals {
  # The metric beat publishes (PATCHWORK_QUEUE_METRICS): worker scaling and an alarm read it.
  queue_metric = {
    namespace = "Patchwork"
    name      = "CeleryQueueDepth"
    queue     = "celery"
  }

  image         = "${aws_ecr_repository.app.repository_url}${startswith(var.image_tag, "sha256:") ? "@" : ":"}${var.image_tag}"
  release_tag   = coalesce(var.release_image_tag, var.image_tag)
  release_image = "${aws_ecr_repository.app.repository_url}${startswith(local.release_tag, "sha256:") ? "@" : ":"}${local.release_tag}"

  allowed_hosts = join(",", concat([var.platform_domain, ".${var.platform_domain}"], var.extra_allowed_hosts))

  app_environment = [
    { name = "DJANGO_SETTINGS_MODULE", value = "config.settings.production" },
    { name = "PYTHONPATH", value = "/app:/app/platform" },
    { name = "PLATFORM_DOMAIN", value = var.platform_domain },
    { name = "ALLOWED_HOSTS", value = local.allowed_hosts },
    { name = "AWS_REGION", value = local.region },
    { name = "PATCHWORK_JURISDICTION", value = var.jurisdiction },
    { name = "AWS_STORAGE_BUCKET_NAME", value = aws_s3_bucket.media.id },
    { name = "AWS_AUDIT_ARCHIVE_BUCKET_NAME", value = aws_s3_bucket.audit_archive.id },
    { name = "AWS_S3_KMS_KEY_ID", value = aws_kms_key.main.arn },
    { name = "SENTRY_ALLOWED_HOSTS", value = join(",", var.sentry_allowed_hosts) },
    { name = "DEFAULT_FROM_EMAIL", value = var.default_from_email != "" ? var.default_from_email : "Patchwork <no-reply@${var.platform_domain}>" },
    { name = "LOG_LEVEL", value = var.log_level },
    { name = "MIGRATION_PROCESSES", value = tostring(var.migration_processes) },
    { name = "GUNICORN_WORKERS", value = tostring(var.web_gunicorn_workers) },
    { name = "FORWARDED_ALLOW_IPS", value = join(",", local.public_cidr) },
    { name = "TRUSTED_PROXY_HOPS", value = "1" }, # the load balancer: the audit records the client it saw
    # Whatever leaves the VPC goes through the egress proxy (egress.tf), apart from the hosts and
    # addresses in local.no_proxy.
    { name = "HTTPS_PROXY", value = local.egress_proxy_url },
    { name = "HTTP_PROXY", value = local.egress_proxy_url },
    { name = "NO_PROXY", value = local.no_proxy },
  ]

  # Every process but those that migrate or provision connects as the application role only:
  # the web service and beat never receive the master user's credentials (docs/adr/0008).
  app_secrets = [
    for name in local.secret_names : {
      name      = name
      valueFrom = aws_secretsmanager_secret.app[name].arn
    } if !contains(local.owner_secret_names, name)
  ]
  owner_secrets = [
    for name in local.secret_names : {
      name      = name
      valueFrom = aws_secretsmanager_secret.app[name].arn
    }
  ]

  # Container health checks are liveness only, never the database, so that an outage of RDS does
  # not make ECS replace every task at once. A task failing three checks in a row is replaced.
  processes = {
    web = {
      image       = local.image
      cpu         = var.web_cpu
      memory      = var.web_memory
      command     = ["gunicorn", "config.wsgi", "-c", "infra/gunicorn.conf.py"]
      ports       = [8000]
      stop        = 30
      secrets     = local.app_secrets
      environment = []
      # /healthz answers before host validation. The image has no curl; urllib raises (exit 1) on
      # anything but a 2xx, and is told to ignore HTTP_PROXY, which would send the probe away.
      health_check = {
        command     = ["CMD", "python", "-c", "import urllib.request as u; u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:8000/healthz', timeout=5)"]
        interval    = 30
        timeout     = 10
        retries     = 3
        startPeriod = 60
      }
    }
    worker = {
      image       = local.image
      cpu         = var.worker_cpu
      memory      = var.worker_memory
      command     = ["celery", "-A", "config", "worker", "-l", "info", "--concurrency", "2"]
      ports       = []
      stop        = 120
      secrets     = local.owner_secrets # provisioning creates council schemas as the owner
      environment = []
      health_check = {
        command     = ["CMD", "python", "-m", "config.liveness", "worker"]
        interval    = 30
        timeout     = 10
        retries     = 3
        startPeriod = 60
      }
    }
    # The root filesystem is read-only, so beat keeps its schedule file in /tmp. Beat also publishes
    # the queue depth (Patchwork/CeleryQueueDepth) every minute, which the worker scales on.
    beat = {
      image       = local.image
      cpu         = var.beat_cpu
      memory      = var.beat_memory
      command     = ["celery", "-A", "config", "beat", "-l", "info", "-S", "config.beat:Scheduler", "--schedule", "/tmp/celerybeat-schedule"]
      ports       = []
      stop        = 30
      secrets     = local.app_secrets
      environment = [{ name = "PATCHWORK_QUEUE_METRICS", value = "true" }]
      health_check = {
        command     = ["CMD", "python", "-m", "config.liveness", "beat"]
        interval    = 30
        timeout     = 10
        retries     = 3
        startPeriod = 60
      }
    }
    # Migrations and the checks a release needs (database roles, pgaudit): run once per deploy,
    # to completion, so it has no health check.
    release = {
      image        = local.release_image
      cpu          = var.release_cpu
      memory       = var.release_memory
      command      = ["python", "manage.py", "release"]
      ports        = []
      stop         = 120
      secrets      = local.owner_secrets # migrates as the owner and creates/grants the application role
      environment  = []
      health_check = null
    }
  }
}

resource "aws_ecs_task_definition" "app" {
  for_each = local.processes

  family                   = "${local.prefix}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task[each.key].arn
  tags                     = local.common_tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(
      {
        name                   = "app"
        image                  = each.value.image
        essential              = true
        command                = each.value.command
        user                   = "10001:10001"
        readonlyRootFilesystem = true
        privileged             = false
        stopTimeout            = each.value.stop
        environment            = concat(local.app_environment, each.value.environment)
        secrets                = each.value.secrets
        portMappings           = [for port in each.value.ports : { containerPort = port, protocol = "tcp" }]
        mountPoints = [
          {
            sourceVolume  = "tmp"
            containerPath = "/tmp"
            readOnly      = false
          },
        ]
        linuxParameters = {
          initProcessEnabled = true
          capabilities = {
            drop = ["ALL"]
          }
        }
        logConfiguration = {
          logDriver = "awslogs"
          options = {
            awslogs-group         = aws_cloudwatch_log_group.app[each.key].name
            awslogs-region        = local.region
            awslogs-stream-prefix = each.key
          }
        }
      },
      # The release task runs to completion and has no health check (a conditional between {} and
      # an object would not type-check, so the key is filtered out instead).
      { for key, check in { healthCheck = each.value.health_check } : key => check if check != null },
    ),
  ])
}

# --- Services ------------------------------------------------------------------------------------

resource "aws_ecs_service" "web" {
  name                              = "web"
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.app["web"].arn
  desired_count                     = var.web_desired_count
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = 60
  enable_execute_command            = false
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = false
  tags                              = local.common_tags

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.app[*].id
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = "app"
    container_port   = 8000
  }

  lifecycle {
    # Autoscaling owns the running count once the service exists.
    ignore_changes = [desired_count]
  }

  # A task needs its roles' permissions and a value in every secret it reads before it can start.
  depends_on = [
    aws_lb_listener.https,
    aws_iam_role_policy.execution,
    aws_iam_role_policy.task,
    aws_secretsmanager_secret_version.app,
    aws_secretsmanager_secret_version.sentry_dsn,
  ]
}

resource "aws_ecs_service" "worker" {
  name                   = "worker"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.app["worker"].arn
  desired_count          = var.worker_desired_count
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false
  propagate_tags         = "SERVICE"
  tags                   = local.common_tags

  deployment_minimum_healthy_percent = 50
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.app[*].id
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  lifecycle {
    # Autoscaling on the queue depth owns the running count once the service exists.
    ignore_changes = [desired_count]
  }

  depends_on = [
    aws_iam_role_policy.execution,
    aws_iam_role_policy.task,
    aws_secretsmanager_secret_version.app,
    aws_secretsmanager_secret_version.sentry_dsn,
  ]
}

# Exactly one beat, ever: a deploy stops the old task before starting the new one, so no
# scheduled task is sent twice.
resource "aws_ecs_service" "beat" {
  name                   = "beat"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.app["beat"].arn
  desired_count          = 1
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false
  propagate_tags         = "SERVICE"
  tags                   = local.common_tags

  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.app[*].id
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  depends_on = [
    aws_iam_role_policy.execution,
    aws_iam_role_policy.task,
    aws_secretsmanager_secret_version.app,
    aws_secretsmanager_secret_version.sentry_dsn,
  ]
}

# --- Web autoscaling -----------------------------------------------------------------------------

resource "aws_appautoscaling_target" "web" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.web.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.web_min_count
  max_capacity       = var.web_max_count
}

resource "aws_appautoscaling_policy" "web_cpu" {
  name               = "${local.prefix}-web-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# --- Worker autoscaling --------------------------------------------------------------------------

# Target tracking on the backlog per worker: waiting Celery tasks (published by beat every minute)
# divided by the workers running (Container Insights). The queue depth alone does not fall in
# proportion as workers are added, which target tracking needs; the backlog per task does.
resource "aws_appautoscaling_target" "worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.worker_min_count
  max_capacity       = var.worker_max_count
}

resource "aws_appautoscaling_policy" "worker_queue_depth" {
  name               = "${local.prefix}-worker-queue-depth"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker.service_namespace
  resource_id        = aws_appautoscaling_target.worker.resource_id
  scalable_dimension = aws_appautoscaling_target.worker.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.worker_queue_depth_per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "depth"
        label       = "Waiting Celery tasks"
        return_data = false

        metric_stat {
          stat = "Maximum"

          metric {
            namespace   = local.queue_metric.namespace
            metric_name = local.queue_metric.name

            dimensions {
              name  = "Queue"
              value = local.queue_metric.queue
            }
          }
        }
      }

      metrics {
        id          = "workers"
        label       = "Running worker tasks"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"

            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.main.name
            }

            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.worker.name
            }
          }
        }
      }

      # Never divide by zero: with no worker running the backlog counts as all on one.
      metrics {
        id          = "backlog_per_worker"
        label       = "Waiting Celery tasks per worker"
        expression  = "IF(workers > 0, depth / workers, depth)"
        return_data = true
      }
    }
  }
}
