"""Benchmark: the similar-matter index on the database's own petitions.

Loads the newest index snapshot (as a restarting server does; RSS before and after, size on disk,
catch-up time), then for Q petitions sampled from the database queries the 10 most similar others and
prints recall@10 of HNSW against exact brute force over the same stored vectors (an item counts when
its similarity reaches the exact 10th best, so ties are not misses), and p50/p95 milliseconds of the
search alone, of text → ANN, and of the access-filtered query a registrar's page makes
(``index_sync.similar_for``: segmentation, vectorisation, HNSW, one visibility query).

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

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
    del vectors
    registrar = User.objects.filter(role=Role.REGISTRAR, unit__kind=UnitKind.BUREAU).order_by("pk").first()
    handler = (
        User.objects.filter(role=Role.HANDLER).exclude(unit__kind=UnitKind.BUREAU).order_by("pk").first()
    )
    page = {}
    for label, user in (("registrar", registrar), ("unit_handler", handler)):
        if user is None:
            continue
        latencies, returned = [], []
        for q, text in enumerate(texts):
            t0 = time.perf_counter()
            out = index_sync.similar_for(user, text, k=10, exclude_ids=[query_ids[q]], synced=synced)
            latencies.append(time.perf_counter() - t0)
            returned.append(len(out))
        page[label] = {
            "p50_ms": ms(latencies, 50),
            "p95_ms": ms(latencies, 95),
            "mean_results": round(float(np.mean(returned)), 1),
        }
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
        access_filtered=page,
        load_average=round(os.getloadavg()[0], 1),
    )


if __name__ == "__main__":
    main()
