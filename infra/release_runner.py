"""Run a cell's release task on Fargate and wait for it: exit 0 only if the release container exited 0.

    python infra/release_runner.py --cluster C --task-definition TD --subnets s1,s2 \\
        --security-groups sg1 [--region R] [--timeout 1800] [--container app]

For operators and CI, before the services roll to a new image (terraform/README.md, "Deploying").
The values are the cell's Terraform outputs: the cluster, ``release_task_definition_arn``,
``app_subnet_ids`` and ``app_security_group_id`` (``release_run_task_command`` shows them together).
The task runs in the private subnets without a public IP. The release itself (``manage.py release``)
holds a lock in the database, so two runners started at once migrate one after the other.

If the task has not stopped within ``--timeout`` seconds it is stopped and the runner fails.
Needs only the standard library and boto3 (no Django): ``ecs:RunTask``, ``ecs:DescribeTasks``,
``ecs:StopTask`` and ``iam:PassRole`` on the task's roles.
"""

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

POLL_EVERY = 10.0  # seconds between DescribeTasks calls
STARTED_BY = "release-runner"


class ReleaseFailed(Exception):
    """The release did not succeed; the message says why, for the operator."""


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the release task on Fargate and wait for its exit code.")
    parser.add_argument("--cluster", required=True, help="ECS cluster name or ARN")
    parser.add_argument("--task-definition", required=True, help="The release task definition (ARN or family:rev)")
    parser.add_argument("--subnets", required=True, help="Private subnet ids, comma-separated")
    parser.add_argument("--security-groups", required=True, help="Security group ids, comma-separated")
    parser.add_argument("--region", default=None, help="AWS region (default: the environment's)")
    parser.add_argument("--timeout", type=int, default=1800, help="Seconds to wait before stopping it (default 1800)")
    parser.add_argument("--container", default="app", help="The container whose exit code counts (the cell: app)")
    args = parser.parse_args(argv)
    args.subnets = [item.strip() for item in args.subnets.split(",") if item.strip()]
    args.security_groups = [item.strip() for item in args.security_groups.split(",") if item.strip()]
    if not args.subnets or not args.security_groups:
        parser.error("--subnets and --security-groups each need at least one id")
    if args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    return args


def release_task_start(ecs: Any, *, cluster: str, task_definition: str, subnets: list[str], groups: list[str]) -> str:
    response = ecs.run_task(
        cluster=cluster,
        taskDefinition=task_definition,
        launchType="FARGATE",
        count=1,
        startedBy=STARTED_BY,
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": subnets, "securityGroups": groups, "assignPublicIp": "DISABLED"}
        },
    )
    failures = response.get("failures") or []
    tasks = response.get("tasks") or []
    if failures or not tasks:
        reasons = "; ".join(
            f"{failure.get('reason', 'unknown')}" + (f" ({failure['detail']})" if failure.get("detail") else "")
            for failure in failures
        )
        raise ReleaseFailed(f"ECS did not start the release task: {reasons or 'no task was started'}.")
    return tasks[0]["taskArn"]


def release_task_wait(
    ecs: Any,
    *,
    cluster: str,
    task_arn: str,
    timeout: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """The task once STOPPED. On timeout the task is stopped and ReleaseFailed raised."""
    deadline = clock() + timeout
    last_status = None
    while True:
        response = ecs.describe_tasks(cluster=cluster, tasks=[task_arn])
        tasks = response.get("tasks") or []
        if tasks:
            task = tasks[0]
            if task.get("lastStatus") != last_status:
                last_status = task.get("lastStatus")
                say(f"Release task is {last_status}.")
            if last_status == "STOPPED":
                return task
        if clock() >= deadline:
            ecs.stop_task(cluster=cluster, task=task_arn, reason=f"Release timed out after {timeout:.0f} s")
            raise ReleaseFailed(
                f"The release task did not finish within {timeout:.0f} s, so it was stopped. "
                "Migrations it completed stay applied; read its log before running it again."
            )
        sleep(min(POLL_EVERY, max(deadline - clock(), 0)))


def release_outcome(task: dict[str, Any], *, container: str) -> None:
    """Raise ReleaseFailed unless ``container`` ran and exited 0."""
    stopped_reason = task.get("stoppedReason") or "none given"
    found = [item for item in task.get("containers") or [] if item.get("name") == container]
    if not found:
        names = ", ".join(item.get("name", "?") for item in task.get("containers") or []) or "none"
        raise ReleaseFailed(
            f"The release task has no container named {container!r} (it has: {names}); stoppedReason: {stopped_reason}."
        )
    exit_code = found[0].get("exitCode")
    if exit_code is None:
        container_reason = found[0].get("reason") or "none given"
        raise ReleaseFailed(
            f"The release task stopped before its {container!r} container ran (no exit code). "
            f"stoppedReason: {stopped_reason}; container reason: {container_reason}."
        )
    if exit_code != 0:
        raise ReleaseFailed(
            f"The release failed: container {container!r} exited with code {exit_code}. "
            f"stoppedReason: {stopped_reason}. Its log says why."
        )


def main(
    argv: list[str] | None = None,
    *,
    ecs: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    ecs = ecs or boto3.client("ecs", region_name=args.region)

    def say(message: str) -> None:
        sys.stdout.write(message + "\n")
        sys.stdout.flush()

    try:
        task_arn = release_task_start(
            ecs,
            cluster=args.cluster,
            task_definition=args.task_definition,
            subnets=args.subnets,
            groups=args.security_groups,
        )
        say(f"Started release task {task_arn}.")
        task = release_task_wait(
            ecs, cluster=args.cluster, task_arn=task_arn, timeout=args.timeout, sleep=sleep, clock=clock, say=say
        )
        release_outcome(task, container=args.container)
    except ReleaseFailed as failure:
        sys.stderr.write(f"{failure}\n")
        return 1
    except (BotoCoreError, ClientError) as error:
        sys.stderr.write(f"AWS refused or could not be reached: {error}\n")
        return 1
    say("Release succeeded: the release container exited 0.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
