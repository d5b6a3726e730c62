"""`xinfang generate`: one step on a fresh database (it migrates first), rows that follow the rules."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from xinfang.inbox.models import PetitionSearch
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_adds_petitions_with_search_rows_and_reports_them():
    out = io.StringIO()
    call_command("generate", petitions=400, stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["petitions"] == 400
    assert Petition.objects.count() == 400
    assert PetitionSearch.objects.count() == 400  # searchable without a separate indexing step
    # Samples (about 1 in 100 rows) are real case numbers with their query codes.
    for case_number, query_code in result["samples"]:
        assert Petition.objects.filter(case_number=case_number).exists()
        assert len(query_code) == 8


def test_generate_refuses_a_non_positive_count():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="正整数"):
        call_command("generate", petitions=0)
