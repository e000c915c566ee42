"""The pieces of the web benchmark (``manage.py bench_web``): gunicorn with the production settings, an HTTP
client that signs in through the pages, and a relay that counts the round trips a process makes to PostgreSQL.

The benchmark drives the site as a browser behind the load balancer would: HTTPS as told by
``X-Forwarded-Proto`` from loopback (which infra/gunicorn.conf.py trusts), the ``__Host-`` cookies kept by hand,
every form posted with its CSRF token and the site's own ``Origin``. Round trips are counted on the wire, as
PostgreSQL receives them: each simple query ('Q') and each extended-protocol exchange (ended by a Sync, 'S') a
client sends through the relay is one round trip — the schema switches, the connection's health check,
``BEGIN``/``COMMIT`` included, whatever Django's own query log sees.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
CSRF_COOKIE = "__Host-patchwork-csrf"
SESSION_COOKIE = "__Host-patchwork-session"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTUP_CODES_BEFORE_STARTUP = {80877102, 80877103, 80877104}  # CancelRequest, SSLRequest, GSSENCRequest


class BenchFailed(Exception):
    """A request did not do the work the benchmark times, or the server could not be started."""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# HTTP --------------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Browser:
    """One person's keep-alive connection to the server, with their cookies, as if over HTTPS."""

    port: int
    host: str
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, form: dict[str, Any] | None = None) -> Answer:
        headers = {"Host": self.host, "X-Forwarded-Proto": "https", "Accept": "*/*"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}{path}"
            if CSRF_COOKIE in self.cookies:
                headers["X-CSRFToken"] = self.cookies[CSRF_COOKIE]
        try:
            self._connection.request(method, path, body=body, headers=headers)
            response = self._connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # A worker recycled after its max_requests closes its connections: open a new one, once.
            self._connection.close()
            self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self._connection.request(method, path, body=body, headers=headers)
            response = self._connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or not value or value == '""':
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.getheader("Connection", "").lower() == "close":
            self._connection.close()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, Any]) -> Answer:
        return self.request("POST", path, form)

    def close(self) -> None:
        self._connection.close()

    def sign_in(self, *, email: str, password: str, code: str) -> None:
        """Through the pages, as a person does: the form, the password, then the second factor."""
        page = self.get("/sign-in/")
        token = CSRF_FIELD.search(page.body)
        if page.status != 200 or token is None:
            raise BenchFailed(f"The sign-in page answered {page.status} without its form")
        answer = self.post("/sign-in/", {"email": email, "password": password, "csrfmiddlewaretoken": token[1]})
        if answer.status != 302 or not answer.headers.get("location", "").endswith("/sign-in/code/"):
            raise BenchFailed(f"Signing in {email}: the password step answered {answer.status}")
        page = self.get("/sign-in/code/")
        token = CSRF_FIELD.search(page.body)
        if token is None:
            raise BenchFailed(f"Signing in {email}: no code form ({page.status})")
        answer = self.post("/sign-in/code/", {"code": code, "csrfmiddlewaretoken": token[1]})
        if answer.status != 302 or "sign-in" in answer.headers.get("location", ""):
            raise BenchFailed(f"Signing in {email}: the second factor was refused ({answer.status})")


def page_text(answer: Answer) -> str:
    return unescape(answer.body)


# PostgreSQL round trips ----------------------------------------------------------------------------------------


