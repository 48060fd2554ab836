from django.apps import AppConfig


class ApiAccessConfig(AppConfig):
    """Who may call the API: login with tokens, API keys, the access policy and the throttles."""

    name = "api_access"
    verbose_name = "API access"

    def ready(self) -> None:
        from api_access import schema  # noqa: F401  (registers the API key scheme with drf-spectacular)
