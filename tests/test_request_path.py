"""A parse_letter request followed from the URL conf to the engine and back: the stack of the
project's own files at every call made while it is answered never holds one file twice (a file
calling out and being called back, as the view's decoding callback and `auto`'s second run of the
whole letters pipeline once did)."""

import sys
from pathlib import Path

import pytest

from ocr_record.models import OcrRecord
from tests.helpers import PARSE_LETTER_URL, draw_text, upload

ROOT = str(Path(__file__).resolve().parent.parent) + "/"
OWN = ("ocr_", "api_access/", "extraction/", "tryit/")


def stacks_of_own_files(call) -> list[list[str]]:
    """Every stack of the project's files (a run of frames in one file counted once) at a call
    made during `call()`."""
    stacks = []

    def profile(frame, event, arg):
        if event != "call":
            return
        files = []
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(ROOT) and name[len(ROOT) :].startswith(OWN):
                relative = name[len(ROOT) :]
                if not files or files[-1] != relative:
                    files.append(relative)
            frame = frame.f_back
        stacks.append(files[::-1])

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return stacks


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ["auto", "tesserocr"])
def test_a_parse_letter_request_passes_through_each_file_once(api_client, settings, engine):
    settings.OCR_ENGINE = engine
    image = draw_text("one way through")
    answers = []

    def post():
        answers.append(api_client.post(PARSE_LETTER_URL, {"image": upload(image)}, format="multipart"))

    stacks = stacks_of_own_files(post) + stacks_of_own_files(post)  # read, then answered from its record

    assert [answer["X-OCR-Cache"] for answer in answers] == ["miss", "hit"]
    assert OcrRecord.objects.count() == 1
    assert any("ocr_engine/tesserocr_engine.py" in stack for stack in stacks)  # followed down to the engine
    assert [stack for stack in stacks if len(stack) != len(set(stack))] == []
