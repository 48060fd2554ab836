from django.contrib import admin

from api_access.login import one_login_at_a_time


class LockoutAdminSite(admin.AdminSite):
    """The admin, whose login goes through the same lockout as the API's (django-axes, one login
    for a user name at a time)."""

    def login(self, request, extra_context=None):
        if request.method != "POST":
            return super().login(request, extra_context)
        with one_login_at_a_time(request.POST.get("username", "")):
            return super().login(request, extra_context)
