"""Excel export of an inbox list (issue 6: "Excel export of any list").

At most MAX_ROWS rows, read with iterator() in chunks; personal data only in
masked form (name reduced to its first character, masked phone); every export
is audited with the filter string.
"""

from __future__ import annotations

import tempfile

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook

from xinfang.audit.models import AuditAction, audit
from xinfang.lib.text import spreadsheet_cell
from xinfang.petitions.models import PetitionPetitioner

MAX_ROWS = 50_000
CHUNK = 2_000
HEADERS = [
    "信访件编号",
    "标题",
    "渠道",
    "类别",
    "状态",
    "阶段",
    "承办单位",
    "收到时间",
    "当前期限",
    "剩余天数",
    "期限状态",
    "标记",
    "信访人（脱敏）",
    "联系电话（脱敏）",
]
FLAG_LABELS = [
    ("is_urgent", "重大紧急"),
    ("is_collective", "集体访"),
    ("is_repeat", "重复访"),
    ("is_skip_level", "越级访"),
    ("is_litigation", "涉法涉诉"),
    ("is_assignment", "交办件"),
    ("is_extended", "已延期"),
]


def mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _row(p, today) -> list:
    state = p.due_state(today)
    links = list(p.petitioner_links.all())
    return [
        p.case_number,
        p.title,
        p.get_channel_display(),
        p.get_petition_class_display(),
        p.get_status_display(),
        p.get_stage_display(),
        p.handling_unit.name if p.handling_unit_id else "",
        timezone.localtime(p.received_at).strftime("%Y-%m-%d %H:%M"),
        p.current_due.isoformat() if p.current_due else "",
        p.days_left(today) if state else "",
        (
            {"overdue": "超期", "due_soon": "临期", "on_time": "正常"}.get(state, "")
            + ("（暂定）" if state and p.current_due_provisional else "")
        ),
        "、".join(label for field, label in FLAG_LABELS if getattr(p, field)),
        "、".join(mask_name(link.petitioner.name) for link in links),
        "、".join(link.petitioner.phone_masked for link in links if link.petitioner.phone_masked),
    ]


def export_response(request, qs, *, view, query: str) -> FileResponse:
    qs = (
        qs.select_related("handling_unit")
        .defer("content", "request", "facts_reasons", "query_code_enc")
        .prefetch_related(
            Prefetch(
                "petitioner_links",
                queryset=PetitionPetitioner.objects.select_related("petitioner").only(
                    "petition_id", "order", "petitioner__name", "petitioner__phone_masked"
                ),
            )
        )
    )
    today = timezone.localdate()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(view.label))
    sheet.append(HEADERS)
    written = 0
    for petition in qs[:MAX_ROWS].iterator(chunk_size=CHUNK):
        # Titles and names are the public's text: never a formula, never a control character.
        sheet.append([spreadsheet_cell(value) for value in _row(petition, today)])
        written += 1
    audit(
        user=request.user,
        action=AuditAction.EXPORT,
        obj=request.user,
        detail=f"工作台导出{written}行 view={view.key} {query}"[:200],
        request=request,
    )
    # write_only workbooks are written to disk; the temporary file is removed on close.
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    name = f"xinfang-{view.key}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
