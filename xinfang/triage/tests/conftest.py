"""Fixtures of the triage tests: a fresh model directory and fresh per-process caches per test."""

import random

import pytest

from xinfang.demo.texts import TEMPLATES, fill, person_name
from xinfang.lib.idcard import id_check_digit
from xinfang.petitions.actions import PetitionerInput


@pytest.fixture(autouse=True)
def triage_dir(settings, tmp_path):
    from xinfang.triage import catalogue, index_sync, suggest

    settings.TRIAGE_MODEL_DIR = tmp_path / "triage"
    settings.TRIAGE_INDEX_CATCHUP_SECONDS = 0
    settings.TRIAGE_INDEX_DIM = 32
    settings.TRIAGE_ON_REGISTER = False  # tests call triage_petition (or capture on_commit) themselves
    catalogue.invalidate()
    suggest.reset_cache()
    suggest.invalidate_labels()
    index_sync.set_index(None)
    yield settings.TRIAGE_MODEL_DIR
    index_sync.set_index(None)
    suggest.reset_cache()
    catalogue.invalidate()


_counter = iter(range(10_000, 99_999))


def person(name: str | None = None, **fields) -> PetitionerInput:
    """A petitioner with a fresh valid ID number (unless given)."""
    n = next(_counter)
    first17 = f"3207061980{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    fields.setdefault("id_number", first17 + id_check_digit(first17))
    return PetitionerInput(name=name or person_name(random.Random(n)), **fields)


def background_texts(n: int, seed: int = 1) -> list[tuple[str, str, object]]:
    """(title, content, template) of varied demo petitions (the similar index needs a varied corpus)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        template = TEMPLATES[i % len(TEMPLATES)]
        text = fill(template, rng, town="新海街道")
        out.append((text["title"], text["content"], template))
    return out
