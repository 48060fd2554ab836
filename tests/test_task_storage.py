"""Task files live in the task files' storage (STORAGES["ocr_task_files"]), not in the database:
on local disk by default, in an S3-compatible bucket when configured (here moto's standalone
server, a real HTTP server the test starts); they leave it with their task."""

import subprocess
import sys
from datetime import timedelta

import boto3
import pytest
import requests
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ocr_task import workers
from ocr_task.models import OcrTask, OcrTaskItem, task_files_storage
from tests.helpers import draw_text, free_port, get_export, pdf_of, start_gunicorn, upload, wait_for

TASKS_URL = "/api/ocr_task/"


@pytest.fixture(autouse=True)
def quick_pdfs(settings):
    settings.OCR_PDF_DPI = 150


def submit(client, *files: tuple[str, bytes], async_task: bool = True):
    data = {"files": [upload(content, name) for name, content in files], "async_task": str(async_task).lower()}
    return client.post(TASKS_URL, data, format="multipart")


def stored(name: str) -> bytes:
    with task_files_storage().open(name, "rb") as opened:
        return opened.read()


@pytest.mark.django_db
def test_a_submitted_file_is_kept_in_the_storage_under_a_name_of_the_services_own(api_client):
    content = draw_text("kept on disk")

    response = submit(api_client, ("../../etc/passwd.png", content))

    assert response.status_code == 202
    item = OcrTaskItem.objects.get()
    assert item.file.name.startswith(f"{item.task_id}/") and item.file.name.endswith(".png")
    assert "passwd" not in item.file.name and ".." not in item.file.name
    assert stored(item.file.name) == content
    assert item.size == len(content)


@pytest.mark.django_db
def test_a_task_is_read_from_its_stored_files(api_client):
    response = submit(api_client, ("two.pdf", pdf_of("first page", "second page")), async_task=False)

    assert response.status_code == 201
    assert [page["text"].strip() for page in response.json()["items"][0]["readings"]] == ["first page", "second page"]


