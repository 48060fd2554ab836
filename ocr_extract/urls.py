from django.urls import path
from rest_framework.routers import SimpleRouter

from ocr_extract.views import CardViewSet, ExtractView

router = SimpleRouter(trailing_slash=True)
router.register("cards", CardViewSet, basename="card")

urlpatterns = [*router.urls, path("extract/", ExtractView.as_view(), name="extract")]
