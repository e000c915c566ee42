"""An email provider the delivery fault tests control from another process, through Redis.

Every attempt is recorded (the delivery's key, the address, when); a delivered message is recorded again as
delivered. While ``<prefix>:fail`` is set the provider refuses; while ``<prefix>:block`` is set it hangs after
saying so (``<prefix>:blocked``), as a provider that never answers, until the worker is killed.
"""

import json
import os
import time

import redis
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from core.notifications.transports import DELIVERY_HEADER


def controls() -> "redis.Redis[bytes]":
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])


def prefix() -> str:
    return os.environ["PATCHWORK_TEST_FAULTS"]


class ControlledBackend(BaseEmailBackend):
    def send_messages(self, email_messages: object) -> int:
        store, key = controls(), prefix()
        sent = 0
        for message in email_messages:  # type: ignore[attr-defined]
            record = json.dumps({"key": message.extra_headers[DELIVERY_HEADER], "to": message.to[0], "at": time.time()})
            store.rpush(f"{key}:attempts", record)
            if store.exists(f"{key}:block"):
                store.set(f"{key}:blocked", 1)
                while store.exists(f"{key}:block"):
                    time.sleep(0.1)
            if store.exists(f"{key}:fail"):
                raise ConnectionError("provider unreachable")
            store.rpush(f"{key}:delivered", record)
            sent += 1
        return sent
