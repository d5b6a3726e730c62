"""The background worker: one pass raises due warnings, closes matters whose
review window ran out, and runs the periodic jobs of other apps.  Each job is
safe to run from several workers at once (compare-and-set claims)."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.lib.optional import optional_callable
from xinfang.petitions.actions import petition_close_after_window
from xinfang.petitions.choices import Status
from xinfang.petitions.models import Deadline, Petition

from .deadlines import warn_deadlines
from .delivery import warn_undelivered

log = logging.getLogger("xinfang.worker")

# Periodic jobs of other apps: "module:function", each returning a count.
JOBS = [
    "xinfang.notifications.worker:run_once",
    "xinfang.ownership.reminders:run_once",
    "xinfang.commitments.reminders:run_once",
    "xinfang.supervision.reminders:run_once",
    "xinfang.stats.jobs:run_once",
    "xinfang.triage.jobs:run_once",
    "xinfang.petitions.housekeeping:run_once",
    "xinfang.inbox.jobs:run_once",  # expired export files
]


def close_expired_windows(now=None, *, batch: int = 200) -> int:
    today = timezone.localdate(now or timezone.now())
    ids = (
        Deadline.objects.open()
        .filter(
            rule__in=[DeadlineRule.REVIEW_REQUEST, DeadlineRule.REREVIEW_REQUEST],
            due__lt=today,
            petition__status=Status.OPINION_ISSUED,
        )
        .values_list("petition_id", flat=True)[:batch]
    )
    closed = 0
    for petition in Petition.objects.filter(pk__in=list(ids)):
        closed += petition_close_after_window(petition=petition)
    return closed


def run_once(now=None) -> dict[str, int]:
    """One pass of every job; a failing job is logged and does not stop the others."""
    results = {}
    builtin = {
        "deadline_warnings": lambda: warn_deadlines(now),
        "closed_after_window": lambda: close_expired_windows(now),
        "undelivered_documents": lambda: warn_undelivered(now),
    }
    for name, job in builtin.items():
        results[name] = _run(name, job)
    for path in JOBS:
        job = optional_callable(path)
        if job is not None:
            results[path] = _run(path, job)
    return results


def _run(name, job) -> int:
    try:
        return int(job() or 0)
    except Exception:  # noqa: BLE001 - one broken job must not stop the worker
        log.exception("worker job %s failed", name)
        return -1


QUEUE_POLL = 1.0  # seconds between looks at the triage queue while it is empty


def drain_queues() -> int:
    """The work that must not wait for the next pass: triage of new petitions."""
    job = optional_callable("xinfang.triage.queue:drain")
    return _run("triage_queue", job) if job is not None else 0


def drain_exports() -> int:
    """Large Excel exports the users wait for (inbox.jobs)."""
    job = optional_callable("xinfang.inbox.jobs:drain")
    return _run("export_queue", job) if job is not None else 0


def drain_forever(stop: threading.Event, drain=drain_queues) -> None:
    """A queue in a thread of its own: a long periodic pass (the rollup, the detectors) must not
    hold back the triage of new petitions, nor a long export the triage."""
    while not stop.is_set():
        close_old_connections()
        if drain() <= 0:
            stop.wait(QUEUE_POLL)
    close_old_connections()


def loop(interval: float = 30.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    log.info("worker started, interval %ss", interval)
    threading.Thread(target=drain_forever, args=(stop,), daemon=True, name="xinfang-triage-queue").start()
    threading.Thread(
        target=drain_forever, args=(stop, drain_exports), daemon=True, name="xinfang-export-queue"
    ).start()
    while not stop.is_set():
        close_old_connections()
        results = run_once()
        busy = {k: v for k, v in results.items() if v}
        if busy:
            log.info("worker pass: %s", busy)
        close_old_connections()
        stop.wait(interval)


def start_in_thread(interval: float = 30.0) -> threading.Event:
    """Run the worker inside this process (the demo server does this)."""
    stop = threading.Event()
    threading.Thread(
        target=loop, kwargs={"interval": interval, "stop": stop}, daemon=True, name="xinfang-worker"
    ).start()
    time.sleep(0)
    return stop
