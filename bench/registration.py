"""Benchmark: registration with full triage against a large database (SQLite or PostgreSQL).

Registers N realistic petitions through ``petition_register`` followed by ``triage_petition`` (the
work of the post-registration hook: suggestions from the loaded models, history by keyed hashes,
the 10 most similar petitions from the HNSW index, repeat / collective / skip-level flags, the stored
TriageRecord) and prints p50/p95/p99 milliseconds of the whole, of registration alone and of triage
alone. A third of the petitions come from people already in the database (so history and repeat
checks find rows), some are group visits.

By default each registration runs in a transaction that is rolled back, so a shared benchmark
database is left as it was; ``--keep`` commits them (triage then runs from the on_commit hook).

    XINFANG_VAR_DIR=/tmp/xf1m .venv/bin/python bench/registration.py --train --workers 2 -n 300
    DATABASE_URL=postgres://… .venv/bin/python bench/registration.py -n 300

``--train`` first trains the models from the database and builds the similar-matter index (timed);
without it the existing ModelVersion and index snapshot are used.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import emit  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
# DEBUG is off by default (XINFANG_DEBUG=0 would mean production mode, which needs real keys).

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from xinfang.accounts.models import Role, User  # noqa: E402
from xinfang.demo.texts import ESTATES, TEMPLATES, fill, person_name  # noqa: E402
from xinfang.petitions.actions import PetitionerInput, PetitionInput, petition_register  # noqa: E402
from xinfang.petitions.models import Petition, Petitioner  # noqa: E402
from xinfang.units.models import Unit, UnitKind, UnitLevel  # noqa: E402


class Rollback(Exception):
    pass


def pct(values, q) -> float:
    return round(float(np.percentile(values, q)), 1) if values else float("nan")


def known_people(rng: random.Random, n: int) -> list[PetitionerInput]:
    """Existing petitioners with their real (decrypted) ID numbers: the bench plays the window."""
    top = Petitioner.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = [rng.randint(1, top) for _ in range(n * 2)] if top else []
    out = []
    for p in Petitioner.objects.filter(pk__in=picks)[:n]:
        out.append(PetitionerInput(name=p.name, id_number=p._decrypt("id_number"), phone=p._decrypt("phone")))
    return out


def make_inputs(rng: random.Random, n: int, towns: list[Unit]) -> list[PetitionInput]:
    from xinfang.lib.idcard import id_check_digit

    known = known_people(rng, n)
    inputs = []
    for i in range(n):
        town = rng.choice(towns)
        template = rng.choice(TEMPLATES)
        text = fill(template, rng, town=town.name, estate=rng.choice(ESTATES))
        if known and rng.random() < 0.33:
            people = [known[i % len(known)]]
        else:
            first17 = f"320706{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
            people = [
                PetitionerInput(
                    name=person_name(rng),
                    id_number=first17 + id_check_digit(first17),
                    phone=f"139{rng.randint(0, 99999999):08d}",
                )
            ]
        channel = rng.choice(["visit", "online", "letter", "phone", "transfer_from_above"])
        if channel == "visit" and rng.random() < 0.05:
            people += [PetitionerInput(name=person_name(rng), is_representative=j < 2) for j in range(5)]
            people[0].is_representative = True
        inputs.append(
            PetitionInput(
                channel=channel,
                title=text["title"],
                content=text["content"],
                request=text["request"],
                facts_reasons=text["facts_reasons"],
                petitioners=people,
                town_id=town.pk,
                place_address=f"{town.name}{text['estate']}",
            )
        )
    return inputs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--train", action="store_true", help="train models and build the index first (timed)")
    parser.add_argument("--workers", type=int, default=2, help="processes encoding texts for the index build")
    parser.add_argument("--limit", type=int, default=None, help="training rows per target")
    parser.add_argument(
        "--index-sample",
        type=int,
        default=0,
        help="build the similar index over the newest N petitions only (a shortcut on a busy machine)",
    )
    parser.add_argument("--keep", action="store_true", help="commit the registrations (default: roll back)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from xinfang.triage import index_sync
    from xinfang.triage.jobs import release
    from xinfang.triage.service import triage_petition
    from xinfang.triage.suggest import current_models
    from xinfang.triage.training import database_datasets, train_models

    total = Petition.objects.count()
    emit(step="database", vendor=connection.vendor, petitions=total, model_dir=str(settings.TRIAGE_MODEL_DIR))
    if args.train:
        started = time.perf_counter()
        datasets = database_datasets(args.limit)
        read_s = time.perf_counter() - started
        version = train_models(datasets, source="database")
        emit(
            step="train",
            read_seconds=round(read_s, 1),
            seconds=round(time.perf_counter() - started, 1),
            n_train=version.n_train if version else {},
            per_target=version.metrics if version else {},
        )
    if args.train or args.index_sample:
        started = time.perf_counter()
        top = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        min_id = max(0, top - args.index_sample + 1) if args.index_sample else 0
        synced = index_sync.rebuild(workers=args.workers, min_id=min_id)
        release("index_rebuild")
        emit(
            step="index_build",
            seconds=round(time.perf_counter() - started, 1),
            items=len(synced) if synced else 0,
            workers=args.workers,
        )

    registrar = User.objects.filter(role=Role.REGISTRAR, unit__kind=UnitKind.BUREAU).order_by("pk").first()
    towns = list(Unit.objects.filter(kind=UnitKind.TERRITORIAL, level=UnitLevel.TOWN))
    rng = random.Random(args.seed)
    inputs = make_inputs(rng, args.n + 5, towns)

    started = time.perf_counter()
    current_models()
    index_sync.set_index(None)
    synced = index_sync.get_index()
    emit(
        step="cold_start",
        seconds=round(time.perf_counter() - started, 1),
        index_items=len(synced) if synced else 0,
        model_version=current_models().version_id,
    )

    whole, register, triage, analysis, flags = [], [], [], [], {"repeat": 0, "collective": 0, "skip_level": 0}
    for i, data in enumerate(inputs):
        t0 = time.perf_counter()
        record = None
        try:
            with transaction.atomic():
                petition = petition_register(actor=registrar, data=data)
                t1 = time.perf_counter()
                if not args.keep:
                    record = triage_petition(petition)
                    raise Rollback
        except Rollback:
            pass
        t3 = time.perf_counter()  # with --keep the on_commit hook has run by now
        if record is None:
            from xinfang.triage.models import TriageRecord

            record = TriageRecord.objects.get(petition_id=petition.pk)
        if i < 5:  # warm-up: caches, first queries
            continue
        whole.append(1000 * (t3 - t0))
        register.append(1000 * (t1 - t0))
        triage.append(1000 * (t3 - t1))
        analysis.append(record.elapsed_ms)
        for f in record.flags:
            flags[f["kind"]] += 1
    emit(
        benchmark="registration_with_triage",
        vendor=connection.vendor,
        petitions_in_db=total,
        n=len(whole),
        committed=args.keep,
        p50_ms=pct(whole, 50),
        p95_ms=pct(whole, 95),
        p99_ms=pct(whole, 99),
        register_only_p50_ms=pct(register, 50),
        register_only_p95_ms=pct(register, 95),
        triage_p50_ms=pct(triage, 50),
        triage_p95_ms=pct(triage, 95),
        analysis_p95_ms=pct(analysis, 95),
        flags=flags,
        load_average=round(os.getloadavg()[0], 1),
    )


if __name__ == "__main__":
    main()
