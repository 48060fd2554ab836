"""The extraction platform's own paths (../shared/seeds/003): `POST /api/extracting/v2/task`,
`GET /api/extracting/v2/{extract_id}` and its `export/highlight`, answered in its shapes, on the
services of tasks, cards and exports.

An extraction (`extract_id`) is a task's file; a card (`feature_type_id`) is a card's id. Statuses
are numbered as the platform numbers them. Errors are answered as everywhere else in this API
(`{"detail", "code"}`), with the platform's HTTP statuses.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from api_access.client_address import remote_address
from api_access.policy import caller
from extraction.cards import rgb
from ocr_api.serializers import ChoiceField, ErrorSerializer
from ocr_api.uploads import UploadLimitsMixin, task_upload_limits
from ocr_extract.selectors import card_named
from ocr_task.exports import check_exportable, item_pdf
from ocr_task.models import OcrTaskItem, Status
from ocr_task.selectors import ocr_task_visible_to
from ocr_task.serializers import RequiredBooleanField
from ocr_task.services import ocr_task_create, refuse_oversized_uploads, task_files

#: The platform's extraction statuses (`status`, `status_name`) for a file's.
STATUSES = {
    Status.PENDING: (0, "未处理"),  # not processed yet
    Status.RUNNING: (7, "抽取中"),  # being extracted
    Status.SUCCEEDED: (5, "预标注成功"),  # pre-annotated: fields extracted, not reviewed
    Status.FAILED: (2, "文本转换失败"),  # the text could not be read
}


class ExtractingTaskQuerySerializer(serializers.Serializer):
    async_task = RequiredBooleanField(
        help_text="true: 异步任务 (answered at once); false: 同步任务 (one file, read first)."
    )
    feature_type_id = serializers.IntegerField(help_text="卡片 ID: the card's id (GET /api/cards/).")
    file_types = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Accepted, unused.")
    language = ChoiceField(choices=[], required=False, help_text="The language to read: `eng`, `chi_sim`...")
    task_name = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.OCR_TEXT_LANGUAGES

    def validate_feature_type_id(self, value: int):
        card = card_named(value, user=caller(self.context["request"]))
        if card is None:
            raise serializers.ValidationError("No card has this id (GET /api/cards/ lists them).")
        return card


class ExtractingTaskView(UploadLimitsMixin, APIView):
    parser_classes = [MultiPartParser]

    def upload_limits(self):
        return task_upload_limits()

    @extend_schema(
        summary="创建文档抽取任务 (create an extraction task)",
        description="The platform's path to a task with a card: multipart `files`; the query names the card "
        "(`feature_type_id`). Each item's `id` is the `extract_id` of GET /api/extracting/v2/{extract_id}.",
        parameters=[ExtractingTaskQuerySerializer],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "urls": {
                        "type": "array",
                        "items": {"type": "string", "maxLength": 2000},
                        "description": "Links (http or https) to images and PDFs, beside the files.",
                    },
                },
            }
        },
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="`status`, `message`, `total`, `ids`, `items`."),
            400: OpenApiResponse(description="A query parameter is invalid, or a limit is broken."),
            413: OpenApiResponse(ErrorSerializer, description="The request is larger than OCR_TASK_MAX_BYTES."),
        },
    )
    def post(self, request: Request) -> Response:
        files = request.FILES.getlist("files")
        refuse_oversized_uploads(files)
        query = ExtractingTaskQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        task = ocr_task_create(
            files=task_files(files, request.data.getlist("urls"), asynchronous=data["async_task"]),
            lang=data.get("language", "eng"),
            name=data["task_name"],
            asynchronous=data["async_task"],
            requested_by=caller(request),
            client_address=remote_address(request),
            card=data["feature_type_id"],
        )
        items = [seed_item(item, request) for item in task.items.select_related("task")]
        return Response(
            {
                "status": 200,
                "message": "创建任务成功",
                "total": len(items),
                "ids": [item["id"] for item in items],
                "items": items,
            }
        )


class ExtractingResultView(APIView):
    @extend_schema(
        summary="获取抽取结果 (an extraction's result)",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="`status`, `code`, `message`, `item`."),
            404: OpenApiResponse(ErrorSerializer, description="No extraction has this id."),
        },
    )
    def get(self, request: Request, extract_id: int) -> Response:
        item = _visible_item(request, extract_id)
        return Response({"status": 200, "code": 200, "message": "成功", "item": seed_item(item, request, full=True)})


class ExtractingHighlightView(APIView):
    @extend_schema(
        summary="下载高亮 PDF 文件 (the PDF with the fields highlighted)",
        description="The file's PDF with each field of its card boxed in the card's colour and a legend page: "
        "`item` names it and gives the URL to download it. 202 while a task worker makes it: ask again.",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="`item`: `name` and `url`."),
            202: OpenApiResponse(OpenApiTypes.OBJECT, description="Being made; ask again after `Retry-After` s."),
            404: OpenApiResponse(ErrorSerializer, description="No extraction has this id."),
            409: OpenApiResponse(ErrorSerializer, description="`export_failed`, `no_card`, `item_not_finished`."),
        },
    )
    def get(self, request: Request, extract_id: int) -> Response:
        item = _visible_item(request, extract_id)
        check_exportable(item)
        built = item_pdf(item, variant="fields")
        if built is None:
            return Response(
                {"status": 202, "code": 202, "message": "The PDF is being made; ask again in a moment.", "item": None},
                status=202,
                headers={"Retry-After": "2"},
            )
        url = reverse("ocr_task-export", kwargs={"pk": item.task_id, "item_id": item.pk}, request=request)
        stem = item.origin_name.rsplit(".", 1)[0] or "export"
        return Response(
            {
                "status": 200,
                "code": 200,
                "message": "成功",
                "item": {"name": f"{stem}.fields.pdf", "url": f"{url}?format=pdf&fields=true"},
            }
        )


def _visible_item(request: Request, extract_id: int) -> OcrTaskItem:
    item = (
        OcrTaskItem.objects.select_related("task", "task__card")
        .filter(pk=extract_id, task__in=ocr_task_visible_to(request.user))
        .first()
    )
    if item is None:
        raise NotFound("No extraction has this id.")
    return item


def seed_item(item: OcrTaskItem, request: Request, *, full: bool = False) -> dict:
    """A task's file as the platform describes an extraction."""
    status, status_name = STATUSES[item.status]
    task = item.task
    answer = {
        "id": item.pk,
        "extract_task_id": task.pk,
        "origin_name": item.origin_name,
        "name": item.origin_name,
        "unique_name": item.file.name,
        "create_time": task.created_at.isoformat(),
        "last_update_time": (task.finished_at or task.created_at).isoformat(),
        "status": status,
        "status_name": status_name,
        "tag_type_id": task.card_id,
        "language": task.lang,
    }
    if not full:
        return answer
    extraction = item.extraction or {}
    return {
        **answer,
        "doc_name": item.origin_name,
        "doc_type": 1 if item.is_pdf else 2,
        "content": extraction.get("text", ""),
        "result": _result(item, extraction, request),
    }


