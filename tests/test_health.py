"""/healthz and /readyz, for load balancers."""

import shutil

import pytest
from django.db.utils import OperationalError

import ocr_engine
from ocr_project import health


@pytest.fixture(autouse=True)
def fresh_checks():
    health._engine_error.forget()
    health._storage_error.forget()


def test_healthz_says_the_process_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database_the_storage_and_the_engine(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "disk": "ok", "storage": "ok", "engine": "ok"},
    }


@pytest.mark.django_db
def test_readyz_fails_when_the_database_is_unreachable(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(health.connection, "cursor", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "unreachable: could not connect to server"


@pytest.mark.django_db
def test_readyz_fails_when_the_engine_cannot_run(client, settings):
    settings.OCR_ENGINE = "tests.engines.MissingProgramEngine"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["engine"].startswith("EngineUnavailable:")


@pytest.mark.django_db
def test_readyz_remembers_the_engine_check_for_a_few_seconds(client, settings):
    client.get("/readyz")
    settings.OCR_ENGINE = "tests.engines.MissingProgramEngine"

    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_checks_every_engine_a_request_may_ask_for(client, settings, monkeypatch):
    settings.OCR_ENGINE = "tesserocr"
    monkeypatch.setitem(ocr_engine.ENGINES, "broken", "tests.engines.MissingProgramEngine")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["engine"].startswith("broken: EngineUnavailable:")


@pytest.mark.django_db
def test_readyz_reads_the_probe_with_ppocr_too(client, settings, monkeypatch):
    settings.OCR_ENGINE = "ppocr"

    assert client.get("/readyz").json()["checks"]["engine"] == "ok"


@pytest.mark.django_db
def test_readyz_fails_when_the_upload_disk_has_less_free_than_needed(client, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    free_mib = shutil.disk_usage(tmp_path).free // (1024 * 1024)
    settings.OCR_MIN_FREE_DISK_MB = free_mib + 10_000  # more than this disk has

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["disk"].endswith(
        f"free in {tmp_path}; at least {free_mib + 10_000} MiB are needed"
    )
