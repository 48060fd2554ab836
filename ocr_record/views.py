from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api_access.policy import caller, sees_everything
from ocr_api.exceptions import ApplicationError, UploadTooLarge
from ocr_api.filters import FilterBackend, OrderingFilter
from ocr_api.negotiation import JsonAnswers
from ocr_api.pagination import CountedQuerySet
from ocr_api.parsers import BoundedJSONParser
from ocr_api.serializers import ErrorSerializer
from ocr_api.uploads import UploadLimitsMixin, oversized
from ocr_record import formats
from ocr_record.filters import OcrRecordFilter
from ocr_record.images import ImageInput
from ocr_record.models import OcrRecord
from ocr_record.search import RecordSearchFilter
from ocr_record.selectors import ocr_record_count_sized, ocr_record_list_visible_to
from ocr_record.serializers import (
    RECORD_COLUMNS,
    OcrRecordOutputSerializer,
    OcrRecordResultSerializer,
    ParseLetterOutputSerializer,
    ParseLetterRequestSerializer,
    ParseTextJsonSerializer,
    ParseTextMultipartSerializer,
    ParseTextOptionsSerializer,
    ParseTextResponseSerializer,
    ResultQuerySerializer,
)
from ocr_record.services import (
    TextOptions,
    ocr_record_parse_letter,
    ocr_record_parse_text,
)

_SUCCESS = "成功"

PARSE_TEXT_EXAMPLES = [
    OpenApiExample(
        "One image as base64",
        request_only=True,
        media_type="application/json",
        value={"image": "iVBORw0KGgoAAAANSUhEUgAA...", "lang": "eng", "detect_direction": True, "tag": "invoices"},
    ),
    OpenApiExample(
        "Several images as base64",
        request_only=True,
        media_type="application/json",
        value={"images": ["iVBORw0KGgo...", "/9j/4AAQSkZJRg..."], "quick_mode": False, "tag": ["front", "back"]},
    ),
    OpenApiExample(
        "Answer",
        response_only=True,
        value={
            "results": [
                {
                    "name": "receipt.png",
                    "record_id": 42,
                    "image_md5": "2bb244b95d334d8e3a0afa6a7a6163d8",
                    "image_size": 3402,
                    "width": 400,
                    "height": 80,
                    "direction": 0,
                    "angle": 0.0,
                    "text": "hello world",
                    "cached": False,
                    "lines": [
                        {
                            "text": "hello world",
                            "confidence": 0.9604,
                            "location": [[44, 28], [256, 28], [256, 58], [44, 58]],
                            "words": [
                                {
                                    "text": "hello",
                                    "confidence": 0.9639,
                                    "location": [[44, 28], [134, 28], [134, 58], [44, 58]],
                                },
                                {
                                    "text": "world",
                                    "confidence": 0.9569,
                                    "location": [[151, 28], [256, 28], [256, 58], [151, 58]],
                                },
                            ],
                        }
                    ],
                },
                {"name": "empty.png", "error": {"code": "image_invalid", "detail": "The image file is empty."}},
            ]
        },
    ),
]


