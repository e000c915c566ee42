"""Policy tests of the cell: no open egress, one least-privilege role per process, a key policy that
separates administering the key from using it, a media bucket reachable only from the cell's network,
and an edge that logs nothing it should not (docs/adr/0030-no-open-egress-and-least-privilege.md).

Each property is an assertion function run on the parsed module; most are also run on a tampered copy of
the data, to show that they catch the problem they exist for.
"""

import copy
import re
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from tests.infra.hcl import cell, deployment, statements

REPOSITORY = Path(__file__).resolve().parents[2]

APP_SG = "${aws_security_group.app.id}"
OPEN = {"0.0.0.0/0", "::/0"}

# Every KMS action that reads or produces key material or ciphertext: none may reach an administrator.
KMS_CRYPTOGRAPHIC = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateRandom",
    "kms:GenerateMac",
    "kms:Sign",
    "kms:CreateGrant",  # a grant can hand its holder any of the above
]


def resolve(value: Any) -> Any:
    """A ``${local.name}`` reference, replaced by the local's value (anything else as it is)."""
    if isinstance(value, str):
        match = re.fullmatch(r"\$\{local\.([a-z_]+)\}", value)
        if match:
            return cell().locals[match.group(1)]
    return value


def actions_of(statement: dict[str, Any]) -> list[str]:
    actions = resolve(statement.get("actions", []))
    assert isinstance(actions, list), f"statement {statement.get('sid')}: actions are not a literal list: {actions}"
    return actions


def conditions_of(statement: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {condition["variable"]: condition for condition in statement.get("condition", [])}


def policy_documents() -> dict[str, dict[str, Any]]:
    return cell().data("aws_iam_policy_document")


def document_statements(name: str) -> list[dict[str, Any]]:
    """The statements of one policy document, with those of its ``source_policy_documents``."""
    document = policy_documents()[name]
    found = []
    for source in document.get("source_policy_documents", []):
        match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.([a-z_]+)\.json\}", source)
        assert match, f"unexpected source document {source}"
        found.extend(document_statements(match.group(1)))
    found.extend(statements(document))
    for block in document.get("dynamic", []):
        for content in block.get("statement", {}).get("content", []):
            found.append(content)
    return found


def process_statements() -> dict[str, list[dict[str, Any]]]:
    """What each process's task role may do: its inline policy's statements (none for a role without one)."""
    roles = cell().resource("aws_iam_role", "task")
    processes = re.findall(r'"([a-z]+)"', roles["for_each"])
    policies = cell().locals["task_policies"]
    found: dict[str, list[dict[str, Any]]] = {}
    for process in processes:
        if process not in policies:
            found[process] = []
            continue
        match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.([a-z_]+)\.json\}", policies[process])
        assert match, f"the {process} policy is not a policy document: {policies[process]}"
        found[process] = document_statements(match.group(1))
    return found


# --- One role per process --------------------------------------------------------------------------------------


def test_each_process_has_its_own_task_role_and_only_web_worker_and_beat_have_a_policy() -> None:
    role = cell().resource("aws_iam_role", "task")
    assert role["for_each"] == '${toset(["web", "worker", "beat", "release"])}'
    assert role["name"] == "${local.prefix}-task-${each.key}"
    policy = cell().resource("aws_iam_role_policy", "task")
    assert policy["for_each"] == "${local.task_policies}"
    assert policy["role"] == "${aws_iam_role.task[each.key].id}"
    assert set(cell().locals["task_policies"]) == {"web", "worker", "beat"}


def assert_process_may_not_touch(process: str, found: list[dict[str, Any]], prefixes: tuple[str, ...]) -> None:
    for statement in found:
        for action in actions_of(statement):
            assert not action.startswith(prefixes), f"{process} may {action} ({statement.get('sid')})"
            assert action != "*", f"{process} may do anything ({statement.get('sid')})"


def test_beat_and_release_hold_no_storage_mail_secrets_or_key_permissions() -> None:
    roles = process_statements()
    for process in ("beat", "release"):
        assert_process_may_not_touch(process, roles[process], ("s3:", "ses:", "secretsmanager:", "kms:"))
    assert roles["release"] == []


