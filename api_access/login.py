"""Logging in with a user name and password, under one lockout policy for every login.

The lockout is django-axes' (AXES_* in settings): five failures for a user name within 15
minutes lock that name for 15 minutes, names that do not exist included (so that nothing tells
whether one exists), the admin's login and the API's alike. Axes checks the count before the
password and records a failure after it, so guesses sent in parallel would all pass the check
first: each login therefore holds its user's row locked from the check to the record
(`one_login_at_a_time`), and the sixth guess sees the five before it.
"""

from contextlib import contextmanager

from django.contrib.auth import authenticate, get_user_model, user_logged_in
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from rest_framework import status
from rest_framework.exceptions import APIException


class LoginFailed(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "wrong username or password"
    default_code = "login_failed"


class LoginLocked(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "too many failed logins, try again later"
    default_code = "login_locked"


@contextmanager
def one_login_at_a_time(username: str):
    """Logins for `username` one after another, across processes: a transaction holding the
    user's row (SQLite's transactions already take the database's write lock when they begin). A
    name with no user has no row to hold, and no password that could be guessed."""
    User = get_user_model()
    with transaction.atomic():
        list(User.objects.select_for_update().filter(**{User.USERNAME_FIELD: username}).values_list("pk"))
        yield


def user_login(*, request: HttpRequest, username: str, password: str) -> AbstractBaseUser:
    """The user with these credentials; LoginLocked while axes holds the name locked out."""
    with one_login_at_a_time(username):
        user = authenticate(request, username=username, password=password)
        if user is not None:
            # What a session login says: axes clears the name's failures, Django notes last_login.
            user_logged_in.send(sender=user.__class__, request=request, user=user)
    if user is None:
        raise LoginLocked() if getattr(request, "axes_locked_out", False) else LoginFailed()
    return user


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """What axes answers a locked-out login with (AXES_LOCKOUT_CALLABLE): the API's own answer
    (400 `login_locked` in JSON) as it is; the admin's login form a plain 429 saying why."""
    if original_response is not None and original_response.get("Content-Type", "").startswith("application/json"):
        return original_response
    return HttpResponse(
        "Too many failed logins for this user name: try again in 15 minutes.", status=429, content_type="text/plain"
    )
