"""Policy tests of the cell: data residency follows the jurisdiction, the cell is watched (alarms,
CloudTrail, GuardDuty, pgaudit), its audit record and backups cannot be deleted early and never leave
the region, and each process starts, is health-checked and scales as the application expects.

Each property is an assertion function run on the parsed module; where it is cheap, the same function
is run on a tampered copy to show that it catches the problem it is there for.
"""

import copy
import re
from typing import Any

import pytest

from tenants.jurisdictions import Jurisdiction, data_regions_for
from tests.infra.hcl import cell, deployment, statements

PROCESSES = ["web", "worker", "beat", "release"]
# An application task that makes 3 bad checks in a row is replaced; the timings the application expects.
HEALTH_CHECK_TIMING = {"interval": 30, "timeout": 10, "retries": 3, "startPeriod": 60}


def _processes() -> dict[str, dict[str, Any]]:
    return cell().locals["processes"]


def _environment() -> dict[str, str]:
    return {item["name"]: item["value"] for item in cell().locals["app_environment"]}


# --- Residency -----------------------------------------------------------------------------------


def assert_each_jurisdiction_has_only_its_own_region(regions: dict[str, list[str]]) -> None:
    # The same regions the application allows each jurisdiction (tenants/jurisdictions.py), in the same order.
    assert regions == {jurisdiction.value: list(data_regions_for(jurisdiction)) for jurisdiction in Jurisdiction}
    assert regions["england"] == ["eu-west-2"]
    assert set(regions["victoria"]) <= {"ap-southeast-4", "ap-southeast-2"}  # Australia only


def test_the_module_maps_each_jurisdiction_to_the_regions_the_application_allows_it() -> None:
    module = cell()
    assert_each_jurisdiction_has_only_its_own_region(module.locals["jurisdiction_regions"])
    assert module.locals["allowed_regions"] == "${local.jurisdiction_regions[var.jurisdiction]}"


def test_a_jurisdiction_map_that_lets_england_into_another_region_is_caught() -> None:
    tampered = copy.deepcopy(cell().locals["jurisdiction_regions"])
    tampered["england"].append("us-east-1")
    with pytest.raises(AssertionError):
        assert_each_jurisdiction_has_only_its_own_region(tampered)


def test_no_caller_can_widen_the_regions_neither_the_module_nor_the_cells_take_allowed_regions() -> None:
    assert "allowed_regions" not in cell().variables
    for name in ["uk-london", "au-melbourne"]:
        module_call = deployment(name).blocks["module"][0]["cell"]
        assert "allowed_regions" not in module_call
    assert deployment("uk-london").blocks["module"][0]["cell"]["jurisdiction"] == "england"
    assert deployment("au-melbourne").blocks["module"][0]["cell"]["jurisdiction"] == "victoria"


def test_a_plan_outside_the_jurisdictions_region_fails_on_the_cluster_precondition() -> None:
    [lifecycle] = cell().resource("aws_ecs_cluster", "main")["lifecycle"]
    [precondition] = lifecycle["precondition"]
    assert precondition["condition"] == "${contains(local.allowed_regions, local.region)}"


def test_every_container_knows_its_jurisdiction_region_and_the_egress_proxy() -> None:
    environment = _environment()
    assert environment["PATCHWORK_JURISDICTION"] == "${var.jurisdiction}"
    assert environment["AWS_REGION"] == "${local.region}"
    assert environment["SENTRY_ALLOWED_HOSTS"] == '${join(",", var.sentry_allowed_hosts)}'
    assert environment["AWS_AUDIT_ARCHIVE_BUCKET_NAME"] == "${aws_s3_bucket.audit_archive.id}"
    assert environment["HTTPS_PROXY"] == environment["HTTP_PROXY"] == "${local.egress_proxy_url}"
    assert environment["NO_PROXY"] == "${local.no_proxy}"
    definition = cell().resource("aws_ecs_task_definition", "app")
    assert definition["for_each"] == "${local.processes}"
    assert "environment            = concat(local.app_environment, each.value.environment)" in cell().text