def test_the_storage_check_catches_beat_given_the_bucket() -> None:
    tampered = copy.deepcopy(process_statements()["beat"])
    tampered.append({"sid": "Oops", "actions": ["s3:GetObject"], "resources": ["*"]})
    with pytest.raises(AssertionError, match="beat may s3:GetObject"):
        assert_process_may_not_touch("beat", tampered, ("s3:", "ses:"))


def test_beat_may_only_publish_metrics_in_the_patchwork_namespace() -> None:
    (statement,) = process_statements()["beat"]
    assert actions_of(statement) == ["cloudwatch:PutMetricData"]
    namespace = conditions_of(statement)["cloudwatch:namespace"]
    assert namespace["test"] == "StringEquals"
    assert namespace["values"] == ["Patchwork"]


def test_web_and_worker_use_the_media_bucket_and_send_mail_as_the_platform_domain() -> None:
    for process in ("web", "worker"):
        by_sid = {statement["sid"]: statement for statement in process_statements()[process]}
        assert by_sid["ListMediaBucket"]["resources"] == ["${aws_s3_bucket.media.arn}"]
        assert by_sid["ReadWriteMediaObjects"]["resources"] == ["${aws_s3_bucket.media.arn}/*"]
        assert set(actions_of(by_sid["ReadWriteMediaObjects"])) >= {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
        assert by_sid["SendMail"]["resources"] == [
            "${aws_sesv2_email_identity.domain.arn}",
            "${aws_sesv2_configuration_set.main.arn}",
        ]


def test_only_the_worker_reads_secrets_and_only_councils_notify_keys() -> None:
    roles = process_statements()
    assert_process_may_not_touch("web", roles["web"], ("secretsmanager:",))
    reads = [
        statement
        for statement in roles["worker"]
        if any(a.startswith("secretsmanager:") for a in actions_of(statement))
    ]
    assert len(reads) == 1
    assert actions_of(reads[0]) == ["secretsmanager:GetSecretValue"]
    # The name core/notifications/transports.py reads, and no other secret of the cell.
    transports = (REPOSITORY / "core" / "notifications" / "transports.py").read_text()
    assert 'NOTIFY_SECRET = "patchwork/{slug}/notify-api-key"' in transports
    assert reads[0]["resources"] == [
        "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:patchwork/*/notify-api-key-??????"
    ]


def assert_key_use_is_through_services(where: str, found: list[dict[str, Any]]) -> None:
    for statement in found:
        if any(action.startswith("kms:") for action in actions_of(statement)):
            via = conditions_of(statement).get("kms:ViaService")
            assert via is not None, f"{where}: {statement.get('sid')} uses the key without kms:ViaService"
            assert via["test"] == "StringEquals"


def test_every_roles_use_of_the_key_goes_through_a_named_service() -> None:
    for process, found in process_statements().items():
        assert_key_use_is_through_services(process, found)
    assert_key_use_is_through_services("execution", document_statements("execution"))


def test_the_via_service_check_catches_a_direct_decrypt() -> None:
    tampered = copy.deepcopy(process_statements()["web"])
    tampered.append({"sid": "DirectDecrypt", "actions": ["kms:Decrypt"], "resources": ["${aws_kms_key.main.arn}"]})
    with pytest.raises(AssertionError, match="DirectDecrypt uses the key without kms:ViaService"):
        assert_key_use_is_through_services("web", tampered)


# --- The key policy --------------------------------------------------------------------------------------------


def key_policy() -> list[dict[str, Any]]:
    return document_statements("kms")


def grants_cryptography(actions: list[str]) -> list[str]:
    return [crypto for crypto in KMS_CRYPTOGRAPHIC for action in actions if fnmatchcase(crypto, action)]


def assert_administrators_cannot_use_the_key(found: list[dict[str, Any]]) -> None:
    administrative = [statement for statement in found if "Administ" in statement["sid"]]
    assert len(administrative) >= 2, "the account's and key_administrator_arns' statements"
    for statement in administrative:
        assert grants_cryptography(actions_of(statement)) == [], f"{statement['sid']} may use the key"


def test_key_administrators_may_manage_the_key_but_never_encrypt_or_decrypt() -> None:
    found = key_policy()
    assert_administrators_cannot_use_the_key(found)
    administrators = next(statement for statement in found if statement["sid"] == "KeyAdministrators")
    assert administrators["principals"] == [{"type": "AWS", "identifiers": "${statement.value}"}]
    actions = actions_of(administrators)
    for needed in ("kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"):
        assert any(fnmatchcase(needed, action) for action in actions), needed


def test_the_administrator_check_catches_a_decrypt_in_the_administrative_actions() -> None:
    tampered = copy.deepcopy(key_policy())
    for statement in tampered:
        if statement["sid"] == "KeyAdministrators":
            statement["actions"] = [*actions_of(statement), "kms:Decrypt*"]
    with pytest.raises(AssertionError, match="KeyAdministrators may use the key"):
        assert_administrators_cannot_use_the_key(tampered)


def assert_no_blanket_root_and_principals_use_the_key_through_services(found: list[dict[str, Any]]) -> None:
    for statement in found:
        actions = actions_of(statement)
        assert "kms:*" not in actions, f"{statement['sid']} allows every KMS action"
        assert "*" not in actions, f"{statement['sid']} allows every action"
        is_aws_principal = any(block["type"] == "AWS" for block in statement.get("principals", []))
        uses = [crypto for crypto in grants_cryptography(actions) if crypto != "kms:CreateGrant"]
        if is_aws_principal and uses:
            assert "kms:ViaService" in conditions_of(statement), f"{statement['sid']} uses the key directly"
        if is_aws_principal and "kms:CreateGrant" in grants_cryptography(actions):
            conditions = conditions_of(statement)
            assert "kms:ViaService" in conditions or conditions.get("kms:GrantIsForAWSResource", {}).get("values") == [
                "true"
            ], f"{statement['sid']} may grant use of the key to anyone"


def test_no_principal_holds_every_kms_action_and_users_go_through_services() -> None:
    assert_no_blanket_root_and_principals_use_the_key_through_services(key_policy())


def test_the_key_policy_check_catches_the_old_root_kms_star() -> None:
    tampered = copy.deepcopy(key_policy())
    tampered.append(
        {
            "sid": "AccountAdministersKeyThroughIam",
            "actions": ["kms:*"],
            "principals": [{"type": "AWS", "identifiers": ["arn:${local.partition}:iam::${local.account_id}:root"]}],
        }
    )
    with pytest.raises(AssertionError, match="allows every KMS action"):
        assert_no_blanket_root_and_principals_use_the_key_through_services(tampered)


def test_the_key_policy_names_the_application_roles_as_users_through_s3_and_secrets_manager() -> None:
    by_sid = {statement["sid"]: statement for statement in key_policy()}
    users = by_sid["ApplicationUsesKeyThroughS3AndSecretsManager"]
    assert users["principals"][0]["identifiers"] == [
        '${aws_iam_role.task["web"].arn}',
        '${aws_iam_role.task["worker"].arn}',
    ]
    assert conditions_of(users)["kms:ViaService"]["values"] == [
        "s3.${local.region}.amazonaws.com",
        "secretsmanager.${local.region}.amazonaws.com",
    ]
    execution = by_sid["EcsReadsSecretsAndImage"]
    assert execution["principals"][0]["identifiers"] == ["${aws_iam_role.execution.arn}"]
    assert actions_of(execution) == ["kms:Decrypt"]
    via = cell().locals["kms_via_services"]
    for service in ("rds", "elasticache", "s3", "secretsmanager", "ecr", "backup", "sns"):
        assert f'"{service}"' in via
    assert conditions_of(by_sid["AccountUsesKeyOnlyThroughCellServices"])["kms:CallerAccount"]["values"] == [
        "${local.account_id}"
    ]


def test_aws_services_use_the_key_only_for_this_accounts_resources() -> None:
    by_sid = {statement["sid"]: statement for statement in key_policy()}
    services = {
        sid: statement
        for sid, statement in by_sid.items()
        if any(block["type"] == "Service" for block in statement.get("principals", []))
    }
    for sid, statement in services.items():
        assert statement.get("condition"), f"{sid}: a service may use the key for anyone's resources"
    logs = conditions_of(by_sid["CloudWatchLogsEncryptsThisCellsLogGroups"])
    assert "kms:EncryptionContext:aws:logs:arn" in logs
    trail = by_sid["CloudTrailEncryptsThisAccountsTrails"]
    assert trail["principals"] == [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}]
    assert conditions_of(trail)["kms:EncryptionContext:aws:cloudtrail:arn"]["values"] == [
        "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"
    ]
    alarms = by_sid["CloudWatchAlarmsPublishToEncryptedSnsTopics"]
    assert alarms["principals"] == [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}]
    assert actions_of(alarms) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert conditions_of(alarms)["aws:SourceAccount"]["values"] == ["${local.account_id}"]


