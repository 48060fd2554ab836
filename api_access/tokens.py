"""JSON Web Tokens: issued at login, rotated at each refresh, revoked at logout and whenever the
user's password changes or the user is deactivated (simplejwt and its blacklist app).

An access token lives OCR_ACCESS_TOKEN_MINUTES and carries a digest of the user's password hash
(simplejwt's CHECK_REVOKE_TOKEN): a new password makes every access token of the user fail at once.
A refresh token can be used once: the refresh gives a new one and blacklists it, so a stolen
token used after its owner is refused. The user's refresh tokens are blacklisted when the password
changes or the account is deactivated (`revoke_when_credentials_change`).
"""

from django.contrib.auth import get_user_model
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken


def tokens_for(user) -> dict:
    refresh = RefreshToken.for_user(user)
    return {"access_token": str(refresh.access_token), "refresh_token": str(refresh)}


def refreshed_tokens(refresh_token: str) -> dict:
    """A new access token and a new refresh token for `refresh_token`, which is used up. Raises
    InvalidToken (401 `token_not_valid`) for a token that is malformed, expired, used, revoked, or
    whose user is gone or inactive."""
    refreshed = TokenRefreshSerializer(data={"refresh": refresh_token})
    try:
        refreshed.is_valid(raise_exception=True)
    except TokenError as error:
        raise InvalidToken(error.args[0]) from error
    except (AuthenticationFailed, get_user_model().DoesNotExist):
        raise InvalidToken("The token's user is inactive or no longer exists.") from None
    return {"access_token": refreshed.validated_data["access"], "refresh_token": refreshed.validated_data["refresh"]}


def revoke(refresh_token: str) -> None:
    """Logging out: the refresh token can no longer be used. InvalidToken when it is not one."""
    try:
        RefreshToken(refresh_token).blacklist()
    except TokenError as error:
        raise InvalidToken(error.args[0]) from error


def revoke_all(user) -> None:
    """Every refresh token the user holds stops working."""
    for token in OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False):
        BlacklistedToken.objects.get_or_create(token=token)


def revoke_when_credentials_change(sender, instance, raw=False, **kwargs) -> None:
    """pre_save receiver of the user model: a new password or a deactivation revokes the user's
    refresh tokens (its access tokens fail by themselves: the password's digest, is_active)."""
    if raw or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before and (before["password"] != instance.password or (before["is_active"] and not instance.is_active)):
        revoke_all(instance)
