from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ApiAccessConfig(AppConfig):
    """Who may call the API: login with tokens, API keys, the access policy and the throttles."""

    name = "api_access"
    verbose_name = "API access"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from api_access import schema  # noqa: F401  (registers the API key scheme with drf-spectacular)
        from api_access.tokens import revoke_when_credentials_change

        pre_save.connect(revoke_when_credentials_change, sender=get_user_model(), dispatch_uid="revoke_tokens")


class OcrAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the login lockout (`api_access.admin_site`)."""

    default = False  # api_access's own config stays ApiAccessConfig
    default_site = "api_access.admin_site.LockoutAdminSite"
