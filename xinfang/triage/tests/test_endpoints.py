"""The desk panel endpoint and the API answer alike; the petition page shows the stored triage."""

import json

from xinfang.accounts.models import ApiToken
from xinfang.audit.models import AuditLog
from xinfang.testing import PASSWORD, VALID_ID, make_petition
from xinfang.triage import index_sync
from xinfang.triage.service import triage_petition

from .conftest import background_texts, person

BODY = {
    "title": "朝阳小区物业乱收停车费",
    "content": "我是新海街道朝阳小区业主，物业公司擅自提高停车费，要求依法查处并退还多收费用。",
    "channel": "visit",
    "petitioners": [{"name": "张三", "id_number": VALID_ID}],
}


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_panel_and_api_return_the_same_suggestions_and_flags(world, client):
    for t, c, _ in background_texts(30):
        make_petition(world, title=t, content=c, petitioners=[person()])
    earlier = make_petition(world, title=BODY["title"], content=BODY["content"])  # 张三, VALID_ID
    index_sync.rebuild()
    _login(client, world.registrar)
    panel = client.post("/triage/analyse", data=json.dumps(BODY), content_type="application/json")
    assert panel.status_code == 200
    _, token = ApiToken.issue(world.registrar, "测试")
    api = client.post(
        "/api/v1/triage/analyse",
        data=json.dumps(BODY),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert api.status_code == 200, api.content
    a, b = panel.json(), api.json()
    assert a["suggestions"] == b["suggestions"] and a["flags"] == b["flags"]
    assert a["suggestions"]["unit"]["label"] == "区住房和城乡建设局"
    assert [h["id"] for h in a["history"]] == [earlier.pk]
    assert a["flags"][0]["kind"] == "repeat" and a["flags"][0]["action"]["earlier_id"] == earlier.pk
    assert a["similar"][0]["id"] == earlier.pk and a["similar"][0]["reason"]
    assert len(a["similar"]) == 10
    assert AuditLog.objects.filter(action="lookup", detail="triage").exists()


def test_panel_reads_the_desk_form_itself(world, client):
    _login(client, world.registrar)
    response = client.post(
        "/triage/analyse",
        {
            "title": BODY["title"],
            "content": BODY["content"],
            "channel": "visit",
            "p-0-name": "李四",
            "p-0-phone": "13812345678",
            "town": str(world.town_a.pk),
        },
    )
    body = response.json()
    assert response.status_code == 200 and body["suggestions"]["unit"]["value"]
    assert body["model_version"] is None  # catalogue-only


def test_panel_is_for_registrars_only(world, client):
    _login(client, world.supervisor)
    response = client.post("/triage/analyse", data=json.dumps(BODY), content_type="application/json")
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


def test_petition_page_shows_stored_triage_and_apply_goes_through_classify(world, client):
    petition = make_petition(world, title=BODY["title"], content=BODY["content"], petitioners=[person()])
    triage_petition(petition)
    _login(client, world.registrar)
    page = client.get(f"/petitions/{petition.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "研判结果" in html and "区住房和城乡建设局" in html
    response = client.post(
        f"/triage/petitions/{petition.pk}/apply", {"field": "petition_class", "value": "claim"}
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.petition_class == "claim"
    stored = client.get(f"/triage/petitions/{petition.pk}/").json()
    assert stored["suggestions"]["petition_class"]["value"] == "claim"


def test_desk_page_includes_the_panel(world, client):
    _login(client, world.registrar)
    html = client.get("/desk/").content.decode()
    assert 'id="triage-panel"' in html and "/triage/analyse" in html and "triage.js" in html
