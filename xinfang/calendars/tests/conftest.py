import pytest


@pytest.fixture(autouse=True)
def fresh_calendar():
    """Each test starts and ends with no cached calendar (test transactions roll back)."""
    from xinfang.calendars.service import invalidate_calendar

    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def csv_file(tmp_path):
    """Write a schedule file and return its path: csv_file("date,is_workday,name\\n…")."""

    def write(text: str, name: str = "schedule.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
