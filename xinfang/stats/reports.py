"""The annual report (Art. 41) and the monthly report, as data → HTML / PDF / DOCX.

The wording lives in the editable template templates/stats/report.html (PDF,
HTML); the DOCX is typeset from the same sections.  Content of the annual report:
(一) statistics, the fields involved (categories) and the units complained about
most (respondent units); (二) transfers, assignments and supervision; (三)
proposals made and adopted; (四) other matters (the unit ranking).
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.template.loader import render_to_string
from docx import Document
from docx.shared import Pt

from xinfang.units import bureaus

from . import dashboard
from .rates import percent


def _within(bureau) -> str | None:
    """The path prefix of the bureau's area (None: everything, the top bureau)."""
    if bureau is None or bureaus.covers_everything(bureau):
        return None
    return bureaus.area_root(bureau).path


def _supervision(year: int, bureau=None) -> dict | None:
    try:
        from xinfang.supervision.summary import supervision_summary
    except ImportError:
        return None
    return supervision_summary(year, within=_within(bureau))


def _proposals(year: int, bureau=None) -> dict | None:
    try:
        from xinfang.supervision.summary import proposals_summary
    except ImportError:
        return None
    return proposals_summary(year, within=_within(bureau))


def _statistics(figures: dict) -> dict:
    t = figures["totals"]
    rates = {r["code"]: percent(r["value"]) for r in figures["rates"]}
    return {
        "heading": "一、信访事项数据统计",
        "paragraphs": [
            f"本期共收到信访事项{t['received']}件，其中重复访{t['repeat']}件、越级访{t['skip_level']}件、"
            f"集体访{t['collective']}件、重大紧急事项{t['urgent']}件。办结{t['concluded']}件，"
            f"其中按期办结{t['concluded_on_time']}件。",
            f"及时受理率{rates['timely_acceptance']}，按期办结率{rates['on_time_conclusion']}，"
            f"参评率{rates['evaluation']}，满意率（含基本满意）{rates['satisfaction']}，"
            f"重复访率{rates['repeat']}，越级访率{rates['skip_level']}，积案化解率{rates.get('backlog', '—')}。",
        ],
        "tables": [
            {
                "caption": "按渠道",
                "headers": ["渠道", "件数"],
                "rows": [[r["label"], r["count"]] for r in figures["by_channel"]],
            },
            {
                "caption": "按性质",
                "headers": ["类别", "件数"],
                "rows": [[r["label"], r["count"]] for r in figures["by_class"]],
            },
            {
                "caption": "考核指标",
                "headers": ["指标", "数值", "计算公式"],
                "rows": [[r["label"], percent(r["value"]), r["formula"]] for r in figures["rates"]],
            },
        ],
    }


def _fields(figures: dict) -> dict:
    top = figures["respondents"][:10]
    return {
        "heading": "二、信访事项涉及领域及被投诉较多的机关、单位",
        "paragraphs": [
            "涉及领域前列的是："
            + ("、".join(f"{r['label']}（{r['count']}件）" for r in figures["by_category"][:5]) or "无")
            + "。",
            "被投诉较多的机关、单位是："
            + ("、".join(f"{r['unit']}（{r['count']}件）" for r in top[:5]) or "无")
            + "。",
        ],
        "tables": [
            {
                "caption": "按领域（类别）",
                "headers": ["领域", "件数"],
                "rows": [[r["label"], r["count"]] for r in figures["by_category"]],
            },
            {
                "caption": "被投诉较多的机关、单位",
                "headers": ["单位", "件数"],
                "rows": [[r["unit"], r["count"]] for r in top],
            },
        ],
    }


def _routing(figures: dict, year: int | None, bureau=None) -> dict:
    t = figures["totals"]
    paragraphs = [f"信访部门转送信访事项{t['transferred']}件，交办{t['assigned']}件。"]
    tables = []
    sup = _supervision(year, bureau) if year else None
    if sup is not None:
        paragraphs.append(
            f"发出督办通知{sup['issued']}件（其中挂牌督办{sup['flagged']}件），已书面回复{sup['replied']}件，"
            f"按期回复{sup['replied_on_time']}件，逾期未回复{sup['reply_overdue']}件。"
        )
        tables.append(
            {
                "caption": "督办（按单位）",
                "headers": ["单位", "督办件数", "挂牌督办"],
                "rows": [[r["unit"], r["count"], r["flagged"]] for r in sup["by_unit"]],
            }
        )
    elif year:
        paragraphs.append("督办情况：督查模块未启用，暂无数据。")
    return {"heading": "三、转送、交办、督办情况", "paragraphs": paragraphs, "tables": tables}


def _proposal_section(year: int, bureau=None) -> dict:
    p = _proposals(year, bureau)
    if p is None:
        return {
            "heading": "四、提出建议及采纳情况",
            "paragraphs": ["督查模块未启用，暂无数据。"],
            "tables": [],
        }
    rate = percent(p["adoption_rate"])
    return {
        "heading": "四、提出改进工作、完善政策、追究责任建议及采纳情况",
        "paragraphs": [
            f"全年提出建议{p['total']}件，已采纳{p['adopted']}件，部分采纳{p['partly']}件，"
            f"未采纳{p['not_adopted']}件，待反馈{p['pending']}件，采纳率{rate}。"
        ],
        "tables": [
            {
                "caption": "按建议类型",
                "headers": ["类型", "提出", "采纳", "部分采纳", "未采纳", "待反馈"],
                "rows": [
                    [k["label"], k["total"], k["adopted"], k["partly"], k["not_adopted"], k["pending"]]
                    for k in p["by_kind"]
                ],
            }
        ],
    }


