"""Planner statistics are refreshed when migrations ran, and only then."""

from __future__ import annotations

import pytest
from django.db import connection

from xinfang.petitions.signals import analyze_after_migrations


class _Spy:
    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.django_db
@pytest.mark.parametrize("plan, analyzed", [([("migration", False)], True), ([], False), (None, False)])
def test_analyze_runs_only_after_a_migration_plan(plan, analyzed):
    spy = _Spy()
    with connection.execute_wrapper(spy):
        analyze_after_migrations(sender=None, plan=plan, using="default")
    assert ("ANALYZE" in spy.statements) is analyzed
