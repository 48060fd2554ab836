"""How drf-spectacular describes the API key scheme (imported by the app's ready())."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class LoginJWTScheme(SimpleJWTScheme):
    """simplejwt's bearer scheme, for its subclass that also refuses the tokens of ended logins."""

    target_class = "api_access.authentication.LoginJWTAuthentication"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api_access.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; keys are created and revoked in the admin.",
        }