@pytest.mark.django_db
def test_deleting_a_task_deletes_its_files_and_exports_once_the_deletion_commits(
    api_client, django_capture_on_commit_callbacks
):
    task_id = submit(api_client, ("page.png", draw_text("soon gone")), async_task=False).json()["id"]
    item = OcrTaskItem.objects.get()
    get_export(api_client, f"{TASKS_URL}{task_id}/items/{item.pk}/export/", {"format": "pdf"})
    item.refresh_from_db()
    names = item.stored_files()
    assert len(names) == 2 and all(task_files_storage().exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.delete(f"{TASKS_URL}{task_id}/").status_code == 204

    assert not OcrTask.objects.exists()
    assert not any(task_files_storage().exists(name) for name in names)


@pytest.mark.django_db
def test_retention_deletes_the_files_of_the_tasks_it_deletes(api_client, settings, django_capture_on_commit_callbacks):
    settings.OCR_TASK_RETENTION_DAYS = 30
    old = submit(api_client, ("old.png", draw_text("old")), async_task=False).json()["id"]
    recent = submit(api_client, ("recent.png", draw_text("recent")), async_task=False).json()["id"]
    old_file, recent_file = (OcrTaskItem.objects.get(task_id=task).file.name for task in (old, recent))
    OcrTask.objects.filter(pk=old).update(created_at=timezone.now() - timedelta(days=31))
    workers._last_retention_sweep["at"] = float("-inf")

    with django_capture_on_commit_callbacks(execute=True):
        while workers.work_once():  # the files' PDFs first, then, with nothing else to do, the sweep
            pass

    assert list(OcrTask.objects.values_list("id", flat=True)) == [recent]
    assert not task_files_storage().exists(old_file)
    assert task_files_storage().exists(recent_file)


@pytest.mark.django_db
def test_a_refused_submission_stores_no_file(api_client, settings):
    settings.OCR_QUOTA_STORED_BYTES = 10
    before = stored_names()

    response = submit(api_client, ("page.png", draw_text("too much")))

    assert response.status_code == 413
    assert not OcrTaskItem.objects.exists()
    assert stored_names() == before


def stored_names() -> set[str]:
    storage = task_files_storage()
    directories, files = storage.listdir("")
    return set(files) | {f"{directory}/{name}" for directory in directories for name in storage.listdir(directory)[1]}


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_files_kept_in_the_database_to_the_storage():
    executor = MigrationExecutor(connection)
    executor.migrate([("ocr_task", "0006_longer_callback_urls")])
    old_state = executor.loader.project_state([("ocr_task", "0006_longer_callback_urls")]).apps
    task = old_state.get_model("ocr_task", "OcrTask").objects.create()
    old_state.get_model("ocr_task", "OcrTaskItem").objects.create(
        task_id=task.pk, origin_name="scan.PDF", content=b"%PDF-1.4 kept in a blob", size=23, is_pdf=True
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("ocr_task"))

    item = OcrTaskItem.objects.get()
    assert item.file.name.startswith(f"{task.pk}/") and item.file.name.endswith(".pdf")
    assert stored(item.file.name) == b"%PDF-1.4 kept in a blob"
    assert "content" not in {field.name for field in OcrTaskItem._meta.get_fields()}


@pytest.fixture(scope="module")
def s3_server():
    """moto's standalone S3 server on a free loopback port, with an empty bucket."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )

    def bucket_made() -> bool:
        try:
            client.create_bucket(Bucket="ocr-task-files")
        except Exception:
            return False
        return True

    try:
        wait_for(bucket_made, timeout=30, what="moto's S3 server")
        yield endpoint, client
    finally:
        server.terminate()
        server.wait(timeout=10)


def gunicorn_on_s3(endpoint: str, bucket: str, **settings: str):
    """The service under gunicorn, its task files in `bucket` of the S3 server at `endpoint`."""
    return start_gunicorn(
        OCR_TASK_STORAGE="s3",
        OCR_S3_BUCKET=bucket,
        OCR_S3_ENDPOINT_URL=endpoint,
        OCR_S3_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        **settings,
    )


def bucket_keys(client) -> list[str]:
    return sorted(entry["Key"] for entry in client.list_objects_v2(Bucket="ocr-task-files").get("Contents", []))


def test_with_ocr_task_storage_s3_files_and_exports_go_to_the_bucket_and_leave_it_with_their_task(
    transactional_db, s3_server
):
    endpoint, bucket = s3_server
    server, url = gunicorn_on_s3(endpoint, "ocr-task-files", OCR_PDF_DPI="150")
    try:
        pdf = pdf_of("stored in a bucket")
        response = requests.post(
            f"{url}{TASKS_URL}", files={"files": ("bucket.pdf", pdf)}, data={"async_task": "false"}, timeout=60
        )

        assert response.status_code == 201
        assert response.json()["items"][0]["readings"][0]["text"].strip() == "stored in a bucket"
        item = OcrTaskItem.objects.get()
        assert bucket_keys(bucket) == [f"task_files/{item.file.name}"]
        assert bucket.get_object(Bucket="ocr-task-files", Key=f"task_files/{item.file.name}")["Body"].read() == pdf

        export_url = f"{url}{TASKS_URL}{item.task_id}/items/{item.pk}/export/?format=pdf"
        # The server's task worker makes the PDFs once the file is read; asked meanwhile: 202.
        export = wait_for(
            lambda: (answer := requests.get(export_url, timeout=60)).status_code != 202 and answer,
            timeout=120,
            what="the PDFs to be made",
        )
        assert export.status_code == 200 and export.content.startswith(b"%PDF")
        item.refresh_from_db()
        assert bucket_keys(bucket) == sorted(f"task_files/{name}" for name in item.stored_files())
        assert len(item.stored_files()) == 2  # the file and its searchable PDF

        assert requests.delete(f"{url}{TASKS_URL}{item.task_id}/", timeout=60).status_code == 204
        assert bucket_keys(bucket) == []
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_bucket_that_does_not_exist_fails_readyz_and_a_submission_says_so_storing_nothing(
    transactional_db, s3_server
):
    endpoint, _ = s3_server
    server, url = gunicorn_on_s3(endpoint, "no-such-bucket")
    try:
        ready = requests.get(f"{url}/readyz", timeout=60)
        submitted = requests.post(
            f"{url}{TASKS_URL}",
            files={"files": ("page.png", draw_text("nowhere to go"))},
            data={"async_task": "true"},
            timeout=60,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert ready.status_code == 503
    assert ready.json()["checks"]["storage"] == "the bucket 'no-such-bucket' does not exist"
    assert submitted.status_code == 503, submitted.text
    assert submitted.json() == {
        "detail": "The task files' storage cannot be written to: the bucket 'no-such-bucket' does not exist.",
        "code": "storage_unavailable",
    }
    assert not OcrTask.objects.exists()
