class TaskRefused(ValueError):
    """The submission breaks a limit; nothing was stored and no work started."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