# --- No open egress ----------------------------------------------------------------------------------------------


def assert_no_open_egress_from_the_tasks(rules: dict[str, dict[str, Any]], groups: dict[str, dict[str, Any]]) -> None:
    for name, rule in rules.items():
        if rule["security_group_id"] != APP_SG:
            continue
        assert rule.get("cidr_ipv4") not in OPEN, f"{name} opens the tasks"
        assert rule.get("cidr_ipv6") not in OPEN, f"{name} opens the tasks"
        assert "cidr_ipv4" not in rule, f"{name}: the tasks reach addresses, not groups"
        assert "cidr_ipv6" not in rule, f"{name}: the tasks reach addresses, not groups"
        assert rule.get("referenced_security_group_id") or rule.get("prefix_list_id"), name
    assert "egress" not in groups["app"], "inline egress on the tasks' group"


def test_no_egress_rule_from_the_application_tasks_reaches_the_internet() -> None:
    rules = cell().resources("aws_vpc_security_group_egress_rule")
    assert_no_open_egress_from_the_tasks(rules, cell().resources("aws_security_group"))
    assert "aws_security_group_rule" not in cell().resource_types()
    destinations = {
        rule.get("referenced_security_group_id") or rule.get("prefix_list_id")
        for rule in rules.values()
        if rule["security_group_id"] == APP_SG
    }
    assert destinations == {
        "${aws_security_group.database.id}",
        "${aws_security_group.redis.id}",
        "${aws_security_group.endpoints.id}",
        "${aws_security_group.egress.id}",
        "${aws_vpc_endpoint.s3.prefix_list_id}",
    }


