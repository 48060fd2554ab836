"""Simultaneous uploads of one new file: every request succeeds and one record is left."""

import hashlib
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from ocr_record.models import OcrRecord
from tests import engines
from tests.helpers import PARSE_LETTER_URL, draw_text, upload

SIMULTANEOUS_UPLOADS = 8


def post_all_at_once(image: bytes, count: int) -> list:
    """POST `image` from `count` threads released together, each with its own connection."""
    barrier = threading.Barrier(count)
    responses = [None] * count

    def post(slot: int) -> None:
        try:
            client = APIClient()
            barrier.wait()
            responses[slot] = client.post(PARSE_LETTER_URL, {"image": upload(image)}, format="multipart")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(slot,)) for slot in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uploads_of_a_new_file_all_succeed_with_one_record(counting_engine):
    responses = post_all_at_once(draw_text("hello world"), SIMULTANEOUS_UPLOADS)

    assert [response.status_code for response in responses] == [200] * SIMULTANEOUS_UPLOADS
    assert {tuple(response.json()["content"]) for response in responses} == {tuple("helloworld")}
    assert OcrRecord.objects.count() == 1
    # More than one request read the image: the requests really raced past the dedup lookup.
    assert counting_engine.calls > 1


class StoresFirstEngine(engines.CountingPytesseractEngine):
    """Reads the image, but another request stores the same file while it does."""

    def recognize(self, image, *, layout="auto", with_lines=False):
        recognition = super().recognize(image, layout=layout, with_lines=with_lines)
        OcrRecord.objects.create(
            image_md5=self.racing_md5,
            image_sha256=self.racing_sha256,
            image_size=self.racing_size,
            content=list("winner"),
            content_text="winner",
        )
        return recognition


@pytest.mark.django_db(transaction=True)
def test_a_request_that_loses_the_race_answers_with_the_winners_record(post_image, settings):
    image = draw_text("hello world")
    settings.OCR_ENGINE = "tests.test_parse_letter_race.StoresFirstEngine"
    StoresFirstEngine.racing_md5 = hashlib.md5(image).hexdigest()
    StoresFirstEngine.racing_sha256 = hashlib.sha256(image).hexdigest()
    StoresFirstEngine.racing_size = len(image)

    response = post_image(image)

    assert response.status_code == 200
    assert response.json() == {"content": list("winner")}
    assert OcrRecord.objects.get().content == list("winner")
