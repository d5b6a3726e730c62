"""xinfang calendar load|show|export, and the schedule file's validation."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xinfang.calendars.models import CalendarDay, HolidaySchedule
from xinfang.calendars.rules import DeadlineRule
from xinfang.calendars.schedule_csv import parse_schedule
from xinfang.calendars.service import compute_due
from xinfang.lib.deadlines import LibraryCalendar

pytestmark = pytest.mark.django_db

HEADER = "date,is_workday,name\n"
GOOD_2027 = HEADER + "2027-01-01,0,元旦\n2027-01-09,1,调休上班\n"


def run(*args):
    out = StringIO()
    call_command("calendar", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def load(path, year="2027"):
    return run("load", "--year", year, "--file", str(path))


def test_load_stores_the_schedule(csv_file):
    output = load(csv_file(GOOD_2027))
    assert "放假1天，调休上班1天" in output
    schedule = HolidaySchedule.objects.get(year=2027)
    assert schedule.source == "国务院办公厅关于2027年部分节假日安排的通知"
    assert [(d.date, d.is_workday, d.name) for d in schedule.days.all()] == [
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 1, 9), True, "调休上班"),
    ]


def test_load_replaces_the_year(csv_file):
    load(csv_file(GOOD_2027))
    load(csv_file(HEADER + "2027-02-08,0,春节\n", name="second.csv"))
    assert HolidaySchedule.objects.count() == 1
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [date(2027, 2, 8)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "文件为空"),
        ("day,workday,name\n2027-01-01,0,元旦\n", "第1行表头应为"),
        (HEADER + "2027/01/01,0,元旦\n", "第2行：日期“2027/01/01”格式不正确"),
        (HEADER + "2027-02-30,0,春节\n", "第2行：日期“2027-02-30”格式不正确"),
        (HEADER + "2026-12-31,0,元旦\n", "第2行：日期2026-12-31不在2027年内"),
        (HEADER + "2027-01-01,0,元旦\n2027-01-01,0,元旦\n", "第3行：日期2027-01-01重复出现"),
        (HEADER + "2027-01-01,yes,元旦\n", "is_workday 应为0（放假）或1（调休上班）"),
        (HEADER + "2027-01-01,0\n", "第2行应有3列"),
        (HEADER + "2027-01-01,0,元旦\n2027-01-04,1,调休上班\n", "2027-01-04是周一至周五"),
        (HEADER, "文件中没有任何日期"),
        (HEADER + "2027-01-09,1,调休上班\n", "文件中没有放假日"),
    ],
)
def test_invalid_file_is_rejected_in_chinese_and_changes_nothing(csv_file, text, message):
    load(csv_file(GOOD_2027, name="good.csv"))
    with pytest.raises(CommandError, match=message):
        load(csv_file(text))
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [date(2027, 1, 1), date(2027, 1, 9)]


def test_all_errors_are_reported_at_once(csv_file):
    with pytest.raises(CommandError) as info:
        load(csv_file(HEADER + "2027-13-01,0,x\n2026-01-01,0,元旦\n"))
    assert "第2行" in str(info.value) and "第3行" in str(info.value)


def test_missing_or_non_utf8_file(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        load(tmp_path / "missing.csv")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes((HEADER + "2027-01-01,0,元旦\n").encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8 编码"):
        load(gbk)


def test_excel_bom_is_accepted():
    assert parse_schedule("\ufeff" + GOOD_2027, 2027)[0].date == date(2027, 1, 1)


def test_bad_year_argument(csv_file):
    with pytest.raises(CommandError, match="不是数字"):
        load(csv_file(GOOD_2027), year="二〇二七")


def test_unknown_user_is_rejected(csv_file):
    with pytest.raises(CommandError, match="没有用户名为“nobody”的用户"):
        run("load", "--year", "2027", "--file", str(csv_file(GOOD_2027)), "--user", "nobody")


def test_show_names_the_source():
    assert "期限按周末临时计算" in run("show", "--year", "2027")
    shown = run("show", "--year", "2026")
    assert "chinesecalendar" in shown and "2026-02-17 周二 放假 春节" in shown


def test_show_a_loaded_year(csv_file):
    load(csv_file(GOOD_2027))
    shown = run("show", "--year", "2027")
    assert "国务院办公厅关于2027年部分节假日安排的通知" in shown
    assert "2027-01-09 周六 上班 调休上班" in shown


def test_export_round_trips_through_load(tmp_path):
    path = tmp_path / "2026.csv"
    run("export", "--year", "2026", "--file", str(path))
    rows = parse_schedule(path.read_text(encoding="utf-8"), 2026)
    assert [(r.date, r.is_workday, r.name) for r in rows] == LibraryCalendar().schedule(2026)
    before = compute_due(DeadlineRule.SIMPLE, date(2026, 2, 9))
    load(path, year="2026")
    assert compute_due(DeadlineRule.SIMPLE, date(2026, 2, 9)) == before
    assert before.date == date(2026, 2, 28)


def test_export_to_stdout_and_unknown_year():
    assert run("export", "--year", "2025").startswith("date,is_workday,name\n2025-01-01,0,元旦\n")
    with pytest.raises(CommandError, match="没有2027年的安排"):
        run("export", "--year", "2027")
