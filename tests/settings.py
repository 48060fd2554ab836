"""The settings the tests run with (pytest.ini): the service's own, with a password hasher fast
enough for tests (the default one costs ~100 ms a login by design: test_auth.py took 11 s), and
task files in a directory of the test run's own."""

import atexit
import os
import shutil
import tempfile

# Made by the first process to import these settings and removed when it ends; the servers and
# workers the tests start inherit it through the environment.
if not os.environ.get("OCR_TASK_FILES_DIR"):
    os.environ["OCR_TASK_FILES_DIR"] = tempfile.mkdtemp(prefix="django-ocr-task-files-")
    atexit.register(shutil.rmtree, os.environ["OCR_TASK_FILES_DIR"], ignore_errors=True)

from ocr_project.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
