# PostgreSQL 16, multi-AZ, encrypted with the cell's key, TLS required, point-in-time recovery
# over the backup retention window. One database holds every council of the cell, one schema
# per council (django-tenants). pgaudit records every change of schema and of roles and grants
# (who, when, what object), never the values in a statement.

resource "aws_db_subnet_group" "main" {
  name        = local.prefix
  description = "Patchwork ${var.name}: private data subnets"
  subnet_ids  = aws_subnet.data[*].id
  tags        = local.common_tags
}

resource "aws_db_parameter_group" "main" {
  name        = "${local.prefix}-postgres16"
  family      = "postgres16"
  description = "Patchwork ${var.name}: TLS only, connection logging, pgaudit DDL and roles, no statement logging"
  tags        = local.common_tags

  # Refuse any connection that is not TLS (the application also asks for verify-full).
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "ssl_min_protocol_version"
    value = "TLSv1.2"
  }

  parameter {
    name  = "password_encryption"
    value = "scram-sha-256"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  # Statements are not logged: their parameters would put personal data in the logs.
  parameter {
    name  = "log_statement"
    value = "none"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "-1"
  }

  # pgaudit, as RDS documents it: the library is loaded at start-up (a static parameter, so it
  # takes effect at the next reboot; apply_immediately is off), pgaudit.role names the role RDS
  # expects, and the extension is created in the database. The role "rds_pgaudit" and the
  # extension must exist: the release command creates both (CREATE ROLE rds_pgaudit; CREATE
  # EXTENSION IF NOT EXISTS pgaudit) as the master user. pg_stat_statements is RDS's default and
  # stays loaded.
  parameter {
    name         = "shared_preload_libraries"
    value        = "pg_stat_statements,pgaudit"
    apply_method = "pending-reboot"
  }

  parameter {
    name  = "pgaudit.role"
    value = "rds_pgaudit"
  }

  # Schema changes (CREATE/ALTER/DROP, including each council's schema) and role changes (CREATE/
  # ALTER ROLE, GRANT, REVOKE; pgaudit writes role passwords as <REDACTED>). Reads and writes of
  # rows are not logged: the application's own audit trail records those, without personal data.
  parameter {
    name  = "pgaudit.log"
    value = "ddl,role"
  }

  # Never the bound parameters of a statement: they are the values, and values are personal data.
  parameter {
    name  = "pgaudit.log_parameter"
    value = "0"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${local.prefix}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
  tags               = local.common_tags
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "main" {
  #checkov:skip=CKV2_AWS_30:Query logging is deliberately off: logged statements and their parameters would copy personal data into CloudWatch. Connections and errors are logged.
  identifier     = local.prefix
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class
  db_name        = "patchwork"
  username       = "patchwork"
  password       = random_password.database.result
  port           = 5432

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.main.arn

  multi_az               = true
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.main.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  iam_database_authentication_enabled = var.db_iam_auth_enabled

  # Point-in-time recovery to any second within the retention window.
  backup_retention_period   = var.db_backup_retention_days
  backup_window             = var.db_backup_window
  maintenance_window        = var.db_maintenance_window
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.prefix}-final"

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  apply_immediately           = false

  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.main.arn
  performance_insights_retention_period = 7

  tags = local.common_tags

  # RDS would otherwise create its log groups itself, unencrypted and kept forever.
  depends_on = [aws_cloudwatch_log_group.rds]
}
