from django.conf import settings
from rest_framework import permissions


class ApiAccessPolicy(permissions.BasePermission):
    """OCR_API_AUTH: "open" lets anyone call, as v1.0.0 did; "required" wants a token or an API key."""

    def has_permission(self, request, view) -> bool:
        return settings.OCR_API_AUTH == "open" or bool(request.user and request.user.is_authenticated)
