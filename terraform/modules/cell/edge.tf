# The way in: a wildcard certificate for the platform and every council's subdomain, an
# internet-facing ALB that speaks HTTPS only (TLS 1.3, or 1.2 with AEAD ciphers only; HTTP is a
# redirect), and a WAF web ACL with AWS managed rule groups, a per-IP rate limit and a tighter one
# on signing in, in front of it.
#
# The WAF log is the edge log. ALB access logs are off: they record each request line whole, with
# its query string (search terms, which are children's names) and cannot redact it; the WAF log
# records every request too, with the query string, Referer, cookies, authorization and CSRF token
# redacted.

# --- Certificate ---------------------------------------------------------------------------------

resource "aws_acm_certificate" "platform" {
  domain_name               = "*.${var.platform_domain}"
  subject_alternative_names = [var.platform_domain]
  validation_method         = "DNS"
  key_algorithm             = "RSA_2048"
  tags                      = merge(local.common_tags, { Name = var.platform_domain })

  lifecycle {
    create_before_destroy = true
  }
}

# The wildcard and the apex share one validation record; allow_overwrite lets both entries write it.
resource "aws_route53_record" "certificate_validation" {
  for_each = {
    for option in aws_acm_certificate.platform.domain_validation_options : option.domain_name => {
      name   = option.resource_record_name
      type   = option.resource_record_type
      record = option.resource_record_value
    }
  }

  zone_id         = var.route53_zone_id
  name            = each.value.name
  type            = each.value.type
  ttl             = 300
  records         = [each.value.record]
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "platform" {
  certificate_arn         = aws_acm_certificate.platform.arn
  validation_record_fqdns = [for record in aws_route53_record.certificate_validation : record.fqdn]
}

# --- Load balancer -------------------------------------------------------------------------------

resource "aws_lb" "main" {
  #checkov:skip=CKV_AWS_91:ALB access logs record every query string (search terms are children's names) and cannot redact it; the WAF logging configuration logs every request with the query string, Referer, cookies, authorization and CSRF token redacted.
  name                       = local.prefix
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.public[*].id
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "defensive"
  enable_deletion_protection = var.alb_deletion_protection
  enable_http2               = true
  idle_timeout               = 60
  tags                       = local.common_tags

  # The WAF log (below) is the edge log, redacted; see the top of this file.
  access_logs {
    bucket  = aws_s3_bucket.logs.id
    prefix  = "alb"
    enabled = false
  }
}

resource "aws_lb_listener" "http_redirect" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"
  tags              = local.common_tags

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" # TLS 1.3, or 1.2 with AEAD (GCM) ciphers only: no CBC
  certificate_arn   = aws_acm_certificate_validation.platform.certificate_arn
  tags              = local.common_tags

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb_listener_certificate" "council_domains" {
  for_each = toset(var.additional_certificate_arns)

  listener_arn    = aws_lb_listener.https.arn
  certificate_arn = each.value
}

# TLS ends at the load balancer; from there to the task is plain HTTP inside the VPC, on a port
# only the load balancer's security group may reach.
resource "aws_lb_target_group" "web" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the ALB; the hop to the task stays inside the private VPC and only the ALB's security group can reach port 8000.
  name                 = "${local.prefix}-web"
  port                 = 8000
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_vpc.main.id
  deregistration_delay = 30
  tags                 = local.common_tags

  health_check {
    enabled             = true
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  lifecycle {
    create_before_destroy = true
  }
}

# --- DNS -----------------------------------------------------------------------------------------

resource "aws_route53_record" "platform" {
  for_each = toset([var.platform_domain, "*.${var.platform_domain}"])

  zone_id = var.route53_zone_id
  name    = each.value
  type    = "A"

  alias {
    name                   = aws_lb.main.dns_name
    zone_id                = aws_lb.main.zone_id
    evaluate_target_health = true
  }
}

# --- WAF -----------------------------------------------------------------------------------------

resource "aws_wafv2_web_acl" "main" {
  name        = local.prefix
  description = "Patchwork ${var.name}: AWS managed rules and a per-IP rate limit"
  scope       = "REGIONAL"
  tags        = local.common_tags

  default_action {
    allow {}
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 0

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.prefix}-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  # Signing in, the second-factor code and password reset answer far fewer requests per person than
  # the rest of the site: a tighter limit there slows password and code guessing from one address
  # (the application's own lockout, SECURITY.md AUTH-4, still applies per account). Only POSTs to
  # those paths count. One rule per path keeps each scope-down a plain AND of two byte matches.
  dynamic "rule" {
    for_each = local.waf_sign_in_paths

    content {
      name     = "rate-limit-${rule.key}-per-ip"
      priority = rule.value.priority

      action {
        block {}
      }

      statement {
        rate_based_statement {
          limit              = var.waf_sign_in_rate_limit
          aggregate_key_type = "IP"

          scope_down_statement {
            and_statement {
              statement {
                byte_match_statement {
                  search_string         = "POST"
                  positional_constraint = "EXACTLY"

                  field_to_match {
                    method {}
                  }

                  text_transformation {
                    priority = 0
                    type     = "NONE"
                  }
                }
              }

              statement {
                byte_match_statement {
                  search_string         = rule.value.path
                  positional_constraint = "STARTS_WITH"

                  field_to_match {
                    uri_path {}
                  }

                  text_transformation {
                    priority = 0
                    type     = "LOWERCASE"
                  }
                }
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.prefix}-rate-limit-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  rule {
    name     = "aws-ip-reputation"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.prefix}-ip-reputation"
      sampled_requests_enabled   = true
    }
  }

  # Anonymisers (Tor, open proxies) are blocked. Hosting-provider addresses are only counted:
  # council networks often reach the internet through cloud-hosted proxies.
  rule {
    name     = "aws-anonymous-ip"
    priority = 15

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAnonymousIpList"

        rule_action_override {
          name = "HostingProviderIPList"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.prefix}-anonymous-ip"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-common"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        # Uploads (documents, images) are larger than the rule's 8 KB body limit; Django enforces
        # its own upload limits, so oversized bodies are counted, not blocked.
        rule_action_override {
          name = "SizeRestrictions_BODY"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.prefix}-common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.prefix}-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-sqli"
    priority = 40

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesSQLiRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.prefix}-sqli"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-linux"
    priority = 50

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesLinuxRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.prefix}-linux"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.prefix
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "alb" {
  resource_arn = aws_lb.main.arn
  web_acl_arn  = aws_wafv2_web_acl.main.arn
}

# The paths the sign-in rate limit covers (core/accounts/urls.py, core/sso/urls.py): the password
# step, the second-factor code, set-up, passkey and organisation sign-in all start with /sign-in/;
# password reset and its confirmation with /password-reset/.
locals {
  waf_sign_in_paths = {
    "sign-in"        = { path = "/sign-in/", priority = 1 }
    "password-reset" = { path = "/password-reset/", priority = 2 }
  }
}

# The edge log: every request, with the parts that carry credentials or personal data redacted.
resource "aws_wafv2_web_acl_logging_configuration" "main" {
  resource_arn            = aws_wafv2_web_acl.main.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  redacted_fields {
    single_header {
      name = "cookie"
    }
  }

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  redacted_fields {
    single_header {
      name = "x-csrftoken"
    }
  }

  redacted_fields {
    single_header {
      name = "referer"
    }
  }

  redacted_fields {
    query_string {}
  }
}
