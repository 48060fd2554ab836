"""Production settings: safe by default, loud when misconfigured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env={**env, **environment},
        capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_djangos_deployment_checks():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="ocr.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_with_the_default_secret_key():
    result = manage("check", DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_a_setting_that_makes_no_sense_stops_the_start():
    result = manage("check", OCR_TIMEOUT_S="soon")

    assert result.returncode != 0
    assert "OCR_TIMEOUT_S must be a whole number, not 'soon'." in result.stderr


def test_production_redirects_to_https_but_lets_health_checks_through(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/api/ocr_record/").status_code == 301
    assert client.get("/healthz").status_code == 200
