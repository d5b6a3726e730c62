"""Chinese full-text search over petitions (title and content; case numbers exactly).

Design
------
Chinese has no spaces, so neither database's own text search can cut it into
words, and pg_trgm is a poor fit: trigrams of a two-character query such as
“物业” are mostly padding, and whether CJK characters count as word characters
depends on the database locale.  We therefore keep our own token table:

- ``PetitionSearch`` (one row per petition, ``tokens`` text) holds the
  space-separated, de-duplicated tokens of its title and content: the words jieba finds
  (``cut_for_search``, so long words also yield their parts) plus every
  character bigram of each run of Chinese characters.  Latin letters and
  digits (phone-like numbers, “12345热线”) stay whole words.
- A query that is an existing case number finds that petition through the
  unique index on ``case_number``.
- A query is turned into tokens the same way, except that a run of Chinese
  characters becomes its bigrams (one character: the character itself).  All
  query tokens must be present.  Because every bigram of the text is indexed,
  any Chinese substring of two or more characters is found whatever jieba
  made of it (“停车费” finds “…提高停车费…” through 停车 + 车费); jieba's words
  add matches for single-character words.
- PostgreSQL: a stored generated column ``tsv = to_tsvector('simple', tokens)``
  with a GIN index (stored, so rechecks and row filters do not re-parse the
  tokens; migration inbox 0002 has the figures); queries use
  ``plainto_tsquery('simple', tokens)`` (the 'simple' parser splits on the
  spaces we put in and treats CJK characters as letters).
- SQLite: an FTS5 table ``inbox_petitionsearch_fts`` with external content
  (``inbox_petitionsearch``, rowid = petition id), kept in step by triggers
  created in the migration; queries use ``MATCH '"tok1" "tok2"'``.
- Rows are written by a ``post_save`` receiver on Petition (on creation and
  when title or content change) and by ``xinfang search_index`` (missing rows;
  ``--rebuild`` for all), which bulk loaders such as the demo generator run.
- The search is a ``pk IN (subquery)`` filter, so it combines freely with
  the inbox filters and, always, with ``visible_petitions(user)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from xinfang.petitions.models import Petition

from .models import PetitionSearch

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"[{_CJK}]+|[a-z0-9]+")
_CJK_RUN = re.compile(f"^[{_CJK}]+$")
_DIGIT = re.compile(r"\d")
MAX_QUERY_TOKENS = 32


def _normalize(text: str) -> str:
    from xinfang.triage.segment import normalize

    return normalize(text)


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def document_tokens(*texts: str, words: bool = True) -> str:
    """The token string stored for a petition (space-separated, de-duplicated).

    Queries match on bigrams only, so `words=False` (no jieba, ~20× faster, used
    by the bulk generator and `search_index --bigrams-only`) finds the same rows."""
    text = _normalize("\n".join(t for t in texts if t))
    seen: dict[str, None] = {}
    if words:
        from xinfang.triage.segment import cut_for_search

        for word in cut_for_search(text):
            for run in _RUNS.findall(word):
                seen.setdefault(run)
    for run in _RUNS.findall(text):
        if _CJK_RUN.match(run):
            for gram in _bigrams(run):
                seen.setdefault(gram)
        else:
            seen.setdefault(run)
    return " ".join(seen)


def query_tokens(query: str) -> list[str]:
    """Tokens that must all be present for a petition to match `query`."""
    tokens: dict[str, None] = {}
    for run in _RUNS.findall(_normalize(query)):
        for token in _bigrams(run) if _CJK_RUN.match(run) else [run]:
            tokens.setdefault(token)
    return list(tokens)[:MAX_QUERY_TOKENS]


def index_petition(petition, *, created: bool = False) -> None:
    """Write (or rewrite) the search row of one petition; a petition just inserted
    has none yet, so its row is inserted without looking (one statement, no savepoints)."""
    tokens = document_tokens(petition.title, petition.content)
    if created:
        PetitionSearch.objects.create(petition_id=petition.pk, tokens=tokens)
    else:
        PetitionSearch.objects.update_or_create(petition_id=petition.pk, defaults={"tokens": tokens})


def index_petitions(petitions: Iterable, *, batch_size: int = 1000, words: bool = True) -> int:
    """Bulk-create rows for petitions that have none (used by the backfill command)."""
    count = 0
    batch: list[PetitionSearch] = []
    for petition in petitions:
        tokens = document_tokens(petition.title, petition.content, words=words)
        batch.append(PetitionSearch(petition_id=petition.pk, tokens=tokens))
        if len(batch) >= batch_size:
            PetitionSearch.objects.bulk_create(batch, ignore_conflicts=True)
            count += len(batch)
            batch = []
    if batch:
        PetitionSearch.objects.bulk_create(batch, ignore_conflicts=True)
        count += len(batch)
    return count


def matching_ids_sql(tokens: list[str]) -> RawSQL:
    """A subquery of the ids of petitions containing all `tokens`."""
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT petition_id FROM inbox_petitionsearch "
            "WHERE tsv @@ plainto_tsquery('simple'::regconfig, %s)",
            [" ".join(tokens)],
        )
    if connection.vendor == "sqlite":
        expression = " ".join(f'"{t}"' for t in tokens)  # tokens are [CJK a-z0-9] only: no quoting issues
        return RawSQL(
            "SELECT rowid FROM inbox_petitionsearch_fts WHERE inbox_petitionsearch_fts MATCH %s", [expression]
        )
    raise NotImplementedError(f"search is not implemented for {connection.vendor}")


# Above this many matches SQLite is told to walk the list's sort index and probe
# the matches, instead of fetching and sorting every match (see `search`).
SQLITE_COMMON_TERM = 5_000


def search(qs: QuerySet, query: str) -> QuerySet:
    """`qs` narrowed to petitions whose case number, title or content contain `query`."""
    found = search_q(query)
    return qs if found is None else qs.filter(found)


def search_q(query: str) -> Q | None:
    """The filter of petitions whose case number, title or content contain `query` (None: the
    query has no token, nothing to narrow by).

    PostgreSQL's planner estimates how common the tokens are from the statistics
    of the GIN expression and picks its plan.  SQLite cannot see into FTS5, so
    we count the matches first (capped, one cheap query): rare words drive the
    query from the match list; common words (物业 in a tenth of all petitions)
    get a unary plus on the id so that SQLite walks the sort index and stops
    after one page.
    """
    query = query.strip()
    # A case number is looked up exactly (unique index), not through tokens:
    # registration sets it with a queryset update after the first save.
    if _DIGIT.search(query) and Petition.objects.filter(case_number=query).exists():
        return Q(case_number=query)
    tokens = query_tokens(query)
    if not tokens:
        return None
    ids = matching_ids_sql(tokens)
    if connection.vendor == "sqlite":
        sql, params = ids.sql, ids.params
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT {SQLITE_COMMON_TERM + 1})", params)
            common = cursor.fetchone()[0] > SQLITE_COMMON_TERM
        if common:
            table = Petition._meta.db_table
            return Q(RawSQL(f'+"{table}"."id" IN ({sql})', params, output_field=BooleanField()))
    return Q(pk__in=ids)
