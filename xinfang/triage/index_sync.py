"""The similar-matter index, kept consistent with the database across servers and restarts.

Design
------
The database is the source of truth; every application server holds its own in-memory copy of the
HNSW index (similar.SimilarIndex) and brings it up to date itself, so servers never talk to each other.

* Snapshots. A snapshot is a directory ``TRIAGE_MODEL_DIR/index/snap-<UTC time>/`` holding the index
  files and ``sync.json`` (the two watermarks below and the *generation*, an id of the fitted
  vectoriser). It is written to ``index/.tmp-<uuid>/`` and renamed into place, so a reader sees a whole
  snapshot or none. The worker writes a new snapshot when its copy has moved on (``SNAPSHOT_EVERY``
  changes or ``SNAPSHOT_SECONDS``), claiming the job with a compare-and-set on ``TriageJob`` so only one
  worker writes; the two newest snapshots are kept. A full rebuild (refitting the vectoriser on the
  current petitions) gets a new generation; servers switch to it at their next check (every
  ``RELOAD_CHECK_SECONDS``).
* Catch-up. Before a query (at most every ``TRIAGE_INDEX_CATCHUP_SECONDS``) a server adds the petitions
  with id > its *petition watermark*, then replays ``TriageIndexChange`` rows with id > its *change
  watermark*: a post_save receiver writes an ``edit`` row when a petition's title or content changes
  and a post_delete receiver a ``delete`` row, in the same transaction as the change. Replaying reads
  the petition's current text, so it is idempotent and order does not matter.
* Late commits. Auto ids are handed out at insert but become visible at commit, so on PostgreSQL id 41
  can appear after id 42. Each watermark is therefore a ``GapTracker``: ids above the watermark that
  were applied are remembered; the watermark advances over contiguous ids only, and over a gap once it
  is older than ``GAP_GRACE_SECONDS`` (a rolled-back insert leaves a gap for ever). Longer transactions
  than the grace period are not expected on these tables (registration is one short transaction).
* Restart. A server (re)starting loads the newest snapshot it can read and catches up from its
  watermarks: new petitions by id, edits and deletions from the change log. Without a snapshot it
  answers with no similar matters until the worker (or ``xinfang triage train``) has built one; web
  requests never build the index.
* Bulk loads that bypass signals (the demo generator) only insert, which the id scan covers; code
  that edits title or content with ``QuerySet.update()`` must call ``record_change(ids)``.
* Units. Each item carries its handling and registering unit; the id scan brings them for new
  petitions, and a third watermark replays ``PetitionEvent`` rows (every routing, transfer and
  review writes one) to pick up a matter that moved to another unit.
* Access. Every result passes through ``access.visible_petitions(user)`` (one query per round), so a
  user never learns of a petition they may not open (an accusation against their own unit, a matter
  they are recused from, another unit's matter). The rule itself lives in access.py only. To give a
  narrow viewer k results, ``similar_for`` searches in two streams: the ``k * 3`` nearest of all
  petitions (which fills a bureau's page on its own, and finds matters shared with the viewer from
  outside their unit), then, when too few of those are visible, the nearest among the petitions
  handled or registered in the viewer's unit and its sub-units (``SimilarIndex.query_within``),
  fetching more of that scope until k are visible or the scope is exhausted. For a unit's staff the
  first round of their own scope is searched at once and checked in the same access query. The unit
  subtree is only where to look; what may be shown is decided by access.py.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from xinfang.petitions import access
from xinfang.petitions.access import visible_petitions
from xinfang.petitions.models import Petition, PetitionEvent

from .catalogue import get_catalogue
from .models import IndexOp, TriageIndexChange
from .similar import CATEGORY_WEIGHT, PLACE_WEIGHT, SimilarIndex, SimilarMatch, TextVectorizer
from .training import petition_text

log = logging.getLogger("xinfang.triage")

GAP_GRACE_SECONDS = 30.0
BATCH = 5000
RELOAD_CHECK_SECONDS = 60.0
SNAPSHOT_EVERY = 500
SNAPSHOT_SECONDS = 600.0
KEEP_SNAPSHOTS = 2
MIN_ROWS = 20
REQUEST_CATCH_UP_ROWS = 2000  # per request; the worker catches up without limit
BOOT_WINDOW = 1000  # ids just below a rebuild's watermark kept as "pending" (late commits)


class GapTracker:
    """The highest id below which every id is applied or given up as never coming."""

    def __init__(self, watermark: int = 0, pending=(), grace: float = GAP_GRACE_SECONDS):
        self.watermark = int(watermark)
        self.pending: set[int] = {int(i) for i in pending if int(i) > watermark}
        self.grace = grace
        self._gap: tuple[int, float] | None = None

    def is_new(self, i: int) -> bool:
        return i > self.watermark and i not in self.pending

    def applied(self, ids, now: float | None = None) -> None:
        self.pending.update(int(i) for i in ids if int(i) > self.watermark)
        self.advance(now)

    def advance(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        ordered = sorted(self.pending)
        k = 0
        while k < len(ordered):
            low = ordered[k]
            if low == self.watermark + 1:
                self.watermark, k, self._gap = low, k + 1, None
                continue
            if self._gap is None or self._gap[0] != self.watermark:
                self._gap = (self.watermark, now)
            if now - self._gap[1] >= self.grace:
                self.watermark, self._gap = low - 1, None
                continue
            break
        self.pending = set(ordered[k:])

    def state(self) -> dict:
        return {"watermark": self.watermark, "pending": sorted(self.pending)}

    @classmethod
    def from_state(cls, state: dict) -> GapTracker:
        return cls(state.get("watermark", 0), state.get("pending", ()))


ROW_FIELDS = ("pk", "title", "content", "category_id", "handling_unit_id", "registering_unit_id")


def _index_rows(queryset) -> list[tuple]:
    """(id, text, category, handling unit, registering unit) rows for SimilarIndex.add."""
    return [(pk, petition_text(t, c), cat, h, r) for pk, t, c, cat, h, r in queryset.values_list(*ROW_FIELDS)]


class SyncedIndex:
    def __init__(
        self,
        index: SimilarIndex,
        petitions: GapTracker,
        changes: GapTracker,
        generation: str,
        events: GapTracker | None = None,
    ):
        self.index = index
        index.copies_bytes = int(getattr(settings, "TRIAGE_SCOPE_COPIES_MB", 256)) * 2**20
        self.petitions = petitions
        self.changes = changes
        self.events = events or GapTracker(PetitionEvent.objects.aggregate(m=Max("pk"))["m"] or 0)
        self.generation = generation
        self.lock = threading.RLock()
        self.applied_since_snapshot = 0
        self.snapshot_at = time.monotonic()
        self.caught_up_at = 0.0

    # ----- catching up ----------------------------------------------------------------------------
    def catch_up(self, max_rows: int | None = None) -> int:
        """Apply new petitions and the change log; returns the number of rows applied.

        ``max_rows`` bounds the work of one call (a web request applies at most that many and leaves
        the rest to the next call or to the worker)."""
        with self.lock:
            done = self._new_petitions(max_rows)
            done += self._replay_changes(None if max_rows is None else max(max_rows - done, 0))
            done += self._replay_events(None if max_rows is None else max(max_rows - done, 0))
            self.petitions.advance()
            self.changes.advance()
            self.events.advance()
            self.applied_since_snapshot += done
            self.caught_up_at = time.monotonic()
            return done

    def _new_petitions(self, max_rows: int | None) -> int:
        done, cursor = 0, self.petitions.watermark
        while max_rows is None or done < max_rows:
            ids = list(
                Petition.objects.filter(pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[:BATCH]
            )
            new = [i for i in ids if self.petitions.is_new(i)]
            if max_rows is not None:
                new = new[: max_rows - done]
            if new:
                self.index.add(_index_rows(Petition.objects.filter(pk__in=new)))
                self.petitions.applied(new)
                done += len(new)
            if len(ids) < BATCH or (new and new[-1] != ids[-1] and max_rows is not None):
                return done
            cursor = ids[-1]
        return done

    def _replay_changes(self, max_rows: int | None) -> int:
        done, cursor = 0, self.changes.watermark
        while max_rows is None or done < max_rows:
            rows = list(
                TriageIndexChange.objects.filter(pk__gt=cursor)
                .order_by("pk")
                .values_list("pk", "petition_id", "op")[:BATCH]
            )
            new = [r for r in rows if self.changes.is_new(r[0])]
            if max_rows is not None:
                new = new[: max_rows - done]
            if new:
                touched = {pid for _, pid, _ in new}
                current = {row[0]: row for row in _index_rows(Petition.objects.filter(pk__in=touched))}
                gone = [pid for pid in touched if pid not in current]
                if gone:
                    self.index.remove(gone)
                # Only petitions already indexed or below the watermark are re-added; newer ones
                # arrive through the id scan with the same current text.
                edits = [row for pid, row in current.items() if not self.petitions.is_new(pid)]
                if edits:
                    self.index.add(edits)
                self.changes.applied([r[0] for r in new])
                done += len(new)
            if len(rows) < BATCH or (new and new[-1] != rows[-1] and max_rows is not None):
                return done
            cursor = rows[-1][0]
        return done

    def _replay_events(self, max_rows: int | None) -> int:
        """Bring the units of petitions with new events (routing, transfer, review …) up to date."""
        done, cursor = 0, self.events.watermark
        while max_rows is None or done < max_rows:
            rows = list(
                PetitionEvent.objects.filter(pk__gt=cursor)
                .order_by("pk")
                .values_list("pk", "petition_id")[:BATCH]
            )
            new = [r for r in rows if self.events.is_new(r[0])]
            if max_rows is not None:
                new = new[: max_rows - done]
            if new:
                touched = {pid for _, pid in new}
                self.index.set_units(
                    Petition.objects.filter(pk__in=touched).values_list(
                        "pk", "handling_unit_id", "registering_unit_id"
                    )
                )
                self.events.applied([r[0] for r in new])
                done += len(new)
            if len(rows) < BATCH or (new and new[-1] != rows[-1] and max_rows is not None):
                return done
            cursor = rows[-1][0]
        return done

    # ----- querying -------------------------------------------------------------------------------
    def query(self, text: str, *, k: int, exclude_ids=(), category=None) -> list[SimilarMatch]:
        with self.lock:
            return self.index.query(text, k=k, exclude_ids=exclude_ids, category=category)

    def encode(self, text: str, category=None, *, petition_id: int | None = None):
        """(vectors [1, dim], salient [1, n]) of a query text, for the two calls below. With
        ``petition_id``, the vector the index holds for that petition when it has one: the same
        text, already encoded (the index replays edits before a request queries it)."""
        if petition_id is not None:
            with self.lock:
                held = self.index.stored(petition_id, category)
            if held is not None:
                return held
        return self.index.vectorizer.transform([text], [category])

    def nearest(self, vectors, salient, *, k: int, exclude_ids=()) -> list[SimilarMatch]:
        with self.lock:
            return self.index.query_vectors(vectors, salient, k=k, exclude_ids=exclude_ids)[0]

    def nearest_within(
        self, vectors, salient, unit_ids, *, k: int, exclude_ids=(), cheap_only: bool = False
    ) -> list[SimilarMatch] | None:
        """The ``k`` nearest among petitions handled or registered by ``unit_ids`` (fewer: all).
        ``cheap_only``: None when only the graph search with a filter would do (the slow path: the
        caller decides whether it is needed)."""
        with self.lock:
            scope = self.index.scope(unit_ids)
            if cheap_only and not self.index.scores_cheaply(len(scope.positions)):
                return None
            return self.index.query_scope(vectors[0], salient[0], scope, k=k, exclude_ids=exclude_ids)

    def __len__(self) -> int:
        return len(self.index)


# ----- snapshots ---------------------------------------------------------------------------------
def index_root() -> Path:
    return Path(settings.TRIAGE_MODEL_DIR) / "index"


def snapshot(synced: SyncedIndex) -> Path:
    """Write the index and its watermarks atomically (temporary directory, then rename)."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{uuid.uuid4().hex}"
    with synced.lock:
        synced.index.save(tmp)
        state = {
            "generation": synced.generation,
            "petitions": synced.petitions.state(),
            "changes": synced.changes.state(),
            "events": synced.events.state(),
            "live": len(synced.index),
            "saved_at": timezone.now().isoformat(),
        }
        (tmp / "sync.json").write_text(json.dumps(state), encoding="utf-8")
        synced.applied_since_snapshot = 0
        synced.snapshot_at = time.monotonic()
    # One clock reading for both parts: read twice, a second boundary between them made a newer
    # snapshot sort before the previous one (and the pruning below could then delete it).
    now_ns = time.time_ns()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now_ns // 10**9))
    final = root / f"snap-{stamp}-{now_ns % 10**9:09d}"
    os.rename(tmp, final)
    for old in snapshots()[KEEP_SNAPSHOTS:]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def snapshots() -> list[Path]:
    """Complete snapshot directories, newest first."""
    root = index_root()
    if not root.exists():
        return []
    return sorted(
        (p for p in root.iterdir() if p.name.startswith("snap-") and (p / "sync.json").exists()), reverse=True
    )


