# The application's secrets, in Secrets Manager encrypted with the cell's key, injected into the
# containers by ECS (the values never appear in a task definition). Terraform generates them, so
# they are also in the state: the state bucket must be encrypted and tightly held (README.md).

# Django's SECRET_KEY signs sessions, password-reset and download links, and keys the backup codes'
# hashes. Rotating it is one apply: raise secret_key_generation by one. The key of the generation
# before stays as SECRET_KEY_FALLBACKS, so nobody is signed out and no printed backup code stops
# working; the one before that is destroyed (docs/runbooks/rotate-secrets.md).
resource "random_password" "secret_key" {
  for_each = toset([tostring(var.secret_key_generation), tostring(var.secret_key_generation - 1)])

  length  = 64
  special = true
}

# The single key of earlier versions of this module is generation 1's.
moved {
  from = random_password.secret_key
  to   = random_password.secret_key["1"]
}

# The key that encrypts agencies' identity providers' client secrets in the database (core/sso/encryption.py):
# 32 random bytes, base64 (a Fernet key). Rotating means putting a new key first, the old one after it.
resource "random_bytes" "sso_secret_key" {
  length = 32
}

# URL-safe characters only: these passwords are embedded in connection URLs.
resource "random_password" "database" {
  length  = 40
  special = false
}

# The application's own database role (patchwork_app), separate from the RDS master user, which
# owns the schemas and is used only for migrations and provisioning (docs/adr/0008).
resource "random_password" "database_app" {
  length  = 40
  special = false
}

# ElastiCache AUTH tokens: 16-128 printable characters, a restricted set of symbols.
resource "random_password" "redis_auth" {
  length  = 64
  special = false
}

locals {
  redis_endpoint = aws_elasticache_replication_group.main.primary_endpoint_address
  redis_auth     = urlencode(random_password.redis_auth.result)
  database_host  = "${aws_db_instance.main.address}:${aws_db_instance.main.port}/${aws_db_instance.main.db_name}"
  database_app   = "patchwork_app"

  secret_values = {
    SECRET_KEY           = random_password.secret_key[tostring(var.secret_key_generation)].result
    SECRET_KEY_FALLBACKS = random_password.secret_key[tostring(var.secret_key_generation - 1)].result
    SSO_SECRET_KEYS      = random_bytes.sso_secret_key.base64
    DATABASE_URL         = "postgres://${local.database_app}:${urlencode(random_password.database_app.result)}@${local.database_host}?sslmode=verify-full"
    DATABASE_OWNER_URL   = "postgres://${aws_db_instance.main.username}:${urlencode(random_password.database.result)}@${local.database_host}?sslmode=verify-full"
    CELERY_BROKER_URL    = "rediss://:${local.redis_auth}@${local.redis_endpoint}:6379/0?ssl_cert_reqs=required"
    CACHE_URL            = "rediss://:${local.redis_auth}@${local.redis_endpoint}:6379/1?ssl_cert_reqs=required"
  }

  # Secrets Manager cannot store an empty string, so SENTRY_DSN exists only once there is a DSN.
  sentry_enabled = nonsensitive(var.sentry_dsn != "")
  secret_names   = concat(keys(local.secret_values), local.sentry_enabled ? ["SENTRY_DSN"] : [])
  # The master user's URL goes only to the processes that migrate or provision (compute.tf).
  owner_secret_names = ["DATABASE_OWNER_URL"]
}

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:Rotation is a deliberate operation (replace the random_password and apply) because each value is embedded in a URL and in RDS or ElastiCache; there is no rotation Lambda.
  for_each = toset(concat(keys(local.secret_values), ["SENTRY_DSN"]))

  name                    = "patchwork/${var.name}/${each.key}"
  description             = "Patchwork ${var.name}: ${each.key}"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 30
  tags                    = local.common_tags
}

resource "aws_secretsmanager_secret_version" "app" {
  for_each = toset(keys(local.secret_values))

  secret_id     = aws_secretsmanager_secret.app[each.key].id
  secret_string = local.secret_values[each.key]
}

resource "aws_secretsmanager_secret_version" "sentry_dsn" {
  count = local.sentry_enabled ? 1 : 0

  secret_id     = aws_secretsmanager_secret.app["SENTRY_DSN"].id
  secret_string = var.sentry_dsn
}
