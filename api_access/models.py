from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager


class ClientApiKey(AbstractAPIKey):
    """A machine client's key, stored hashed; it acts for the user it belongs to."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")

    objects = APIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"


class RevokedTokenFamily(models.Model):
    """A login's tokens, all of them: the refresh tokens rotated from one another since the login,
    and the access tokens they gave (each carries the login's `family` claim). Revoked at logout,
    and when a refresh token already used is presented again: a thief and its owner then both hold
    one, and neither the replayed token nor its newer sibling may go on."""

    family = models.CharField(max_length=255, unique=True)
    revoked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "revoked login"

    def __str__(self) -> str:
        return self.family
