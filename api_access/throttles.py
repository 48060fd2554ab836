from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api_access.client_address import remote_address

# What reads images: the record endpoints, and submitting a task (the only "create" there is).
PARSE_ACTIONS = {"parse_letter", "parse_text", "create"}


class AddressIdentMixin:
    """Anonymous clients by the address ClientAddressMiddleware settled on, never by a header the
    client wrote (DRF's own `get_ident` believes X-Forwarded-For from anyone)."""

    def get_ident(self, request):
        return remote_address(request)


class ClientRateThrottle(AddressIdentMixin, SimpleRateThrottle):
    """Requests per client and per kind of operation: reading images is limited apart from reading
    records, and anonymous callers (by address) apart from known clients (by user).

    The rates are OCR_THROTTLE_RATES' "parse", "read", "anon_parse" and "anon_read"; None turns
    one off.
    """

    def get_rate(self):
        return None  # chosen per request, in allow_request

    def allow_request(self, request, view):
        operation = "parse" if getattr(view, "action", None) in PARSE_ACTIONS else "read"
        authenticated = bool(request.user and request.user.is_authenticated)
        self.scope = operation if authenticated else f"anon_{operation}"
        self.rate = settings.OCR_THROTTLE_RATES.get(self.scope)
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AuthRateThrottle(AddressIdentMixin, SimpleRateThrottle):
    """Logins and token refreshes per address (OCR_THROTTLE_AUTH): guessing passwords or replaying
    refresh tokens is slowed for everyone, whatever the user name tried."""

    scope = "auth"

    def get_rate(self):
        return settings.OCR_THROTTLE_RATES.get("auth")

    def get_cache_key(self, request, view):  # None rate: DRF lets every request through
        return self.cache_format % {"scope": self.scope, "ident": f"address-{self.get_ident(request)}"}
