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
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_djangos_deployment_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="ocr.example.com",
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


def test_a_polling_interval_may_be_a_fraction_of_a_second_but_not_zero():
    assert manage("check", OCR_TASK_POLL_S="0.25").returncode == 0

    result = manage("check", OCR_TASK_POLL_S="0")

    assert result.returncode != 0
    assert "OCR_TASK_POLL_S must be at least 0.1, not 0." in result.stderr


def test_production_redirects_to_https_but_lets_health_checks_through(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/api/ocr_record/").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_responses_carry_the_usual_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = False

    response = client.get("/healthz", secure=True)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_uploads_are_not_kept_after_the_request(client, settings, tmp_path, db):
    from tests.helpers import PARSE_LETTER_URL, draw_text, upload

    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # every upload goes to a temporary file
    response = client.post(PARSE_LETTER_URL, {"image": upload(draw_text("temporary"), "../../escape.png")})

    assert response.status_code == 200
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent.parent / "escape.png").exists()


def test_the_admin_needs_a_staff_login_and_keeps_csrf(db):
    from django.contrib.auth.models import User
    from django.test import Client

    member = User.objects.create_user("member", password="a long member password")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)

    assert browser.get("/admin/ocr_record/ocrrecord/").status_code == 302  # not staff: to the login page
    assert browser.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 403  # no CSRF token


def test_a_dot_env_file_is_read_at_start_and_the_environment_wins_over_it(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("OCR_TIMEOUT_S=17\nOCR_LANGUAGE=chi_sim\n")
    show = "from django.conf import settings; print(settings.OCR_TIMEOUT_S, settings.OCR_LANGUAGE)"

    from_file = manage("shell", "--no-imports", "-c", show, OCR_ENV_FILE=str(env_file))
    overridden = manage("shell", "--no-imports", "-c", show, OCR_ENV_FILE=str(env_file), OCR_LANGUAGE="eng")

    assert from_file.stdout.split() == ["17", "chi_sim"], from_file.stderr
    assert overridden.stdout.split() == ["17", "eng"], overridden.stderr


def test_cache_url_chooses_the_cache_throttles_count_in():
    show = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"

    default = manage("shell", "--no-imports", "-c", show)
    redis = manage("shell", "--no-imports", "-c", show, CACHE_URL="redis://127.0.0.1:6379/13")

    assert default.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache"], default.stderr
    assert redis.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/13"]


def test_the_example_env_file_copied_as_dot_env_starts_the_service():
    result = manage("check", OCR_ENV_FILE=str(ROOT / ".env.example"))

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
