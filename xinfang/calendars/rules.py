"""The statutory deadline rules and their defaults.

Days are calendar days (日) unless the law says 工作日; a bureau whose province
counts working days lists rule values in settings.DEADLINE_WORKING_DAY_RULES
(env XINFANG_WORKING_DAY_RULES, e.g. "route,notify,conclude").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

REGULATION = "《信访工作条例》"


class DeadlineRule(models.TextChoices):
    ROUTE = "route", _("登记后转送、交办")
    NOTIFY = "notify", _("书面告知信访人")
    OBJECT = "object", _("提出异议")
    CONCLUDE = "conclude", _("办结")
    EXTEND = "extend", _("延长办理期限")
    SIMPLE = "simple", _("简易办理")
    REVIEW_REQUEST = "review_request", _("请求复查")
    REVIEW_ANSWER = "review_answer", _("复查答复")
    REREVIEW_REQUEST = "rereview_request", _("请求复核")
    REREVIEW_ANSWER = "rereview_answer", _("复核意见")
    ASSIGN_REPORT = "assign_report", _("交办事项反馈办结报告")
    JURISDICTION = "jurisdiction", _("受理争议决定")
    IMPLEMENT = "implement", _("支持意见落实")


class DayUnit(models.TextChoices):
    CALENDAR = "calendar", _("日")
    WORKING = "working", _("工作日")


@dataclass(frozen=True)
class RuleSpec:
    """A rule's statutory default: ``days`` in ``unit``; ``max_days`` caps a chosen length."""

    days: int
    unit: DayUnit
    article: str
    max_days: int | None = None

    @property
    def text(self) -> str:
        """The period as written in notices, e.g. "15日" or "5个工作日"."""
        return f"{self.days}日" if self.unit == DayUnit.CALENDAR else f"{self.days}个工作日"


# Articles stay Chinese here (notices quote them); pages translate them with gettext().
RULE_SPECS: dict[DeadlineRule, RuleSpec] = {
    DeadlineRule.ROUTE: RuleSpec(15, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第二十二条")),
    DeadlineRule.NOTIFY: RuleSpec(
        15, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第二十三条第二款、第三款")
    ),
    DeadlineRule.OBJECT: RuleSpec(5, DayUnit.WORKING, gettext_noop("《信访工作条例》第二十三条第三款")),
    DeadlineRule.CONCLUDE: RuleSpec(60, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第三十四条")),
    # Counted from the last day of the original period before the rest-day rule
    # moved it (petitions.deadlines.recompute); the unit head may grant less.
    DeadlineRule.EXTEND: RuleSpec(
        30, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第三十四条"), max_days=30
    ),
    DeadlineRule.SIMPLE: RuleSpec(
        10, DayUnit.WORKING, gettext_noop("国家信访局《信访事项简易办理办法（试行）》（2016年）")
    ),
    DeadlineRule.REVIEW_REQUEST: RuleSpec(30, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第三十五条")),
    DeadlineRule.REVIEW_ANSWER: RuleSpec(30, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第三十五条")),
    DeadlineRule.REREVIEW_REQUEST: RuleSpec(
        30, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第三十六条第一款")
    ),
    # Hearing time is not counted (Art. 36②): pass it as a pause.
    DeadlineRule.REREVIEW_ANSWER: RuleSpec(30, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第三十六条")),
    # The bureau sets the period per assignment; 30 日 is only the form's default.
    DeadlineRule.ASSIGN_REPORT: RuleSpec(
        30, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第二十二条第一款第三项")
    ),
    # The regulation sets no period for these two; the bureau's choice
    # (settings.JURISDICTION_DECISION_DAYS, settings.IMPLEMENTATION_DAYS) is passed as days.
    DeadlineRule.JURISDICTION: RuleSpec(
        15, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第二十四条第一款")
    ),
    DeadlineRule.IMPLEMENT: RuleSpec(30, DayUnit.CALENDAR, gettext_noop("《信访工作条例》第三十二条第二款")),
}


def configured_working_day_rules() -> frozenset[DeadlineRule]:
    """The rules settings.DEADLINE_WORKING_DAY_RULES switches to working days.

    Raises ImproperlyConfigured for a name that is not a rule value.
    """
    result = set()
    for raw in getattr(settings, "DEADLINE_WORKING_DAY_RULES", []):
        value = str(raw).strip().lower()
        if value not in DeadlineRule.values:
            raise ImproperlyConfigured(
                f"DEADLINE_WORKING_DAY_RULES: unknown rule {raw!r}; expected one of {', '.join(DeadlineRule.values)}"
            )
        result.add(DeadlineRule(value))
    return frozenset(result)


def rule_spec(rule: DeadlineRule | str) -> RuleSpec:
    """The rule's spec with its unit as configured for this installation."""
    rule = DeadlineRule(rule)
    spec = RULE_SPECS[rule]
    if spec.unit == DayUnit.CALENDAR and rule in configured_working_day_rules():
        return RuleSpec(spec.days, DayUnit.WORKING, spec.article, spec.max_days)
    return spec
