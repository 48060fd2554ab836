from rest_framework.routers import SimpleRouter

from ocr_task.views import OcrTaskViewSet

router = SimpleRouter(trailing_slash=True)
router.register("ocr_task", OcrTaskViewSet, basename="ocr_task")

urlpatterns = router.urls
