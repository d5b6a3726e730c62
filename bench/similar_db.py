"""Benchmark: the similar-matter index on the database's own petitions.

Loads the newest index snapshot (as a restarting server does; RSS before and after, size on disk,
catch-up time), then for Q petitions sampled from the database queries the 10 most similar others and
prints recall@10 of HNSW against exact brute force over the same stored vectors (an item counts when
its similarity reaches the exact 10th best, so ties are not misses), and p50/p95 milliseconds of the
search alone and of text → ANN.

Then, per kind of viewer (registrar, bureau leader, a department's handler, a town's handler, a
community's handler), the access-filtered query three ways on the same queries, in turn: ``before``
is the old over-fetch (the 30, then 100, nearest of all, filtered by access); ``text`` is
``index_sync.similar_for`` on the text (the nearest of all, then the viewer's own scope), as the desk
asks while a registrar types; ``page`` is the same for a stored petition's page, which queries with the
vector the index holds for it (``petition_id``) instead of encoding its text again. For each:
mean results returned (of 10), recall@10 against exact brute force over the petitions that viewer may
open (``visible_petitions``; of min(10, what there is)), p50/p95 ms, and the ratios to before.
The generated data hands no matter to a community, so the community viewer's matters are made inside
a transaction that is rolled back: every fifth petition of the town is handed to one of its
communities (the in-memory index is told, as a routing event would).

    XINFANG_VAR_DIR=/tmp/xf1m .venv/bin/python bench/similar_db.py --queries 200

Build the index first (``xinfang triage rebuild-index --workers 2`` or bench/registration.py --train).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import emit, rss_mb  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
# DEBUG is off by default (XINFANG_DEBUG=0 would mean production mode, which needs real keys).

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402

from xinfang.accounts.models import Role, User  # noqa: E402
from xinfang.petitions.models import Petition  # noqa: E402
from xinfang.units.models import UnitKind  # noqa: E402


def ms(values, q) -> float:
    return round(1000 * float(np.percentile(values, q)), 2)


def overfetch(user, text, *, k, exclude_ids, synced):
    """The access-filtered query as it was before issue 17 §3: the nearest of all, then access."""
    from xinfang.petitions.access import visible_petitions

    for fetch in (k * 3, k * 10):
        matches = synced.query(text, k=fetch, exclude_ids=exclude_ids)
        rows = set(
            visible_petitions(user).filter(pk__in=[m.id for m in matches]).values_list("pk", flat=True)
        )
        out = [m for m in matches if m.id in rows]
        if len(out) >= k or len(matches) < fetch:
            return [{"id": m.id, "score": m.score} for m in out[:k]]
    return [{"id": m.id, "score": m.score} for m in out[:k]]


def _viewers():
    from xinfang.units.models import Unit

    bureau = User.objects.filter(unit__kind=UnitKind.BUREAU, is_active=True)
    town_handler = (
        User.objects.filter(role=Role.HANDLER, unit__kind=UnitKind.TERRITORIAL).order_by("pk").first()
    )
    community_handler = None
    if town_handler is not None:
        community = Unit.objects.filter(parent=town_handler.unit).order_by("pk").first()
        if community is not None:
            community_handler = User.objects.create(
                username="bench_community_handler", role=Role.HANDLER, unit=community, full_name="社区承办人"
            )
    return {
        "registrar": bureau.filter(role=Role.REGISTRAR).order_by("pk").first(),
        "bureau_leader": bureau.filter(role=Role.BUREAU_LEADER).order_by("pk").first(),
        "unit_handler": User.objects.filter(role=Role.HANDLER, unit__kind=UnitKind.DEPARTMENT)
        .order_by("pk")
        .first(),
        "town_handler": town_handler,
        "community_handler": community_handler,
    }


def _give_community_matters(synced, community_handler, town) -> int:
    """Hand every fifth petition handled by ``town`` to the community (rolled back by the caller)."""
    moved = list(
        Petition.objects.filter(handling_unit=town).extra(where=["id %% 5 = 0"]).values_list("pk", flat=True)
    )
    Petition.objects.filter(pk__in=moved).update(handling_unit=community_handler.unit)
    synced.index.set_units(
        Petition.objects.filter(pk__in=moved).values_list("pk", "handling_unit_id", "registering_unit_id")
    )
    return len(moved)


def viewers_compared(synced, texts, query_ids, ids, vectors, qv) -> dict:
    from django.db import transaction

    from xinfang.petitions.access import visible_petitions
    from xinfang.triage import index_sync

    page = {}
    with transaction.atomic():
        viewers = _viewers()
        if viewers["community_handler"] is not None:
            page["community_matters_made"] = _give_community_matters(
                synced, viewers["community_handler"], viewers["town_handler"].unit
            )
        for label, user in viewers.items():
            if user is None:
                continue
            visible = np.isin(
                ids, np.fromiter(visible_petitions(user).values_list("pk", flat=True), np.int64)
            )
            stats = {name: ([], [], []) for name in ("before", "text", "page")}
            for q, text in enumerate(texts):
                sims = np.where(visible, vectors @ qv[q], -np.inf)
                sims[ids == query_ids[q]] = -np.inf
                there = int(np.isfinite(sims).sum())
                want = min(10, there)
                if want:
                    exact = np.argpartition(-sims, want - 1)[:want]
                    kth = float(np.min(sims[exact]))
                    exact_ids = set(ids[exact].tolist())
                ways = [
                    ("before", overfetch, {}),
                    ("text", index_sync.similar_for, {}),
                    ("page", index_sync.similar_for, {"petition_id": query_ids[q]}),
                ]
                for name, fn, extra in ways[q % 3 :] + ways[: q % 3]:  # take turns at running first
                    t0 = time.perf_counter()
                    out = fn(user, text, k=10, exclude_ids=[query_ids[q]], synced=synced, **extra)
                    elapsed = time.perf_counter() - t0
                    hits = (
                        sum(1 for r in out if r["id"] in exact_ids or r["score"] >= kth - 1e-4) if want else 0
                    )
                    latencies, returned, recall = stats[name]
                    latencies.append(elapsed)
                    returned.append(len(out))
                    recall.append(hits / want if want else 1.0)
            page[label] = {"visible": int(visible.sum())}
            for name, (latencies, returned, recall) in stats.items():
                page[label][name] = {
                    "mean_results": round(float(np.mean(returned)), 2),
                    "recall_at_10": round(float(np.mean(recall)), 4),
                    "p50_ms": ms(latencies, 50),
                    "p95_ms": ms(latencies, 95),
                }
            for name in ("text", "page"):
                page[label][f"p95_{name}_over_before"] = round(
                    page[label][name]["p95_ms"] / max(page[label]["before"]["p95_ms"], 1e-9), 2
                )
        transaction.set_rollback(True)
    return page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--brute-force-max",
        type=int,
        default=None,
        help="scopes above this many petitions are searched in the graph with a filter (similar.BRUTE_FORCE_MAX)",
    )
    args = parser.parse_args()
    from xinfang.triage import similar

    if args.brute_force_max is not None:
        similar.BRUTE_FORCE_MAX = args.brute_force_max

    from xinfang.triage import index_sync
    from xinfang.triage.training import petition_text

    snaps = index_sync.snapshots()
    if not snaps:
        print("skipped: no similar-index snapshot; run `xinfang triage rebuild-index` first.")
        raise SystemExit(0)
    disk = {p.name: p.stat().st_size for p in snaps[0].iterdir()}
    rss_before = rss_mb()
    started = time.perf_counter()
    synced = index_sync.load_newest()
    load_s = time.perf_counter() - started
    rss_loaded = rss_mb()
    started = time.perf_counter()
    applied = synced.catch_up()
    index_sync.set_index(synced)
    emit(
        step="load",
        snapshot=snaps[0].name,
        items=len(synced),
        load_seconds=round(load_s, 1),
        catch_up_rows=applied,
        catch_up_seconds=round(time.perf_counter() - started, 2),
        rss_delta_mb=round(rss_loaded - rss_before, 1),
        disk_mb={k: round(v / 2**20, 1) for k, v in disk.items()},
        disk_total_mb=round(sum(disk.values()) / 2**20, 1),
        petitions_in_db=Petition.objects.count(),
        vendor=connection.vendor,
    )

    rng = random.Random(args.seed)
    top = Petition.objects.order_by("-pk").values_list("pk", flat=True).first()
    picks = sorted({rng.randint(1, top) for _ in range(args.queries * 2)})
    rows = list(Petition.objects.filter(pk__in=picks).values_list("pk", "title", "content")[: args.queries])
    texts = [petition_text(t, c) for _, t, c in rows]
    query_ids = [pk for pk, _, _ in rows]

    ids, vectors = index_sync.vectors_of(synced)
    qv, qs = synced.index.vectorizer.transform(texts)
    hits, search_s, ann_s = 0, [], []
    for q in range(len(texts)):
        sims = vectors @ qv[q]
        sims[ids == query_ids[q]] = -np.inf  # the query petition itself is excluded, as on the page
        exact = np.argpartition(-sims, 10)[:10]
        kth = float(np.min(sims[exact]))
        exact_ids = set(ids[exact].tolist())
        t0 = time.perf_counter()
        found = synced.index.query_vectors(qv[q : q + 1], qs[q : q + 1], k=10, exclude_ids=[query_ids[q]])[0]
        search_s.append(time.perf_counter() - t0)
        hits += sum(1 for m in found if m.id in exact_ids or m.score >= kth - 1e-4)
        t0 = time.perf_counter()
        synced.query(texts[q], k=10, exclude_ids=[query_ids[q]])
        ann_s.append(time.perf_counter() - t0)
    page = viewers_compared(synced, texts, query_ids, ids, vectors, qv)
    del vectors
    emit(
        benchmark="similar_db",
        items=len(synced),
        queries=len(texts),
        ef=synced.index.ef,
        dim=synced.index.vectorizer.dim,
        recall_at_10=round(hits / (10 * len(texts)), 4),
        search_only_p50_ms=ms(search_s, 50),
        search_only_p95_ms=ms(search_s, 95),
        text_to_ann_p95_ms=ms(ann_s, 95),
        brute_force_max=similar.BRUTE_FORCE_MAX,
        copy_min=getattr(similar, "COPY_MIN", None),
        cells=len(synced.index._cells) if getattr(synced.index, "_cells", None) is not None else 0,
        access_filtered=page,
        load_average=round(os.getloadavg()[0], 1),
    )


if __name__ == "__main__":
    main()
