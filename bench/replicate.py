"""Grow a generated database to N petitions by copying its matters, with everything that
hangs off them, under new ids: the quick way from a generated few hundred thousand to
1,000,000 with the same distribution (the generator runs at a few hundred petitions a
second on 2 cores; a copy takes minutes).

    DATABASE_URL=postgres://… .venv/bin/python bench/replicate.py --to 1000000

Every table with a foreign key to the petition is copied (events, deadlines, opinions,
evaluations, custody, links, petitioners' links, search rows, hot-topic members …):
its own id and every key to a copied table are shifted by that table's offset, unique
text columns get a "-R<k>" suffix.  Copies keep their receipt dates, so each day holds
proportionally more matters; petitioners are shared (a copy is a repeat petition of the
same people), and a copy belongs to its original's hot topic.  Open matters are copied
too, so the queues are larger than in life: a conservative test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")


def _copied_models():
    """The petition table first, then every model with a foreign key to it."""
    from django.apps import apps

    from xinfang.petitions.models import Petition

    found = [
        m
        for m in apps.get_models()
        if m is not Petition
        and not m._meta.proxy
        and any(f.is_relation and f.related_model is Petition for f in m._meta.concrete_fields)
    ]
    return [Petition, *found]


def _max_id(cursor, model) -> int:
    cursor.execute(f"SELECT COALESCE(MAX({model._meta.pk.column}), 0) FROM {model._meta.db_table}")
    return cursor.fetchone()[0]


def _has_rows(cursor, model) -> bool:
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {model._meta.db_table})")
    return cursor.fetchone()[0]


def _insert_sql(model, copied: set, offsets: dict, k: int, cutoff: int) -> tuple[str, list]:
    """INSERT … SELECT copying `model`'s rows of petitions with id ≤ cutoff, copy number k."""
    from django.db import connection

    from xinfang.petitions.models import Petition

    columns, selects, params = [], [], []
    petition_columns = []
    for field in model._meta.concrete_fields:
        column = connection.ops.quote_name(field.column)
        columns.append(column)
        target = field.related_model if field.is_relation else None
        if field.primary_key and not field.is_relation:
            selects.append(f"{column} + %s")
            params.append(k * offsets[model])
        elif target in copied:
            selects.append(f"{column} + %s")
            params.append(k * offsets[target])
            if target is Petition:
                petition_columns.append(column)
        elif (
            field.unique and field.get_internal_type() in ("CharField", "SlugField") and not field.is_relation
        ) or (model._meta.label == "petitions.Custody" and field.name == "petition_number"):
            # Custody.petition_number copies the petition's case number, which gets the suffix.
            selects.append(f"{column} || %s")
            params.append(f"-R{k}")
        elif field.unique and not field.primary_key:
            raise SystemExit(f"cannot copy the unique column {model._meta.db_table}.{column}")
        else:
            selects.append(column)
    # Unique-together sets all hold a petition key, which is shifted.  A row copied in a
    # partial copy must not point at a petition left out of it (links between matters).
    keys = (
        [connection.ops.quote_name(model._meta.pk.column), *petition_columns]
        if model is Petition
        else petition_columns
    )
    where = " AND ".join(f"({c} IS NULL OR {c} <= %s)" for c in keys)
    params.extend([cutoff] * len(keys))
    table = model._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)} FROM {table} WHERE {where}"
    return sql, params


def replicate(target: int, log=print) -> dict:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from xinfang.petitions.models import Petition

    with connection.cursor() as cursor:
        models = [m for m in _copied_models() if _has_rows(cursor, m)]
        offsets = {m: _max_id(cursor, m) for m in models if not m._meta.pk.is_relation}
    for m in models:  # tables keyed by the petition itself
        if m._meta.pk.is_relation:
            offsets[m] = offsets[Petition]
    base = Petition.objects.count()
    base_max = offsets[Petition]
    if not base or target <= base:
        return {"petitions": base, "copies": 0}
    began = time.monotonic()
    copies, k = 0, 0
    while Petition.objects.count() < target:
        k += 1
        missing = target - Petition.objects.count()
        # The last copy takes only the first rows, so that the total comes out at `target`.
        cutoff = base_max
        if missing < base:
            cutoff = Petition.objects.order_by("pk").values_list("pk", flat=True)[missing - 1]
        with transaction.atomic(), connection.cursor() as cursor:
            for model in models:
                sql, params = _insert_sql(model, set(models), offsets, k, cutoff)
                cursor.execute(sql, params)
        copies += 1
        log(f"copy {k}: {Petition.objects.count()} petitions, {time.monotonic() - began:.0f} s")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "petitions": Petition.objects.count(),
        "copies": copies,
        "tables": len(models),
        "seconds": round(time.monotonic() - began, 1),
    }


def main() -> None:
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--to", type=int, required=True, help="petitions wanted in all")
    args = parser.parse_args()
    print(json.dumps(replicate(args.to, log=lambda line: print(line, file=sys.stderr, flush=True))))


if __name__ == "__main__":
    main()
