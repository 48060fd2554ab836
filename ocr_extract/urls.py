from django.urls import path
from rest_framework.routers import SimpleRouter

from ocr_extract.extracting import ExtractingHighlightView, ExtractingResultView, ExtractingTaskView
from ocr_extract.views import CardViewSet, ExtractView

router = SimpleRouter(trailing_slash=True)
router.register("cards", CardViewSet, basename="card")

urlpatterns = [
    *router.urls,
    path("extract/", ExtractView.as_view(), name="extract"),
    # The extraction platform's own paths (../shared/seeds/003), without trailing slashes as it has them.
    path("extracting/v2/task", ExtractingTaskView.as_view(), name="extracting-task"),
    path("extracting/v2/<int:extract_id>", ExtractingResultView.as_view(), name="extracting-result"),
    path(
        "extracting/v2/<int:extract_id>/export/highlight",
        ExtractingHighlightView.as_view(),
        name="extracting-highlight",
    ),
]
