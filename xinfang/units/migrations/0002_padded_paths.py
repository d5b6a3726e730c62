"""Unit paths of zero-padded ids, so that ordering by path is tree order."""

from django.db import migrations

DIGITS = 6


def pad(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    parents = dict(Unit.objects.values_list("id", "parent_id"))

    def path(pk):
        chain = []
        while pk is not None:
            chain.append(pk)
            pk = parents[pk]
        return "/" + "".join(f"{p:0{DIGITS}d}/" for p in reversed(chain))

    for pk in parents:
        Unit.objects.filter(pk=pk).update(path=path(pk))


def unpad(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    for unit in Unit.objects.all():
        parts = [str(int(p)) for p in unit.path.strip("/").split("/") if p]
        Unit.objects.filter(pk=unit.pk).update(path="/" + "".join(f"{p}/" for p in parts))


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [migrations.RunPython(pad, unpad)]
