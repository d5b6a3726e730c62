"""Signals sent by the calendars app."""

from django.dispatch import Signal

# Sent after the transaction that loaded (or edited) a year's holiday schedule
# commits, with ``year=<int>``.  Receivers recompute the due dates that the new
# schedule can move, e.g. those still marked provisional for that year.
schedule_loaded = Signal()
