"""Screenshots of the dashboards and the early-warning centre, rendered in Chromium from local assets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.testing import advance, make_petition, make_world


@pytest.mark.django_db(transaction=True)
def test_dashboards_and_warning_centre_render(staff_page, live_server, shots):
    from xinfang.alerts.deadlines import warn_deadlines
    from xinfang.petitions.models import Deadline

    world = make_world()
    late = advance(make_petition(world), world, to="handling")
    advance(make_petition(world, title="小区电梯长期故障"), world, to="issued")
    make_petition(world, title="工地夜间施工噪音扰民", content="幸福路工地夜间施工，噪音扰民。")
    Deadline.objects.filter(petition=late, rule="conclude").update(
        due=timezone.localdate() - timedelta(days=2)
    )
    late.refresh_from_db()
    assert warn_deadlines() >= 1

    external = []
    page = staff_page("bureau_leader")
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    page.goto(f"{live_server.url}/stats/")
    page.wait_for_load_state("networkidle")
    assert page.locator("svg").count() >= 1, "charts are drawn as SVG"
    shots(page, "bureau-dashboard")

    page.goto(f"{live_server.url}/stats/unit/{world.town_a.pk}/")
    page.wait_for_load_state("networkidle")
    shots(page, "unit-dashboard")

    page.goto(f"{live_server.url}/alerts/")
    page.wait_for_load_state("networkidle")
    assert late.case_number in page.content()
    shots(page, "early-warning-centre")

    assert external == [], f"assets loaded from outside the server: {external}"


@pytest.mark.django_db(transaction=True)
def test_report_downloads_use_the_chosen_year(staff_page, live_server, shots):
    make_world()
    page = staff_page("bureau_leader")
    page.goto(f"{live_server.url}/stats/reports/")
    page.fill("input[name=year]", "2025")
    with page.expect_download() as word:
        page.get_by_role("button", name="下载 Word").first.click()
    assert "year=2025" in word.value.url
    assert word.value.suggested_filename.endswith(".docx")
    shots(page, "reports")
