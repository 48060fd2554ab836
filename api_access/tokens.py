"""JSON Web Tokens: issued at login, rotated at each refresh, revoked at logout and whenever the
user's password changes or the user is deactivated (simplejwt and its blacklist app).

Every token of one login carries the login's `family` (the first refresh token's id). Logging out
revokes the family: its access tokens are refused within FAMILY_CHECK_SECONDS too, not only once
they expire. A refresh token presented again after it was used (a stolen copy, or the owner's
after a thief used it) revokes its whole family: the newer tokens rotated from it stop working.

An access token lives OCR_ACCESS_TOKEN_MINUTES and carries a digest of the user's password hash
(simplejwt's CHECK_REVOKE_TOKEN): a new password makes every access token of the user fail at once.
A refresh token can be used once: the refresh gives a new one and blacklists it, so a stolen
token used after its owner is refused. The user's refresh tokens are blacklisted when the password
changes or the account is deactivated (`revoke_when_credentials_change`).
"""

import time

from django.contrib.auth import get_user_model
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenBackendError, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from api_access.models import RevokedTokenFamily

#: How long a process trusts what it found of a family (revoked or not): logging out ends the
#: login's access tokens everywhere within this, at one query per family and process.
FAMILY_CHECK_SECONDS = 30
FAMILY_CLAIM = "family"
_families_seen: dict[str, tuple[float, bool]] = {}


def tokens_for(user) -> dict:
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = refresh["jti"]  # copied into every token rotated and issued from it
    return {"access_token": str(refresh.access_token), "refresh_token": str(refresh)}


def refreshed_tokens(refresh_token: str) -> dict:
    """A new access token and a new refresh token for `refresh_token`, which is used up. Raises
    InvalidToken (401 `token_not_valid`) for a token that is malformed, expired, used, revoked, or
    whose user is gone or inactive; a token used already revokes its family first."""
    payload = _signed_payload(refresh_token)
    family = payload.get(FAMILY_CLAIM, "")
    if family and is_family_revoked(family, fresh=True):
        raise InvalidToken("This login was ended; log in again.")
    if BlacklistedToken.objects.filter(token__jti=payload.get("jti", "")).exists():
        if family:
            revoke_family(family)
        raise InvalidToken("This refresh token was used already: every token of its login is revoked.")
    refreshed = TokenRefreshSerializer(data={"refresh": refresh_token})
    try:
        refreshed.is_valid(raise_exception=True)
    except TokenError as error:
        raise InvalidToken(error.args[0]) from error
    except (AuthenticationFailed, get_user_model().DoesNotExist):
        raise InvalidToken("The token's user is inactive or no longer exists.") from None
    return {"access_token": refreshed.validated_data["access"], "refresh_token": refreshed.validated_data["refresh"]}


def revoke(refresh_token: str) -> None:
    """Logging out: the refresh token can no longer be used, nor any token of its login (its
    family). InvalidToken when it is not one."""
    try:
        token = RefreshToken(refresh_token)
    except TokenError as error:
        raise InvalidToken(error.args[0]) from error
    token.blacklist()
    if family := token.get(FAMILY_CLAIM):
        revoke_family(family)


def revoke_family(family: str) -> None:
    RevokedTokenFamily.objects.get_or_create(family=family)
    _families_seen[family] = (time.monotonic(), True)


def is_family_revoked(family: str, *, fresh: bool = False) -> bool:
    """Whether the login `family` was ended: asked of the database at most every
    FAMILY_CHECK_SECONDS per process (always when `fresh`)."""
    seen = _families_seen.get(family)
    if fresh or seen is None or time.monotonic() - seen[0] > FAMILY_CHECK_SECONDS:
        seen = (time.monotonic(), RevokedTokenFamily.objects.filter(family=family).exists())
        if len(_families_seen) > 10_000:  # a bound on what one process remembers
            _families_seen.clear()
        _families_seen[family] = seen
    return seen[1]


def _signed_payload(token: str) -> dict:
    """The claims of a token whose signature and expiry hold (used or not); InvalidToken else."""
    try:
        return token_backend.decode(token, verify=True)
    except TokenBackendError as error:
        raise InvalidToken(str(error)) from error


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
