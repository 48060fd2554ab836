"""For tests that start servers and workers as processes of their own."""

from django.db import connection


def database_url_under_test() -> str:
    """The URL of the database this test runs on, for the other processes to use it too."""
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
