from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.lib import crypto
from xinfang.petitions.choices import Stage, Status
from xinfang.petitions.models import Deadline, Evaluation
from xinfang.testing import advance, deliver_opinion, make_petition

pytestmark = pytest.mark.django_db


def open_case(client, petition):
    code = crypto.decrypt(petition.query_code_enc)
    response = client.post("/portal/lookup/", {"case_number": petition.case_number, "query_code": code})
    assert response.status_code == 302


def test_evaluation_refused_before_acceptance_decision(client, world):
    petition = advance(make_petition(world), world, to="routed")
    open_case(client, petition)
    assert "评价受理情况" not in client.get("/portal/case/").content.decode()
    response = client.post("/portal/case/evaluate/", {"stage": "acceptance", "rating": "satisfied"})
    assert response.status_code == 409
    assert "当前不能评价" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_acceptance_evaluated_once_after_acceptance(client, world):
    petition = advance(make_petition(world), world, to="handling")
    open_case(client, petition)
    page = client.get("/portal/case/").content.decode()
    assert "评价受理情况" in page and "评价办理情况" not in page
    response = client.post(
        "/portal/case/evaluate/",
        {"stage": "acceptance", "rating": "basically_satisfied", "comment": "态度很好"},
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.stage, evaluation.rating, evaluation.unit) == (
        "acceptance",
        "basically_satisfied",
        world.town_a,
    )
    again = client.post("/portal/case/evaluate/", {"stage": "acceptance", "rating": "satisfied"})
    assert again.status_code == 409
    assert Evaluation.objects.count() == 1


def test_handling_evaluation_needs_a_rating(client, world):
    petition = advance(make_petition(world), world, to="issued")
    open_case(client, petition)
    response = client.post("/portal/case/evaluate/", {"stage": "handling", "rating": ""})
    assert response.status_code == 400
    assert "请选择满意度" in response.content.decode()
    assert (
        client.post("/portal/case/evaluate/", {"stage": "handling", "rating": "dissatisfied"}).status_code
        == 302
    )
    assert Evaluation.objects.get().rating == "dissatisfied"


def test_review_requested_online_within_30_days(client, world):
    petition = advance(make_petition(world), world, to="issued")
    open_case(client, petition)
    # The review page shows the opinion: that is its delivery, and the window starts (Art. 35).
    page = client.get("/portal/case/review/").content.decode()
    due = Deadline.objects.open().get(petition=petition, rule="review_request").due
    assert "请求复查" in page and f"{due.year}年{due.month}月{due.day}日" in page
    assert "第三十五条" in page
    response = client.post("/portal/case/review/", {"reason": "对处理意见不服，停车费标准未经听证"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.stage, petition.status, petition.handling_unit) == (
        Stage.REVIEW,
        Status.HANDLING,
        world.district,
    )
    event = petition.events.get(action="request_review")
    assert event.actor is None and event.actor_label == "信访人"


def test_review_refused_after_30_days(client, world):
    petition = advance(make_petition(world), world, to="issued")
    deliver_opinion(petition, world)
    # The written reply was received 31 days ago: the window closed yesterday.
    Deadline.objects.filter(petition=petition, rule="review_request").update(
        due=timezone.localdate() - timedelta(days=1)
    )
    open_case(client, petition)
    page = client.get("/portal/case/review/").content.decode()
    assert "已超过自收到书面答复之日起30日的复查请求期限" in page
    assert "<textarea" not in page
    response = client.post("/portal/case/review/", {"reason": "不服"})
    assert response.status_code == 409
    petition.refresh_from_db()
    assert petition.stage == Stage.INITIAL and petition.status == Status.OPINION_ISSUED


def test_rereview_requested_after_review_opinion(client, world):
    petition = advance(make_petition(world), world, to="review_issued")
    open_case(client, petition)
    assert "请求复核" in client.get("/portal/case/").content.decode()
    assert client.post("/portal/case/review/", {"reason": "对复查意见不服"}).status_code == 302
    petition.refresh_from_db()
    assert petition.stage == Stage.REREVIEW and petition.handling_unit == world.city


def test_review_not_offered_before_an_opinion(client, world):
    petition = advance(make_petition(world), world, to="handling")
    open_case(client, petition)
    response = client.post("/portal/case/review/", {"reason": "不服"})
    assert response.status_code == 409
    assert "当前不能请求复查或复核" in response.content.decode()


def test_review_reason_required_in_chinese(client, world):
    petition = advance(make_petition(world), world, to="issued")
    open_case(client, petition)
    response = client.post("/portal/case/review/", {"reason": ""})
    assert response.status_code == 400
    assert "此项为必填项" in response.content.decode()


def test_final_case_offers_no_further_review(client, world):
    petition = advance(make_petition(world), world, to="final")
    open_case(client, petition)
    page = client.get("/portal/case/").content.decode()
    assert "信访程序终结" in page and "请求复核" not in page.split("办理记录")[0]
