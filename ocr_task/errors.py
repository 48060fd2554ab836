"""What the task services refuse, with a message for people and a stable code for programs (the
API maps them in ocr_project/exception_handler.py)."""


class TaskError(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class TaskRefused(TaskError):
    """The submission breaks a limit; nothing was stored and no work started."""


class NotExportable(TaskError):
    """A file still being read, or none of whose pages could be read, has nothing to export yet."""


class QuotaExceeded(TaskError):
    """The client already holds what it may: bytes of files stored (413) or pages waiting (429)."""

    def __init__(self, message: str, *, code: str, status: int) -> None:
        super().__init__(message, code=code)
        self.status = status
