"""infra/release_runner.py runs the release task on Fargate and succeeds only if its container exited 0.

ECS is the outside world: botocore's Stubber answers, and checks every request the runner makes.
"""

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

RUNNER = Path(__file__).resolve().parents[2] / "infra" / "release_runner.py"
CLUSTER = "patchwork-uk-london"
TASK_DEFINITION = "arn:aws:ecs:eu-west-2:123456789012:task-definition/patchwork-uk-london-release:7"
TASK_ARN = "arn:aws:ecs:eu-west-2:123456789012:task/patchwork-uk-london/0123456789abcdef"
ARGV = [
    "--cluster",
    CLUSTER,
    "--task-definition",
    TASK_DEFINITION,
    "--subnets",
    "subnet-a,subnet-b",
    "--security-groups",
    "sg-app",
    "--region",
    "eu-west-2",
]


def _runner() -> ModuleType:  # infra/ is not a package: load the script from its path
    spec = importlib.util.spec_from_file_location("release_runner", RUNNER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeTime:
    """The runner's clock and sleep: sleeping moves the clock on, and takes no time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def ecs() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("ecs", region_name="eu-west-2", aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _expect_run_task(stubber: Stubber, response: dict[str, Any] | None = None) -> None:
    stubber.add_response(
        "run_task",
        response if response is not None else {"tasks": [{"taskArn": TASK_ARN}], "failures": []},
        {
            "cluster": CLUSTER,
            "taskDefinition": TASK_DEFINITION,
            "launchType": "FARGATE",
            "count": 1,
            "startedBy": "release-runner",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": ["subnet-a", "subnet-b"],
                    "securityGroups": ["sg-app"],
                    "assignPublicIp": "DISABLED",
                }
            },
        },
    )


def _expect_status(stubber: Stubber, status: str, **task: Any) -> None:
    stubber.add_response(
        "describe_tasks",
        {"tasks": [{"taskArn": TASK_ARN, "lastStatus": status, **task}], "failures": []},
        {"cluster": CLUSTER, "tasks": [TASK_ARN]},
    )


def _run(ecs_client: Any, fake_time: FakeTime, argv: list[str] = ARGV) -> int:
    return _runner().main(argv, ecs=ecs_client, sleep=fake_time.sleep, clock=fake_time.clock)


def test_a_release_whose_container_exits_zero_succeeds(
    ecs: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = ecs
    _expect_run_task(stubber)
    _expect_status(stubber, "PROVISIONING")
    _expect_status(stubber, "RUNNING")
    _expect_status(
        stubber,
        "STOPPED",
        stoppedReason="Essential container in task exited",
        containers=[{"name": "app", "lastStatus": "STOPPED", "exitCode": 0}],
    )
    fake_time = FakeTime()
    assert _run(client, fake_time) == 0
    assert fake_time.slept == [10.0, 10.0]
    out = capsys.readouterr()
    assert f"Started release task {TASK_ARN}." in out.out
    assert "Release succeeded" in out.out
    assert out.err == ""


def test_a_release_whose_container_exits_non_zero_fails_with_its_code_and_reason(
    ecs: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = ecs
    _expect_run_task(stubber)
    _expect_status(
        stubber,
        "STOPPED",
        stoppedReason="Essential container in task exited",
        containers=[{"name": "app", "lastStatus": "STOPPED", "exitCode": 1}],
    )
    assert _run(client, FakeTime()) == 1
    err = capsys.readouterr().err
    assert "container 'app' exited with code 1" in err
    assert "stoppedReason: Essential container in task exited" in err


def test_ecs_refusing_to_start_the_task_fails_with_its_reasons(
    ecs: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = ecs
    _expect_run_task(
        stubber, {"tasks": [], "failures": [{"arn": TASK_DEFINITION, "reason": "RESOURCE:MEMORY", "detail": "none"}]}
    )
    assert _run(client, FakeTime()) == 1  # and no DescribeTasks: the Stubber would refuse an unexpected call
    assert "ECS did not start the release task: RESOURCE:MEMORY (none)." in capsys.readouterr().err


def test_a_release_still_running_at_the_timeout_is_stopped_and_fails(
    ecs: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = ecs
    _expect_run_task(stubber)
    for _ in range(4):  # at 0, 10, 20 and 30 s
        _expect_status(stubber, "RUNNING")
    stubber.add_response(
        "stop_task",
        {"task": {"taskArn": TASK_ARN, "lastStatus": "RUNNING", "desiredStatus": "STOPPED"}},
        {"cluster": CLUSTER, "task": TASK_ARN, "reason": "Release timed out after 30 s"},
    )
    fake_time = FakeTime()
    assert _run(client, fake_time, [*ARGV, "--timeout", "30"]) == 1
    assert fake_time.now == 30
    assert "did not finish within 30 s, so it was stopped" in capsys.readouterr().err


def test_a_task_stopped_before_its_container_ran_fails_with_both_reasons(
    ecs: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = ecs
    _expect_run_task(stubber)
    _expect_status(
        stubber,
        "STOPPED",
        stoppedReason="Task failed to start",
        containers=[{"name": "app", "lastStatus": "STOPPED", "reason": "CannotPullContainerError: not found"}],
    )
    assert _run(client, FakeTime()) == 1
    err = capsys.readouterr().err
    assert "stopped before its 'app' container ran (no exit code)" in err
    assert "stoppedReason: Task failed to start" in err
    assert "CannotPullContainerError: not found" in err


def test_the_container_that_counts_can_be_named(ecs: tuple[Any, Stubber]) -> None:
    client, stubber = ecs
    _expect_run_task(stubber)
    _expect_status(stubber, "STOPPED", containers=[{"name": "migrate", "lastStatus": "STOPPED", "exitCode": 0}])
    assert _run(client, FakeTime(), [*ARGV, "--container", "migrate"]) == 0


def test_a_task_without_the_app_container_fails_naming_those_it_has(
    ecs: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = ecs
    _expect_run_task(stubber)
    _expect_status(stubber, "STOPPED", containers=[{"name": "sidecar", "lastStatus": "STOPPED", "exitCode": 0}])
    assert _run(client, FakeTime()) == 1
    assert "no container named 'app' (it has: sidecar)" in capsys.readouterr().err


def test_aws_refusing_a_call_fails_with_its_message(
    ecs: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = ecs
    stubber.add_client_error("run_task", service_error_code="AccessDeniedException", service_message="not allowed")
    assert _run(client, FakeTime()) == 1
    assert "AccessDeniedException" in capsys.readouterr().err


def test_missing_network_settings_are_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_:
        _runner().main(["--cluster", CLUSTER, "--task-definition", TASK_DEFINITION, "--subnets", "subnet-a"])
    assert exit_.value.code == 2
