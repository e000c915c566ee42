"""The Celery application. Each message carries the schema it was sent from (tenant-schemas-celery).

Council work uses ``tenants.tasks_base.CouncilTask``, which refuses to run without a council;
platform work (provisioning, billing) uses ``PlatformTask``, which always runs in ``public``.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("patchwork")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker's heartbeat file, for its container health check (config/liveness.py). Named, not imported,
# so that ``python -m config.liveness`` (which imports this package first) runs the module only once.
app.steps["consumer"].add("config.liveness:WorkerHeartbeat")
