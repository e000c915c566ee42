"""Gunicorn settings for Patchwork's web process (``gunicorn config.wsgi -c infra/gunicorn.conf.py``).

Everything that varies between machines comes from the environment:

* ``GUNICORN_WORKERS`` (or ``WEB_CONCURRENCY``): worker processes; default CPUs + 1, capped by
  ``GUNICORN_MAX_WORKERS`` (default 8);
* ``GUNICORN_THREADS``: threads per worker (default 4);
* ``GUNICORN_MAX_REQUESTS`` / ``GUNICORN_MAX_REQUESTS_JITTER``: requests after which a worker is replaced, and
  the random spread of that number (default 0, never replaced / a tenth of max requests);
* ``GUNICORN_TIMEOUT``: seconds before a silent worker is restarted (default 30);
* ``FORWARDED_ALLOW_IPS``: addresses or CIDR networks of the load balancer, whose
  X-Forwarded-Proto is trusted (default: localhost only);
* ``GUNICORN_LOG_LEVEL``: gunicorn's own log level (default info);
* ``GUNICORN_WORKER_TMP_DIR``: directory for worker heartbeat files (default: the temporary directory).

The access log is one JSON object a line (like the application's, config/logs.py), and never contains a query
string, a referrer or a user agent: paths only, so no personal data that a URL parameter might carry ends up in
the logs. Its ``request_id`` is the ``X-Request-Id`` the application answered with, which its own lines carry too.
"""

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from gunicorn.glogging import Logger, SafeAtoms

ROOT = Path(__file__).resolve().parent.parent


def _int_from_env(*names, default):
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return int(value)
    return default


def _cpu_count():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# config (the Django project) lives in platform/, a second import root beside the repository root.
pythonpath = f"{ROOT},{ROOT / 'platform'}"

bind = "0.0.0.0:8000"

workers = _int_from_env(
    "GUNICORN_WORKERS",
    "WEB_CONCURRENCY",
    default=min(_cpu_count() + 1, _int_from_env("GUNICORN_MAX_WORKERS", default=8)),
)
worker_class = "gthread"
threads = _int_from_env("GUNICORN_THREADS", default=4)

# Workers and threads: CPUs + 1 processes of 4 threads, chosen by measurement (docs/benchmarks.md, "Web server
# settings"): the load test at saturation on 2 cores, 5 x 2, 3 x 4, 2 x 4 and 3 x 2 interleaved twice on a quiet
# machine, put 3 x 4 first both times -- the most requests/s (68.4 and 68.0 against 62.8-66.8) and the lowest
# p95 (590 and 640 ms against 780-1,200 ms). A request spends part of its time waiting for PostgreSQL and Redis,
# which threads overlap in one process at less memory than more processes. Each thread holds one pooled
# database connection, so a web task opens workers x threads connections -- the number to budget against
# PostgreSQL's max_connections.
#
# Workers are not replaced after a number of requests (max_requests 0), unless GUNICORN_MAX_REQUESTS says so.
# Each replacement can drop a request: the leaving worker closes its keep-alive connections, and a POST sent
# on one just then fails (a client may only retry GET; behind the load balancer it is a 502). Measured: with
# a replacement every ~100 requests, 40 replacements lost 12 searches in three runs; none of the 17 runs
# without a replacement lost any. At 1000 an independent run saw 102 replacements in 6 minutes. Deploys
# replace every task anyway; if the worker-memory benchmark (PERFORMANCE.md) finds growth, set
# GUNICORN_MAX_REQUESTS (e.g. 10000) -- the jitter defaults to a tenth of it, so workers never leave together.
max_requests = _int_from_env("GUNICORN_MAX_REQUESTS", default=0)
max_requests_jitter = _int_from_env("GUNICORN_MAX_REQUESTS_JITTER", default=max_requests // 10)

timeout = _int_from_env("GUNICORN_TIMEOUT", default=30)
graceful_timeout = _int_from_env("GUNICORN_GRACEFUL_TIMEOUT", default=25)
# Longer than the load balancer's 60 s idle timeout, so the balancer always closes first.
keepalive = _int_from_env("GUNICORN_KEEPALIVE", default=75)

# Where workers keep their heartbeat file; a memory filesystem is best. Unset: the system temporary
# directory (in the container, /tmp, the one writable mount on a read-only root filesystem).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None

# No runtime control socket (gunicornc): nothing in a container uses it, and its default home
# directory is not writable there.
control_socket_disable = True

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Time (UTC), method, path without the query string (%(U)s, never %(r)s or %(q)s), status, bytes, duration, the
# request id the application answered with and the load balancer's trace id.
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(b)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", '
    '"trace_id": "%({x-amzn-trace-id}i)s"}'
)


TRACE_HEADER = "{x-amzn-trace-id}i"


class JsonSafeAtoms(SafeAtoms):
    """Each value escaped for a JSON string, whatever a path or header holds (gunicorn's own wrapper escapes only
    double quotes, which leaves a backslash or a control character to break the line)."""

    def __init__(self, atoms: dict) -> None:
        dict.__init__(
            self, {key: json.dumps(value)[1:-1] if isinstance(value, str) else value for key, value in atoms.items()}
        )


class JsonAccessLogger(Logger):
    atoms_wrapper_class = JsonSafeAtoms

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # Only the load balancer's trace id, in its own format: a client can send this header with anything in it.
        trace = re.search(r"(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)", atoms.get(TRACE_HEADER) or "")
        atoms[TRACE_HEADER] = trace.group(1) if trace else "-"
        return atoms

    def now(self) -> str:
        return datetime.now(UTC).isoformat(timespec="milliseconds")


logger_class = JsonAccessLogger

# Each worker pools its database connections, one per thread (config/settings/production.py, docs/adr/0012): a
# request takes a connection without the health-check round trip a persistent connection needs.
os.environ.setdefault("DATABASE_POOL_SIZE", str(threads))
