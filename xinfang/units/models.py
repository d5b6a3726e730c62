"""Reference data: the tree of public bodies (机关单位) and the tree of categories."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县（区）级")
    TOWN = "town", _("乡镇（街道）级")
    COMMUNITY = "community", _("村（社区）级")


# Higher levels first: used to tell whether a visit skipped a level (Art. 20).
LEVEL_RANK = {
    UnitLevel.PROVINCE: 1,
    UnitLevel.CITY: 2,
    UnitLevel.COUNTY: 3,
    UnitLevel.TOWN: 4,
    UnitLevel.COMMUNITY: 5,
}


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("信访部门")
    TERRITORIAL = "territorial", _("属地")
    DEPARTMENT = "department", _("职能部门")
    POLITICAL_LEGAL = "political_legal", _("政法部门")
    DISCIPLINE = "discipline", _("纪检监察机关")
    LEADERSHIP = "leadership", _("党委政府")


# Bodies that are a level of government rather than one of its departments.
GOVERNMENT_KINDS = {UnitKind.LEADERSHIP, UnitKind.TERRITORIAL}


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)


PATH_DIGITS = 6
CASE_PREFIX_MAX = 4
# Chinese characters (the basic block and extension A) or Latin letters.
CASE_PREFIX_RE = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")


class Unit(models.Model):
    """A public body.  `path` is a materialised path of zero-padded ids
    ("/000001/000007/000042/") so a unit's subtree is one indexed prefix filter
    and sorting by path is tree order (unpadded, "/1/10/" sorted before "/1/2/")."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    code = models.CharField(_("代码"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("层级"), max_length=16, choices=UnitLevel.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="", verbose_name=_("路径"))
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # Words in petitions that point to this unit: place names for territorial
    # units, subject keywords for departments (the dispatch catalogue 派单目录).
    keywords = models.TextField(_("派单关键词"), blank=True, help_text=_("以空格或逗号分隔"))
    is_active = models.BooleanField(_("启用"), default=True)
    # A petition bureau numbers its matters with its own prefix (海 → 海信〔2026〕00001号).
    case_prefix = models.CharField(
        _("案号前缀"), max_length=10, blank=True, help_text=_("信访部门的信访件编号前缀，如“海”“连”")
    )
    # For a department: the competent department one level up in its system
    # (区住建局 → 市住建局), which the tree of governments does not show.
    upper_department = models.ForeignKey(
        "self",
        verbose_name=_("上一级主管部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lower_departments",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("机关单位")
        verbose_name_plural = _("机关单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        expected = f"{self.parent.path if self.parent_id else '/'}{self.pk:0{PATH_DIGITS}d}/"
        if self.path != expected:
            old = self.path
            self.path = expected
            Unit.objects.filter(pk=self.pk).update(path=expected)
            if old:
                # Re-root the subtree when a unit moves.
                for child in Unit.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.save()

    def clean(self) -> None:
        """The case-number prefix (案号前缀) of a bureau: required when the installation
        has several bureaus (each numbers its own matters), unique among bureaus,
        short, and written in Chinese characters or letters."""
        super().clean()
        prefix = (self.case_prefix or "").strip()
        self.case_prefix = prefix
        if self.kind != UnitKind.BUREAU:
            if prefix:
                raise ValidationError({"case_prefix": _("只有信访部门设置案号前缀，其他单位请留空")})
            return
        others = Unit.objects.filter(kind=UnitKind.BUREAU).exclude(pk=self.pk)
        if not prefix:
            if self.is_active and others.filter(is_active=True).exists():
                raise ValidationError(
                    {
                        "case_prefix": _(
                            "系统中有多个信访部门，每个信访部门须设置自己的案号前缀（如“海”“连云”），"
                            "以便各自编号"
                        )
                    }
                )
            return
        if len(prefix) > CASE_PREFIX_MAX:
            raise ValidationError(
                {"case_prefix": _("案号前缀不能超过%(n)d个字，如“海”“连云”") % {"n": CASE_PREFIX_MAX}}
            )
        if not CASE_PREFIX_RE.fullmatch(prefix):
            raise ValidationError({"case_prefix": _("案号前缀只能由汉字或字母组成，不能有数字、空格或符号")})
        taken = others.filter(case_prefix=prefix).first()
        if taken is not None:
            raise ValidationError(
                {
                    "case_prefix": _("案号前缀“%(prefix)s”已由%(unit)s使用，请另选一个")
                    % {"prefix": prefix, "unit": taken.name}
                }
            )

    @property
    def display_short(self) -> str:
        return self.short_name or self.name

    def is_within(self, other: Unit) -> bool:
        """True when this unit is `other` or one of its descendants."""
        return self.path.startswith(other.path)

    def lineage_ids(self) -> list[int]:
        """Ids from the root down to this unit itself, read from the path."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> list[Unit]:
        ids = self.lineage_ids()[:-1]
        by_id = Unit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    @property
    def is_government(self) -> bool:
        """A people's government (党委政府) or a town / street / community office."""
        return self.kind in GOVERNMENT_KINDS

    def reviewing_bodies(self) -> list[Unit]:
        """The bodies one level above this one that may review its opinion
        (Arts. 35 and 36①: 上一级机关、单位), the usual one first.

        A government's is the nearest government above it (a town's: the county
        government).  A department's is the people's government at its level,
        the department above it in the tree, or its `upper_department`.
        """
        ancestors = self.ancestors()[::-1]  # nearest first
        bodies: list[Unit] = []
        if self.is_government:
            rank = LEVEL_RANK.get(self.level, 99)
            above = [u for u in ancestors if u.is_government and LEVEL_RANK.get(u.level, 99) < rank]
            bodies += above[:1]
        else:
            bodies += [u for u in ancestors if u.is_government][:1]
            if self.parent_id and ancestors and not ancestors[0].is_government:
                bodies.append(ancestors[0])
            if self.upper_department_id:
                bodies.append(self.upper_department)
        return [u for u in dict.fromkeys(bodies) if u.is_active]

    def keyword_list(self) -> list[str]:
        return [w for w in self.keywords.replace("，", " ").replace(",", " ").split() if w]


class Category(models.Model):
    """An editable tree of petition categories (e.g. 城乡建设 › 物业管理)."""

    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("代码"), max_length=20, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("分类")
        verbose_name_plural = _("分类")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    @staticmethod
    def in_tree_order(categories) -> list[Category]:
        """Each top-level category followed by its children (each level by
        sort_order, code), so a list reads as the tree."""
        items = list(categories)
        present = {c.pk for c in items}
        children: dict[int | None, list[Category]] = {}
        for c in sorted(items, key=lambda c: (c.sort_order, c.code)):
            parent = c.parent_id if c.parent_id in present else None
            children.setdefault(parent, []).append(c)
        ordered: list[Category] = []

        def walk(parent):
            for c in children.get(parent, []):
                ordered.append(c)
                walk(c.pk)

        walk(None)
        return ordered

    @property
    def top(self) -> Category:
        node = self
        while node.parent_id:
            node = node.parent
        return node
