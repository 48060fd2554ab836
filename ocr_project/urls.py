"""Where a request goes: the try-it page at /, the API under /api/, its schema and docs, and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api_access.views import LoginView, LogoutView, RefreshView
from ocr_api.docs import RedocView, SwaggerView, redoc_bundle
from ocr_api.errors import api_not_found
from ocr_project.health import healthz, readyz
from tryit.views import TryItView

urlpatterns = [
    path("", TryItView.as_view(), name="try-it"),
    path("api/", include("ocr_record.urls")),
    path("api/", include("ocr_task.urls")),
    path("api/", include("ocr_extract.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    re_path(r"^api/", api_not_found),
    path("auth/login", LoginView.as_view(), name="login"),
    path("auth/refresh", RefreshView.as_view(), name="token-refresh"),
    path("auth/logout", LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", include("django_prometheus.urls")),  # /metrics
]

handler400 = "ocr_api.errors.bad_request"
handler403 = "ocr_api.errors.permission_denied"
handler404 = "ocr_api.errors.page_not_found"
handler500 = "ocr_api.errors.server_error"