def _sentry_host_is_refused(host: str) -> bool:
    """The validation's regular expression, as Terraform applies it (RE2 and Python agree on it)."""
    [no_saas, _] = cell().variables["sentry_allowed_hosts"]["validation"]
    pattern = re.search(r'regex\("(.+?)", lower\(host\)\)', no_saas["condition"]).group(1)
    return re.search(pattern.replace("\\\\", "\\"), host.lower()) is not None


@pytest.mark.parametrize("host", ["sentry.io", "o123.ingest.sentry.io", "O1.INGEST.DE.SENTRY.IO", "sentry.io."])
def test_sentry_saas_hosts_are_refused_because_it_has_no_uk_or_australian_region(host: str) -> None:
    assert _sentry_host_is_refused(host)


@pytest.mark.parametrize("host", ["sentry.example.gov.uk", "notsentry.io.example.com.au", "mysentry.io.example.org"])
def test_self_hosted_sentry_hosts_are_allowed(host: str) -> None:
    assert not _sentry_host_is_refused(host)


def test_the_sentry_dsn_stays_a_secret_and_the_allowed_hosts_default_to_none() -> None:
    assert cell().variables["sentry_dsn"]["sensitive"] is True
    assert cell().variables["sentry_allowed_hosts"]["default"] == []
    assert "SENTRY_DSN" not in _environment()


# --- Log retention -------------------------------------------------------------------------------


def assert_every_log_group_keeps_the_jurisdictions_retention(log_groups: dict[str, dict[str, Any]]) -> None:
    assert log_groups
    for name, group in log_groups.items():
        assert group["retention_in_days"] == "${local.log_retention_days}", name
        assert group["kms_key_id"] == "${aws_kms_key.main.arn}", name


def test_retention_is_seven_years_in_victoria_and_a_year_in_england() -> None:
    retention = cell().locals["jurisdiction_log_retention_days"]
    assert retention["victoria"] >= 2557
    assert retention["england"] >= 365
    assert cell().locals["audit_retention_days"] == "${local.jurisdiction_log_retention_days[var.jurisdiction]}"
    # The variable may lengthen the retention, never shorten it.
    assert cell().locals["log_retention_days"] == (
        "${max(local.audit_retention_days, coalesce(var.log_retention_days, 0))}"
    )
    assert cell().variables["log_retention_days"]["default"] is None


def test_every_log_group_uses_the_jurisdictions_retention_and_the_cells_key() -> None:
    assert_every_log_group_keeps_the_jurisdictions_retention(cell().resources("aws_cloudwatch_log_group"))


def test_a_log_group_with_a_shorter_retention_of_its_own_is_caught() -> None:
    tampered = copy.deepcopy(cell().resources("aws_cloudwatch_log_group"))
    tampered["cloudtrail"]["retention_in_days"] = 90
    with pytest.raises(AssertionError):
        assert_every_log_group_keeps_the_jurisdictions_retention(tampered)


# --- Monitoring ----------------------------------------------------------------------------------

NAMED_ALARMS = {
    "alb_5xx": ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
    "target_5xx": ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
    "target_response_time_p99": ("AWS/ApplicationELB", "TargetResponseTime"),
    "unhealthy_hosts": ("AWS/ApplicationELB", "UnHealthyHostCount"),
    "rds_cpu": ("AWS/RDS", "CPUUtilization"),
    "rds_free_storage": ("AWS/RDS", "FreeStorageSpace"),
    "rds_freeable_memory": ("AWS/RDS", "FreeableMemory"),
    "redis_memory": ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
    "queue_depth": ("${local.queue_metric.namespace}", "${local.queue_metric.name}"),
    "waf_blocked_requests": ("AWS/WAFV2", "BlockedRequests"),
}


def assert_every_alarm_reaches_the_encrypted_topic(alarms: dict[str, dict[str, Any]]) -> None:
    assert alarms
    for name, alarm in alarms.items():
        assert alarm["alarm_actions"] == alarm["ok_actions"] == "${local.alarm_actions}", name
        assert alarm.get("actions_enabled", True) is True, name
        assert alarm["treat_missing_data"] in {"breaching", "notBreaching"}, name


