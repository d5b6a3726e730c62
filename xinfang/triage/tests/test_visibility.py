"""Issue 13 §1 and §14: triage output (flags, their evidence and messages, history, similar matters,
group) is filtered by the viewer's access when presented, and a history lookup is audited."""

import json

from xinfang.api.tests.conftest import Caller
from xinfang.audit.models import AuditLog
from xinfang.petitions import actions as a
from xinfang.testing import PASSWORD, advance, make_petition
from xinfang.triage import index_sync
from xinfang.triage.service import triage_petition
from xinfang.triage.visibility import visible_flags

from .conftest import background_texts, person

MATTER_TITLE = "新海街道朝阳小区物业乱收停车费"
MATTER = "我是新海街道朝阳小区业主，物业公司鑫源物业公司擅自把停车费从每月100元提高到300元，街道工作人员收受好处放任不管，要求依法查处。"
AGAIN = "新海街道朝阳小区物业公司鑫源物业公司擅自提高停车费到每月300元，街道工作人员收受好处，我上次反映后没有解决，再次要求查处。"


def _accusation_then_claim(world):
    for t, c, _ in background_texts(30):
        make_petition(world, title=t, content=c, petitioners=[person()])
    someone = person("张三")
    accusation = make_petition(
        world,
        title=MATTER_TITLE,
        content=MATTER,
        petitioners=[someone],
        petition_class="accusation",
        respondent_unit_id=world.town_a.pk,
        respondent_person="某某",
    )
    a.petition_transfer(actor=world.registrar, petition=accusation, unit=world.discipline)
    claim = advance(
        make_petition(world, title=MATTER_TITLE, content=AGAIN, petitioners=[someone]), world, to="routed"
    )
    index_sync.rebuild()
    record = triage_petition(claim)
    return accusation, claim, record, someone


def test_stored_triage_hides_the_accusation_from_the_accused_unit(world, client):
    accusation, claim, record, _ = _accusation_then_claim(world)
    # What the system stored names the accusation (the registrar sees it) …
    assert accusation.case_number in json.dumps(record.flags, ensure_ascii=False)
    registrar = Caller(world.registrar).get(f"/triage/petitions/{claim.pk}").json()
    assert accusation.case_number in json.dumps(registrar, ensure_ascii=False)
    # … but the accused unit's handler, who may open the claim, sees nothing of it anywhere.
    body = Caller(world.handler_a).get(f"/triage/petitions/{claim.pk}")
    assert body.status_code == 200
    text = json.dumps(body.json(), ensure_ascii=False)
    assert accusation.case_number not in text and "纪委" not in text
    assert all(f["kind"] != "repeat" for f in body.json()["flags"])  # its only evidence is hidden
    assert client.login(username="handler_a", password=PASSWORD)
    page = client.get(f"/petitions/{claim.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "研判结果" in html and accusation.case_number not in html and "区纪委监委受理" not in html
    panel = client.get(f"/triage/petitions/{claim.pk}/").content.decode("utf-8")
    assert accusation.case_number not in json.dumps(json.loads(panel), ensure_ascii=False)


def test_analyse_by_petitioner_id_or_id_number_hides_the_accusation_and_is_audited(world):
    accusation, claim, _, someone = _accusation_then_claim(world)
    petitioner_id = accusation.petitioner_links.get().petitioner_id
    api = Caller(world.handler_a)
    for who in ({"petitioner_ids": [petitioner_id]}, {"petitioners": [{"id_number": someone.id_number}]}):
        before = AuditLog.objects.filter(action="lookup", object_id=str(petitioner_id)).count()
        response = api.post("/triage/analyse", {"title": MATTER_TITLE, "content": AGAIN, **who})
        assert response.status_code == 200, response.content
        text = json.dumps(response.json(), ensure_ascii=False)
        assert accusation.case_number not in text and "纪委" not in text
        assert claim.case_number in text  # the history the handler may open is still there
        after = AuditLog.objects.filter(action="lookup", object_id=str(petitioner_id), user=world.handler_a)
        assert after.count() == before + 1, who
    # The registrar, who may open both, gets the flag with the accusation named.
    text = json.dumps(
        Caller(world.registrar)
        .post("/triage/analyse", {"title": MATTER_TITLE, "content": AGAIN, "petitioner_ids": [petitioner_id]})
        .json(),
        ensure_ascii=False,
    )
    assert accusation.case_number in text


def _flag(ids, earlier=None):
    return {
        "kind": "repeat",
        "case": "open_below",
        "message": "同一事项已由区纪委监委受理或正在办理（海信〔2026〕00001号），又向上级提出，建议不予受理。",
        "article": "《信访工作条例》第十九条第三款",
        "evidence": [{"petition_id": i, "case_number": f"海信〔2026〕{i:05d}号"} for i in ids],
        "action": {"name": "petition_reject", "earlier_id": earlier or ids[0], "label": "不予受理"},
    }


def test_flag_resting_on_hidden_and_visible_matters_is_shown_neutrally():
    shown = visible_flags([_flag([1, 2])], visible={2})
    assert len(shown) == 1
    flag = shown[0]
    assert [e["petition_id"] for e in flag["evidence"]] == [2]
    assert "00001" not in flag["message"] and "纪委" not in flag["message"] and flag["article"] == ""
    assert flag["action"] is None  # it pointed at the hidden matter
    assert visible_flags([_flag([1, 2], earlier=2)], visible={2})[0]["action"]["earlier_id"] == 2


def test_flag_resting_only_on_hidden_matters_is_not_shown_visible_ones_untouched():
    assert visible_flags([_flag([1])], visible=set()) == []
    # Evidence all visible but the action points at a hidden matter: neutral, without the action.
    assert visible_flags([_flag([1, 2], earlier=3)], visible={1, 2})[0]["action"] is None
    whole = _flag([1, 2])
    assert visible_flags([whole], visible={1, 2}) == [whole]
    text_only = {"kind": "collective", "case": "visit", "message": "多人走访", "evidence": [{"text": "6人"}]}
    assert visible_flags([text_only], visible=set()) == [text_only]
