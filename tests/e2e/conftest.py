"""End-to-end tests: the real demo, served by a real server, driven in Debian's Chromium.

The server runs in a subprocess against its own database (``patchwork_e2e`` next to DATABASE_URL, or
``<TEST_DATABASE_NAME>_e2e``, with the pytest-xdist worker's name when there is one, so that two
checkouts or two workers sharing a PostgreSQL do not drop each other's; or an embedded PostgreSQL in a
temporary folder), seeded by the demo command, so these tests see exactly what a newcomer sees.
Playwright drives /usr/bin/chromium (its own browser download does not work here). Without Chromium
the tests are skipped, unless PATCHWORK_E2E_REQUIRED is set (CI).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("PATCHWORK_E2E_REQUIRED"):
        raise pytest.UsageError(f"End-to-end tests are required but {CHROMIUM} is not installed.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ) | {"DJANGO_SETTINGS_MODULE": "config.settings.local", "PATCHWORK_VAR_DIR": str(tmp)}
    env.pop("CELERY_BROKER_URL", None)
    url = os.environ.get("DATABASE_URL")
    if url:
        # The owner role (DATABASE_OWNER_URL, else DATABASE_URL: config/database.py) makes the database.
        owner = urlsplit(os.environ.get("DATABASE_OWNER_URL") or url)
        # Each pytest-xdist worker serves its own demo: a database of its own, or one would drop the other's.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        database = f"{os.environ.get('TEST_DATABASE_NAME') or 'patchwork'}_e2e{'_' + worker if worker else ''}"
        with psycopg.connect(urlunsplit(owner._replace(path="/postgres")), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        for name in ("DATABASE_URL", "DATABASE_OWNER_URL"):
            if os.environ.get(name):
                env[name] = urlunsplit(urlsplit(os.environ[name])._replace(path=f"/{database}"))
    return env


@pytest.fixture(scope="session")
def demo_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The served demo's var folder: its sent email is in ``mail/`` (Django's file-based backend)."""
    return tmp_path_factory.mktemp("e2e")


def emails_to(var_dir: Path, address: str) -> list[EmailMessage]:
    """Every email the served demo has sent to ``address``, oldest first."""
    messages: list[EmailMessage] = []
    for log in sorted((var_dir / "mail").glob("*.log"), key=lambda path: path.stat().st_mtime):
        # One file per connection, messages separated by a line of dashes.
        for raw in log.read_text().split("-" * 79):
            if raw.strip():
                message = BytesParser(policy=policy.default).parsebytes(raw.strip().encode())
                if address.lower() in str(message["To"]).lower():
                    messages.append(message)
    return messages


def link_in(message: EmailMessage, pattern: str) -> str:
    """The first link in an email's text that matches ``pattern`` (a regular expression)."""
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    found = re.search(pattern, text)
    assert found, f"no link matching {pattern!r} in: {text}"
    return found.group(0)


def served_demo_env(var_dir: Path, port: str) -> dict[str, str]:
    """The served demo's settings and database, as tests/e2e/conftest.py made them (nothing dropped here)."""
    env = dict(os.environ) | {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PATCHWORK_VAR_DIR": str(var_dir),
        "PLATFORM_PORT": port,
    }
    env.pop("CELERY_BROKER_URL", None)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    database = f"{os.environ.get('TEST_DATABASE_NAME') or 'patchwork'}_e2e{'_' + worker if worker else ''}"
    for name in ("DATABASE_URL", "DATABASE_OWNER_URL"):
        if os.environ.get(name):
            env[name] = urlunsplit(urlsplit(os.environ[name])._replace(path=f"/{database}"))
    return env


@pytest.fixture(scope="session")
def demo_server(demo_var_dir: Path) -> Iterator[str]:
    """The demo, served on a free port. Yields the port as a string."""
    tmp = demo_var_dir
    env = _server_env(tmp)
    port = _free_port()
    env["PLATFORM_PORT"] = str(port)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    subprocess.run([*manage, "demo"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the demo server did not start")
        yield str(port)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Playwright's sync API keeps an event loop in this thread while it runs; Django then refuses
    database connections here (SynchronousOnlyOperation). Module scope stops it before other tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: object) -> list[str]:
    """Every axe violation on the page, of any impact and any rule (WCAG 2.2 A and AA, and axe's best practices
    such as ``region``: all content inside landmarks), as readable lines (empty when there are none)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(
            " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            for node in violation["nodes"][:5]
        )
        for violation in results.response["violations"]
    ]


def shutil_which_chromium() -> str | None:
    return shutil.which("chromium")
