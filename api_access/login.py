"""Logging in with a user name and password, with a lockout against password guessing."""

from datetime import timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException

from api_access.models import LoginFailure

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)


class LoginFailed(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "wrong username or password"
    default_code = "login_failed"


class LoginLocked(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "too many failed logins, try again later"
    default_code = "login_locked"


def user_login(*, request: HttpRequest, username: str, password: str) -> AbstractBaseUser:
    """The user with these credentials.

    Five failures for one user name within 15 minutes lock that name out until 15 minutes have
    passed since the oldest of them. Names that do not exist are counted and locked the same way, and
    give the same message, so that nothing tells whether a name exists.
    """
    name = username.strip().lower()
    recent = LoginFailure.objects.filter(username=name, at__gte=timezone.now() - LOCKOUT_WINDOW)
    if recent.count() >= LOCKOUT_FAILURES:
        raise LoginLocked()
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=name)
        raise LoginFailed()
    LoginFailure.objects.filter(username=name).delete()
    return user