def _league(figures: dict, heading: str) -> dict:
    rows = [
        [
            r["rank"] or "—",
            r["unit"],
            percent(r["response"]),
            percent(r["resolution"]),
            percent(r["satisfaction"]),
            "—" if r["score"] is None else f"{r['score']:.1f}",
        ]
        for r in figures["league"][:15]
    ]
    return {
        "heading": heading,
        "paragraphs": ["单位排名按综合得分（响应率、解决率、满意率加权）。"],
        "tables": [
            {
                "caption": "单位排名",
                "headers": ["名次", "单位", "响应率", "解决率", "满意率", "综合得分"],
                "rows": rows,
            }
        ],
    }


def _districts(figures: dict) -> list[dict]:
    """The league of districts, for a bureau with lower bureaus (a city)."""
    if not figures["districts"]:
        return []
    rows = [
        [
            r["rank"] or "—",
            r["unit"],
            r["received"],
            r["concluded"],
            percent(r["response"]),
            percent(r["resolution"]),
            percent(r["satisfaction"]),
            "—" if r["score"] is None else f"{r['score']:.1f}",
        ]
        for r in figures["districts"]
    ]
    return [
        {
            "caption": "各区县（下级信访部门辖区）情况",
            "headers": ["名次", "辖区", "收件", "办结", "响应率", "解决率", "满意率", "综合得分"],
            "rows": rows,
        }
    ]


def _title(bureau, text: str) -> str:
    """The report's title names the reporting bureau once there are several."""
    if bureau is None or bureaus.covers_everything(bureau) and not bureaus.lower_bureaus(bureau):
        return text
    return f"{bureau.name}{text}"


def annual_report(year: int, *, unit=None, bureau=None) -> dict:
    """The Art. 41 report of `bureau`'s area (the whole installation when None or the top bureau
    of a one-bureau installation)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    figures = dashboard.figures(start, end, unit, bureau=bureau)
    statistics = _statistics(figures)
    statistics["tables"] += _districts(figures)
    return {
        "title": _title(bureau, f"{year}年度信访情况报告"),
        "period": f"{year}年1月1日至{year}年12月31日",
        "basis": "依据《信访工作条例》第四十一条编制，报本级党委和政府、上一级党委和政府信访部门。",
        "totals": figures["totals"],
        "sections": [
            statistics,
            _fields(figures),
            _routing(figures, year, bureau),
            _proposal_section(year, bureau),
            _league(figures, "五、其他应当报告的事项"),
        ],
    }


def monthly_report(month: date, *, unit=None, bureau=None) -> dict:
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    figures = dashboard.figures(start, end, unit, bureau=bureau)
    statistics = _statistics(figures)
    statistics["tables"] += _districts(figures)
    d = figures["deadlines"]
    return {
        "title": _title(bureau, f"{start.year}年{start.month}月信访工作月报"),
        "period": f"{start.year}年{start.month}月1日至{end.month}月{end.day}日",
        "basis": "",
        "totals": figures["totals"],
        "sections": [
            statistics,
            _fields(figures),
            _routing(figures, None),
            {
                "heading": "四、期限预警",
                "paragraphs": [f"在办事项中超期{d['overdue']}件、临期{d['due_soon']}件。"],
                "tables": [
                    {
                        "caption": "超期（按单位）",
                        "headers": ["单位", "件数"],
                        "rows": [[r["unit"], r["count"]] for r in d["by_unit"]],
                    }
                ],
            },
            _league(figures, "五、单位排名"),
        ],
    }


def to_html(report: dict) -> str:
    from xinfang.documents.render import FONT_BODY, FONT_HEADING, FONT_TITLE

    return render_to_string(
        "stats/report.html",
        {"report": report, "font_title": FONT_TITLE, "font_body": FONT_BODY, "font_heading": FONT_HEADING},
    )


def to_pdf(report: dict) -> bytes:
    from xinfang.documents.render import html_to_pdf

    return html_to_pdf(to_html(report))


def to_docx(report: dict) -> bytes:
    from xinfang.documents.render import DOCX_FONT_BODY, DOCX_FONT_HEADING, DOCX_FONT_TITLE, _set_fonts

    doc = Document()
    _set_fonts(doc.styles["Normal"], DOCX_FONT_BODY, 14)
    title = doc.add_paragraph()
    _set_fonts(title.add_run(report["title"]), DOCX_FONT_TITLE, 22, bold=True)
    title.alignment = 1
    doc.add_paragraph(report["period"])
    if report["basis"]:
        doc.add_paragraph(report["basis"])
    for section in report["sections"]:
        heading = doc.add_paragraph()
        _set_fonts(heading.add_run(section["heading"]), DOCX_FONT_HEADING, 16)
        for text in section["paragraphs"]:
            doc.add_paragraph(text).paragraph_format.first_line_indent = Pt(28)
        for tbl in section["tables"]:
            if not tbl["rows"]:
                continue
            doc.add_paragraph(tbl["caption"])
            table = doc.add_table(rows=1, cols=len(tbl["headers"]))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, tbl["headers"], strict=True):
                cell.text = str(text)
            for row in tbl["rows"]:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = str(value)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
