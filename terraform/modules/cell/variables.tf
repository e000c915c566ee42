# --- Identity of the cell ------------------------------------------------------------------------

variable "name" {
  description = "Short name of the cell, used in every resource name (for example \"uk-london\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.name))
    error_message = "name must be 3-16 lowercase letters, digits or hyphens, starting with a letter (it ends up in names AWS limits to 32 characters)."
  }
}

variable "environment" {
  description = "Environment label (production, staging). Used in tags and in the Sentry environment."
  type        = string
  default     = "production"
}

variable "jurisdiction" {
  description = "Whose councils live in this cell: \"england\" or \"victoria\". Recorded in tags."
  type        = string

  validation {
    condition     = contains(["england", "victoria"], var.jurisdiction)
    error_message = "jurisdiction must be \"england\" or \"victoria\"."
  }
}

variable "allowed_regions" {
  description = "Regions this cell may be deployed to. Planning in any other region fails: data residency by construction."
  type        = list(string)

  validation {
    condition     = length(var.allowed_regions) > 0
    error_message = "allowed_regions must name at least one region."
  }
}

variable "tags" {
  description = "Extra tags for every resource that takes tags."
  type        = map(string)
  default     = {}
}

# --- DNS and the application's host names --------------------------------------------------------

variable "platform_domain" {
  description = "The platform's host (PLATFORM_DOMAIN). Councils answer at <slug>.<platform_domain>."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.platform_domain))
    error_message = "platform_domain must be a lowercase DNS name such as \"patchwork.example.gov.uk\"."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone that holds platform_domain: certificate validation, SES DKIM and the ALB alias records are written here."
  type        = string
}

variable "extra_allowed_hosts" {
  description = "Council custom domains to add to ALLOWED_HOSTS (the platform domain and its subdomains are always allowed)."
  type        = list(string)
  default     = []
}

variable "additional_certificate_arns" {
  description = "ACM certificates (in this region) for council custom domains, attached to the HTTPS listener."
  type        = list(string)
  default     = []
}

# --- Network -------------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the cell's VPC. A /16 is split into public /24s, private application /20s and private data /24s."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 16
    error_message = "vpc_cidr must be a valid IPv4 CIDR block of /16 or larger."
  }
}

variable "availability_zone_suffixes" {
  description = "Availability zones to use, as letters appended to the region (\"a\" -> eu-west-2a). Pinned by name so the set never changes under a plan."
  type        = list(string)
  default     = ["a", "b", "c"]

  validation {
    condition     = length(var.availability_zone_suffixes) >= 2 && length(var.availability_zone_suffixes) <= 3
    error_message = "Use 2 or 3 availability zones (multi-AZ RDS and Redis need at least two)."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per AZ (resilient) rather than a single shared one (cheaper)."
  type        = bool
  default     = true
}

# --- Application image and processes -------------------------------------------------------------

variable "image_tag" {
  description = "Tag (or digest, \"sha256:...\") of the application image in this cell's ECR repository, run by web, worker and beat."
  type        = string
}

variable "release_image_tag" {
  description = "Image tag for the release (migrate) task. Defaults to image_tag; set it ahead of image_tag to migrate before the services roll."
  type        = string
  default     = null
}

variable "web_cpu" {
  description = "Fargate CPU units for one web task."
  type        = number
  default     = 1024
}

variable "web_memory" {
  description = "Fargate memory (MiB) for one web task."
  type        = number
  default     = 2048
}

variable "web_gunicorn_workers" {
  description = "Gunicorn worker processes per web task (GUNICORN_WORKERS): CPUs + 1, of 4 threads each (docs/benchmarks.md)."
  type        = number
  default     = 2
}

variable "web_desired_count" {
  description = "Web tasks to start with; autoscaling moves between web_min_count and web_max_count."
  type        = number
  default     = 2
}

variable "web_min_count" {
  description = "Fewest web tasks autoscaling may leave running."
  type        = number
  default     = 2
}

variable "web_max_count" {
  description = "Most web tasks autoscaling may start."
  type        = number
  default     = 6
}

variable "worker_cpu" {
  description = "Fargate CPU units for one Celery worker task."
  type        = number
  default     = 512
}

variable "worker_memory" {
  description = "Fargate memory (MiB) for one Celery worker task."
  type        = number
  default     = 1024
}

variable "worker_desired_count" {
  description = "Number of Celery worker tasks."
  type        = number
  default     = 2
}

variable "beat_cpu" {
  description = "Fargate CPU units for the Celery beat task (there is only ever one)."
  type        = number
  default     = 256
}

variable "beat_memory" {
  description = "Fargate memory (MiB) for the Celery beat task."
  type        = number
  default     = 512
}

variable "release_cpu" {
  description = "Fargate CPU units for the release (migrate_schemas) task."
  type        = number
  default     = 1024
}

variable "release_memory" {
  description = "Fargate memory (MiB) for the release (migrate_schemas) task."
  type        = number
  default     = 2048
}

variable "migration_processes" {
  description = "Parallel schema migrations in the release task (MIGRATION_PROCESSES)."
  type        = number
  default     = 2
}

variable "health_check_path" {
  description = "Path the load balancer probes on each web task. It must answer 200 whatever the Host header (the ALB sends the task's IP)."
  type        = string
  default     = "/healthz"
}

variable "log_level" {
  description = "LOG_LEVEL for the application."
  type        = string
  default     = "INFO"
}

variable "default_from_email" {
  description = "DEFAULT_FROM_EMAIL. Empty means \"Patchwork <no-reply@<platform_domain>>\"."
  type        = string
  default     = ""
}

variable "sentry_dsn" {
  description = "Sentry DSN. Stored in Secrets Manager and injected as SENTRY_DSN; empty turns error reporting off (Secrets Manager cannot hold an empty value, so no secret version is written)."
  type        = string
  default     = ""
  sensitive   = true
}

# --- Database ------------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class for PostgreSQL."
  type        = string
  default     = "db.m6g.large"
}

