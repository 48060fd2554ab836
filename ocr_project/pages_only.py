"""Middleware the pages need and the API does not, run for the pages only.

The admin and the try-it page keep a session, log a user in through it and show messages. The API
under /api/ does none of that: its callers authenticate with an API key or a token on every
request (DRF's authentication classes, no session, no cookie) and it answers JSON. Django's session,
authentication and messages middleware would still prepare all three for each API request, which
costs a measurable part of a cache hit, on every request, for nothing. Each class here is the
Django middleware of the same name (a subclass: Django's admin checks still find it) that hands
API requests on untouched.

CSRF and the login lockout (django-axes) stay for every request: the API's views are exempt from
CSRF anyway, and axes' checks want its own middleware by name.
"""

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions

API_PREFIX = "/api/"


def pages_only(middleware: type) -> type:
    """`middleware`, skipped for requests to the API."""

    class PagesOnly(middleware):
        def __call__(self, request):
            if request.path_info.startswith(API_PREFIX):
                return self.get_response(request)
            return super().__call__(request)

    PagesOnly.__name__ = PagesOnly.__qualname__ = middleware.__name__
    PagesOnly.__doc__ = f"{middleware.__module__}.{middleware.__name__}, for the pages only (not for {API_PREFIX})."
    return PagesOnly


SessionMiddleware = pages_only(sessions.SessionMiddleware)
AuthenticationMiddleware = pages_only(auth.AuthenticationMiddleware)
MessageMiddleware = pages_only(messages.MessageMiddleware)
