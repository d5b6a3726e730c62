"""Unit and category lists read in tree order."""

import pytest

from xinfang.units.models import Category, Unit, UnitKind, UnitLevel


def _unit(name, code, parent=None, kind=UnitKind.TERRITORIAL, level=UnitLevel.TOWN):
    return Unit.objects.create(name=name, code=code, parent=parent, level=level, kind=kind)


@pytest.mark.django_db
def test_units_sort_in_tree_order_whatever_the_number_of_digits_in_their_ids():
    root = _unit("海州区人民政府", "r", kind=UnitKind.LEADERSHIP, level=UnitLevel.COUNTY)
    towns = _unit("街道办事处", "t", root)
    streets = [_unit(f"街道{i}", f"s{i}", towns) for i in range(12)]  # ids pass from one digit to two
    commerce = _unit("区商务局", "c", root, kind=UnitKind.DEPARTMENT, level=UnitLevel.COUNTY)
    ordered = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
    assert ordered == [root, towns, *streets, commerce]
    assert streets[3].lineage_ids() == [root.pk, towns.pk, streets[3].pk]
    assert streets[3].is_within(towns) and not commerce.is_within(towns)


@pytest.mark.django_db
def test_categories_list_each_parent_with_its_children():
    urban = Category.objects.create(name="城乡建设", code="b", sort_order=1)
    labour = Category.objects.create(name="劳动和社会保障", code="a", sort_order=2)
    wages = Category.objects.create(name="拖欠工资", code="a1", parent=labour)
    estate = Category.objects.create(name="物业管理", code="b1", parent=urban)
    assert Category.in_tree_order(Category.objects.all()) == [urban, estate, labour, wages]
