"""The service's own floor for `make bench-http`: bench/floor.py's constant JSON answered inside the
service, at /api/floor/ beside all its routes, through its settings, its middleware and DRF's
authentication, permission and throttle classes it configures. Between the framework's floor and a
cache hit, it tells what the layers every API request goes through cost from what the endpoints'
own work costs.

    gunicorn -c gunicorn.conf.py bench.service_floor:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocr_project.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class Constant(APIView):
    """bench/floor.py's view and body, with the service's DRF settings."""

    def get(self, request):
        return Response({"id": 1, "image_md5": "0" * 32, "image_size": 1000, "content": list("floor")})


urlpatterns = [path("api/floor/", Constant.as_view()), path("", include(settings.ROOT_URLCONF))]
# Before the first request, which is when Django reads it: the service's routes, and this one first.
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
