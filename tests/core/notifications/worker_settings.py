"""Settings of the Celery worker that the delivery fault tests start as a subprocess (and kill).

The test settings, except: the hand-off goes to the broker (no inline dispatch), email goes to a transport the test
controls through Redis (fault_transport.py), and the lease, backoff and broker's visibility timeout are as short as
the test asks, so that a killed worker's row and message come back in seconds rather than minutes.
"""

import os

from config.settings.test import *  # noqa: F403

NOTIFICATIONS_DISPATCH_INLINE = False
EMAIL_BACKEND = "tests.core.notifications.fault_transport.ControlledBackend"
NOTIFICATIONS_LEASE_SECONDS = int(os.environ.get("PATCHWORK_TEST_LEASE_SECONDS", "300"))
NOTIFICATIONS_BACKOFF_BASE_SECONDS = float(os.environ.get("PATCHWORK_TEST_BACKOFF_SECONDS", "60"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("PATCHWORK_TEST_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
