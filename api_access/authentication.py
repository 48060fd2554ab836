from rest_framework import authentication, exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from api_access.models import ClientApiKey
from api_access.tokens import FAMILY_CLAIM, is_family_revoked


class LoginJWTAuthentication(JWTAuthentication):
    """simplejwt's access tokens, refused once their login was ended (logged out, or its refresh
    token replayed): within api_access.tokens.FAMILY_CHECK_SECONDS, not when they expire."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        family = token.get(FAMILY_CLAIM)
        if family and is_family_revoked(family):
            raise InvalidToken({"detail": "This login was ended; log in again.", "code": "token_not_valid"})
        return token


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`: the key's user makes the request."""

    keyword = "Api-Key"

    def authenticate(self, request):
        keyword, _, key = authentication.get_authorization_header(request).decode("latin-1").partition(" ")
        if keyword != self.keyword:
            return None
        try:
            api_key = ClientApiKey.objects.get_from_key(key.strip())
        except ClientApiKey.DoesNotExist:
            api_key = None
        if api_key is None or api_key.has_expired or not api_key.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.", code="invalid_api_key")
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        return self.keyword
