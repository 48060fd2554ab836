from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ocr_project.exception_handler import ErrorSerializer
from ocr_record.filters import OcrRecordFilter
from ocr_record.models import OcrRecord
from ocr_record.serializers import (
    OcrRecordOutputSerializer,
    ParseLetterOutputSerializer,
    ParseLetterRequestSerializer,
)
from ocr_record.services import ocr_record_parse_letter

_SUCCESS = "成功"


@extend_schema_view(
    list=extend_schema(
        summary="Ocr 解析记录-列表",
        responses={
            200: OpenApiResponse(OcrRecordOutputSerializer, description=_SUCCESS),
            400: OpenApiResponse(description="A filter value is invalid; the body names the parameter."),
            404: OpenApiResponse(ErrorSerializer, description="`page` is past the last page."),
        },
    ),
    retrieve=extend_schema(
        summary="Ocr 解析记录-单个",
        responses={
            200: OpenApiResponse(OcrRecordOutputSerializer, description=_SUCCESS),
            404: OpenApiResponse(ErrorSerializer, description="No record has this id."),
        },
    ),
)
class OcrRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """OCR records: read them, and create them by uploading an image to `parse_letter`."""

    queryset = OcrRecord.objects.all()
    serializer_class = OcrRecordOutputSerializer
    filterset_class = OcrRecordFilter
    # Plain fields match anywhere, case-insensitively; "^" matches the start of the md5.
    search_fields = ["content_text", "^image_md5"]
    ordering_fields = ["id", "created_at", "image_size"]
    ordering = ["-id"]

    @extend_schema(
        summary="解析图片中的字母",
        request={"multipart/form-data": ParseLetterRequestSerializer},
        responses={
            200: OpenApiResponse(ParseLetterOutputSerializer, description=_SUCCESS),
            400: OpenApiResponse(description="`image` is missing, empty, not an image, truncated or has too many pixels."),
            413: OpenApiResponse(ErrorSerializer, description="The upload is over OCR_MAX_UPLOAD_BYTES (`upload_too_large`)."),
            500: OpenApiResponse(ErrorSerializer, description="The engine failed on the image (`ocr_failed`, 识别失败: ...)."),
            503: OpenApiResponse(ErrorSerializer, description="The OCR engine cannot run (`ocr_engine_unavailable`)."),
            504: OpenApiResponse(ErrorSerializer, description="Recognition took longer than OCR_TIMEOUT_S (`ocr_timeout`)."),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=ParseLetterRequestSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def parse_letter(self, request: Request) -> Response:
        """Recognize the letters in an image; an image seen before is answered from its record."""
        serializer = ParseLetterRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["image"]
        record = ocr_record_parse_letter(image_file=upload.file, image=upload.image)
        return Response(ParseLetterOutputSerializer({"content": record.content}).data)