def test_the_egress_check_catches_the_old_https_to_anywhere_rule() -> None:
    rules = copy.deepcopy(cell().resources("aws_vpc_security_group_egress_rule"))
    rules["app_https"] = {"security_group_id": APP_SG, "ip_protocol": "tcp", "from_port": 443, "cidr_ipv4": "0.0.0.0/0"}
    with pytest.raises(AssertionError, match="app_https opens the tasks"):
        assert_no_open_egress_from_the_tasks(rules, cell().resources("aws_security_group"))


def test_only_the_egress_proxy_may_open_connections_to_the_internet_and_only_on_443() -> None:
    open_rules = {
        name: rule
        for name, rule in cell().resources("aws_vpc_security_group_egress_rule").items()
        if rule.get("cidr_ipv4") in OPEN or rule.get("cidr_ipv6") in OPEN
    }
    assert set(open_rules) == {"egress_https"}
    rule = open_rules["egress_https"]
    assert rule["security_group_id"] == "${aws_security_group.egress.id}"
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 443, 443)
    ingress = [
        rule
        for rule in cell().resources("aws_vpc_security_group_ingress_rule").values()
        if rule["security_group_id"] == "${aws_security_group.egress.id}"
    ]
    assert [(rule["from_port"], rule["referenced_security_group_id"]) for rule in ingress] == [(3128, APP_SG)]


REQUIRED_ENDPOINTS = {"ecr.api", "ecr.dkr", "logs", "secretsmanager", "kms", "sts", "email", "monitoring"}

# The AWS APIs the application's code calls, and the endpoint each one needs (S3 goes by the gateway).
CLIENT_ENDPOINTS = {"sesv2": "email", "ses": "email", "secretsmanager": "secretsmanager", "cloudwatch": "monitoring"}