class WireCounter:
    """A loopback relay in front of PostgreSQL that counts the round trips its clients start.

    Only for a plain (``sslmode=disable``) loopback connection: it reads the frontend messages' types. One
    simple query ('Q'), one extended-protocol exchange (its Sync, 'S') or one function call ('F') is one
    round trip. The server's side is relayed unread.
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        """``upstream_host``: a host, or the folder of a Unix socket (the embedded PostgreSQL's)."""
        self.upstream = (upstream_host, upstream_port)
        self.round_trips = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def read(self) -> int:
        with self._lock:
            return self.round_trips

    def close(self) -> None:
        self._closing = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = self._connect_upstream()
            for sock in (client, server):
                if sock.family != socket.AF_UNIX:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._frontend, args=(client, server), daemon=True).start()
            threading.Thread(target=self._relay, args=(server, client), daemon=True).start()

    def _connect_upstream(self) -> socket.socket:
        host, port = self.upstream
        if not host.startswith("/"):
            return socket.create_connection(self.upstream)
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(f"{host}/.s.PGSQL.{port}")
        return upstream

    @staticmethod
    def _relay(source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _frontend(self, client: socket.socket, server: socket.socket) -> None:
        buffer = b""
        started = False
        try:
            while chunk := client.recv(65536):
                buffer += chunk
                while True:
                    if not started:  # untyped messages: SSL/GSS/cancel requests, then the startup message
                        if len(buffer) < 8:
                            break
                        length, code = struct.unpack("!ii", buffer[:8])
                        if len(buffer) < length:
                            break
                        buffer = buffer[length:]
                        started = code not in STARTUP_CODES_BEFORE_STARTUP
                        continue
                    if len(buffer) < 5:
                        break
                    kind, length = buffer[:1], struct.unpack("!i", buffer[1:5])[0]
                    if len(buffer) < length + 1:
                        break
                    buffer = buffer[length + 1 :]
                    if kind in (b"Q", b"S", b"F"):
                        with self._lock:
                            self.round_trips += 1
                server.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (client, server):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


# gunicorn -------------------------------------------------------------------------------------------------------


def database_url(database: dict[str, Any], *, host: str | None = None, port: int | None = None) -> str:
    """The application role's URL, plain TCP (``sslmode=disable``: loopback, and the relay reads the protocol)."""
    user = quote(database["USER"], safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    # A Unix socket's folder (the embedded PostgreSQL) goes in the host's place, percent-encoded.
    where = f"{quote(host or database['HOST'] or '127.0.0.1', safe='')}:{port or database['PORT'] or 5432}"
    return f"postgresql://{user}{password}@{where}/{quote(database['NAME'], safe='')}?sslmode=disable"


def production_environment(
    *, secret_key: str, database_url: str, cache_url: str, broker_url: str, platform_domain: str, var_dir: Path
) -> dict[str, str]:
    """What settings/production.py requires, for a server on loopback that sends nothing anywhere."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secret_key,
        SSO_SECRET_KEYS=Fernet.generate_key().decode(),  # required; no agency's provider is used here
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        CELERY_BROKER_URL=broker_url,
        # Required by the settings; the pages measured store no file and send no email (emails wait in the
        # outbox for a worker, and no worker runs).
        PATCHWORK_JURISDICTION="england",
        AWS_REGION="eu-west-2",
        AWS_STORAGE_BUCKET_NAME="patchwork-bench-unused",
        AWS_AUDIT_ARCHIVE_BUCKET_NAME="patchwork-bench-unused",
        AWS_S3_KMS_KEY_ID="patchwork-bench-unused",
        PLATFORM_DOMAIN=platform_domain,
        PATCHWORK_VAR_DIR=str(var_dir),
        GUNICORN_LOG_LEVEL="warning",
        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'platform'}",
    )
    return env


def collect_static(env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchFailed(f"collectstatic failed:\n{result.stderr[-3000:]}")


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int | None = None, threads: int | None = None) -> Iterator[int]:
    """``gunicorn config.wsgi -c infra/gunicorn.conf.py`` on a free loopback port; stopped whatever happens."""
    with gunicorn_process(env, workers=workers, threads=threads) as (port, _):
        yield port


def worker_pids(master: int) -> list[int]:
    """The process ids of a running gunicorn's workers, given its master's (Linux: the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def resident_megabytes(pid: int) -> float:
    """A process's resident set size (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchFailed(f"No VmRSS for process {pid}")


@contextmanager
def gunicorn_process(
    env: dict[str, str], *, workers: int | None = None, threads: int | None = None
) -> Iterator[tuple[int, subprocess.Popen]]:
    """As ``gunicorn``, yielding the port and the master process."""
    port = free_port()
    env = dict(env)
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    log = tempfile.NamedTemporaryFile(prefix="bench-web-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    command = [str(GUNICORN), "config.wsgi", "-c", "infra/gunicorn.conf.py", "-b", f"127.0.0.1:{port}"]
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        _wait_healthy(port, process, Path(log.name))
        yield port, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _wait_healthy(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchFailed(f"gunicorn exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchFailed(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()[-3000:]}")


@contextmanager
def temporary_var_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="bench-web-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
