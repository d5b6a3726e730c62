"""The copy of a petition's counted columns on its hot-topic member row, kept by the database.

`HotTopicMember` carries the unit a matter counts at (`areas.attributed_unit`: the handling
unit, else the holding bureau, else the registering unit), its town, its repeat flag and its
place address, so that the hot spots of any period are read from the member table alone.
Routing changes those columns with queryset updates as well as with saves, so the copy is kept
by triggers, not by Python code that a new path could forget:

- a member row takes the columns from its petition when it is inserted;
- an update of any of them on the petition is copied to its member row.

The triggers are (re)installed after every `migrate` (post_migrate): SQLite rebuilds a table
to alter it, which drops the table's triggers, so a later migration of either table would
otherwise remove them silently.  `installed()` says whether they are there (a test reads it).
"""

from __future__ import annotations

_COUNTED = "COALESCE({p}handling_unit_id, {p}bureau_id, {p}registering_unit_id)"
_WATCHED = ("handling_unit_id", "bureau_id", "registering_unit_id", "town_id", "is_repeat", "place_address")
NAMES = ("stats_hottopicmember_copy", "stats_hottopicmember_follow")

_POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION stats_hottopicmember_copy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT {_COUNTED.format(p="p.")}, p.town_id, p.is_repeat, p.place_address
          INTO NEW.unit_id, NEW.town_id, NEW.is_repeat, NEW.place_address
          FROM petitions_petition p WHERE p.id = NEW.petition_id;
        RETURN NEW;
    END $$
    """,
    "DROP TRIGGER IF EXISTS stats_hottopicmember_copy ON stats_hottopicmember",
    """
    CREATE TRIGGER stats_hottopicmember_copy BEFORE INSERT ON stats_hottopicmember
    FOR EACH ROW EXECUTE FUNCTION stats_hottopicmember_copy()
    """,
    f"""
    CREATE OR REPLACE FUNCTION stats_hottopicmember_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE stats_hottopicmember
           SET unit_id = {_COUNTED.format(p="NEW.")}, town_id = NEW.town_id,
               is_repeat = NEW.is_repeat, place_address = NEW.place_address
         WHERE petition_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS stats_hottopicmember_follow ON petitions_petition",
    f"""
    CREATE TRIGGER stats_hottopicmember_follow
    AFTER UPDATE OF {", ".join(_WATCHED)} ON petitions_petition
    FOR EACH ROW WHEN (({", ".join("OLD." + c for c in _WATCHED)})
                       IS DISTINCT FROM ({", ".join("NEW." + c for c in _WATCHED)}))
    EXECUTE FUNCTION stats_hottopicmember_follow()
    """,
]

_SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS stats_hottopicmember_copy AFTER INSERT ON stats_hottopicmember
    FOR EACH ROW BEGIN
        UPDATE stats_hottopicmember
           SET (unit_id, town_id, is_repeat, place_address) = (
               SELECT {_COUNTED.format(p="")}, town_id, is_repeat, place_address
                 FROM petitions_petition WHERE id = NEW.petition_id)
         WHERE petition_id = NEW.petition_id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS stats_hottopicmember_follow
    AFTER UPDATE OF {", ".join(_WATCHED)} ON petitions_petition
    FOR EACH ROW WHEN {" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _WATCHED)} BEGIN
        UPDATE stats_hottopicmember
           SET unit_id = {_COUNTED.format(p="NEW.")}, town_id = NEW.town_id,
               is_repeat = NEW.is_repeat, place_address = NEW.place_address
         WHERE petition_id = NEW.id;
    END
    """,
]

_BACKFILL = {
    "postgresql": f"""
        UPDATE stats_hottopicmember m
           SET unit_id = {_COUNTED.format(p="p.")}, town_id = p.town_id,
               is_repeat = p.is_repeat, place_address = p.place_address
          FROM petitions_petition p WHERE p.id = m.petition_id
    """,
    "sqlite": f"""
        UPDATE stats_hottopicmember
           SET (unit_id, town_id, is_repeat, place_address) = (
               SELECT {_COUNTED.format(p="")}, town_id, is_repeat, place_address
                 FROM petitions_petition p WHERE p.id = stats_hottopicmember.petition_id)
    """,
}


def install(connection) -> None:
    """Create (or replace) the triggers on ``connection``'s database."""
    statements = _POSTGRESQL if connection.vendor == "postgresql" else _SQLITE
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection) -> None:
    """Drop the triggers (migrating back to before the copied columns)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS stats_hottopicmember_copy ON stats_hottopicmember")
            cursor.execute("DROP TRIGGER IF EXISTS stats_hottopicmember_follow ON petitions_petition")
        else:
            for name in NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def backfill(connection) -> None:
    """Copy the columns onto every member row (once, when the columns are added)."""
    with connection.cursor() as cursor:
        cursor.execute(_BACKFILL["postgresql" if connection.vendor == "postgresql" else "sqlite"])


def installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s)", [list(NAMES)])
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)", list(NAMES)
            )
        return {row[0] for row in cursor.fetchall()} == set(NAMES)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: put the triggers back after any migration (see the module doc)."""
    from django.db import connections

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {"stats_hottopicmember", "petitions_petition"} <= tables:
        return
    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, "stats_hottopicmember")
        }
    if "unit_id" in columns:  # not when migrated back to before the copied columns
        install(connection)
