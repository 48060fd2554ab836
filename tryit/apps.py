from django.apps import AppConfig


class TryItConfig(AppConfig):
    """The page at / where a person tries the service in a browser."""

    name = "tryit"
    verbose_name = "Try it"
