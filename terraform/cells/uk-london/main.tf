# Cell "uk-london": every English council's data lives here, in eu-west-2 (London), and nowhere
# else. The module refuses to plan in any other region: England's only region is eu-west-2.
#
#   terraform init -backend-config=bucket=<state bucket in eu-west-2> -backend-config=kms_key_id=<key ARN>
#   terraform plan -var-file=production.tfvars

terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Partial configuration: bucket (and kms_key_id) come from -backend-config at init. The state
  # holds generated secrets, so it stays in the cell's region, encrypted, with S3 native locking.
  backend "s3" {
    key          = "cells/uk-london/terraform.tfstate"
    region       = "eu-west-2"
    encrypt      = true
    use_lockfile = true
  }
}

variable "aws_account_id" {
  description = "The AWS account this cell lives in; the provider refuses any other."
  type        = string
}

variable "platform_domain" {
  description = "Host of the UK platform, for example \"patchwork.example.gov.uk\"."
  type        = string
}

variable "route53_zone_id" {
  description = "Hosted zone holding platform_domain."
  type        = string
}

variable "image_tag" {
  description = "Application image tag or digest to run."
  type        = string
}

variable "release_image_tag" {
  description = "Image tag for the release (migrate) task; defaults to image_tag."
  type        = string
  default     = null
}

variable "sentry_dsn" {
  description = "Sentry DSN (empty: no error reporting)."
  type        = string
  default     = ""
  sensitive   = true
}

variable "extra_allowed_hosts" {
  description = "Council custom domains served by this cell."
  type        = list(string)
  default     = []
}

variable "additional_certificate_arns" {
  description = "ACM certificates for council custom domains."
  type        = list(string)
  default     = []
}

variable "egress_proxy_image" {
  description = "Squid image of the egress proxy, pinned by digest (<repository>@sha256:<digest>)."
  type        = string
}

variable "bucket_administrator_arns" {
  description = "Roles that may reach the media bucket from outside the cell's network: at least the role that runs Terraform."
  type        = list(string)
}

variable "key_administrator_arns" {
  description = "Roles that administer the cell's KMS key without being able to use it."
  type        = list(string)
  default     = []
}

provider "aws" {
  region              = "eu-west-2"
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = {
      Application = "patchwork"
      Cell        = "uk-london"
      ManagedBy   = "terraform"
    }
  }
}

module "cell" {
  source = "../../modules/cell"

  name         = "uk-london"
  environment  = "production"
  jurisdiction = "england"

  platform_domain             = var.platform_domain
  route53_zone_id             = var.route53_zone_id
  extra_allowed_hosts         = var.extra_allowed_hosts
  additional_certificate_arns = var.additional_certificate_arns

  image_tag         = var.image_tag
  release_image_tag = var.release_image_tag
  sentry_dsn        = var.sentry_dsn

  # The only hosts the cell reaches on the internet (through its egress proxy). Add Sentry's ingest
  # host with a DSN, and an agency's identity provider before that agency signs in with it.
  egress_allowed_domains = ["api.notifications.service.gov.uk", "login.microsoftonline.com"]
  egress_proxy_image     = var.egress_proxy_image

  bucket_administrator_arns = var.bucket_administrator_arns
  key_administrator_arns    = var.key_administrator_arns

  vpc_cidr = "10.40.0.0/16"
}

output "cell" {
  description = "Everything the cell exposes (ECR repository, ALB, release command, ...)."
  value       = module.cell
}
