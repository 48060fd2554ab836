# Loaded with Django so that `shared_task`s send to the configured broker.
from ocr_project.celery import app as celery_app

__all__ = ["celery_app"]
