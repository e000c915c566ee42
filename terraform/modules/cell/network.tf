# Three tiers of subnets in each availability zone:
#   public  (/24): the load balancer and the NAT gateways, nothing else;
#   app     (/20): Fargate tasks, no public IPs. The application reaches AWS through VPC endpoints
#                  (interface endpoints, S3 by the gateway endpoint) and nothing else directly: the
#                  only way out to the internet is the egress proxy (egress.tf), whose security group
#                  alone may use the route to NAT;
#   data    (/24): RDS and Redis, no route out of the VPC at all.

locals {
  azs         = [for suffix in var.availability_zone_suffixes : "${local.region}${suffix}"]
  az_count    = length(local.azs)
  nat_count   = var.nat_gateway_per_az ? local.az_count : 1
  public_cidr = [for i in range(local.az_count) : cidrsubnet(var.vpc_cidr, 8, i)]
  app_cidr    = [for i in range(local.az_count) : cidrsubnet(var.vpc_cidr, 4, i + 1)]
  data_cidr   = [for i in range(local.az_count) : cidrsubnet(var.vpc_cidr, 8, i + 64)]
}

# The zones are named, not discovered, so an AZ that AWS adds (or one that is briefly impaired)
# never changes the plan; this look-up only proves the named zones exist in the region.
data "aws_availability_zones" "pinned" {
  filter {
    name   = "zone-name"
    values = local.azs
  }

  lifecycle {
    postcondition {
      condition     = length(self.names) == length(local.azs)
      error_message = "Not every zone in ${join(", ", local.azs)} exists in ${local.region}; check availability_zone_suffixes."
    }
  }
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.common_tags, { Name = local.prefix })
}

# Nothing may use the default security group: it allows nothing in and nothing out.
resource "aws_default_security_group" "main" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.common_tags, { Name = "${local.prefix}-default-unused" })
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.common_tags, { Name = local.prefix })
}

