"""The schedule file: CSV with header ``date,is_workday,name``, UTF-8 (a BOM is allowed).

It lists one year's holidays (is_workday=0) and make-up working days
(is_workday=1); unlisted days default by weekday.  Errors are reported in
Chinese with line numbers, all at once, so an administrator can fix the file
in one pass.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import TextIO

HEADER = ["date", "is_workday", "name"]
NAME_MAX = 50


class ScheduleError(ValueError):
    """The file is not a valid schedule; ``str(error)`` is the Chinese explanation."""


@dataclass(frozen=True)
class ScheduleRow:
    date: date
    is_workday: bool
    name: str = ""


def parse_schedule(text: str, year: int) -> list[ScheduleRow]:
    """The rows of a schedule file for ``year``, sorted by date; ScheduleError when invalid."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ScheduleError("文件为空。第一行应为表头：date,is_workday,name")
    if [h.strip().lower() for h in header] != HEADER:
        raise ScheduleError(f"第1行表头应为“date,is_workday,name”，实际为“{','.join(header)}”。")
    errors: list[str] = []
    rows: dict[date, ScheduleRow] = {}
    for line_no, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != 3:
            errors.append(f"第{line_no}行应有3列（date,is_workday,name），实际有{len(fields)}列。")
            continue
        raw_date, raw_flag, name = (f.strip() for f in fields)
        try:
            day = date.fromisoformat(raw_date)
            if len(raw_date) != 10:
                raise ValueError(raw_date)
        except ValueError:
            errors.append(f"第{line_no}行：日期“{raw_date}”格式不正确，应为YYYY-MM-DD，如{year}-01-01。")
            continue
        if raw_flag not in {"0", "1"}:
            errors.append(f"第{line_no}行：is_workday 应为0（放假）或1（调休上班），实际为“{raw_flag}”。")
            continue
        is_workday = raw_flag == "1"
        if day.year != year:
            errors.append(f"第{line_no}行：日期{day:%Y-%m-%d}不在{year}年内。")
        elif day in rows:
            errors.append(f"第{line_no}行：日期{day:%Y-%m-%d}重复出现。")
        elif is_workday and day.weekday() < 5:
            errors.append(f"第{line_no}行：{day:%Y-%m-%d}是周一至周五，本来就是工作日，不应列为调休上班日。")
        elif len(name) > NAME_MAX:
            errors.append(f"第{line_no}行：名称过长（最多{NAME_MAX}个字）。")
        else:
            rows[day] = ScheduleRow(day, is_workday, name)
    if errors:
        raise ScheduleError("\n".join(errors))
    if not rows:
        raise ScheduleError(f"文件中没有任何日期：请列出{year}年的放假日和调休上班日。")
    if not any(not r.is_workday for r in rows.values()):
        raise ScheduleError(f"文件中没有放假日（is_workday=0）：请检查是否为{year}年的节假日安排。")
    return sorted(rows.values(), key=lambda r: r.date)


def write_schedule(rows: list[ScheduleRow], out: TextIO) -> None:
    """Write ``rows`` as a schedule file (no BOM; UTF-8 is the caller's encoding)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.date.isoformat(), "1" if row.is_workday else "0", row.name])