variable "db_engine_version" {
  description = "PostgreSQL version. A major version alone (\"16\") lets RDS apply minor upgrades in the maintenance window."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^16(\\.[0-9]+)?$", var.db_engine_version))
    error_message = "This module is written for PostgreSQL 16 (parameter group family postgres16)."
  }
}

variable "db_allocated_storage" {
  description = "Initial storage (GiB)."
  type        = number
  default     = 100
}

variable "db_max_allocated_storage" {
  description = "Ceiling for storage autoscaling (GiB)."
  type        = number
  default     = 1000
}

variable "db_backup_retention_days" {
  description = "Automated backup retention, which is also the point-in-time recovery window."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 7 and 35."
  }
}

variable "db_iam_auth_enabled" {
  description = "Allow IAM database authentication (password authentication keeps working either way)."
  type        = bool
  default     = true
}

variable "db_backup_window" {
  description = "Daily backup window (UTC)."
  type        = string
  default     = "02:00-03:00"
}

variable "db_maintenance_window" {
  description = "Weekly maintenance window (UTC); must not overlap the backup window."
  type        = string
  default     = "sun:03:30-sun:04:30"
}

# --- Redis ---------------------------------------------------------------------------------------

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.medium"
}

variable "redis_engine_version" {
  description = "Redis OSS engine version."
  type        = string
  default     = "7.1"
}

# --- Storage, logs and retention -----------------------------------------------------------------

variable "media_bucket_name" {
  description = "Name of the media/invoices/exports bucket. Empty means patchwork-<name>-media-<account id>."
  type        = string
  default     = ""
}

variable "noncurrent_version_retention_days" {
  description = "How long overwritten or deleted object versions are kept in the media bucket."
  type        = number
  default     = 90
}

variable "log_retention_days" {
  description = "Retention of CloudWatch log groups."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (for example 90, 365, 731)."
  }
}

variable "access_log_retention_days" {
  description = "How long S3 server access logs and ALB access logs are kept in the logs bucket."
  type        = number
  default     = 365
}

# --- Edge ----------------------------------------------------------------------------------------

variable "waf_rate_limit" {
  description = "Requests per client IP per 5 minutes before the WAF blocks that IP."
  type        = number
  default     = 2000
}

variable "alb_deletion_protection" {
  description = "Protect the load balancer against deletion."
  type        = bool
  default     = true
}

# --- Egress, keys and bucket administration ------------------------------------------------------

variable "egress_allowed_domains" {
  description = "The only hosts the cell may reach on the internet, through the egress proxy (HTTPS, port 443): GOV.UK Notify's API, agencies' identity providers, Sentry's ingest host. A leading dot includes subdomains (\".example.org\")."
  type        = list(string)

  validation {
    condition     = length(var.egress_allowed_domains) > 0 && alltrue([for domain in var.egress_allowed_domains : can(regex("^\\.?([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,63}$", domain))])
    error_message = "egress_allowed_domains must list lowercase DNS names (\"api.notifications.service.gov.uk\", or \".example.org\" for its subdomains): no wildcards, no IP addresses, no bare top-level domain."
  }
}

variable "egress_proxy_image" {
  description = "The Squid image of the egress proxy, pinned by digest (\"<repository>@sha256:<64 hex digits>\"), for example Canonical's ubuntu/squid from a registry the proxy can reach."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.egress_proxy_image))
    error_message = "egress_proxy_image must be pinned by digest: \"<repository>@sha256:<64 lowercase hex digits>\" (a tag can be moved to another image)."
  }
}

variable "egress_proxy_count" {
  description = "Egress proxy tasks (two, in different zones, so that one can fail or be replaced)."
  type        = number
  default     = 2
}

variable "egress_proxy_cpu" {
  description = "Fargate CPU units for one egress proxy task."
  type        = number
  default     = 256
}

variable "egress_proxy_memory" {
  description = "Fargate memory (MiB) for one egress proxy task."
  type        = number
  default     = 512
}

variable "key_administrator_arns" {
  description = "IAM roles or users that administer the cell's KMS key (rotation, policy, tags, deletion) without being able to encrypt or decrypt with it. The account can always administer it through IAM as well."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.key_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "key_administrator_arns must be IAM role or user ARNs."
  }
}

variable "bucket_administrator_arns" {
  description = "IAM roles (or role patterns) that may reach the media bucket from outside the cell's network: the role that runs Terraform, break-glass administrators, the AWS Backup role that backs the bucket up. Everyone else is refused unless the request comes through the cell's S3 gateway endpoint."
  type        = list(string)

  validation {
    condition     = length(var.bucket_administrator_arns) > 0 && alltrue([for arn in var.bucket_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "bucket_administrator_arns must name at least the role that runs Terraform (its plans read the bucket from outside the VPC), as IAM role or user ARNs."
  }
}

variable "waf_sign_in_rate_limit" {
  description = "POST requests per client IP per 5 minutes to /sign-in/... (password, second-factor code, passkey, organisation) and, separately, to /password-reset/... before the WAF blocks that IP."
  type        = number
  default     = 100

  validation {
    condition     = var.waf_sign_in_rate_limit >= 10 && var.waf_sign_in_rate_limit <= 2000
    error_message = "waf_sign_in_rate_limit must be between 10 (the WAF's minimum) and 2000."
  }
}
