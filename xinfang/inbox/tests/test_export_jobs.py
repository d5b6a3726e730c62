"""Large exports are written by the worker (issue 16): the same rows as the request would write,
only to the user who asked, never a petition that user may not see, and written once."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.alerts import worker
from xinfang.alerts.tests.concurrency import postgres_only, run_concurrently
from xinfang.audit.models import AuditAction, AuditLog
from xinfang.inbox import export, jobs
from xinfang.inbox.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def _synchronous(client, url: str) -> list[tuple]:
    response = client.get(url)
    assert response.status_code == 200
    return _rows(b"".join(response.streaming_content))


def _queue(client, url: str, settings) -> ExportJob:
    """Ask for the export with the threshold below the list's size: it goes to the worker."""
    settings.EXPORT_SYNC_MAX_ROWS = 0
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/inbox/exports/"
    return ExportJob.objects.latest("pk")


def _download(client, job: ExportJob) -> list[tuple]:
    response = client.get(f"/inbox/exports/{job.pk}/download/")
    assert response.status_code == 200
    return _rows(b"".join(response.streaming_content))


@pytest.mark.parametrize(
    "url", ["/inbox/export.xlsx?view=all", "/inbox/export.xlsx?view=handling&sort=case_number"]
)
def test_background_export_has_the_same_rows_as_the_synchronous_one(cases, world, login, settings, url):
    client = login(world.leader_a)
    direct = _synchronous(client, url)
    assert len(direct) > 2
    job = _queue(client, url, settings)
    assert job.status == ExportStatus.QUEUED and job.owner == world.leader_a
    page = client.get("/inbox/exports/")
    assert "排队中" in page.content.decode() and b'http-equiv="refresh"' in page.content
    assert jobs.drain() == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows == len(direct) - 1
    assert _download(client, job) == direct
    assert "已完成" in client.get("/inbox/exports/").content.decode()
    # Audited like the synchronous export: who, how many rows, which list; and the download.
    details = list(AuditLog.objects.filter(action=AuditAction.EXPORT).values_list("detail", flat=True))
    assert any(f"后台#{job.pk}" in d and f"{job.rows}行" in d for d in details)
    assert any(d.startswith(f"下载后台导出#{job.pk}") for d in details)


def test_asking_twice_queues_one_job(cases, world, login, settings):
    client = login(world.registrar)
    first = _queue(client, "/inbox/export.xlsx?view=all", settings)
    second = _queue(client, "/inbox/export.xlsx?view=all", settings)
    assert first == second and ExportJob.objects.count() == 1


def test_another_user_cannot_download_the_export(cases, world, login, settings):
    owner = login(world.handler_a)
    job = _queue(owner, "/inbox/export.xlsx?view=all", settings)
    assert jobs.drain() == 1
    job.refresh_from_db()
    for other in [world.leader_a, world.registrar, world.handler_b, world.admin]:
        client = login(other)
        assert client.get(f"/inbox/exports/{job.pk}/download/").status_code == 404
        assert f"/inbox/exports/{job.pk}/download/" not in client.get("/inbox/exports/").content.decode()
    assert _download(login(world.handler_a), job)


def test_an_expired_export_is_deleted(cases, world, login, settings):
    client = login(world.registrar)
    job = _queue(client, "/inbox/export.xlsx?view=all", settings)
    jobs.drain()
    job.refresh_from_db()
    path = jobs.path_of(job)
    assert path.is_file() and path.is_relative_to(Path(django_settings.MEDIA_ROOT) / "exports")
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/inbox/exports/{job.pk}/download/").status_code == 404
    worker.run_once()  # the worker's periodic pass removes it
    assert not path.exists() and not ExportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize("persona", ["leader_a", "handler_a"])
def test_background_export_never_has_the_accusation_against_the_viewers_unit(
    cases, world, login, settings, persona
):
    user = getattr(world, persona)
    client = login(user)
    # The list's link (which queues only lists above the threshold), then stored query strings
    # that look for the accusation, written by the worker as well.
    jobs_asked = [_queue(client, "/inbox/export.xlsx?view=all", settings)]
    for query in ["view=all&petition_class=accusation", "view=all&q=好处费", "view=handling", "view=reviews"]:
        jobs_asked.append(ExportJob.objects.create(owner=user, query=query, view_label="全部"))
    assert jobs.drain() == len(jobs_asked)
    for job in jobs_asked:
        job.refresh_from_db()
        cells = {v for row in _download(client, job) for v in row}
        assert cases.accusation_a.case_number not in cells
        assert cases.accusation_a.title not in cells
    # The bureau sees it in the same export: the check above can fail.
    registrar = login(world.registrar)
    job = ExportJob.objects.create(owner=world.registrar, query="view=all&petition_class=accusation")
    jobs.drain()
    job.refresh_from_db()
    assert cases.accusation_a.case_number in {v for row in _download(registrar, job) for v in row}


