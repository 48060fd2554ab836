"""The Celery application of `make worker` (OCR_TASK_QUEUE=celery): settings are the CELERY_* of
Django's settings, tasks are found in the apps' tasks modules."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocr_project.settings")

app = Celery("ocr_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from ocr_task.worker_steps import ResendForgottenWork  # noqa: E402 (a bootstep: no Django models)

app.steps["worker"].add(ResendForgottenWork)
