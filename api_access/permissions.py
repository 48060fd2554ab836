from rest_framework import permissions

from api_access.policy import may_call


class ApiAccessPolicy(permissions.BasePermission):
    """OCR_API_AUTH: "open" lets anyone call, as v1.0.0 did; "required" wants a token or an API key
    (api_access/policy.py)."""

    def has_permission(self, request, view) -> bool:
        return may_call(request.user)