def test_there_is_an_interface_endpoint_with_private_dns_for_every_aws_service_used() -> None:
    endpoints = cell().locals["interface_endpoints"]
    assert set(endpoints) >= REQUIRED_ENDPOINTS
    endpoint = cell().resource("aws_vpc_endpoint", "interface")
    assert endpoint["for_each"] == "${local.interface_endpoints}"
    assert endpoint["service_name"] == "com.amazonaws.${local.region}.${each.key}"
    assert endpoint["vpc_endpoint_type"] == "Interface"
    assert endpoint["private_dns_enabled"] is True
    assert endpoint["security_group_ids"] == ["${aws_security_group.endpoints.id}"]
    assert endpoint["subnet_ids"] == "${aws_subnet.app[*].id}"
    # Every boto3 client the code makes has its endpoint.
    used = set()
    for path in [*REPOSITORY.glob("core/**/*.py"), *REPOSITORY.glob("platform/**/*.py")]:
        if "tests" in path.parts:
            continue
        used |= set(re.findall(r'(?:boto3\.client|aws_client)\(\s*"([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    assert used, "no AWS client found: the scan is looking in the wrong place"
    for client in used:
        assert client in CLIENT_ENDPOINTS, f"boto3 client {client!r}: which endpoint does it need?"
        assert CLIENT_ENDPOINTS[client] in endpoints, f"no interface endpoint for {client}"
    # django-ses and django-storages, from the production settings.
    production = (REPOSITORY / "platform" / "config" / "settings" / "production.py").read_text()
    assert "django_ses.SESBackend" in production
    assert "email" in endpoints
    assert "storages.backends.s3" in production
    assert cell().resource("aws_vpc_endpoint", "s3")["vpc_endpoint_type"] == "Gateway"


def test_the_endpoints_answer_only_the_tasks_and_the_proxy_on_443() -> None:
    ingress = [
        rule
        for rule in cell().resources("aws_vpc_security_group_ingress_rule").values()
        if rule["security_group_id"] == "${aws_security_group.endpoints.id}"
    ]
    assert {rule["referenced_security_group_id"] for rule in ingress} == {APP_SG, "${aws_security_group.egress.id}"}
    for rule in ingress:
        assert (rule["from_port"], rule["to_port"]) == (443, 443)
        assert "cidr_ipv4" not in rule
        assert "cidr_ipv6" not in rule


def test_endpoint_policies_admit_only_this_accounts_principals() -> None:
    documents = policy_documents()
    interface = documents["interface_endpoint"]
    (statement,) = statements(interface)
    assert conditions_of(statement)["aws:PrincipalAccount"]["values"] == ["${local.account_id}"]
    assert statement["actions"] == ["${each.value}:*"]
    assert cell().locals["endpoints_without_policy"] == ["email"]
    s3 = {statement["sid"]: statement for statement in statements(documents["s3_endpoint"])}
    own = conditions_of(s3["ThisAccountsBucketsOnly"])
    assert own["aws:PrincipalAccount"]["values"] == own["aws:ResourceAccount"]["values"] == ["${local.account_id}"]
    assert s3["EcrImageLayers"]["actions"] == ["s3:GetObject"]
    assert cell().resource("aws_vpc_endpoint", "s3")["policy"] == "${data.aws_iam_policy_document.s3_endpoint.json}"


# --- The egress proxy --------------------------------------------------------------------------------------------


def validation_regex(variable: str) -> re.Pattern[str]:
    (validation,) = cell().variables[variable]["validation"]
    match = re.search(r'regex\("(.+?)", (?:var\.[a-z_]+|domain)\)', validation["condition"])
    assert match, validation["condition"]
    return re.compile(match.group(1).replace("\\\\", "\\"))


@pytest.mark.parametrize(
    ("image", "accepted"),
    [
        ("public.ecr.aws/ubuntu/squid@sha256:" + "a1" * 32, True),
        ("public.ecr.aws/ubuntu/squid:latest", False),
        ("public.ecr.aws/ubuntu/squid:6.1@sha256:" + "a1" * 31, False),
        ("ubuntu/squid@sha256:" + "A1" * 32, False),
    ],
)
def test_the_proxy_image_must_be_pinned_by_digest(image: str, accepted: bool) -> None:
    assert bool(validation_regex("egress_proxy_image").search(image)) is accepted
    proxy = cell().resource("aws_ecs_task_definition", "egress")
    assert "var.egress_proxy_image" in proxy["container_definitions"]


@pytest.mark.parametrize(
    ("domain", "accepted"),
    [
        ("api.notifications.service.gov.uk", True),
        ("login.microsoftonline.com", True),
        (".sentry.io", True),
        ("*", False),
        (".", False),
        (".com", False),
        ("all", False),
        ("*.example.org", False),
        ("10.0.0.1", False),
    ],
)
def test_the_allow_list_refuses_wildcards_and_addresses(domain: str, accepted: bool) -> None:
    assert bool(validation_regex("egress_allowed_domains").fullmatch(domain)) is accepted


def test_each_cell_allows_only_its_providers() -> None:
    expected = {
        "uk-london": ["api.notifications.service.gov.uk", "login.microsoftonline.com"],
        "au-melbourne": ["login.microsoftonline.com"],
    }
    for name, domains in expected.items():
        module = deployment(name).blocks["module"][0]["cell"]
        assert module["egress_allowed_domains"] == domains, name


def assert_squid_allows_only_connect_to_443_of_the_allow_list(lines: list[str]) -> None:
    access = [line for line in lines if line.startswith("http_access")]
    assert access[-1] == "http_access deny all", "anything not allowed must be refused"
    allow = [line for line in access if line.startswith("http_access allow")]
    assert allow == ["http_access allow allowed_domains"], allow
    before = access[: access.index(allow[0])]
    for deny in ("http_access deny !CONNECT", "http_access deny !https_port", "http_access deny !cell_network"):
        assert deny in before, f"{deny} must come before the allow"
    assert "acl https_port port 443" in lines
    assert 'acl allowed_domains dstdomain -n ${join(" ", var.egress_allowed_domains)}' in lines


def test_the_proxy_accepts_connect_to_443_of_allowed_domains_only() -> None:
    assert_squid_allows_only_connect_to_443_of_the_allow_list(cell().locals["squid_conf_lines"])


def test_the_squid_check_catches_an_allow_all() -> None:
    lines = [*cell().locals["squid_conf_lines"]]
    lines.insert(lines.index("http_access allow allowed_domains"), "http_access allow all")
    with pytest.raises(AssertionError):
        assert_squid_allows_only_connect_to_443_of_the_allow_list(lines)


def test_the_proxy_runs_in_the_app_subnets_behind_its_own_group_with_no_task_role() -> None:
    service = cell().resource("aws_ecs_service", "egress")
    (network,) = service["network_configuration"]
    assert network["security_groups"] == ["${aws_security_group.egress.id}"]
    assert network["subnets"] == "${aws_subnet.app[*].id}"
    assert network["assign_public_ip"] is False
    assert service["service_registries"] == [{"registry_arn": "${aws_service_discovery_service.egress.arn}"}]
    assert "task_role_arn" not in cell().resource("aws_ecs_task_definition", "egress")


def test_the_proxy_url_and_no_proxy_are_what_the_containers_are_given() -> None:
    values = cell().locals
    assert values["internal_domain"] == "${local.prefix}.internal"
    assert values["egress_proxy_url"] == "http://egress.${local.internal_domain}:3128"
    assert cell().resource("aws_service_discovery_service", "egress")["name"] == "egress"
    assert (
        cell().resource("aws_service_discovery_private_dns_namespace", "internal")["name"] == "${local.internal_domain}"
    )
    for entry in (
        ".amazonaws.com",
        "169.254.169.254",
        "169.254.170.2",
        "localhost",
        "127.0.0.1",
        ".${local.internal_domain}",
    ):
        assert f'"{entry}"' in values["no_proxy"], entry


# --- The media bucket --------------------------------------------------------------------------------------------


def assert_bucket_refuses_requests_from_outside_the_cell(found: list[dict[str, Any]]) -> None:
    by_sid = {statement["sid"]: statement for statement in found}
    assert "DenyOutsideTheCellsNetwork" in by_sid, "no statement refuses requests from outside the cell"
    statement = by_sid["DenyOutsideTheCellsNetwork"]
    assert statement["effect"] == "Deny"
    assert statement["actions"] == ["s3:*"]
    assert statement["resources"] == ["${aws_s3_bucket.media.arn}", "${aws_s3_bucket.media.arn}/*"]
    conditions = conditions_of(statement)
    assert conditions.get("aws:SourceVpce", {}).get("test") == "StringNotEquals", "not tied to the endpoint"
    assert conditions["aws:SourceVpce"]["values"] == ["${aws_vpc_endpoint.s3.id}"]
    assert conditions["aws:PrincipalArn"] == {
        "test": "ArnNotLike",
        "variable": "aws:PrincipalArn",
        "values": "${var.bucket_administrator_arns}",
    }


def test_the_media_bucket_refuses_requests_not_through_the_cells_endpoint() -> None:
    assert_bucket_refuses_requests_from_outside_the_cell(statements(policy_documents()["media_bucket"]))


def test_the_bucket_check_catches_a_deny_without_the_endpoint_condition() -> None:
    tampered = copy.deepcopy(statements(policy_documents()["media_bucket"]))
    for statement in tampered:
        if statement["sid"] == "DenyOutsideTheCellsNetwork":
            statement["condition"] = [c for c in statement["condition"] if c["variable"] != "aws:SourceVpce"]
    with pytest.raises(AssertionError, match="not tied to the endpoint"):
        assert_bucket_refuses_requests_from_outside_the_cell(tampered)


def test_the_media_bucket_keeps_tls_and_kms_and_refuses_another_key() -> None:
    by_sid = {statement["sid"]: statement for statement in statements(policy_documents()["media_bucket"])}
    assert {"DenyWithoutTls", "DenyTlsOlderThan12", "DenyObjectsNotEncryptedWithKms"} <= set(by_sid)
    other_key = by_sid["DenyObjectsEncryptedWithAnotherKey"]
    assert other_key["effect"] == "Deny"
    assert other_key["actions"] == ["s3:PutObject"]
    conditions = conditions_of(other_key)
    key_id = "s3:x-amz-server-side-encryption-aws-kms-key-id"
    assert conditions[key_id] == {"test": "StringNotEquals", "variable": key_id, "values": ["${aws_kms_key.main.arn}"]}
    # No "Null = false" guard: an upload naming no key (the AWS-managed key) is refused too.
    assert [condition["test"] for condition in other_key["condition"]] == ["StringNotEquals"]
    # ... and the application names the cell's key on every upload.
    environment = cell().locals["app_environment"]
    assert {"name": "AWS_S3_KMS_KEY_ID", "value": "${aws_kms_key.main.arn}"} in environment
    # The bucket administrators must be named: without them, Terraform itself would be locked out.
    (validation,) = cell().variables["bucket_administrator_arns"]["validation"]
    assert "length(var.bucket_administrator_arns) > 0" in validation["condition"]
    assert "default" not in cell().variables["bucket_administrator_arns"]


# --- The edge ----------------------------------------------------------------------------------------------------

AEAD_ONLY_POLICIES = {"ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06"}


def assert_listener_is_aead_only(listener: dict[str, Any]) -> None:
    assert listener["ssl_policy"] in AEAD_ONLY_POLICIES, f"{listener['ssl_policy']} allows CBC ciphers"


def test_the_https_listener_offers_only_aead_ciphers() -> None:
    listener = cell().resource("aws_lb_listener", "https")
    assert listener["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    assert_listener_is_aead_only(listener)
    with pytest.raises(AssertionError, match="allows CBC"):
        assert_listener_is_aead_only({**listener, "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})


def sign_in_rules() -> list[dict[str, Any]]:
    acl = cell().resource("aws_wafv2_web_acl", "main")
    return [content for block in acl.get("dynamic", []) for content in block.get("rule", {}).get("content", [])]


def test_the_waf_limits_sign_in_code_and_password_reset_posts_per_address() -> None:
    (rule,) = sign_in_rules()
    assert rule["action"] == [{"block": [{}]}]
    (rate,) = rule["statement"][0]["rate_based_statement"]
    assert rate["aggregate_key_type"] == "IP"
    assert rate["limit"] == "${var.waf_sign_in_rate_limit}"
    assert cell().variables["waf_sign_in_rate_limit"]["default"] == 100
    (matches,) = rate["scope_down_statement"][0]["and_statement"]
    method, path = (statement["byte_match_statement"][0] for statement in matches["statement"])
    assert (method["search_string"], method["positional_constraint"], method["field_to_match"]) == (
        "POST",
        "EXACTLY",
        [{"method": [{}]}],
    )
    assert (path["search_string"], path["positional_constraint"]) == ("${rule.value.path}", "STARTS_WITH")
    assert path["field_to_match"] == [{"uri_path": [{}]}]
    priorities = [value["priority"] for value in cell().locals["waf_sign_in_paths"].values()]
    generic = [rule["priority"] for rule in cell().resource("aws_wafv2_web_acl", "main")["rule"]]
    assert not set(priorities) & set(generic), "two rules share a priority"


def test_the_rate_limited_paths_are_the_applications_sign_in_code_and_reset_paths() -> None:
    prefixes = [value["path"] for value in cell().locals["waf_sign_in_paths"].values()]
    assert prefixes == ["/sign-in/", "/password-reset/"]
    routes = []
    for urls in ("core/accounts/urls.py", "core/sso/urls.py"):
        routes += re.findall(r'path\(\s*"([^"]*)"', (REPOSITORY / urls).read_text())
    sensitive = [route for route in routes if route.startswith(("sign-in", "password-reset"))]
    for route in ("sign-in/", "sign-in/code/", "sign-in/passkey/begin/", "password-reset/"):
        assert route in sensitive, route
    for route in sensitive:
        assert any(f"/{route}".startswith(prefix) for prefix in prefixes), route
    # The tenant and public URL confs mount those routes at the root.
    for conf in ("urls_public.py", "urls_tenant.py"):
        assert 'path("", include("core.accounts.urls"))' in (REPOSITORY / "platform" / "config" / conf).read_text()


def test_the_existing_waf_rules_are_kept() -> None:
    names = {rule["name"] for rule in cell().resource("aws_wafv2_web_acl", "main")["rule"]}
    assert names == {
        "rate-limit-per-ip",
        "aws-ip-reputation",
        "aws-anonymous-ip",
        "aws-common",
        "aws-known-bad-inputs",
        "aws-sqli",
        "aws-linux",
    }


REDACTED_HEADERS = {"cookie", "authorization", "x-csrftoken", "referer"}


def assert_edge_log_redacts(logging: dict[str, Any]) -> None:
    headers = {field["single_header"][0]["name"] for field in logging["redacted_fields"] if "single_header" in field}
    missing = REDACTED_HEADERS - headers
    assert not missing, f"the WAF log keeps {sorted(missing)}"
    assert any("query_string" in field for field in logging["redacted_fields"]), "the WAF log keeps query strings"


def test_the_waf_log_is_the_edge_log_and_redacts_query_strings_referer_and_credentials() -> None:
    logging = cell().resource("aws_wafv2_web_acl_logging_configuration", "main")
    assert logging["resource_arn"] == "${aws_wafv2_web_acl.main.arn}"
    assert_edge_log_redacts(logging)
    tampered = copy.deepcopy(logging)
    tampered["redacted_fields"] = [
        f for f in tampered["redacted_fields"] if f.get("single_header") != [{"name": "referer"}]
    ]
    with pytest.raises(AssertionError, match="keeps \\['referer'\\]"):
        assert_edge_log_redacts(tampered)


def test_alb_access_logs_are_off_with_a_reason_and_nothing_may_deliver_them() -> None:
    alb = cell().resource("aws_lb", "main")
    assert all(block["enabled"] is False for block in alb.get("access_logs", []))
    edge = (REPOSITORY / "terraform" / "modules" / "cell" / "edge.tf").read_text()
    assert re.search(r"#checkov:skip=CKV_AWS_91:.*query string", edge)
    logs_bucket = {statement["sid"] for statement in statements(policy_documents()["logs_bucket"])}
    assert logs_bucket == {"DenyWithoutTls", "S3ServerAccessLogs"}


# --- Secrets -----------------------------------------------------------------------------------------------------


def test_rotating_the_secret_key_keeps_the_previous_generation_as_the_fallback() -> None:
    module = cell()
    key = module.resource("random_password", "secret_key")
    assert key["for_each"] == (
        "${toset([tostring(var.secret_key_generation), tostring(var.secret_key_generation - 1)])}"
    )
    values = module.locals["secret_values"]
    assert values["SECRET_KEY"] == "${random_password.secret_key[tostring(var.secret_key_generation)].result}"
    assert values["SECRET_KEY_FALLBACKS"] == (
        "${random_password.secret_key[tostring(var.secret_key_generation - 1)].result}"
    )
    # The key of a cell made before generations keeps serving: it becomes generation 1, the default.
    assert module.variables["secret_key_generation"]["default"] == 1
    moved = {"from": "${random_password.secret_key}", "to": '${random_password.secret_key["1"]}'}
    assert moved in module.blocks.get("moved", [])


def test_an_allowed_sentry_host_must_also_be_reachable_through_the_egress_proxy() -> None:
    [precondition] = cell().resource("aws_ecs_service", "egress")["lifecycle"][0]["precondition"]
    condition = precondition["condition"]
    assert "for host in var.sentry_allowed_hosts" in condition
    assert "contains(var.egress_allowed_domains, host)" in condition
    assert "endswith(host, domain)" in condition
