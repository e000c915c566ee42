"""The outbox as an attacker who can read its table sees it, and an email provider that is down."""

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django_tenants.utils import schema_context


class ProviderDown(BaseEmailBackend):
    """The email provider is unreachable."""

    def send_messages(self, email_messages: object) -> int:
        raise ConnectionError("provider unreachable")


PROVIDER_DOWN = f"{__name__}.ProviderDown"


def outbox_table(schema_name: str) -> list[str]:
    """Every outbox row of a schema, every column, as text: what reading the table gives away."""
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(n)::text FROM notifications_notification AS n ORDER BY n.id")
        return [row for (row,) in cursor.fetchall()]


class FakeNotify:
    """GOV.UK Notify's HTTP API, played on a local port: it records each ``POST /v2/notifications/email`` and
    answers as Notify does (201 with the notification's id), or with ``fail_with`` while that is set."""

    def __init__(self) -> None:
        import json
        import threading
        import uuid
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        fake = self
        self.received: list[dict[str, object]] = []
        self.fail_with: int | None = None

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.received.append({"path": self.path, "json": body, "auth": self.headers.get("Authorization")})
                status = fake.fail_with or 201
                answer = (
                    {"id": str(uuid.uuid4()), "reference": body.get("reference")}
                    if status == 201
                    else {"status_code": status, "errors": [{"error": "Exception", "message": "Internal"}]}
                )
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