def test_the_alarm_topic_is_encrypted_with_the_cells_key_and_every_alarm_notifies_it() -> None:
    module = cell()
    assert module.resource("aws_sns_topic", "alarms")["kms_master_key_id"] == "${aws_kms_key.main.arn}"
    assert module.locals["alarm_actions"] == ["${aws_sns_topic.alarms.arn}"]
    assert_every_alarm_reaches_the_encrypted_topic(module.resources("aws_cloudwatch_metric_alarm"))


def test_an_alarm_that_notifies_no_one_is_caught() -> None:
    tampered = copy.deepcopy(cell().resources("aws_cloudwatch_metric_alarm"))
    tampered["rds_cpu"]["alarm_actions"] = []
    with pytest.raises(AssertionError):
        assert_every_alarm_reaches_the_encrypted_topic(tampered)


def test_the_on_call_addresses_subscribe_to_the_topic_by_email() -> None:
    subscription = cell().resource("aws_sns_topic_subscription", "alarm_email")
    assert subscription["for_each"] == "${toset(var.alarm_email_addresses)}"
    assert subscription["protocol"] == "email"
    assert subscription["topic_arn"] == "${aws_sns_topic.alarms.arn}"


@pytest.mark.parametrize("name", sorted(NAMED_ALARMS))
def test_each_named_alarm_watches_its_metric(name: str) -> None:
    alarm = cell().resource("aws_cloudwatch_metric_alarm", name)
    assert (alarm["namespace"], alarm["metric_name"]) == NAMED_ALARMS[name]


def test_alarm_dimensions_name_the_real_load_balancer_database_redis_nodes_and_web_acl() -> None:
    module = cell()
    alarm = module.resources("aws_cloudwatch_metric_alarm")
    assert alarm["alb_5xx"]["dimensions"] == {"LoadBalancer": "${aws_lb.main.arn_suffix}"}
    for name in ["target_5xx", "target_response_time_p99", "unhealthy_hosts"]:
        assert alarm[name]["dimensions"] == {
            "LoadBalancer": "${aws_lb.main.arn_suffix}",
            "TargetGroup": "${aws_lb_target_group.web.arn_suffix}",
        }
    assert alarm["target_response_time_p99"]["extended_statistic"] == "p99"
    for name in ["rds_cpu", "rds_free_storage", "rds_freeable_memory"]:
        assert alarm[name]["dimensions"] == {"DBInstanceIdentifier": "${aws_db_instance.main.identifier}"}
    assert alarm["redis_memory"]["for_each"] == "${toset(local.redis_member_clusters)}"
    assert alarm["redis_memory"]["dimensions"] == {"CacheClusterId": "${each.key}"}
    assert module.resource("aws_elasticache_replication_group", "main")["num_cache_clusters"] == (
        "${local.redis_node_count}"
    )
    assert alarm["queue_depth"]["dimensions"] == {"Queue": "${local.queue_metric.queue}"}
    assert module.locals["queue_metric"] == {"namespace": "Patchwork", "name": "CeleryQueueDepth", "queue": "celery"}
    assert alarm["waf_blocked_requests"]["dimensions"] == {
        "WebACL": "${aws_wafv2_web_acl.main.name}",
        "Region": "${local.region}",
        "Rule": "ALL",
    }


def test_an_alarm_is_raised_when_web_worker_or_beat_run_fewer_tasks_than_desired() -> None:
    alarm = cell().resource("aws_cloudwatch_metric_alarm", "service_running_below_desired")
    assert alarm["for_each"] == {
        "web": "${aws_ecs_service.web.name}",
        "worker": "${aws_ecs_service.worker.name}",
        "beat": "${aws_ecs_service.beat.name}",
    }
    queries = {query["id"]: query for query in alarm["metric_query"]}
    assert queries["missing"]["expression"] == "desired - running"
    assert queries["missing"]["return_data"] is True
    for query_id, metric_name in [("desired", "DesiredTaskCount"), ("running", "RunningTaskCount")]:
        [metric] = queries[query_id]["metric"]
        assert metric["metric_name"] == metric_name
        assert metric["dimensions"] == {"ClusterName": "${aws_ecs_cluster.main.name}", "ServiceName": "${each.value}"}
    assert (alarm["comparison_operator"], alarm["threshold"]) == ("GreaterThanThreshold", 0)


