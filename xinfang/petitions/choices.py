"""Enumerations of the petition domain (GLOSSARY.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ONLINE = "online", _("网上")
    LETTER = "letter", _("来信")
    PHONE = "phone", _("来电")
    FAX = "fax", _("传真")
    VISIT = "visit", _("来访")
    TRANSFER_FROM_ABOVE = "transfer_from_above", _("上级转送")
    LEADER_INSTRUCTION = "leader_instruction", _("领导批示")


class OnlineSource(models.TextChoices):
    PORTAL = "portal", _("网上信访平台")
    WECHAT = "wechat", _("微信")
    WEIBO = "weibo", _("微博")
    APP = "app", _("移动客户端")
    SHORT_VIDEO = "short_video", _("短视频平台")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    OTHER = "other", _("其他")


class PetitionClass(models.TextChoices):
    SUGGESTION = "suggestion", _("建议意见类")
    ACCUSATION = "accusation", _("检举控告类")
    CLAIM = "claim", _("申诉求决类")


class ClaimRoute(models.IntegerChoices):
    """The six routes of Art. 31 for 申诉求决类 matters."""

    LITIGATION = 1, _("（一）诉讼、检察、公安法律程序")
    ARBITRATION = 2, _("（二）仲裁")
    PARTY_APPEAL = 3, _("（三）党员申诉、申请复审")
    ADMINISTRATIVE = 4, _("（四）行政复议、裁决、确认、许可、处罚等行政程序")
    DUTY_TO_ACT = 5, _("（五）依法履行职责或答复")
    PETITION_HANDLING = 6, _("（六）信访程序办理，出具信访处理意见书")


DIVERSION_ROUTES = {
    ClaimRoute.LITIGATION,
    ClaimRoute.ARBITRATION,
    ClaimRoute.PARTY_APPEAL,
    ClaimRoute.ADMINISTRATIVE,
}


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记待转送")
    ROUTED = "routed", _("已转送待受理")
    OBJECTED = "objected", _("异议待核实")
    HANDLING = "handling", _("办理中")
    OPINION_DRAFTED = "opinion_drafted", _("意见待审批")
    OPINION_ISSUED = "opinion_issued", _("已出具意见")
    CLOSED = "closed", _("已办结")
    DIVERTED = "diverted", _("已导入法定途径")
    REJECTED = "rejected", _("不予受理")
    REFUSED_FINAL = "refused_final", _("不再受理")
    MERGED = "merged", _("已合并")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = {
    Status.REGISTERED,
    Status.ROUTED,
    Status.OBJECTED,
    Status.HANDLING,
    Status.OPINION_DRAFTED,
    Status.OPINION_ISSUED,
}
TERMINAL_STATUSES = set(Status) - OPEN_STATUSES


class Stage(models.TextChoices):
    INITIAL = "initial", _("办理")
    REVIEW = "review", _("复查")
    REREVIEW = "rereview", _("复核")


class Outcome(models.TextChoices):
    """Art. 32."""

    SUPPORT = "support", _("支持")
    EXPLAIN = "explain", _("解释说明")
    NOT_SUPPORT = "not_support", _("不予支持")


class RejectionReason(models.TextChoices):
    """Grounds for 不予受理."""

    SAME_MATTER_BELOW = "same_matter_below", _("同一事项已受理或正在办理（第十九条第三款）")
    OUTSIDE_POWERS = "outside_powers", _("不属于本机关职权范围（第二十三条第一款）")
    NOT_A_PETITION = "not_a_petition", _("不属于信访事项")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class EvaluationStage(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理")
    HANDLING = "handling", _("办理")


class LinkKind(models.TextChoices):
    SAME_MATTER = "same_matter", _("同一事项")
    MERGED_INTO = "merged_into", _("合并至")
    REVIEW_OF = "review_of", _("复查复核")


class PetitionerKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("组织")


class DueState(models.TextChoices):
    ON_TIME = "on_time", _("正常")
    DUE_SOON = "due_soon", _("临期")
    OVERDUE = "overdue", _("超期")
