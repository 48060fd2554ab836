from rest_framework.routers import SimpleRouter

from ocr_record.views import OcrRecordViewSet

router = SimpleRouter(trailing_slash=True)
router.register("ocr_record", OcrRecordViewSet, basename="ocr_record")

urlpatterns = router.urls
