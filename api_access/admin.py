from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from api_access.models import ClientApiKey


@admin.register(ClientApiKey)
class ClientApiKeyAdmin(APIKeyModelAdmin):
    """Create a key here: its value is shown once, then only its hash is kept. Revoke it to stop it."""

    list_display = [*APIKeyModelAdmin.list_display, "user"]
    search_fields = [*APIKeyModelAdmin.search_fields, "user__username"]


# djangorestframework-api-key registers its own key model's admin ("API Key Permissions > API
# keys"); the service's keys are ClientApiKey, above: the admin shows one list of API keys.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)