def _result(item: OcrTaskItem, extraction: dict, request: Request) -> dict:
    tags = {field["key"]: number for number, field in enumerate(extraction.get("fields", []), 1)}
    return {
        "status": "OK" if item.status == Status.SUCCEEDED and extraction else "ERROR",
        "doc_prob": extraction.get("confidence", 0.0),
        "tag_list": [_tag(field, tags[field["key"]]) for field in extraction.get("fields", [])],
        "relation_extract": [
            {
                "id": number,
                "key": group["key"],
                "name": group["name"],
                "node_index": number,
                "type": "group",
                "children": [
                    {
                        "type": "card",
                        "confidence": round(sum(field["confidence"] for field in row) / len(row), 3) if row else 0.0,
                        "children": [
                            {
                                "id": column,
                                "key": field["key"],
                                "name": field["name"],
                                "type": "tag",
                                "value": [_tag(field, column)],
                            }
                            for column, field in enumerate(row, 1)
                        ],
                    }
                    for row in group["rows"]
                ],
            }
            for number, group in enumerate(extraction.get("groups", []), 1)
        ],
        "pdf_path": reverse("ocr_task-export", kwargs={"pk": item.task_id, "item_id": item.pk}, request=request)
        + "?format=pdf",
    }


def _tag(field: dict, tag_id: int) -> dict:
    """A field as the platform's `tag_list` gives it, with this API's own names beside."""
    return {
        "tag_id": tag_id,
        "terms_id": tag_id,
        "tag_name": field["name"],
        "key": field["key"],
        "value": field["value"],
        "word": field["value"],
        "after_treatment": field["normalized"],
        "ppr": None,
        "confidence": field["confidence"],
        "index": field["index"],
        "page": field["page"],
        "location": field["location"],
        "color": list(rgb(field["color"])),
    }
