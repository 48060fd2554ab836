"""The WSGI application of runserver and gunicorn (each gunicorn worker imports it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocr_project.settings")

application = get_wsgi_application()

# With OCR_TASK_QUEUE=embedded, pages submitted before a restart are read from the start, not only
# once a request comes in (requests start the threads too, in servers that do not import this).
from ocr_api.uploads import remove_abandoned_uploads  # noqa: E402 (needs the settings loaded above)
from ocr_task.workers import embedded_worker  # noqa: E402

embedded_worker.start()
# Upload files left by a worker killed mid-request (the kernel's OOM killer, gunicorn's time-out).
remove_abandoned_uploads()