def test_rows_are_chosen_with_the_owners_access_when_the_file_is_written(cases, world, login, settings):
    """A stored query string naming another unit's list still yields only the owner's rows."""
    from xinfang.petitions.access import visible_petitions

    job = ExportJob.objects.create(owner=world.handler_a, query="view=all", view_label="全部")
    jobs.drain()
    job.refresh_from_db()
    numbers = {row[0] for row in _download(login(world.handler_a), job)[1:]}
    assert numbers == set(visible_petitions(world.handler_a).values_list("case_number", flat=True))
    assert cases.handling_b.case_number not in numbers


def test_a_job_is_claimed_once_by_two_workers(cases, world, settings):
    job = ExportJob.objects.create(owner=world.registrar, query="view=all", view_label="全部")
    now = timezone.now()
    assert jobs.claim(job.pk, now) is True
    assert jobs.claim(job.pk, now) is False  # the second worker, at the same moment
    assert jobs.drain() == 0  # nothing due while the first one holds it
    ExportJob.objects.filter(pk=job.pk).update(claimed_until=now - timedelta(seconds=1))
    assert jobs.drain() == 1  # the first worker died: its claim ran out
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 2
    assert jobs.drain() == 0


def test_a_worker_whose_claim_was_taken_over_keeps_no_file(cases, world, settings, monkeypatch):
    job = ExportJob.objects.create(owner=world.registrar, query="view=all", view_label="全部")
    real = export.write_workbook

    def slow(qs, target, *, title):
        # While this worker writes, its hold runs out and another worker claims the job.
        ExportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() + timedelta(hours=1))
        return real(qs, target, title=title)

    monkeypatch.setattr(export, "write_workbook", slow)
    assert jobs.run(job.pk) is False
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING and not job.file
    assert not list((Path(django_settings.MEDIA_ROOT) / "exports").rglob("*.xlsx"))


def test_a_failing_export_is_retried_then_shown_as_failed(cases, world, login, settings, monkeypatch):
    job = ExportJob.objects.create(owner=world.registrar, query="view=all", view_label="全部")

    def broken(qs, target, *, title):
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_workbook", broken)
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        ExportJob.objects.filter(pk=job.pk).update(claimed_until=None)
        assert jobs.drain() == 0
        job.refresh_from_db()
        assert job.attempts == attempt and job.error == "OSError"
    assert job.status == ExportStatus.FAILED
    assert "失败" in login(world.registrar).get("/inbox/exports/").content.decode()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_write_the_job_once():
    from xinfang.testing import make_petition, make_world

    world = make_world()
    for _ in range(3):
        make_petition(world)
    job = ExportJob.objects.create(owner=world.registrar, query="view=all", view_label="全部")
    written = run_concurrently(lambda i: jobs.drain(), n=2)
    assert sorted(written) == [0, 1]
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 1
    assert len(list((Path(django_settings.MEDIA_ROOT) / "exports").rglob("*.xlsx"))) == 1
    assert AuditLog.objects.filter(detail__contains=f"后台#{job.pk}").count() == 1


def test_the_partial_file_of_a_killed_worker_is_removed(settings):
    import os

    folder = Path(django_settings.MEDIA_ROOT) / "exports" / "2026" / "12"
    folder.mkdir(parents=True)
    dead, alive = folder / ".7-dead.xlsx.part", folder / ".8-alive.xlsx.part"
    dead.write_bytes(b"PK")
    alive.write_bytes(b"PK")
    old = (timezone.now() - jobs.HOLD - timedelta(minutes=1)).timestamp()
    os.utime(dead, (old, old))
    assert jobs.run_once() == 1
    assert not dead.exists() and alive.exists()


def test_queueing_an_export_counts_no_more_than_the_threshold(cases, world, login, settings):
    """The request only decides that the list is over the threshold (a count up to it + 1); the
    whole list is counted by the worker, and the jobs page says so until then.  A count of the
    whole list was most of the request at 1,000,000 petitions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.leader_a)
    settings.EXPORT_SYNC_MAX_ROWS = 1
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/inbox/export.xlsx?view=all")
    assert response.status_code == 302
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # Each count is over a sliced list: SELECT COUNT(*) FROM (SELECT … LIMIT 2) subquery.
    assert counts and all(re.search(r"LIMIT \d+\)\s*subquery\s*$", sql, re.I) for sql in counts), counts
    job = ExportJob.objects.latest("pk")
    assert job.expected_rows == 0 and "待统计" in client.get("/inbox/exports/").content.decode()
    message = [str(m) for m in response.wsgi_request._messages]
    assert message and "超过1件" in message[0]
    assert jobs.drain() == 1
    job.refresh_from_db()
    assert job.expected_rows == job.rows > 1
