# The cell's only way out to the internet: an HTTP CONNECT proxy (Squid) with a domain allow-list.
# The application tasks have no route of their own to the internet (their security group allows
# PostgreSQL, Redis, the AWS endpoints and this proxy); what they must reach outside AWS, GOV.UK
# Notify and agencies' identity providers, they reach through here, by HTTPS_PROXY. Squid accepts
# CONNECT to port 443 of egress_allowed_domains and refuses everything else (plain HTTP, other
# ports, other hosts, bare IP addresses), so a compromised task cannot send data anywhere else.
#
# The proxy runs in the app subnets behind its own security group, the only one allowed 443 to
# 0.0.0.0/0, and leaves through the NAT gateways. The tasks find it by name through a Cloud Map
# private DNS namespace (egress.<prefix>.internal).

locals {
  internal_domain  = "${local.prefix}.internal"
  egress_proxy_url = "http://egress.${local.internal_domain}:3128"

  # Never proxied: the AWS APIs (through the VPC endpoints), the instance and task metadata and
  # credential endpoints, the container itself and the cell's own private names.
  no_proxy = join(",", [
    ".amazonaws.com",
    "169.254.169.254",
    "169.254.170.2",
    "localhost",
    "127.0.0.1",
    ".${local.internal_domain}",
  ])

  # squid.conf, rendered from the allow-list. "dstdomain -n" never matches a request by reverse DNS,
  # so CONNECT to a bare IP address is refused whatever it resolves to. Nothing is cached and the
  # access log (host and port of each CONNECT, never a path) goes to the container's stdout.
  squid_conf_lines = [
    "http_port 3128",
    "acl cell_network src ${var.vpc_cidr}",
    "acl https_port port 443",
    "acl CONNECT method CONNECT",
    "acl allowed_domains dstdomain -n ${join(" ", var.egress_allowed_domains)}",
    "http_access deny !cell_network",
    "http_access deny !CONNECT",
    "http_access deny !https_port",
    "http_access allow allowed_domains",
    "http_access deny all",
    "cache deny all",
    "via off",
    "forwarded_for delete",
    "pid_filename none",
    "coredump_dir /tmp",
    "access_log stdio:/dev/stdout",
    "cache_log stdio:/dev/stderr",
    "cache_store_log none",
  ]
  squid_conf = "${join("\n", local.squid_conf_lines)}\n"
}

# --- Discovery -----------------------------------------------------------------------------------

resource "aws_service_discovery_private_dns_namespace" "internal" {
  name        = local.internal_domain
  description = "Patchwork ${var.name}: private names of the cell's own services"
  vpc         = aws_vpc.main.id
  tags        = local.common_tags
}

resource "aws_service_discovery_service" "egress" {
  name = "egress"
  tags = local.common_tags

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.internal.id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  # ECS registers and deregisters the tasks as they become healthy or stop.
  health_check_custom_config {
    failure_threshold = 1
  }
}

# --- The proxy -----------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "egress" {
  name              = "/patchwork/${var.name}/egress"
  retention_in_days = local.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = local.common_tags
}

# No task role: the proxy calls no AWS API. The execution role pulls its image and writes its logs.
resource "aws_ecs_task_definition" "egress" {
  family                   = "${local.prefix}-egress"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.egress_proxy_cpu
  memory                   = var.egress_proxy_memory
  execution_role_arn       = aws_iam_role.execution.arn
  tags                     = local.common_tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  # The configuration travels in an environment variable and is written to the scratch volume at
  # start, so the root filesystem stays read-only. 13 is the "proxy" user of the Debian and Ubuntu
  # Squid packages.
  container_definitions = jsonencode([
    {
      name                   = "squid"
      image                  = var.egress_proxy_image
      essential              = true
      entryPoint             = ["/bin/sh", "-c"]
      command                = ["printf '%s' \"$SQUID_CONF\" > /tmp/squid.conf && exec squid -N -f /tmp/squid.conf"]
      user                   = "13:13"
      readonlyRootFilesystem = true
      privileged             = false
      environment            = [{ name = "SQUID_CONF", value = local.squid_conf }]
      portMappings           = [{ containerPort = 3128, protocol = "tcp" }]
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
          awslogs-group         = aws_cloudwatch_log_group.egress.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "egress"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "egress" {
  name                   = "egress"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.egress.arn
  desired_count          = var.egress_proxy_count
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false
  propagate_tags         = "SERVICE"
  tags                   = local.common_tags

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.app[*].id
    security_groups  = [aws_security_group.egress.id]
    assign_public_ip = false
  }

  service_registries {
    registry_arn = aws_service_discovery_service.egress.arn
  }

  # Error reports reach an allowed Sentry only through this proxy: a Sentry host the proxy would refuse
  # is a configuration that silently loses every report.
  lifecycle {
    precondition {
      condition     = alltrue([for host in var.sentry_allowed_hosts : contains(var.egress_allowed_domains, host) || anytrue([for domain in var.egress_allowed_domains : startswith(domain, ".") && endswith(host, domain)])])
      error_message = "Each of sentry_allowed_hosts must also be in egress_allowed_domains (the host, or a parent domain with a leading dot): the tasks reach it only through the egress proxy."
    }
  }

  depends_on = [aws_iam_role_policy.execution]
}