def test_guardduty_findings_and_malware_verdicts_reach_the_alarm_topic() -> None:
    targets = cell().resources("aws_cloudwatch_event_target")
    assert {target["arn"] for target in targets.values()} == {"${aws_sns_topic.alarms.arn}"}
    assert set(targets) == {"guardduty_findings", "malware_found"}


# --- CloudTrail and the audit buckets ------------------------------------------------------------


def assert_trail_is_single_region_signed_and_locked(module_resources: dict[str, dict[str, Any]]) -> None:
    trail = module_resources["trail"]
    assert trail["is_multi_region_trail"] is False
    assert trail["enable_log_file_validation"] is True
    assert trail["kms_key_id"] == "${aws_kms_key.main.arn}"
    assert trail["s3_bucket_name"] == "${aws_s3_bucket.cloudtrail.id}"
    assert module_resources["bucket"]["object_lock_enabled"] is True
    [rule] = module_resources["lock"]["rule"]
    [retention] = rule["default_retention"]
    assert retention == {"mode": "COMPLIANCE", "days": "${local.audit_retention_days}"}


def _trail_parts() -> dict[str, dict[str, Any]]:
    module = cell()
    return {
        "trail": module.resource("aws_cloudtrail", "main"),
        "bucket": module.resource("aws_s3_bucket", "cloudtrail"),
        "lock": module.resource("aws_s3_bucket_object_lock_configuration", "cloudtrail"),
    }


def test_the_trail_is_single_region_validated_encrypted_and_written_to_a_compliance_locked_bucket() -> None:
    assert_trail_is_single_region_signed_and_locked(_trail_parts())


@pytest.mark.parametrize(
    ("part", "key", "value"),
    [
        ("trail", "is_multi_region_trail", True),
        ("trail", "enable_log_file_validation", False),
        ("bucket", "object_lock_enabled", False),
    ],
)
def test_a_multi_region_unsigned_or_unlocked_trail_is_caught(part: str, key: str, value: Any) -> None:
    tampered = copy.deepcopy(_trail_parts())
    tampered[part][key] = value
    with pytest.raises(AssertionError):
        assert_trail_is_single_region_signed_and_locked(tampered)


def test_a_governance_mode_lock_which_an_administrator_could_lift_is_caught() -> None:
    tampered = copy.deepcopy(_trail_parts())
    tampered["lock"]["rule"][0]["default_retention"][0]["mode"] = "GOVERNANCE"
    with pytest.raises(AssertionError):
        assert_trail_is_single_region_signed_and_locked(tampered)


def test_the_trail_records_management_events_and_the_media_and_archive_objects() -> None:
    selectors = cell().resource("aws_cloudtrail", "main")["advanced_event_selector"]
    fields = [{item["field"]: item for item in selector["field_selector"]} for selector in selectors]
    assert any(selector["eventCategory"].get("equals") == ["Management"] for selector in fields)
    [data] = [selector for selector in fields if selector["eventCategory"].get("equals") == ["Data"]]
    assert data["resources.type"]["equals"] == ["AWS::S3::Object"]
    assert data["resources.ARN"]["starts_with"] == [
        "${aws_s3_bucket.media.arn}/",
        "${aws_s3_bucket.audit_archive.arn}/",
    ]


def test_only_this_trail_may_write_to_the_cloudtrail_bucket() -> None:
    document = cell().data("aws_iam_policy_document")["cloudtrail_bucket"]
    allows = [statement for statement in statements(document) if statement.get("effect", "Allow") == "Allow"]
    assert {statement["sid"] for statement in allows} == {"CloudTrailChecksAcl", "CloudTrailWrites"}
    for statement in allows:
        assert statement["principals"][0]["identifiers"] == ["cloudtrail.amazonaws.com"]
        source_arn = [c for c in statement["condition"] if c["variable"] == "aws:SourceArn"]
        assert source_arn == [{"test": "StringEquals", "variable": "aws:SourceArn", "values": ["${local.trail_arn}"]}]
    assert document["source_policy_documents"] == [
        '${data.aws_iam_policy_document.audit_bucket_tls["cloudtrail"].json}'
    ]