# A list query with no other parameters than these has its count from ocr_record_count_sized.
SIZE_ONLY_PARAMETERS = {"image_size__gte", "image_size__lte", "ordering", "page", "page_size"}


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
class OcrRecordViewSet(UploadLimitsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """OCR records: read them, and create them by uploading an image to `parse_letter`."""

    serializer_class = OcrRecordOutputSerializer
    filterset_class = OcrRecordFilter
    filter_backends = [FilterBackend, RecordSearchFilter, OrderingFilter]
    # What `search` matches (read by the schema): the text anywhere, case-insensitively, and the
    # start of the md5; ocr_record/search.py matches them through the databases' text indexes.
    search_fields = ["content_text", "^image_md5"]
    ordering_fields = ["id", "created_at", "image_size"]
    ordering = ["-id"]

    def get_queryset(self):
        records = ocr_record_list_visible_to(self.request.user)
        if self.action in ("list", "retrieve"):
            # The v1.0.0 shape is five columns: a text record's whole reading (`result`, lines and
            # words with their boxes, often tens of KB) is neither read nor decoded for it.
            records = records.only(*RECORD_COLUMNS)
        return records

    def paginate_queryset(self, queryset):
        # A list filtered by size alone (or not at all), for a caller who sees every record, has its
        # count from the per-KiB counts (ocr_record_count_sized), rather than counting the matching
        # rows, which at a million records took longer than the whole page (bench/RESULTS.md).
        query = self.request.query_params
        bounds = [query.get("image_size__gte"), query.get("image_size__lte")]
        if (
            set(query) <= SIZE_ONLY_PARAMETERS
            and all(bound is None or bound.isdigit() for bound in bounds)
            and sees_everything(self.request.user)
        ):
            smallest, largest = (None if bound is None else int(bound) for bound in bounds)
            queryset = CountedQuerySet(queryset, ocr_record_count_sized(smallest, largest))
        return super().paginate_queryset(queryset)

    def filter_queryset(self, queryset):
        # DRF filters a detail's queryset with the list's filters too, which without any query
        # parameter change nothing but cost a filter form per request.
        if self.action == "retrieve" and not self.request.query_params:
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="Ocr 解析记录-完整结果 (the whole record)",
        description="The record with its kind, language, options, tags, engine, pipeline and, for a text "
        "record, the whole reading: lines and words with their locations. `format=hocr`, `alto` or `tsv` "
        "gives a text record's reading as hOCR, ALTO XML or Tesseract's TSV instead.",
        parameters=[ResultQuerySerializer],
        responses={
            (200, "application/json"): OcrRecordResultSerializer,
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="format=hocr: an hOCR document."),
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.STR, description="format=alto: an ALTO 4.2 document."
            ),
            (200, "text/tab-separated-values"): OpenApiResponse(
                OpenApiTypes.STR, description="format=tsv: Tesseract's TSV."
            ),
            404: OpenApiResponse(ErrorSerializer, description="No record has this id."),
            409: OpenApiResponse(
                ErrorSerializer, description="hOCR, ALTO or TSV of a letters record (`no_located_words`)."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=OcrRecordResultSerializer,
        filter_backends=[],
        content_negotiation_class=JsonAnswers,
    )
    def result(self, request: Request, pk: str) -> HttpResponse:
        record = self.get_object()
        query = ResultQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        document = query.validated_data["format"]
        if document == "json":
            return Response(OcrRecordResultSerializer(record).data)
        if not record.result:
            raise ApplicationError(
                "This is a letters record: hOCR, ALTO and TSV exist for text records (parse_text), which locate words.",
                code="no_located_words",
                status=409,
            )
        return formats.render([record.result], document, title=f"OCR record {record.pk}").response()

    @extend_schema(
        summary="解析图片中的字母",
        request={"multipart/form-data": ParseLetterRequestSerializer},
        responses={
            200: OpenApiResponse(ParseLetterOutputSerializer, description=_SUCCESS),
            400: OpenApiResponse(
                description="`image` is missing, empty, not an image, truncated or has too many pixels."
            ),
            413: OpenApiResponse(
                ErrorSerializer, description="The upload is over OCR_MAX_UPLOAD_BYTES (`upload_too_large`)."
            ),
            500: OpenApiResponse(
                ErrorSerializer, description="The engine failed on the image (`ocr_failed`, 识别失败: ...)."
            ),
            503: OpenApiResponse(ErrorSerializer, description="The OCR engine cannot run (`ocr_engine_unavailable`)."),
            504: OpenApiResponse(
                ErrorSerializer, description="Recognition took longer than OCR_TIMEOUT_S (`ocr_timeout`)."
            ),
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
        """Recognize the letters in an image; an image seen before is answered from its record,
        found by the digest of its bytes before they are decoded (most of a hit's time otherwise)."""
        if oversized(list(request.FILES.values())):
            raise UploadTooLarge(f"The upload is larger than the limit of {settings.OCR_MAX_UPLOAD_BYTES} bytes.")
        serializer = ParseLetterRequestSerializer(data=request.data)
        sent = request.FILES.get("image")
        if sent is None or not sent.size:
            serializer.is_valid(raise_exception=True)  # says what is missing
        record, created = ocr_record_parse_letter(
            image_file=sent, pixels=serializer.pixels, requested_by=caller(request)
        )
        return self._letters_of(record, created=created)

    @staticmethod
    def _letters_of(record: OcrRecord, *, created: bool) -> Response:
        # The body is v1.0.0's; which record answered, and whether it was stored before, go in headers.
        return Response(
            ParseLetterOutputSerializer({"content": record.content}).data,
            headers={"X-OCR-Record-ID": str(record.pk), "X-OCR-Cache": "miss" if created else "hit"},
        )

    @extend_schema(
        summary="识别图片中的文字及位置 (text with positions)",
        description=(
            "Reads all the text of one or several images: lines and words, each with its confidence "
            "and four corner points in the pixels of the image as uploaded. Send the images as "
            'multipart `image` files, or as JSON `{"image": "<base64>"}` / '
            '`{"images": ["<base64>", ...]}`. An image that cannot be read gets its own `error` '
            "entry; the others are still answered. The same image with the same options is read once."
        ),
        request={
            "multipart/form-data": ParseTextMultipartSerializer,
            "application/json": ParseTextJsonSerializer,
        },
        responses={
            200: OpenApiResponse(ParseTextResponseSerializer, description="One result per image, in order."),
            400: OpenApiResponse(description="Invalid options, no image, too many images, or no image readable."),
            413: OpenApiResponse(ErrorSerializer, description="The request is larger than any may be."),
            503: OpenApiResponse(ErrorSerializer, description="The OCR engine cannot run (`ocr_engine_unavailable`)."),
            504: OpenApiResponse(
                ErrorSerializer, description="Recognition took longer than OCR_TIMEOUT_S (`ocr_timeout`)."
            ),
        },
        examples=PARSE_TEXT_EXAMPLES,
    )
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[MultiPartParser, BoundedJSONParser],
        serializer_class=ParseTextOptionsSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def parse_text(self, request: Request) -> Response:
        """Read all the text of each image, with where each line and word is."""
        multipart = request.content_type.startswith("multipart/")
        parsed = (ParseTextMultipartSerializer if multipart else ParseTextJsonSerializer)(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        options = TextOptions(
            lang=data["lang"],
            detect_direction=data["detect_direction"],
            quick_mode=data["quick_mode"],
            engine=data["engine"],
        )
        results = [
            _text_result(
                entry,
                *ocr_record_parse_text(
                    image_file=entry.file,
                    image=entry.image,
                    options=options,
                    tag=tag,
                    requested_by=caller(request),
                    source_url=entry.source_url,
                ),
            )
            if not entry.error_code
            else {"name": entry.name, "error": {"code": entry.error_code, "detail": entry.error_detail}}
            for entry, tag in zip(data["images"], data["tags"])
        ]
        if all("error" in result for result in results):
            codes = {result["error"]["code"] for result in results}
            return Response(
                {
                    "detail": "No image could be read.",
                    "code": codes.pop() if len(codes) == 1 else "images_invalid",
                    "results": results,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"results": results})


def _text_result(entry: ImageInput, record: OcrRecord, created: bool) -> dict:
    """One image's answer: its record's reading, and whether the client had it already."""
    result = record.result
    return {
        "name": entry.name,
        "record_id": record.id,
        "image_md5": record.image_md5,
        "image_size": record.image_size,
        "width": result["width"],
        "height": result["height"],
        "direction": result["direction"],
        "angle": result["angle"],
        "text": result["text"],
        "cached": not created,
        "lines": result["lines"],
    }
