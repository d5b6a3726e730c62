"""Keep provisional due dates in step with the holiday calendar; the registration signal."""

from django.dispatch import Signal, receiver

from xinfang.calendars.signals import schedule_loaded

from .deadlines import recompute_provisional

# Sent by petition_register inside the registration's transaction once the petition has its
# case number, with `petition` (carrying `registered_people`, its petitioners in order) and
# `event` (the REGISTER event).  Receivers write in that transaction.
petition_registered = Signal()


@receiver(schedule_loaded, dispatch_uid="petitions-recompute-provisional")
def recompute_after_schedule(sender, **kwargs) -> None:
    recompute_provisional()


def analyze_after_migrations(sender, plan=None, using="default", **kwargs) -> None:
    """Refresh planner statistics after migrations ran (not after a test flush, which has no plan).

    A migration that adds an index leaves SQLite without statistics for it, and its planner then
    misjudges: at 1,000,000 petitions a unit's inbox went from 30 ms to 330 ms until ANALYZE.
    ANALYZE takes about a second there; PostgreSQL's takes a few seconds on a sample."""
    from django.db import connections

    if not plan:
        return
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
