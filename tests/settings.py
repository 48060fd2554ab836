"""The settings the tests run with (pytest.ini): the service's own, with a password hasher fast
enough for tests (the default one costs ~100 ms a login by design: test_auth.py took 11 s)."""

from ocr_project.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
