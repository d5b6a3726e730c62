"""Similar matters for a narrow viewer (issue 17 §3): k results they may open, and nothing else.

The nearest matters of all are made to lie outside the viewer's unit (many near-copies handled by a
sibling town), so a search that takes the nearest of all and then drops what the viewer may not open
starves; the viewer's own matters are a little less similar and must still fill the list.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.petitions.actions import petition_transfer
from xinfang.petitions.models import Petition, Recusal
from xinfang.testing import make_petition
from xinfang.triage import index_sync
from xinfang.triage.index_sync import get_index, similar_for

from .conftest import background_texts, person

ELEVATOR = "锦绣华庭小区9号楼电梯停运三个月，物业推说维修基金申请不下来，老人上下楼非常困难。"
OUTSIDE = 150  # more than the old widest over-fetch (k * 10)


def _copies(template: Petition, n: int, *, tag: str, **fields) -> list[int]:
    """``n`` copies of ``template`` written in bulk (no signals; the tests rebuild the index)."""
    values = {
        f.attname: getattr(template, f.attname) for f in Petition._meta.concrete_fields if f.attname != "id"
    }
    rows = [Petition(**{**values, "case_number": f"{tag}-{i:04d}", **fields}) for i in range(n)]
    return [p.pk for p in Petition.objects.bulk_create(rows)]


def _setup(world, *, own: int = 12, own_unit=None):
    """A background corpus; ``own`` elevator matters handled in ``own_unit`` (新海街道 by default),
    each a little less like the query than the ``OUTSIDE`` near-copies handled by 海宁街道."""
    for title, content, _ in background_texts(40):
        make_petition(world, title=title, content=content, petitioners=[person()])
    template = make_petition(world, title="电梯停运", content=ELEVATOR, petitioners=[person()])
    outside = _copies(template, OUTSIDE, tag="B", handling_unit_id=world.town_b.pk)
    own_unit = own_unit or world.town_a
    mine = [
        _copies(
            template,
            1,
            tag=f"A{i}",
            handling_unit_id=own_unit.pk,
            content=ELEVATOR + f"已经第{i + 2}次反映，楼里还有孕妇。",
        )[0]
        for i in range(own)
    ]
    Petition.objects.filter(pk=template.pk).update(handling_unit=world.town_b)
    return set(outside) | {template.pk}, set(mine)


def test_a_narrow_viewer_gets_k_of_their_own_when_the_nearest_are_elsewhere(world):
    outside, mine = _setup(world)
    index_sync.rebuild()
    nearest = {m.id for m in get_index().query(ELEVATOR, k=30)}
    assert nearest <= outside  # the nearest of all are another town's
    with CaptureQueriesContext(connection) as queries:
        shown = [s["id"] for s in similar_for(world.handler_a, ELEVATOR, k=10)]
    assert len(shown) == 10
    assert set(shown) <= mine
    # The nearest of all and the nearest of the viewer's own scope are checked in one access query.
    checks = [q for q in queries.captured_queries if '"petitions_petition"."case_number"' in q["sql"]]
    assert len(checks) == 1
    scores = [s["score"] for s in similar_for(world.handler_a, ELEVATOR, k=10)]
    assert scores == sorted(scores, reverse=True)


def test_a_narrow_viewer_gets_all_there_are_when_fewer_than_k(world):
    outside, mine = _setup(world, own=4)
    index_sync.rebuild()
    shown = {s["id"] for s in similar_for(world.handler_a, ELEVATOR, k=10)}
    assert mine <= shown and not shown & outside


def test_a_community_viewer_is_served_from_the_community(world):
    outside, mine = _setup(world, own=11, own_unit=world.community_a)
    index_sync.rebuild()
    shown = [s["id"] for s in similar_for(world.community_handler, ELEVATOR, k=10)]
    assert len(shown) == 10 and set(shown) <= mine


def test_the_bureau_still_gets_the_nearest_of_all(world):
    outside, mine = _setup(world)
    index_sync.rebuild()
    shown = {s["id"] for s in similar_for(world.registrar, ELEVATOR, k=10)}
    assert len(shown) == 10 and shown <= outside


def test_hidden_recused_and_sibling_matters_never_appear_in_the_scoped_search(world):
    outside, mine = _setup(world)
    template = Petition.objects.get(pk=min(mine))
    # In 新海街道's scope by unit, and nearer to the query than its own matters — yet not to be shown:
    # an accusation against 新海街道 handled there (Art. 30③) …
    accusation = _copies(
        template,
        1,
        tag="ACC",
        content=ELEVATOR,
        petition_class="accusation",
        respondent_unit_id=world.town_a.pk,
        handling_unit_id=world.town_a.pk,
    )[0]
    # … and a matter handler_a stepped aside from (Art. 28③).
    recused = _copies(template, 1, tag="REC", content=ELEVATOR, handling_unit_id=world.town_a.pk)[0]
    Recusal.objects.create(
        petition_id=recused, user=world.handler_a, reason="近亲属", created_by=world.leader_a
    )
    index_sync.rebuild()
    scoped = {m.id for m in get_index().query(ELEVATOR, k=OUTSIDE + 20)}
    assert {accusation, recused} <= scoped  # the index itself does hold them
    shown = {s["id"] for s in similar_for(world.handler_a, ELEVATOR, k=10)}
    assert len(shown) == 10
    assert accusation not in shown and recused not in shown
    assert not shown & outside  # the sibling town's matters
    assert shown <= mine
    # The unit's leader, not recused, gets that matter too; never the accusation against the unit.
    leader = {s["id"] for s in similar_for(world.leader_a, ELEVATOR, k=20)}
    assert leader == mine | {recused}


def test_a_matter_moved_into_the_viewers_unit_is_found_after_catch_up(world):
    outside, mine = _setup(world, own=0)
    index_sync.rebuild()
    assert similar_for(world.handler_a, ELEVATOR, k=10) == []
    moved = make_petition(world, title="电梯停运", content=ELEVATOR + "请尽快处理。", petitioners=[person()])
    get_index()  # indexed while still at the bureau (no handling unit)
    petition_transfer(actor=world.registrar, petition=moved, unit=world.town_a)
    moved.refresh_from_db()
    assert moved.handling_unit_id == world.town_a.pk
    shown = [s["id"] for s in similar_for(world.handler_a, ELEVATOR, k=10)]
    assert shown == [moved.pk]


def test_the_stored_list_is_completed_for_a_narrow_viewer_of_the_petition_page(world):
    from xinfang.triage.service import record_json, triage_petition

    outside, mine = _setup(world, own=12)
    template = Petition.objects.get(pk=min(mine))
    # 新海街道's own petition, word for word like the other town's near-copies.
    petition = Petition.objects.get(
        pk=_copies(template, 1, tag="Q", content=ELEVATOR, handling_unit_id=world.town_a.pk)[0]
    )
    index_sync.rebuild()
    triage_petition(petition)
    stored = {s["id"] for s in petition.triage.similar}
    assert len(stored & mine) < 10  # computed once for everyone: the nearest of all
    shown = [s["id"] for s in record_json(world.handler_a, petition)["similar"]]
    assert len(shown) == 10 and set(shown) <= mine
    assert {s["id"] for s in record_json(world.registrar, petition)["similar"]} <= stored


def test_a_petitions_page_queries_with_its_indexed_vector_and_finds_the_same(world, monkeypatch):
    from xinfang.triage.training import petition_text

    outside, mine = _setup(world, own=12)
    petition = Petition.objects.get(pk=min(mine))
    index_sync.rebuild()
    text = petition_text(petition.title, petition.content)
    encoded = similar_for(world.handler_a, text, k=10, exclude_ids=[petition.pk])
    vectorizer = get_index().index.vectorizer

    def no_encoding(*args, **kwargs):
        raise AssertionError("the petition's text was encoded again")

    monkeypatch.setattr(vectorizer, "transform", no_encoding)
    held = similar_for(world.handler_a, text, k=10, exclude_ids=[petition.pk], petition_id=petition.pk)
    assert [(s["id"], s["score"], s["reason"]) for s in held] == [
        (s["id"], s["score"], s["reason"]) for s in encoded
    ]
    assert len(held) == 10 and petition.pk not in {s["id"] for s in held}
