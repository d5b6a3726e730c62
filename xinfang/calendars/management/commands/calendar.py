"""xinfang calendar load|show|export: manage the yearly holiday schedules."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xinfang.calendars.actions import schedule_load
from xinfang.calendars.models import HolidaySchedule
from xinfang.calendars.schedule_csv import ScheduleError, ScheduleRow, parse_schedule, write_schedule
from xinfang.lib.deadlines import LibraryCalendar

YEAR_RANGE = range(2000, 2101)


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        raise CommandError(f"年份“{value}”不是数字。") from None
    if year not in YEAR_RANGE:
        raise CommandError(f"年份{year}超出范围（{YEAR_RANGE.start}–{YEAR_RANGE.stop - 1}）。")
    return year


class Command(BaseCommand):
    help = "节假日安排：载入（load）、查看（show）、导出（export）某一年的放假和调休上班日。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="从 CSV（date,is_workday,name）载入一年的安排，替换已有安排")
        load.add_argument("--year", required=True, type=str)
        load.add_argument("--file", required=True, help="CSV 文件路径（UTF-8）")
        load.add_argument(
            "--source", default="", help="依据，默认为“国务院办公厅关于YYYY年部分节假日安排的通知”"
        )
        load.add_argument("--user", default="", help="载入人的用户名")
        show = sub.add_parser("show", help="显示一年的安排及其来源")
        show.add_argument("--year", required=True, type=str)
        export = sub.add_parser("export", help="把 chinesecalendar 软件包中的安排导出为 CSV")
        export.add_argument("--year", required=True, type=str)
        export.add_argument("--file", default="-", help="输出文件，默认输出到标准输出")

    def handle(self, *args, action: str, **options):
        options["year"] = _year(options["year"])
        getattr(self, f"handle_{action}")(**options)

    def handle_load(self, *, year: int, file: str, source: str, user: str, **options) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        except UnicodeDecodeError:
            raise CommandError(f"文件 {file} 不是 UTF-8 编码，请另存为 UTF-8 的 CSV。") from None
        loaded_by = None
        if user:
            loaded_by = get_user_model().objects.filter(username=user).first()
            if loaded_by is None:
                raise CommandError(f"没有用户名为“{user}”的用户。")
        try:
            rows = parse_schedule(text, year)
            schedule_load(year=year, rows=rows, source=source, user=loaded_by)
        except ScheduleError as exc:
            raise CommandError(f"{file} 未载入：\n{exc}") from None
        holidays = sum(1 for r in rows if not r.is_workday)
        self.stdout.write(f"已载入{year}年节假日安排：放假{holidays}天，调休上班{len(rows) - holidays}天。")

    def handle_show(self, *, year: int, **options) -> None:
        schedule = HolidaySchedule.objects.filter(year=year).select_related("loaded_by").first()
        library = LibraryCalendar()
        if schedule is not None:
            who = f"，载入人 {schedule.loaded_by}" if schedule.loaded_by else ""
            self.stdout.write(
                f"{year}年：{schedule.source}（载入于 {schedule.loaded_at:%Y-%m-%d %H:%M}{who}）"
            )
            rows = [ScheduleRow(d.date, d.is_workday, d.name) for d in schedule.days.all()]
        elif library.knows_year(year):
            self.stdout.write(f"{year}年：未载入，使用 chinesecalendar 软件包中的安排。")
            rows = [ScheduleRow(*r) for r in library.schedule(year)]
        else:
            self.stdout.write(f"{year}年：尚无节假日安排，期限按周末临时计算（标注为“暂定”）。")
            return
        for row in rows:
            kind = "上班" if row.is_workday else "放假"
            self.stdout.write(
                f"{row.date:%Y-%m-%d} 周{'一二三四五六日'[row.date.weekday()]} {kind} {row.name}"
            )

    def handle_export(self, *, year: int, file: str, **options) -> None:
        library = LibraryCalendar()
        if not library.knows_year(year):
            known = sorted(library.years)
            span = f"{known[0]}–{known[-1]}" if known else "无"
            raise CommandError(f"chinesecalendar 软件包没有{year}年的安排（支持{span}年）。")
        rows = [ScheduleRow(*r) for r in library.schedule(year)]
        if file == "-":
            write_schedule(rows, self.stdout)
            return
        with open(file, "w", encoding="utf-8", newline="") as out:
            write_schedule(rows, out)
        self.stderr.write(f"已导出{year}年安排到 {file}（{len(rows)}行）。")
