"""Each dashboard chart as a table, and that table as CSV or Excel."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from xinfang.lib.text import spreadsheet_cell

from .rates import percent

CHARTS = {
    "rates": "考核指标",
    "by_channel": "按渠道",
    "by_category": "按类别",
    "by_class": "按性质",
    "by_town": "按属地",
    "respondents": "被反映单位",
    "trend": "趋势",
    "league": "单位排名",
    "districts": "各区县排名",
    "deadlines": "期限预警",
}


def table(figures: dict, chart: str) -> tuple[list[str], list[list]]:
    if chart == "rates":
        return ["指标", "数值", "分子", "分母", "计算公式"], [
            [r["label"], percent(r["value"]), r["numerator"], r["denominator"], r["formula"]]
            for r in figures["rates"]
        ]
    if chart in {"by_channel", "by_category", "by_class"}:
        return ["分组", "件数"], [[r["label"], r["count"]] for r in figures[chart]]
    if chart == "by_town":
        return ["属地", "件数"], [[r["name"], r["count"]] for r in figures["by_town"]]
    if chart == "respondents":
        return ["被反映单位", "件数"], [[r["unit"], r["count"]] for r in figures["respondents"]]
    if chart == "trend":
        return ["日期", "收件", "办结"], [
            [r["date"], r["received"], r["concluded"]] for r in figures["trend"]
        ]
    if chart in {"league", "districts"}:
        return ["名次", "单位", "响应率", "解决率", "满意率", "综合得分", "收件", "办结"], [
            [
                r["rank"] or "—",
                r["unit"],
                percent(r["response"]),
                percent(r["resolution"]),
                percent(r["satisfaction"]),
                "—" if r["score"] is None else round(r["score"], 1),
                r["received"],
                r["concluded"],
            ]
            for r in figures[chart]
        ]
    if chart == "deadlines":
        d = figures["deadlines"]
        rows = [["超期", "", d["overdue"]], ["临期", "", d["due_soon"]], ["正常", "", d["on_time"]]]
        rows += [["超期（按单位）", r["unit"], r["count"]] for r in d["by_unit"]]
        rows += [["超期（按环节）", r["label"], r["count"]] for r in d["by_rule"]]
        return ["状态", "分组", "件数"], rows
    raise KeyError(chart)


def to_csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    # Unit and category names are typed by people: never a formula in Excel.
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly


def to_xlsx(headers, rows, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for row in rows:
        sheet.append([spreadsheet_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
