from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_access.policy import caller
from ocr_api.exceptions import UploadTooLarge
from ocr_api.parsers import BoundedJSONParser
from ocr_api.serializers import ErrorSerializer
from ocr_api.uploads import UploadLimitsMixin, is_oversized
from ocr_extract.selectors import card_list
from ocr_extract.serializers import CardSerializer, ExtractionSerializer, ExtractRequestSerializer
from ocr_extract.services import extraction_answer, ocr_extract_document


@extend_schema_view(
    list=extend_schema(summary="Cards", description="The kinds of document whose fields can be read."),
    retrieve=extend_schema(
        summary="A card",
        responses={200: CardSerializer, 404: OpenApiResponse(ErrorSerializer, description="No card has this id.")},
    ),
)
class CardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cards: a kind of document (a receipt) and the fields read out of it. Built-in cards come with
    the service."""

    serializer_class = CardSerializer
    queryset = card_list()
    filter_backends = []


class ExtractView(UploadLimitsMixin, APIView):
    parser_classes = [MultiPartParser, BoundedJSONParser]

    @extend_schema(
        summary="Read a document's fields",
        description=(
            "One document, answered at once: multipart `file` (an image, or a PDF of at most "
            'OCR_TASK_SYNC_MAX_PAGES pages) and `card` (its id or slug); or JSON `{"card": ..., "lines": '
            '[{"text": ..., "location": [[x, y] × 4]}, ...]}` for a reading of your own, or `{"card": ..., '
            '"text": ...}`. Every field of the card comes back, with `value: null` and confidence 0 when it '
            "is not found. A file is read as parse_text reads it: a file read before is not read again."
        ),
        request={"multipart/form-data": ExtractRequestSerializer, "application/json": ExtractRequestSerializer},
        responses={
            200: ExtractionSerializer,
            400: OpenApiResponse(
                description='A field is invalid (`{"card": [...]}`, `{"lines": [...]}`, no document: `{"file": [...]}`), '
                'or the file is no readable image or PDF (`{"detail": ..., "code": "file_invalid"}`, `too_many_pages`).'
            ),
            413: OpenApiResponse(ErrorSerializer, description="The file is larger than OCR_MAX_UPLOAD_BYTES."),
        },
    )
    def post(self, request: Request) -> Response:
        file = request.FILES.get("file")
        if file is not None and is_oversized(file):
            raise UploadTooLarge("The file is larger than the limit of one upload.")
        query = ExtractRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        extracted = ocr_extract_document(
            card=data["card"],
            file=data.get("file"),
            document=data.get("document"),
            lang=data["lang"],
            requested_by=caller(request),
        )
        answer = {
            **extraction_answer(extracted.extraction, card=data["card"]),
            "text": extracted.extraction.text,
            "record_ids": [record.pk for record in extracted.records],
        }
        return Response(ExtractionSerializer(answer).data)
