"""Art. 25: whom a major or urgent matter is reported to."""

import pytest

from xinfang.alerts.actions import alert_report_up
from xinfang.alerts.models import Alert, AlertKind, ReportUp, Severity
from xinfang.petitions import actions as a
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_art25_urgent_matter_reported_to_every_body_the_article_names(world):
    petition = make_petition(world, is_urgent=True)
    a.petition_classify(actor=world.registrar, petition=petition, petition_class="claim", claim_route=6)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.housing)
    alert = Alert.objects.create(
        kind=AlertKind.URGENT,
        severity=Severity.CRITICAL,
        title="重大紧急信访事项",
        dedupe_key=f"urgent:{petition.pk}",
        unit=world.housing,
        petition=petition,
    )
    made = alert_report_up(alert=alert, actor=world.bureau_leader)
    reports = {r.kind: (r.unit, r.unit_name) for r in made}
    # ①: the same-level Party committee and government, the competent department, the joint conference office
    assert reports["same_level"][0] == world.district
    assert reports["competent_dept"][0] == world.housing
    assert reports["joint_conference"] == (world.bureau, "海州区信访工作联席会议办公室（设在海州区信访局）")
    # ②: the bureau one level up and, at the same time, the national bureau
    assert reports["upper_bureau"][0] == world.city
    assert reports["national_bureau"] == (None, "国家信访局")
    # once only
    assert alert_report_up(alert=alert, actor=world.bureau_leader) == []
    assert ReportUp.objects.filter(alert=alert).count() == 5
