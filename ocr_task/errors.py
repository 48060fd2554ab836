"""What the task services refuse, with a message for people, a stable code for programs and the
status it is answered with (`ocr_api.exceptions.ApplicationError`, mapped in one handler)."""

from ocr_api.exceptions import ApplicationError


class TaskRefused(ApplicationError):
    """The submission breaks a limit; nothing was stored and no work started (400)."""


class NotExportable(ApplicationError):
    """A file still being read, or none of whose pages could be read, has nothing to export yet."""

    status = 409


class QuotaExceeded(ApplicationError):
    """The client already holds what it may: bytes of files stored (413) or pages waiting (429)."""


class TooManyStreams(ApplicationError):
    """This process holds as many event streams as it may (OCR_TASK_EVENTS_MAX_STREAMS): each holds
    a web server thread."""

    status = 503

    def __init__(self) -> None:
        super().__init__(
            "This server follows as many tasks by events as it can; poll GET /api/ocr_task/{id}/ instead.",
            code="too_many_streams",
        )


class StorageUnavailable(ApplicationError):
    """The task files' storage cannot take a file now (a bucket missing or refusing, a disk that
    cannot be written): nothing was stored (503)."""

    status = 503

    def __init__(self, why: str) -> None:
        super().__init__(f"The task files' storage cannot be written to: {why}.", code="storage_unavailable")
