import io

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api_access.client_address import remote_address
from api_access.policy import caller
from ocr_api.exceptions import ApplicationError
from ocr_api.negotiation import JsonAnswers
from ocr_api.serializers import ErrorSerializer
from ocr_api.uploads import UploadLimits, UploadLimitsMixin, task_upload_limits
from ocr_engine.images import InvalidImage
from ocr_engine.pdf import InvalidPdf
from ocr_record import formats
from ocr_task import events, exports
from ocr_task.errors import TooManyStreams
from ocr_task.filters import OcrTaskFilter
from ocr_task.models import OcrTaskItem
from ocr_task.pages import page_preview
from ocr_task.selectors import ocr_task_list_visible_to, ocr_task_pages, ocr_task_visible_to
from ocr_task.serializers import (
    ExportQuerySerializer,
    OcrTaskCreateSerializer,
    OcrTaskDetailSerializer,
    OcrTaskSerializer,
    OcrTaskSummarySerializer,
    TaskDetailQuerySerializer,
    TaskEventSerializer,
    TaskItemSerializer,
    TaskPageSerializer,
)
from ocr_task.services import ocr_task_create, ocr_task_delete, refuse_oversized_uploads, task_files

# A file's PDF is made within a second or two of a page's reading: how soon to ask again for one.
EXPORT_RETRY_AFTER_S = 2

# Credentials that are not valid (and, with OCR_API_AUTH=required, none at all) get a 401.
_UNAUTHORIZED = {
    401: OpenApiResponse(ErrorSerializer, description="Credentials missing (OCR_API_AUTH=required) or not valid."),
}


