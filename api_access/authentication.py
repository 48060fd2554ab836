from rest_framework import authentication, exceptions

from api_access.models import ClientApiKey


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