@pytest.mark.parametrize("bucket", ["cloudtrail", "audit_archive"])
def test_each_audit_bucket_is_locked_versioned_private_kms_encrypted_and_tls_only(bucket: str) -> None:
    module = cell()
    assert module.resource("aws_s3_bucket", bucket)["object_lock_enabled"] is True
    assert module.resource("aws_s3_bucket", bucket)["force_destroy"] is False
    [lock_rule] = module.resource("aws_s3_bucket_object_lock_configuration", bucket)["rule"]
    assert lock_rule["default_retention"] == [{"mode": "COMPLIANCE", "days": "${local.audit_retention_days}"}]
    [versioning] = module.resource("aws_s3_bucket_versioning", bucket)["versioning_configuration"]
    assert versioning["status"] == "Enabled"
    public = module.resource("aws_s3_bucket_public_access_block", bucket)
    assert all(
        public[key] is True
        for key in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]
    )
    [sse_rule] = module.resource("aws_s3_bucket_server_side_encryption_configuration", bucket)["rule"]
    assert sse_rule["apply_server_side_encryption_by_default"] == [
        {"sse_algorithm": "aws:kms", "kms_master_key_id": "${aws_kms_key.main.arn}"}
    ]
    tls = statements(module.data("aws_iam_policy_document")["audit_bucket_tls"])
    assert {statement["sid"] for statement in tls} == {"DenyWithoutTls", "DenyTlsOlderThan12"}
    assert (
        f'audit_bucket_tls["{bucket}"]'
        in module.data("aws_iam_policy_document")[
            "cloudtrail_bucket" if bucket == "cloudtrail" else "audit_archive_bucket"
        ]["source_policy_documents"][0]
    )


def assert_nothing_expires_before_its_lock(lifecycle: dict[str, Any]) -> None:
    for rule in lifecycle["rule"]:
        for expiration in rule.get("expiration", []):
            assert expiration["days"] == "${local.audit_retention_days}"
        for expiration in rule.get("noncurrent_version_expiration", []):
            assert expiration["noncurrent_days"] == "${local.audit_retention_days}"


@pytest.mark.parametrize("bucket", ["cloudtrail", "audit_archive"])
def test_no_lifecycle_rule_expires_an_audit_object_before_its_retention(bucket: str) -> None:
    assert_nothing_expires_before_its_lock(cell().resource("aws_s3_bucket_lifecycle_configuration", bucket))


def test_a_lifecycle_rule_that_expires_audit_objects_after_ninety_days_is_caught() -> None:
    tampered = copy.deepcopy(cell().resource("aws_s3_bucket_lifecycle_configuration", "audit_archive"))
    tampered["rule"][0]["expiration"][0]["days"] = 90
    with pytest.raises(AssertionError):
        assert_nothing_expires_before_its_lock(tampered)


