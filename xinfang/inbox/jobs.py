"""Large inbox exports, written by the worker (issue 16: a 20,000-row export held a request 13 s).

- ``enqueue()`` (the export view, for a list above ``EXPORT_SYNC_MAX_ROWS``) stores the filter
  string and the user; the same unfinished request is not queued twice (the link is a GET).
- ``drain()`` (the worker's export thread): each job is claimed with a conditional update of
  ``status`` and ``claimed_until``, so of several workers exactly one writes it.  The rows are
  chosen again from the filter string *as the owner* (``filters.filtered_queryset`` starts from
  ``visible_petitions``), streamed from the database in chunks into a write-only workbook under
  ``MEDIA_ROOT/exports``, and the job is marked done only if the claim still holds — a worker whose
  hold ran out deletes its file instead.  A failure is retried with a backoff, then marked failed;
  a worker killed -9 leaves the job until its hold runs out.
- ``expire()`` (every worker pass) deletes the files and jobs past ``expires_at``, and the partial
  files of killed workers.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone, translation

from . import export
from .models import ExportJob, ExportStatus

log = logging.getLogger("xinfang.inbox.exports")

HOLD = timedelta(minutes=30)  # 1,000,000 rows take a few minutes; a claim older than this is dead
BACKOFF = timedelta(minutes=1)
MAX_ATTEMPTS = 3
DIRECTORY = "exports"


class _ClaimLost(Exception):
    pass


def path_of(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file


def enqueue(*, user, query: str, view_label: str, expected_rows: int, language: str = "") -> ExportJob:
    """Queue the export of ``query`` for ``user``, or return the same request already waiting."""
    waiting = (
        ExportJob.objects.of(user)
        .filter(query=query, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
        .first()
    )
    if waiting is not None:
        return waiting
    return ExportJob.objects.create(
        owner=user,
        query=query,
        view_label=view_label[:40],
        expected_rows=expected_rows,
        language=language[:10],
    )


def claim(job_id: int, now) -> bool:
    until = now + HOLD
    claimed = (
        ExportJob.objects.due(now)
        .filter(pk=job_id)
        .update(
            status=ExportStatus.RUNNING,
            claimed_until=until,
            started_at=now,
            attempts=F("attempts") + 1,
        )
    )
    return claimed == 1


def _rows_for(job: ExportJob):
    """(queryset, view) of the owner's list as the filter string describes it, or None when the
    owner may no longer use the inbox."""
    from . import filters as f
    from .views import resolve_params

    owner = job.owner
    if not f.may_use_inbox(owner):
        return None
    ctx, view, filters, sort, _form = resolve_params(owner, QueryDict(job.query))
    qs = f.order(f.filtered_queryset(ctx, view, filters), sort, by_status=view.key != "all")
    return qs, view


def write(job: ExportJob) -> tuple[int, int]:
    """Write the job's file; (rows, bytes).  The file appears under its final name only once
    complete."""
    found = _rows_for(job)
    if found is None:
        raise PermissionError("the owner may no longer use the inbox")
    qs, view = found
    # How many rows to expect, for the jobs page while the file is written (the request did not count).
    expected = min(qs.order_by().count(), settings.EXPORT_MAX_ROWS)
    ExportJob.objects.filter(pk=job.pk).update(expected_rows=expected)
    folder = Path(settings.MEDIA_ROOT) / DIRECTORY / f"{timezone.localdate():%Y/%m}"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}-{secrets.token_hex(12)}.xlsx"
    partial = folder / f".{name}.part"
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            rows = export.write_workbook(qs, partial, title=str(view.label))
        os.replace(partial, folder / name)
    finally:
        partial.unlink(missing_ok=True)
    job.file = str((folder / name).relative_to(settings.MEDIA_ROOT))
    export.audit_export(user=job.owner, written=rows, view_key=view.key, query=job.query, job=job)
    return rows, (folder / name).stat().st_size


def run(job_id: int) -> bool:
    """Claim and write one job; False when another worker has it or it failed."""
    now = timezone.now()
    if not claim(job_id, now):
        return False
    until = now + HOLD
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    try:
        if job.attempts > MAX_ATTEMPTS:  # claimed again and again by workers that died on it
            raise RuntimeError("too many attempts")
        rows, size = write(job)
        finished = timezone.now()
        done = ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING, claimed_until=until).update(
            status=ExportStatus.DONE,
            file=job.file,
            rows=rows,
            size=size,
            error="",
            finished_at=finished,
            expires_at=finished + timedelta(hours=settings.EXPORT_KEEP_HOURS),
            claimed_until=None,
        )
        if done != 1:
            raise _ClaimLost
    except _ClaimLost:
        if job.file:
            path_of(job).unlink(missing_ok=True)
        return False
    except Exception as exc:  # noqa: BLE001 - retried later, then shown as failed
        log.exception("export job %s failed", job_id)
        if job.file:
            path_of(job).unlink(missing_ok=True)
        failed = job.attempts >= MAX_ATTEMPTS or isinstance(exc, PermissionError)
        later = timezone.now() + BACKOFF * 2 ** (job.attempts - 1)
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING, claimed_until=until).update(
            status=ExportStatus.FAILED if failed else ExportStatus.QUEUED,
            claimed_until=None if failed else later,
            finished_at=timezone.now() if failed else None,
            expires_at=timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS) if failed else None,
            error=type(exc).__name__[:200],
        )
        return False
    return True


def drain(limit: int = 5) -> int:
    """Write up to ``limit`` due jobs, oldest first; returns how many this call wrote."""
    now = timezone.now()
    ids = list(ExportJob.objects.due(now).order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    done = 0
    for pk in ids:
        done += run(pk)
    return done


def expire(now=None) -> int:
    """Delete the files and jobs past their time; deleting twice is harmless."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).only("pk", "file")[:500]:
        if job.file:
            path_of(job).unlink(missing_ok=True)
        removed += ExportJob.objects.filter(pk=job.pk).delete()[0]
    return removed


def sweep_partial_files(now=None) -> int:
    """Remove the unfinished files of workers killed while writing (older than a claim's hold)."""
    cutoff = (now or timezone.now()) - HOLD
    removed = 0
    for path in (Path(settings.MEDIA_ROOT) / DIRECTORY).glob("*/*/.*.part"):
        if path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def run_once(now=None) -> int:
    return expire(now) + sweep_partial_files(now)
