"""The environment the benchmarks run the real service in, in-process (Django's test client)."""

import os


def use_service_settings(database_url: str, **more: str) -> None:
    """Set the service's variables for a benchmark on `database_url`, before Django is set up;
    `more` adds or overrides variables (OCR_ENGINE=..., ...)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ocr_project.settings",
            "DATABASE_URL": database_url,
            # DEBUG off as in production: with it on, Django keeps every query in memory.
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "benchmark-only",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            # The in-process client speaks plain HTTP; production would redirect it to HTTPS.
            "DJANGO_HTTPS": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
            # No task threads polling the benchmark's database: it measures the endpoints.
            "OCR_TASK_EMBEDDED_THREADS": "0",
            **more,
        }
    )