@extend_schema_view(
    list=extend_schema(
        summary="OCR tasks (list)",
        description="Tasks, newest first, with their progress and files but not their pages' readings.",
        responses={
            200: OcrTaskSummarySerializer,
            400: OpenApiResponse(description="A filter value is invalid."),
            404: OpenApiResponse(ErrorSerializer, description="`page` is past the last page."),
            **_UNAUTHORIZED,
        },
    ),
    destroy=extend_schema(
        summary="Delete an OCR task",
        description="Deletes the task with the files it keeps and its pages; the records of its pages stay "
        "(they are shared by the dedup). Pages still being read are dropped.",
        responses={
            204: None,
            404: OpenApiResponse(ErrorSerializer, description="No task has this id."),
            **_UNAUTHORIZED,
        },
    ),
    retrieve=extend_schema(
        summary="OCR task",
        description="The task and its progress: per file its status, its pages' record ids and the pages "
        "that failed, without the readings (a few KB for 200 pages, to poll). With `readings=true`, "
        "per page the reading (as parse_text gives it) and the plain text; or page through a file's "
        "readings at its pages endpoint.",
        parameters=[TaskDetailQuerySerializer],
        responses={
            200: PolymorphicProxySerializer(
                component_name="OcrTaskDetailOrReadings",
                serializers=[OcrTaskDetailSerializer, OcrTaskSerializer],
                resource_type_field_name=None,
            ),
            400: OpenApiResponse(description="`readings` is not a boolean."),
            404: OpenApiResponse(ErrorSerializer, description="No task has this id."),
            **_UNAUTHORIZED,
        },
    ),
)
class OcrTaskViewSet(
    UploadLimitsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Many files and long PDFs read page by page, synchronously or in the background."""

    parser_classes = [MultiPartParser, FormParser]  # files: JSON bodies are refused with a 415
    filterset_class = OcrTaskFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def upload_limits(self) -> UploadLimits:
        return task_upload_limits()

    def get_queryset(self):
        if self.action not in ("list", "retrieve", "create"):
            # The actions on one file of a task (its pages, a page's image, its export), its events
            # and its deletion need the task, not every file's pages with the task's progress.
            return ocr_task_visible_to(self.request.user)
        return ocr_task_list_visible_to(self.request.user, with_readings=self.action == "create" or self._readings())

    def perform_destroy(self, task) -> None:
        ocr_task_delete(task=task)

    def get_serializer_class(self):
        if self.action == "list":
            return OcrTaskSummarySerializer
        return OcrTaskSerializer if self._readings() else OcrTaskDetailSerializer

    def _readings(self) -> bool:
        """Whether the detail asked for includes every page's reading (`?readings=true`)."""
        if self.action != "retrieve":
            return False
        query = TaskDetailQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data["readings"]

    @extend_schema(
        summary="Submit an OCR task",
        description=(
            "Send `files` (images and PDFs). With `async_task=true` the answer (202) is the pending "
            "task: follow it at its `Location`, or name a `callback_url`. With `async_task=false` one "
            "file is read before the answer (201), which carries every page's reading. A file that "
            "cannot be read fails alone; a limit broken refuses the whole task (400) before any work."
        ),
        request={"multipart/form-data": OcrTaskCreateSerializer},
        responses={
            201: OpenApiResponse(OcrTaskSerializer, description="async_task=false: the task, read."),
            202: OpenApiResponse(OcrTaskSerializer, description="async_task=true: the task, to be read."),
            400: OpenApiResponse(
                description='A field is invalid (`{"<field>": ["<why>"]}`), or a limit is broken '
                '(`{"detail": ..., "code": ...}` with `too_many_files`, `file_too_large`, `task_too_large`, '
                "`too_many_pages`, `callback_not_allowed`, `callback_url_invalid`).",
            ),
            413: OpenApiResponse(
                ErrorSerializer,
                description="The request is larger than OCR_TASK_MAX_BYTES, or the client's files would pass "
                "OCR_QUOTA_STORED_BYTES (`storage_quota_exceeded`).",
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="The client's pages waiting to be read would pass OCR_QUOTA_QUEUED_PAGES "
                "(`pages_quota_exceeded`), or a throttle (`throttled`).",
            ),
            503: OpenApiResponse(ErrorSerializer, description="async_task=false and the engine cannot run."),
            **_UNAUTHORIZED,
        },
    )
    def create(self, request: Request) -> Response:
        form = request.data  # parsing drops the files over the limit as they stream in
        refuse_oversized_uploads(request.FILES.getlist("files"))
        serializer = OcrTaskCreateSerializer(data=form, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task = ocr_task_create(
            files=task_files(data["files"], data["urls"], asynchronous=data["async_task"]),
            lang=data["lang"],
            detect_direction=data["detect_direction"],
            name=data["task_name"],
            callback_url=data["callback_url"],
            asynchronous=data["async_task"],
            requested_by=caller(request),
            client_address=remote_address(request),
            card=data["card"],
        )
        answer = OcrTaskSerializer(self.get_queryset().get(pk=task.pk)).data
        return Response(
            answer,
            status=status.HTTP_202_ACCEPTED if data["async_task"] else status.HTTP_201_CREATED,
            headers={"Location": reverse("ocr_task-detail", args=[task.pk], request=request)},
        )

    @extend_schema(
        summary="A file's pages, with their readings",
        description="The pages of one file of the task in order, paged (`page`, `page_size`), each with its "
        "status and, once read, its reading as parse_text gives it and its plain text.",
        parameters=[OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            200: TaskPageSerializer(many=True),
            404: OpenApiResponse(ErrorSerializer, description="No such task, no such file in it, or no such page."),
            **_UNAUTHORIZED,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"items/(?P<item_id>[0-9]+)/pages", filter_backends=[])
    def pages(self, request: Request, pk: str, item_id: str) -> Response:
        item = self._item(item_id)
        page = self.paginate_queryset(ocr_task_pages(item))
        return self.get_paginated_response(TaskPageSerializer(page, many=True).data)

    @extend_schema(
        summary="A page's image",
        description="The page as the reading saw it (a PDF page rendered, an image turned as its EXIF says), "
        "at most 1600 pixels a side, as PNG: the reading's locations scale onto it (its `width` and `height` "
        "are the full size).",
        parameters=[
            OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The page, from 1."),
        ],
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The page."),
            404: OpenApiResponse(ErrorSerializer, description="No such task, file or page."),
            409: OpenApiResponse(ErrorSerializer, description="The page cannot be rendered (`page_not_renderable`)."),
            **_UNAUTHORIZED,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"items/(?P<item_id>[0-9]+)/pages/(?P<number>[0-9]+)/image",
        content_negotiation_class=JsonAnswers,
        filter_backends=[],
        pagination_class=None,
    )
    def page_image(self, request: Request, pk: str, item_id: str, number: str) -> HttpResponse:
        item = self._item(item_id)
        if not item.pages.filter(number=int(number)).exists():
            raise NotFound("This file has no such page.")
        try:
            preview = page_preview(item, int(number))
        except (InvalidPdf, InvalidImage) as error:
            raise ApplicationError(error.message, code="page_not_renderable", status=409) from None
        response = HttpResponse(preview, content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"  # a task's pages do not change
        return response

    @extend_schema(
        summary="Follow a task's progress (server-sent events)",
        description="A `text/event-stream`: a `progress` event (data: the task as the list shows it) at once "
        "and whenever it changes, then `end` when the task has finished, or `deleted`. A stream lasts at "
        "most OCR_TASK_EVENTS_MAX_S; EventSource reconnects by itself.",
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                TaskEventSerializer, description="The events, each with a name and its data (JSON text)."
            ),
            404: OpenApiResponse(ErrorSerializer, description="No task has this id."),
            503: OpenApiResponse(
                ErrorSerializer,
                description="This process holds OCR_TASK_EVENTS_MAX_STREAMS streams already "
                "(`too_many_streams`): poll the task instead.",
            ),
            **_UNAUTHORIZED,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        content_negotiation_class=JsonAnswers,
        filter_backends=[],
        pagination_class=None,
    )
    def events(self, request: Request, pk: str) -> StreamingHttpResponse:
        task = self.get_object()
        if not events.stream_slot():
            raise TooManyStreams()
        response = StreamingHttpResponse(events.progress_events(task.pk), content_type="text/event-stream")
        # Not cached, and not buffered by a proxy (nginx), or the events would come all at once.
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response

    @extend_schema(
        summary="Export a file's readings",
        parameters=[ExportQuerySerializer, OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="format=pdf"),
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="format=txt"),
            (200, "application/json"): OpenApiResponse(TaskItemSerializer, description="format=json"),
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="format=hocr"),
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.STR, description="format=alto (ALTO 4.2)"),
            (200, "text/tab-separated-values"): OpenApiResponse(OpenApiTypes.STR, description="format=tsv"),
            400: OpenApiResponse(description="`format` or `highlight` is invalid."),
            404: OpenApiResponse(ErrorSerializer, description="No such task, or no such file in it."),
            202: OpenApiResponse(
                ErrorSerializer,
                description="format=pdf: the PDF is being made by a task worker (`export_pending`); ask again "
                "after `Retry-After` seconds.",
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The file is still being read (`item_not_finished`), no page of it could be read "
                "(`item_failed`), the fields' PDF of a task without a card (`no_card`), or its PDF could not be made (`export_failed`, the reason in `detail`: "
                "a damaged file, or one that needed more than OCR_EXPORT_MAX_MEMORY_MB or OCR_EXPORT_TIMEOUT_S).",
            ),
            **_UNAUTHORIZED,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"items/(?P<item_id>[0-9]+)/export",
        content_negotiation_class=JsonAnswers,
        filter_backends=[],
        pagination_class=None,
    )
    def export(self, request: Request, pk: str, item_id: str) -> FileResponse:
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        item = self._item(item_id)
        exports.check_exportable(item)
        # "invoice.pdf" exports as "invoice.ocr.pdf": never the name of the file it was read from,
        # which `curl -OJ` would refuse to overwrite.
        export_format = query.validated_data["format"]
        stem = (item.origin_name.rsplit(".", 1)[0] or "export") + ".ocr"
        if export_format in formats.FORMATS:
            return exports.item_rendered(item, export_format).response(filename=stem)
        if export_format == "json":
            body = JSONRenderer().render(TaskItemSerializer(self._item_with_readings(item)).data)
            return _download(body, f"{stem}.json", "application/json")
        built = exports.item_pdf(item, variant=query.validated_data["variant"])
        if built is None:
            return Response(
                {
                    "detail": "The PDF is being made by a task worker; ask again in a moment.",
                    "code": "export_pending",
                },
                status=status.HTTP_202_ACCEPTED,
                headers={"Retry-After": str(EXPORT_RETRY_AFTER_S)},
            )
        # The variants named apart, so that downloading both keeps both.
        variant = query.validated_data["variant"]
        name = f"{stem}.pdf" if variant == "plain" else f"{stem}.{variant}.pdf"
        return FileResponse(built.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")

    def _item(self, item_id: str) -> OcrTaskItem:
        item = self.get_object().items.filter(pk=item_id).first()
        if item is None:
            raise NotFound("This task has no such file.")
        return item

    @staticmethod
    def _item_with_readings(item):
        return type(item).objects.prefetch_related("pages__record").get(pk=item.pk)


def _download(body: bytes, filename: str, content_type: str) -> FileResponse:
    return FileResponse(io.BytesIO(body), as_attachment=True, filename=filename, content_type=content_type)
