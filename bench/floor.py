"""The framework's floor for `make bench-http`: one DRF view answering a constant JSON in a Django
with nothing else (no middleware, no database, no authentication, no throttle), served by the same
gunicorn.conf.py as the service: what no request of the service can beat on this machine.

    gunicorn -c gunicorn.conf.py bench.floor:application
"""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="the-floor-of-the-benchmark",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["rest_framework"],
    MIDDLEWARE=[],
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "DEFAULT_THROTTLE_CLASSES": [],
        "UNAUTHENTICATED_USER": None,
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    },
)

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class Constant(APIView):
    def get(self, request):
        return Response({"id": 1, "image_md5": "0" * 32, "image_size": 1000, "content": list("floor")})


urlpatterns = [path("floor/", Constant.as_view())]
application = get_wsgi_application()