def load_snapshot(path: Path) -> SyncedIndex:
    state = json.loads((path / "sync.json").read_text(encoding="utf-8"))
    index = SimilarIndex.load(path)
    return SyncedIndex(
        index,
        GapTracker.from_state(state["petitions"]),
        GapTracker.from_state(state["changes"]),
        state["generation"],
        GapTracker.from_state(state["events"]),
    )


def load_newest() -> SyncedIndex | None:
    for path in snapshots():
        try:
            return load_snapshot(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("skipping unreadable similar-index snapshot %s: %s", path.name, exc)
    return None


# ----- the process-wide copy -----------------------------------------------------------------------
_lock = threading.Lock()
_state: dict = {"index": None, "checked": 0.0}


def catchup_seconds() -> float:
    return float(getattr(settings, "TRIAGE_INDEX_CATCHUP_SECONDS", 1.0))


def get_index(*, catch_up: bool = True) -> SyncedIndex | None:
    """This process's index: the newest snapshot, caught up with the database."""
    now = time.monotonic()
    synced = _state["index"]
    if synced is None or now - _state["checked"] > RELOAD_CHECK_SECONDS:
        with _lock:
            if _state["index"] is synced:
                _state["checked"] = now
                newest = snapshots()
                if newest and (synced is None or _generation(newest[0]) != synced.generation):
                    loaded = load_newest()
                    if loaded is not None:
                        _state["index"] = synced = loaded
    if synced is not None and catch_up and now - synced.caught_up_at >= catchup_seconds():
        synced.catch_up(max_rows=REQUEST_CATCH_UP_ROWS)
    return synced


def _generation(path: Path) -> str | None:
    try:
        return json.loads((path / "sync.json").read_text(encoding="utf-8"))["generation"]
    except (OSError, ValueError, KeyError):
        return None


def set_index(synced: SyncedIndex | None) -> None:
    with _lock:
        _state["index"] = synced
        _state["checked"] = time.monotonic()


# ----- building ------------------------------------------------------------------------------------
_worker_vectorizer: TextVectorizer | None = None


def _encode(chunk):
    texts, categories = chunk
    return _worker_vectorizer.transform(texts, categories)


def rebuild(
    *, dim: int | None = None, workers: int = 1, chunk: int = 10_000, min_id: int = 0
) -> SyncedIndex | None:
    """Fit the vectoriser on the current petitions and index them all; then write a snapshot.
    None when there are fewer than ``MIN_ROWS`` petitions. ``min_id`` leaves older petitions out
    (benchmarks on part of a large database; normal use indexes everything).

    ``workers`` > 1 encodes in forked processes (commands and the worker only, never a web process)."""
    global _worker_vectorizer
    dim = dim or int(getattr(settings, "TRIAGE_INDEX_DIM", 256))
    change_top = TriageIndexChange.objects.aggregate(m=Max("pk"))["m"] or 0
    event_top = PetitionEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    top = Petition.objects.aggregate(m=Max("pk"))["m"] or 0
    ids, texts, categories, units = [], [], [], []
    rows = Petition.objects.filter(pk__gte=min_id, pk__lte=top).order_by("pk").values_list(*ROW_FIELDS)
    for pk, title, content, category, handling, registering in rows.iterator(chunk_size=20_000):
        ids.append(pk)
        texts.append(petition_text(title, content))
        categories.append(category)
        units.append((handling, registering))
    if len(texts) < MIN_ROWS:
        return None  # too few petitions to fit a vocabulary; similar matters stay empty until then
    try:
        # Place names of the unit tree (towns, communities, their keywords) weigh less than the matter.
        places = list(get_catalogue().place_terms)
        vectorizer = TextVectorizer(
            dim,
            place_terms=places,
            place_weight=float(getattr(settings, "TRIAGE_INDEX_PLACE_WEIGHT", PLACE_WEIGHT)),
            category_weight=float(getattr(settings, "TRIAGE_INDEX_CATEGORY_WEIGHT", CATEGORY_WEIGHT)),
        ).fit(texts, categories)
    except ValueError as exc:  # e.g. no word survives the document-frequency limits
        log.warning("similar index not built: %s", exc)
        return None
    index = SimilarIndex(vectorizer)
    chunks = [(texts[i : i + chunk], categories[i : i + chunk]) for i in range(0, len(texts), chunk)]
    _worker_vectorizer = vectorizer
    try:
        if workers > 1 and len(chunks) > 1 and "fork" in mp.get_all_start_methods():
            with mp.get_context("fork").Pool(workers) as pool:
                encoded = pool.imap(_encode, chunks)
                for n, (vectors, salient) in enumerate(encoded):
                    at = slice(n * chunk, n * chunk + len(vectors))
                    index.add_encoded(ids[at], vectors, salient, units[at])
        else:
            for n, part in enumerate(chunks):
                vectors, salient = vectorizer.transform(*part)
                at = slice(n * chunk, n * chunk + len(vectors))
                index.add_encoded(ids[at], vectors, salient, units[at])
    finally:
        _worker_vectorizer = None
    del texts, categories, units
    started = time.perf_counter()
    if cells := index.fit_cells():
        log.info("similar index: %d cells in %.1f s", cells, time.perf_counter() - started)
    window = ids[-BOOT_WINDOW:]
    petitions = GapTracker(window[0] - 1 if window else 0, window)
    changes = GapTracker(change_top)
    synced = SyncedIndex(index, petitions, changes, uuid.uuid4().hex, GapTracker(event_top))
    synced.catch_up()
    snapshot(synced)
    set_index(synced)
    return synced


def record_change(ids, op: str = IndexOp.EDIT) -> None:
    TriageIndexChange.objects.bulk_create([TriageIndexChange(petition_id=int(i), op=op) for i in ids])


# ----- access-filtered queries ---------------------------------------------------------------------
def similar_for(
    user,
    text: str,
    *,
    k: int = 10,
    exclude_ids=(),
    synced: SyncedIndex | None = None,
    category=None,
    petition_id: int | None = None,
) -> list[dict]:
    """The ``k`` most similar petitions ``user`` may see: {id, score, reason, case_number, title, …}.
    ``category`` (the petition's category id, or the suggested one) favours matters of that category.
    ``petition_id``: ``text`` is that stored petition's own text, so its indexed vector may stand for
    it (a petition's page; never a draft being typed)."""
    synced = synced or get_index()
    if synced is None or not len(synced) or k <= 0:
        return []
    exclude = [int(i) for i in exclude_ids]
    vectors, salient = synced.encode(text, category, petition_id=petition_id)
    visible = visible_petitions(user, by_id=True)  # one scope for every round
    fetch = k * 3
    matches = synced.nearest(vectors, salient, k=fetch, exclude_ids=exclude)
    exhausted = len(matches) < fetch
    scope = [] if exhausted else scope_units(user)
    seen = exclude + [m.id for m in matches]
    fetch = k * 2
    # A unit's staff rarely find k of theirs among the nearest of all: the nearest in their own scope
    # are searched at once (where they can be scored exactly) and checked in the same access query.
    more = None
    if scope and not getattr(user, "is_bureau_staff", False):
        more = synced.nearest_within(vectors, salient, scope, k=fetch, exclude_ids=seen, cheap_only=True)
    found = _visible(visible, matches + (more or []))
    if len(found) >= k or exhausted or (more is not None and len(more) < fetch):
        return _ranked(found, k)
    if more is not None:
        seen += [m.id for m in more]
        fetch *= 4
    # Too few of the nearest are the viewer's: search where their matters are, widening until k are
    # visible or that scope is exhausted. Each round is filtered by access.py like the first.
    while scope:
        more = synced.nearest_within(vectors, salient, scope, k=fetch, exclude_ids=seen)
        found.update(_visible(visible, more))
        if len(found) >= k or len(more) < fetch:
            break
        seen += [m.id for m in more]
        fetch *= 4
    return _ranked(found, k)


def scope_units(user) -> list[int]:
    """Where a viewer's matters are looked for: their unit and its sub-units (no unit: nowhere).

    A search hint only (what the viewer may open is decided by access.py, for every result)."""
    if not getattr(user, "unit_id", None):
        return []
    return access.unit_subtree_ids(user)


def _visible(visible, matches: list[SimilarMatch]) -> dict[int, dict]:
    """The matches among the ``visible`` petitions (``visible_petitions(user)``), as page rows by id
    (one query)."""
    if not matches:
        return {}
    rows = {
        r["pk"]: r
        for r in visible.filter(pk__in=[m.id for m in matches]).values(
            "pk", "case_number", "title", "status", "received_at"
        )
    }
    return {m.id: _row(m, rows[m.id]) for m in matches if m.id in rows}


def _ranked(found: dict[int, dict], k: int) -> list[dict]:
    return sorted(found.values(), key=lambda r: (-r["score"], r["id"]))[:k]


def _row(match: SimilarMatch, row: dict) -> dict:
    return {
        "id": match.id,
        "score": match.score,
        "reason": match.reason,
        "case_number": row["case_number"],
        "title": row["title"],
        "status": row["status"],
        "received_at": row["received_at"],
    }


def vectors_of(synced: SyncedIndex) -> tuple[np.ndarray, np.ndarray]:
    with synced.lock:
        return synced.index.vectors()