def test_the_worker_may_write_and_read_back_audit_exports_but_never_delete_them() -> None:
    module = cell()
    policy = module.resource("aws_iam_role_policy", "worker_audit_archive")
    assert policy["role"] == '${aws_iam_role.task["worker"].id}'
    document = module.data("aws_iam_policy_document")["worker_audit_archive"]
    s3_statements = [s for s in statements(document) if any(a.startswith("s3:") for a in s["actions"])]
    actions = sorted(action for statement in s3_statements for action in statement["actions"])
    assert actions == ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]  # no delete, no overwrite of the lock
    for statement in s3_statements:
        if statement["actions"] == ["s3:ListBucket"]:
            assert statement["resources"] == ["${aws_s3_bucket.audit_archive.arn}"]
            assert statement["condition"] == [{"test": "StringLike", "variable": "s3:prefix", "values": ["audit/*"]}]
        else:
            assert statement["resources"] == ["${aws_s3_bucket.audit_archive.arn}/audit/*"]
    [kms] = [s for s in statements(document) if s not in s3_statements]
    assert sorted(kms["actions"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert {
        "test": "StringEquals",
        "variable": "kms:ViaService",
        "values": ["s3.${local.region}.amazonaws.com"],
    } in kms["condition"]


def test_guardduty_is_on_unless_the_account_already_has_a_detector_and_scans_the_media_bucket() -> None:
    module = cell()
    assert module.variables["enable_guardduty_detector"]["default"] is True
    detector = module.resource("aws_guardduty_detector", "main")
    assert detector["count"] == "${var.enable_guardduty_detector ? 1 : 0}"
    assert detector["enable"] is True
    plan = module.resource("aws_guardduty_malware_protection_plan", "media")
    assert plan["protected_resource"][0]["s3_bucket"][0]["bucket_name"] == "${aws_s3_bucket.media.id}"
    assert plan["actions"][0]["tagging"][0]["status"] == "ENABLED"
    assert plan["role"] == "${aws_iam_role.guardduty_malware.arn}"
    [assume] = statements(module.data("aws_iam_policy_document")["guardduty_malware_assume"])
    assert assume["principals"][0]["identifiers"] == ["malware-protection-plan.guardduty.amazonaws.com"]
    scan = {s["sid"]: s for s in statements(module.data("aws_iam_policy_document")["guardduty_malware"])}
    assert scan["AllowMalwareScan"]["resources"] == ["${aws_s3_bucket.media.arn}/*"]
    assert scan["AllowPostScanTag"]["resources"] == ["${aws_s3_bucket.media.arn}/*"]


# --- pgaudit -------------------------------------------------------------------------------------


def _parameters() -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in cell().resource("aws_db_parameter_group", "main")["parameter"]}


def test_pgaudit_is_preloaded_at_the_next_reboot_and_logs_ddl_and_roles_never_parameters() -> None:
    parameters = _parameters()
    preload = parameters["shared_preload_libraries"]
    assert "pgaudit" in preload["value"].split(",")
    assert preload["apply_method"] == "pending-reboot"
    assert set(parameters["pgaudit.log"]["value"].split(",")) == {"ddl", "role"}
    assert parameters["pgaudit.log_parameter"]["value"] == "0"
    assert parameters["pgaudit.role"]["value"] == "rds_pgaudit"
    # Statements themselves stay unlogged by PostgreSQL: their values are personal data.
    assert parameters["log_statement"]["value"] == "none"


# --- Backups -------------------------------------------------------------------------------------


def assert_backups_are_locked_and_stay_in_the_region(plan: dict[str, Any], lock: dict[str, Any]) -> None:
    for rule in plan["rule"]:
        assert "copy_action" not in rule, "a copy_action sends recovery points out of the cell's region or account"
        assert rule["target_vault_name"] == "${aws_backup_vault.main.name}"
    assert lock["backup_vault_name"] == "${aws_backup_vault.main.name}"
    assert {"min_retention_days", "max_retention_days", "changeable_for_days"} <= set(lock)


def test_the_backup_vault_is_encrypted_with_the_cells_key_and_locked() -> None:
    module = cell()
    vault = module.resource("aws_backup_vault", "main")
    assert vault["kms_key_arn"] == "${aws_kms_key.main.arn}"
    assert vault["force_destroy"] is False
    lock = module.resource("aws_backup_vault_lock_configuration", "main")
    assert lock["changeable_for_days"] == "${var.backup_vault_lock_changeable_for_days}"
    assert module.locals["backup_vault_min_retention_days"] >= 7


def test_backups_are_daily_kept_for_the_configured_days_and_never_copied_elsewhere() -> None:
    module = cell()
    plan = module.resource("aws_backup_plan", "main")
    assert_backups_are_locked_and_stay_in_the_region(
        plan, module.resource("aws_backup_vault_lock_configuration", "main")
    )
    [rule] = plan["rule"]
    assert rule["schedule"] == "cron(0 5 * * ? *)"
    assert rule["lifecycle"] == [{"delete_after": "${var.backup_retention_days}"}]
    [retention_rule] = module.variables["backup_retention_days"]["validation"]
    assert "var.backup_retention_days <= 365" in retention_rule["condition"]
    assert module.locals["backup_vault_max_retention_days"] == 365


def test_a_plan_that_copies_recovery_points_to_another_region_is_caught() -> None:
    module = cell()
    tampered = copy.deepcopy(module.resource("aws_backup_plan", "main"))
    tampered["rule"][0]["copy_action"] = [
        {"destination_vault_arn": "arn:aws:backup:us-east-1:123456789012:backup-vault:x"}
    ]
    with pytest.raises(AssertionError):
        assert_backups_are_locked_and_stay_in_the_region(
            tampered, module.resource("aws_backup_vault_lock_configuration", "main")
        )


def test_the_backup_selection_covers_the_database_and_the_media_bucket_with_the_backup_role() -> None:
    module = cell()
    selection = module.resource("aws_backup_selection", "main")
    assert set(selection["resources"]) == {"${aws_db_instance.main.arn}", "${aws_s3_bucket.media.arn}"}
    assert selection["iam_role_arn"] == "${aws_iam_role.backup.arn}"
    attachments = module.resource("aws_iam_role_policy_attachment", "backup")
    assert attachments["policy_arn"] == "arn:${local.partition}:iam::aws:policy/${each.value}"
    for policy in [
        "service-role/AWSBackupServiceRolePolicyForBackup",
        "service-role/AWSBackupServiceRolePolicyForRestores",
        "AWSBackupServiceRolePolicyForS3Backup",
        "AWSBackupServiceRolePolicyForS3Restore",
    ]:
        assert f'"{policy}"' in attachments["for_each"]


# --- Processes: commands, health checks, roles, scaling ------------------------------------------

# The root filesystem is read-only, so beat keeps its schedule in the task's scratch /tmp.
BEAT_SCHEDULE = "/tmp/celerybeat-schedule"  # noqa: S108
COMMANDS = {
    "web": ["gunicorn", "config.wsgi", "-c", "infra/gunicorn.conf.py"],
    "worker": ["celery", "-A", "config", "worker", "-l", "info", "--concurrency", "2"],
    "beat": [
        "celery",
        "-A",
        "config",
        "beat",
        "-l",
        "info",
        "-S",
        "config.beat:Scheduler",
        "--schedule",
        BEAT_SCHEDULE,
    ],
    "release": ["python", "manage.py", "release"],
}


@pytest.mark.parametrize("process", PROCESSES)
def test_each_process_runs_its_command(process: str) -> None:
    assert _processes()[process]["command"] == COMMANDS[process]


def test_the_worker_and_beat_are_checked_by_config_liveness_and_web_by_its_own_healthz() -> None:
    processes = _processes()
    assert processes["worker"]["health_check"] == {
        "command": ["CMD", "python", "-m", "config.liveness", "worker"],
        **HEALTH_CHECK_TIMING,
    }
    assert processes["beat"]["health_check"] == {
        "command": ["CMD", "python", "-m", "config.liveness", "beat"],
        **HEALTH_CHECK_TIMING,
    }
    web = processes["web"]["health_check"]
    assert web["command"][:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8000/healthz" in web["command"][3]
    assert "ProxyHandler({})" in web["command"][3]  # HTTP_PROXY is set in the container: never probe through it
    assert {key: web[key] for key in HEALTH_CHECK_TIMING} == HEALTH_CHECK_TIMING
    assert processes["release"]["health_check"] is None


def test_the_health_check_reaches_the_container_definition() -> None:
    assert (
        "{ for key, check in { healthCheck = each.value.health_check } : key => check if check != null }" in cell().text
    )


def test_the_load_balancer_still_probes_healthz() -> None:
    assert cell().variables["health_check_path"]["default"] == "/healthz"
    [health_check] = cell().resource("aws_lb_target_group", "web")["health_check"]
    assert health_check["path"] == "${var.health_check_path}"


def test_only_beat_publishes_the_queue_metrics() -> None:
    environments = {name: process["environment"] for name, process in _processes().items()}
    assert environments.pop("beat") == [{"name": "PATCHWORK_QUEUE_METRICS", "value": "true"}]
    assert all(environment == [] for environment in environments.values())


def assert_each_task_definition_uses_its_own_role(definition: dict[str, Any]) -> None:
    assert definition["task_role_arn"] == "${aws_iam_role.task[each.key].arn}"
    assert definition["execution_role_arn"] == "${aws_iam_role.execution.arn}"


def test_each_task_definition_uses_the_task_role_of_its_own_process() -> None:
    assert set(_processes()) == set(PROCESSES)
    assert_each_task_definition_uses_its_own_role(cell().resource("aws_ecs_task_definition", "app"))


def test_a_task_definition_sharing_one_role_is_caught() -> None:
    tampered = copy.deepcopy(cell().resource("aws_ecs_task_definition", "app"))
    tampered["task_role_arn"] = '${aws_iam_role.task["web"].arn}'
    with pytest.raises(AssertionError):
        assert_each_task_definition_uses_its_own_role(tampered)


def test_the_worker_scales_between_its_bounds_on_the_celery_backlog_per_task() -> None:
    module = cell()
    target = module.resource("aws_appautoscaling_target", "worker")
    assert target["resource_id"] == "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.worker.name}"
    assert (target["min_capacity"], target["max_capacity"]) == ("${var.worker_min_count}", "${var.worker_max_count}")
    policy = module.resource("aws_appautoscaling_policy", "worker_queue_depth")
    assert policy["policy_type"] == "TargetTrackingScaling"
    assert policy["resource_id"] == "${aws_appautoscaling_target.worker.resource_id}"
    [configuration] = policy["target_tracking_scaling_policy_configuration"]
    assert configuration["target_value"] == "${var.worker_queue_depth_per_task}"
    [specification] = configuration["customized_metric_specification"]
    queries = {query["id"]: query for query in specification["metrics"]}
    [depth] = queries["depth"]["metric_stat"][0]["metric"]
    assert (depth["namespace"], depth["metric_name"]) == (
        "${local.queue_metric.namespace}",
        "${local.queue_metric.name}",
    )
    assert depth["dimensions"] == [{"name": "Queue", "value": "${local.queue_metric.queue}"}]
    assert [query_id for query_id, query in queries.items() if query["return_data"]] == ["backlog_per_worker"]
    assert "depth / workers" in queries["backlog_per_worker"]["expression"]
    [lifecycle] = module.resource("aws_ecs_service", "worker")["lifecycle"]
    assert lifecycle["ignore_changes"] == ["desired_count"]  # autoscaling owns the count once running


def test_the_release_output_runs_the_release_runner_with_its_options() -> None:
    value = cell().outputs["release_run_task_command"]["value"]
    assert "python infra/release_runner.py" in value
    for option in ["--cluster ", "--task-definition ", "--subnets ", "--security-groups "]:
        assert option in value
    assert 'aws_ecs_task_definition.app["release"].arn' in value


def test_only_beat_may_publish_metrics_and_only_in_the_patchwork_namespace() -> None:
    module = cell()
    policy_of = module.locals["task_policies"]
    assert policy_of["beat"] == "${data.aws_iam_policy_document.task_beat.json}"
    [statement] = statements(module.data("aws_iam_policy_document")["task_beat"])
    assert statement["actions"] == ["cloudwatch:PutMetricData"]
    assert statement["condition"] == [
        {"test": "StringEquals", "variable": "cloudwatch:namespace", "values": ["Patchwork"]}
    ]
    assert module.locals["queue_metric"]["namespace"] == "Patchwork"  # what the worker's scaling policy reads
    publishers = [
        name
        for name, document in module.data("aws_iam_policy_document").items()
        if "cloudwatch:PutMetricData" in str(document)
    ]
    assert publishers == ["task_beat"]
