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
  description = "Whose councils live in this cell: \"england\" or \"victoria\". It decides the regions the cell may be deployed to, log and audit retention, and PATCHWORK_JURISDICTION."
  type        = string

  validation {
    condition     = contains(["england", "victoria"], var.jurisdiction)
    error_message = "jurisdiction must be \"england\" or \"victoria\"."
  }
}

# Residency follows from the jurisdiction, not from a list the caller could widen. Each jurisdiction
# has exactly one region: the application refuses a council whose data region differs from the
# cell's region, so a second permitted region would only allow a cell that no council could use.
# Victoria is Melbourne only: Sydney is also in Australia, but a Sydney cell (for disaster recovery,
# say) is a decision to record here and in the application together, not a default.
#
# Retention (days) of the cell's logs and of the two audit buckets (audit.tf):
#   england  365:  NCSC logging guidance asks for at least six months; a year covers an annual
#                  audit cycle and the typical time to discover a breach, and no longer keeps
#                  IP addresses longer than needed (UK GDPR, storage limitation).
#   victoria 2557: seven years, the Australian ISM's minimum for event logs (ISM-0859), the
#                  baseline Victorian agencies hold suppliers to under the VPDSS.
locals {
  # The same map as the application's (tenants/jurisdictions.py; a test holds them equal). A cell runs in
  # one of them, and the application refuses a council whose data region is not the cell's own.
  jurisdiction_regions = {
    england  = ["eu-west-2"]
    victoria = ["ap-southeast-4", "ap-southeast-2"]
  }
  allowed_regions = local.jurisdiction_regions[var.jurisdiction]

  jurisdiction_log_retention_days = {
    england  = 365
    victoria = 2557
  }
  audit_retention_days = local.jurisdiction_log_retention_days[var.jurisdiction]
  # log_retention_days may lengthen the retention, never shorten it below the jurisdiction's.
  log_retention_days = max(local.audit_retention_days, coalesce(var.log_retention_days, 0))
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
  description = "Retention of CloudWatch log groups, if longer than the jurisdiction requires (365 days for England, 2557 for Victoria). Null keeps the jurisdiction's."
  type        = number
  default     = null

  validation {
    condition     = var.log_retention_days == null ? true : contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (for example 731, 1096, 2557)."
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

# --- Error reporting -----------------------------------------------------------------------------

variable "sentry_allowed_hosts" {
  description = "Hosts the application may send error reports to (SENTRY_ALLOWED_HOSTS): a self-hosted Sentry in the cell's jurisdiction. Empty allows none."
  type        = list(string)
  default     = []

  # Sentry's SaaS (sentry.io) has no UK or Australian region: events would leave the jurisdiction.
  validation {
    condition     = alltrue([for host in var.sentry_allowed_hosts : !can(regex("(^|\\.)sentry\\.io\\.?$", lower(host)))])
    error_message = "sentry_allowed_hosts must not name a sentry.io host: Sentry's SaaS has no UK or Australian region. Use a Sentry hosted in the cell's jurisdiction."
  }

  validation {
    condition     = alltrue([for host in var.sentry_allowed_hosts : can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", host))])
    error_message = "Each of sentry_allowed_hosts must be a lowercase host name such as \"sentry.example.gov.uk\" (no scheme, no port, no path)."
  }
}

# --- Monitoring (monitoring.tf) ------------------------------------------------------------------

variable "alarm_email_addresses" {
  description = "Addresses subscribed to the cell's alarm topic. Each one must confirm the subscription from the email AWS sends."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alarm_email_addresses must be email addresses."
  }
}

variable "alarm_thresholds" {
  description = "Alarm thresholds; any key left out keeps its default (monitoring.tf)."
  type = object({
    alb_5xx_per_5_minutes          = optional(number, 10)
    target_5xx_per_5_minutes       = optional(number, 10)
    target_response_time_p99_s     = optional(number, 2)
    rds_cpu_percent                = optional(number, 80)
    rds_free_storage_gib           = optional(number, 10)
    rds_freeable_memory_mib        = optional(number, 256)
    redis_memory_percent           = optional(number, 80)
    queue_depth                    = optional(number, 500)
    waf_blocked_requests_per_5_min = optional(number, 500)
  })
  default = {}
}

# --- Audit (audit.tf) ----------------------------------------------------------------------------

variable "enable_guardduty_detector" {
  description = "Create the account's GuardDuty detector in this region. Set false where one already exists (an account has at most one per region, often managed by the organisation)."
  type        = bool
  default     = true
}

# --- Worker scaling (compute.tf) -----------------------------------------------------------------

variable "worker_min_count" {
  description = "Fewest Celery worker tasks autoscaling may leave running."
  type        = number
  default     = 2

  validation {
    condition     = var.worker_min_count >= 1
    error_message = "worker_min_count must be at least 1: nothing else consumes the queue."
  }
}

variable "worker_max_count" {
  description = "Most Celery worker tasks autoscaling may start (each one opens database connections)."
  type        = number
  default     = 8
}

variable "worker_queue_depth_per_task" {
  description = "Target for worker autoscaling: waiting Celery tasks per running worker task."
  type        = number
  default     = 50
}

# --- Backups (backup.tf) -------------------------------------------------------------------------

variable "backup_retention_days" {
  description = "How long AWS Backup keeps each daily recovery point of the database and the media bucket (within the vault lock's 7-365 days)."
  type        = number
  default     = 35

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 365
    error_message = "backup_retention_days must be between 7 and 365 (the vault lock's bounds)."
  }
}

variable "backup_vault_lock_changeable_for_days" {
  description = "Days after the first apply during which the backup vault lock can still be changed or removed. After that it is permanent: no one, not even the account root, can delete a recovery point early."
  type        = number
  default     = 3

  validation {
    condition     = var.backup_vault_lock_changeable_for_days >= 3
    error_message = "AWS requires at least 3 days before a vault lock becomes immutable."
  }
}

# --- Secrets (secrets.tf) ------------------------------------------------------------------------

variable "secret_key_generation" {
  description = "Which SECRET_KEY the cell uses. Raise it by one to rotate the key: the previous generation's key stays accepted (SECRET_KEY_FALLBACKS) until the next rotation."
  type        = number
  default     = 1

  validation {
    condition     = var.secret_key_generation >= 1 && floor(var.secret_key_generation) == var.secret_key_generation
    error_message = "secret_key_generation must be a whole number, 1 or more."
  }
}