resource "aws_subnet" "public" {
  count = local.az_count

  vpc_id                  = aws_vpc.main.id
  cidr_block              = local.public_cidr[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false
  tags                    = merge(local.common_tags, { Name = "${local.prefix}-public-${local.azs[count.index]}", Tier = "public" })
}

resource "aws_subnet" "app" {
  count = local.az_count

  vpc_id            = aws_vpc.main.id
  cidr_block        = local.app_cidr[count.index]
  availability_zone = local.azs[count.index]
  tags              = merge(local.common_tags, { Name = "${local.prefix}-app-${local.azs[count.index]}", Tier = "app" })
}

resource "aws_subnet" "data" {
  count = local.az_count

  vpc_id            = aws_vpc.main.id
  cidr_block        = local.data_cidr[count.index]
  availability_zone = local.azs[count.index]
  tags              = merge(local.common_tags, { Name = "${local.prefix}-data-${local.azs[count.index]}", Tier = "data" })
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"
  tags   = merge(local.common_tags, { Name = "${local.prefix}-nat-${local.azs[count.index]}" })

  depends_on = [aws_internet_gateway.main]
}

resource "aws_nat_gateway" "main" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = merge(local.common_tags, { Name = "${local.prefix}-${local.azs[count.index]}" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.common_tags, { Name = "${local.prefix}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.main.id
}

resource "aws_route_table_association" "public" {
  count = local.az_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "app" {
  count = local.az_count

  vpc_id = aws_vpc.main.id
  tags   = merge(local.common_tags, { Name = "${local.prefix}-app-${local.azs[count.index]}" })
}

resource "aws_route" "app_nat" {
  count = local.az_count

  route_table_id         = aws_route_table.app[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.main[var.nat_gateway_per_az ? count.index : 0].id
}

resource "aws_route_table_association" "app" {
  count = local.az_count

  subnet_id      = aws_subnet.app[count.index].id
  route_table_id = aws_route_table.app[count.index].id
}

# The data tier has a route table of its own with no route out of the VPC.
resource "aws_route_table" "data" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.common_tags, { Name = "${local.prefix}-data" })
}

resource "aws_route_table_association" "data" {
  count = local.az_count

  subnet_id      = aws_subnet.data[count.index].id
  route_table_id = aws_route_table.data.id
}

# --- VPC endpoints -------------------------------------------------------------------------------

# S3 traffic from the tasks stays on the AWS network (and in the region) through a gateway endpoint.
# Its policy lets the cell's own principals reach the cell's own account's buckets, and ECR's layer
# bucket for image pulls; copying data to a bucket in another account through it is refused.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.app[*].id
  policy            = data.aws_iam_policy_document.s3_endpoint.json
  tags              = merge(local.common_tags, { Name = "${local.prefix}-s3" })
}

data "aws_iam_policy_document" "s3_endpoint" {
  #checkov:skip=CKV_AWS_283:An endpoint policy only narrows what passes the endpoint (IAM and bucket policies still decide). The statement without an account condition allows reading ECR's regional layer bucket, which image pulls reach through ECR's pre-signed URLs.
  statement {
    sid       = "ThisAccountsBucketsOnly"
    effect    = "Allow"
    actions   = ["s3:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceAccount"
      values   = [local.account_id]
    }
  }

  # Fargate pulls image layers from ECR's own bucket in the region (an AWS account, not ours).
  statement {
    sid       = "EcrImageLayers"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::prod-${local.region}-starport-layer-bucket/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

# Every AWS API the tasks call, reached at a private address in the app subnets. Private DNS makes
# the regional names (secretsmanager.<region>.amazonaws.com, ...) resolve to the endpoints, so the
# SDKs need no configuration; NO_PROXY keeps those calls off the egress proxy.
locals {
  # Endpoint => the IAM prefix of its actions (endpoint policies allow only those).
  interface_endpoints = {
    "ecr.api"      = "ecr"            # image pulls: authorisation and manifests
    "ecr.dkr"      = "ecr"            # image pulls: the registry
    logs           = "logs"           # the awslogs driver
    secretsmanager = "secretsmanager" # secrets injected by ECS; GOV.UK Notify keys read by the worker
    kms            = "kms"            # calls the tasks make with the cell's key
    sts            = "sts"            # the SDKs' regional STS endpoint
    email          = "ses"            # SES API: django-ses and the SES v2 transport
    monitoring     = "cloudwatch"     # CloudWatch metrics: beat publishes queue depth
  }

  # Endpoint policies: only this account's principals, and only the endpoint's own service. The SES
  # API endpoint keeps the default policy (its support for endpoint policies is not documented);
  # the task roles' own policies limit SES to sending as the platform domain.
  endpoints_without_policy = ["email"]
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoints

  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.app[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  policy              = contains(local.endpoints_without_policy, each.key) ? null : data.aws_iam_policy_document.interface_endpoint[each.key].json
  tags                = merge(local.common_tags, { Name = "${local.prefix}-${each.key}" })
}

data "aws_iam_policy_document" "interface_endpoint" {
  for_each = { for endpoint, actions in local.interface_endpoints : endpoint => actions if !contains(local.endpoints_without_policy, endpoint) }

  statement {
    sid       = "ThisAccountOnly"
    effect    = "Allow"
    actions   = ["${each.value}:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalAccount"
      values   = [local.account_id]
    }
  }
}

# --- Flow logs -----------------------------------------------------------------------------------

resource "aws_flow_log" "vpc" {
  vpc_id                   = aws_vpc.main.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = aws_iam_role.flow_logs.arn
  max_aggregation_interval = 60
  tags                     = local.common_tags
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "${local.prefix}-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json
  tags               = local.common_tags
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = ["${aws_cloudwatch_log_group.flow_logs.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

# --- Security groups -----------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name        = "${local.prefix}-alb"
  description = "Patchwork load balancer: HTTPS (and HTTP, redirected) from the internet"
  vpc_id      = aws_vpc.main.id
  tags        = merge(local.common_tags, { Name = "${local.prefix}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from anywhere"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  #checkov:skip=CKV_AWS_260:Port 80 only answers with a 301 to HTTPS (listener "http_redirect"); no content is served over HTTP.
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere, redirected to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_web" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the web tasks"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_security_group" "app" {
  name        = "${local.prefix}-app"
  description = "Patchwork tasks (web, worker, beat, release)"
  vpc_id      = aws_vpc.main.id
  tags        = merge(local.common_tags, { Name = "${local.prefix}-app" })
}

resource "aws_vpc_security_group_ingress_rule" "web_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "Gunicorn, from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.alb.id
}

# No rule to 0.0.0.0/0: the tasks reach AWS through the endpoints and S3's gateway, the internet
# only through the egress proxy.
resource "aws_vpc_security_group_egress_rule" "app_endpoints" {
  security_group_id            = aws_security_group.app.id
  description                  = "HTTPS to the AWS interface endpoints"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.endpoints.id
}

resource "aws_vpc_security_group_egress_rule" "app_s3" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to S3 through the gateway endpoint (the regional S3 prefix list)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id
}

resource "aws_vpc_security_group_egress_rule" "app_egress_proxy" {
  security_group_id            = aws_security_group.app.id
  description                  = "The egress proxy (GOV.UK Notify, identity providers)"
  ip_protocol                  = "tcp"
  from_port                    = 3128
  to_port                      = 3128
  referenced_security_group_id = aws_security_group.egress.id
}

resource "aws_vpc_security_group_egress_rule" "app_postgres" {
  security_group_id            = aws_security_group.app.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.database.id
}

resource "aws_vpc_security_group_egress_rule" "app_redis" {
  security_group_id            = aws_security_group.app.id
  description                  = "Redis (TLS)"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.redis.id
}

# No egress rules on the data tier's groups: they answer, they never call out.
resource "aws_security_group" "database" {
  name        = "${local.prefix}-database"
  description = "Patchwork PostgreSQL: from the tasks only"
  vpc_id      = aws_vpc.main.id
  tags        = merge(local.common_tags, { Name = "${local.prefix}-database" })
}

resource "aws_vpc_security_group_ingress_rule" "database_from_app" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_security_group" "redis" {
  name        = "${local.prefix}-redis"
  description = "Patchwork Redis: from the tasks only"
  vpc_id      = aws_vpc.main.id
  tags        = merge(local.common_tags, { Name = "${local.prefix}-redis" })
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_app" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the tasks"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.app.id
}

# The interface endpoints answer the tasks and the egress proxy (whose log driver writes through the
# logs endpoint and which pulls its image through ECR's), on 443 only.
resource "aws_security_group" "endpoints" {
  name        = "${local.prefix}-endpoints"
  description = "Patchwork AWS interface endpoints: HTTPS from the tasks and the egress proxy only"
  vpc_id      = aws_vpc.main.id
  tags        = merge(local.common_tags, { Name = "${local.prefix}-endpoints" })
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_app" {
  security_group_id            = aws_security_group.endpoints.id
  description                  = "HTTPS from the tasks"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_egress" {
  security_group_id            = aws_security_group.endpoints.id
  description                  = "HTTPS from the egress proxy (its logs and image)"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.egress.id
}

# The egress proxy: the only group in the cell allowed to open connections to the internet, and only
# to port 443 (Squid refuses CONNECT to anything but the allowed domains on 443).
resource "aws_security_group" "egress" {
  name        = "${local.prefix}-egress"
  description = "Patchwork egress proxy: 3128 from the tasks, HTTPS out to allowed domains"
  vpc_id      = aws_vpc.main.id
  tags        = merge(local.common_tags, { Name = "${local.prefix}-egress" })
}

resource "aws_vpc_security_group_ingress_rule" "egress_from_app" {
  security_group_id            = aws_security_group.egress.id
  description                  = "Proxy requests from the tasks"
  ip_protocol                  = "tcp"
  from_port                    = 3128
  to_port                      = 3128
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_egress_rule" "egress_https" {
  security_group_id = aws_security_group.egress.id
  description       = "HTTPS to the allowed domains, through NAT (Squid enforces the allow-list)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
