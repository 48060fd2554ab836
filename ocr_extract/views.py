from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_access.policy import caller
from ocr_api.exceptions import UploadTooLarge
from ocr_api.parsers import BoundedJSONParser
from ocr_api.serializers import ErrorSerializer
from ocr_api.uploads import UploadLimitsMixin, is_oversized
from ocr_extract.cards import card_create, card_delete, card_update
from ocr_extract.selectors import card_list_visible_to
from ocr_extract.serializers import CardSerializer, ExtractionSerializer, ExtractRequestSerializer
from ocr_extract.services import extraction_answer, ocr_extract_document

_CARD_ERRORS = {
    400: OpenApiResponse(
        description="A field is invalid, named in the body by its place: "
        '`{"fields": {"0": {"pattern": ["The pattern of \'total\' is no regular expression: ..."]}}}`, '
        "a repeated key, a region without its bounds, too many fields; a template that cannot run "
        "(`invoice2data`)."
    ),
    403: OpenApiResponse(ErrorSerializer, description="A built-in card (`built_in_card`)."),
    404: OpenApiResponse(ErrorSerializer, description="No card you may see has this id."),
}


@extend_schema_view(
    list=extend_schema(summary="Cards", description="The kinds of document whose fields can be read."),
    retrieve=extend_schema(summary="A card", responses={200: CardSerializer, 404: _CARD_ERRORS[404]}),
    create=extend_schema(
        summary="Make a card of your own",
        description="`name` and its `fields` (each `key`, `name`, `type`, `labels`, `pattern`, `where`, "
        "`region`, `required`, `multiple`) and `groups` of rows; the slug is made from the name unless given.",
        responses={201: CardSerializer, 400: _CARD_ERRORS[400]},
    ),
    update=extend_schema(summary="Change a card of your own", responses={200: CardSerializer, **_CARD_ERRORS}),
    partial_update=extend_schema(
        summary="Change part of a card of your own", responses={200: CardSerializer, **_CARD_ERRORS}
    ),
    destroy=extend_schema(
        summary="Remove a card of your own",
        description="Tasks that named it keep the fields already read.",
        responses={204: None, 403: _CARD_ERRORS[403], 404: _CARD_ERRORS[404]},
    ),
)
class CardViewSet(viewsets.ModelViewSet):
    """Cards: a kind of document (a receipt, your invoice) and the fields read out of it. Built-in
    cards come with the service and are not changed through the API; with OCR_API_AUTH=required a
    client sees the built-in cards and its own (staff see all)."""

    serializer_class = CardSerializer
    filter_backends = []

    def get_queryset(self):
        return card_list_visible_to(caller(self.request))

    def perform_create(self, serializer: CardSerializer) -> None:
        serializer.instance = card_create(data=serializer.validated_data, created_by=caller(self.request))

    def perform_update(self, serializer: CardSerializer) -> None:
        serializer.instance = card_update(card=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance) -> None:
        card_delete(card=instance)


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
        query = ExtractRequestSerializer(data=request.data, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        extracted = ocr_extract_document(
            card=data["card"],
            file=data.get("file"),
            url=data.get("url", ""),
            document=data.get("document"),
            lang=data["lang"],
            requested_by=caller(request),
        )
        answer = {
            **extraction_answer(extracted.extraction, card=data["card"]),
            "text": extracted.extraction.text,
            "record_ids": [record.pk for record in extracted.records],
            "page_sources": extracted.pages,
        }
        return Response(ExtractionSerializer(answer).data)
