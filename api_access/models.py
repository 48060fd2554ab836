from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager


class ClientApiKey(AbstractAPIKey):
    """A machine client's key, stored hashed; it acts for the user it belongs to."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")

    objects = APIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"


class LoginFailure(models.Model):
    """A failed login, counted per user name (existing or not) to lock out password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
