"""Insert plain dict rows with executemany, skipping the ORM's per-value
compilation (5–10× faster than bulk_create for the generator's millions of rows).

Values are adapted per field type the way Django would store them; missing
keys take the field's default.
"""

from __future__ import annotations

import json
from datetime import UTC, date

from django.db import connection, models
from django.utils import timezone


def _adapter(field: models.Field):
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if isinstance(field, models.DateTimeField):
        if sqlite:

            def to_sqlite(v):
                if v is None:
                    return None
                if v.tzinfo is UTC:  # the generator's times: skip the slow generic path
                    return v.replace(tzinfo=None).isoformat(" ")
                return (
                    timezone.make_naive(v, UTC).isoformat(" ") if timezone.is_aware(v) else v.isoformat(" ")
                )

            return to_sqlite
        return lambda v: v
    if isinstance(field, models.DateField):
        return (lambda v: v.isoformat() if isinstance(v, date) else v) if sqlite else (lambda v: v)
    if isinstance(field, models.ForeignKey):
        return lambda v: getattr(v, "pk", v)
    return lambda v: v


def insert_rows(model: type[models.Model], rows: list[dict], *, batch: int = 2000) -> None:
    if not rows:
        return
    pk = model._meta.pk
    # Rows without a primary key let the database assign it (PostgreSQL refuses an explicit NULL).
    fields = [f for f in model._meta.concrete_fields if f is not pk or pk.attname in rows[0]]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    plan = []
    for f in fields:
        default = f.get_default() if f.has_default() or f.null else None
        plan.append((f.attname, f.name, _adapter(f), default))
    values = []
    for row in rows:
        out = []
        for attname, name, adapt, default in plan:
            if attname in row:
                out.append(adapt(row[attname]))
            elif name in row:
                out.append(adapt(row[name]))
            else:
                out.append(adapt(default))
        values.append(out)
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch):
            cursor.executemany(sql, values[start : start + batch])
