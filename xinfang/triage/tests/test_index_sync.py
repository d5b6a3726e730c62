"""The similar-matter index: catch-up from the database and the change log, restarts, late commits,
and access filtering of results."""

from xinfang.petitions.actions import petition_transfer
from xinfang.petitions.choices import Channel
from xinfang.petitions.models import Petition
from xinfang.testing import advance, make_petition
from xinfang.triage import index_sync
from xinfang.triage.index_sync import GapTracker, get_index, similar_for
from xinfang.triage.models import TriageIndexChange

from .conftest import background_texts, person

ELEVATOR = "锦绣华庭小区9号楼电梯停运三个月，物业推说维修基金申请不下来，老人上下楼非常困难。"
SEWER = "盐河路菜市场门口下水道堵塞污水漫到路面，臭气熏天，商户和行人苦不堪言。"


def _corpus(world, n=40):
    return [
        make_petition(world, title=t, content=c, petitioners=[person()], channel=Channel.LETTER)
        for t, c, _ in background_texts(n)
    ]


def _top(synced, text):
    matches = synced.query(text, k=1)
    return matches[0].id if matches else None


def test_new_petitions_edits_and_deletions_are_caught_up(world):
    _corpus(world)
    index_sync.rebuild()
    new = make_petition(world, title="电梯停运", content=ELEVATOR, petitioners=[person()])
    synced = get_index()
    assert _top(synced, ELEVATOR) == new.pk
    new.content = SEWER
    new.title = "下水道堵塞"
    new.save()
    assert TriageIndexChange.objects.filter(petition_id=new.pk, op="edit").exists()
    synced = get_index()
    assert _top(synced, SEWER) == new.pk
    assert _top(synced, ELEVATOR) != new.pk
    Petition.objects.filter(pk=new.pk).delete()
    synced = get_index()
    assert all(m.id != new.pk for m in synced.query(SEWER, k=10))


def test_saving_without_text_change_writes_no_change_row(world):
    petition = make_petition(world, petitioners=[person()])
    petition.is_urgent = True
    petition.save()
    petition.save(update_fields=["is_urgent"])
    assert not TriageIndexChange.objects.exists()


def test_restart_loads_snapshot_and_replays_the_change_log(world):
    _corpus(world)
    index_sync.rebuild()
    edited = Petition.objects.order_by("pk").first()
    new = make_petition(world, title="电梯停运", content=ELEVATOR, petitioners=[person()])
    edited.content = SEWER
    edited.save()
    index_sync.set_index(None)  # a restarted server: nothing in memory
    synced = get_index()
    assert _top(synced, ELEVATOR) == new.pk
    assert _top(synced, SEWER) == edited.pk
    # The worker writes a new snapshot atomically; a second restart starts from it with nothing to replay.
    path = index_sync.snapshot(synced)
    assert path.name.startswith("snap-") and (path / "sync.json").exists()
    assert not list(index_sync.index_root().glob(".tmp-*"))
    index_sync.set_index(None)
    reloaded = index_sync.load_newest()
    assert reloaded.petitions.watermark >= new.pk or new.pk in reloaded.petitions.pending
    assert reloaded.catch_up() == 0
    assert len(index_sync.snapshots()) <= index_sync.KEEP_SNAPSHOTS


def test_gap_tracker_waits_for_late_commits_then_gives_up():
    tracker = GapTracker(10, grace=30)
    tracker.applied([11, 12, 14], now=0)
    assert tracker.watermark == 12 and tracker.pending == {14}
    assert not tracker.is_new(14) and tracker.is_new(13)
    tracker.applied([13], now=5)  # the late commit arrives
    assert tracker.watermark == 14 and not tracker.pending
    tracker.applied([16], now=10)
    tracker.advance(now=20)
    assert tracker.watermark == 14  # 15 may still commit
    tracker.advance(now=41)
    assert tracker.watermark == 16  # 15 was rolled back
    assert GapTracker.from_state(tracker.state()).watermark == 16


def test_worker_job_builds_then_snapshots(world, settings):
    from xinfang.triage import jobs

    _corpus(world)
    assert jobs.run_once() >= 1  # builds the index (and tries to train)
    assert index_sync.snapshots()
    before = index_sync.snapshots()[0]
    for _ in range(3):
        make_petition(world, title="电梯停运", content=ELEVATOR, petitioners=[person()])
    index_sync.SNAPSHOT_EVERY, old = 1, index_sync.SNAPSHOT_EVERY
    try:
        jobs.run_once()
    finally:
        index_sync.SNAPSHOT_EVERY = old
    assert index_sync.snapshots()[0] != before


def _elevator_and_accusation_against_town_a(world):
    """A background corpus, an elevator petition handled by 新海街道 (handler_a sees it) and an
    accusation against 新海街道 about the same elevator."""
    _corpus(world)
    mine = make_petition(world, title="电梯停运", content=ELEVATOR, petitioners=[person()])
    advance(mine, world, to="routed")
    accusation = make_petition(
        world,
        title="反映街道干部",
        content=ELEVATOR + "街道干部收受物业好处费。",
        petitioners=[person()],
        petition_class="accusation",
        respondent_unit_id=world.town_a.pk,
    )
    return mine, accusation


def test_similar_results_exclude_petitions_the_user_cannot_see(world):
    mine, accusation = _elevator_and_accusation_against_town_a(world)
    petition_transfer(actor=world.registrar, petition=accusation, unit=world.discipline)
    # In 新海街道's scope (e.g. registered there) — still hidden from it as the accused unit (Art. 30③).
    Petition.objects.filter(pk=accusation.pk).update(registering_unit=world.town_a)
    other = make_petition(world, title="电梯停运", content=ELEVATOR, petitioners=[person()])
    advance(other, world, to="routed")
    Petition.objects.filter(pk=other.pk).update(handling_unit=world.town_b)
    index_sync.rebuild()
    everything = {m.id for m in get_index().query(ELEVATOR, k=5)}
    assert {mine.pk, accusation.pk, other.pk} <= everything
    seen = {s["id"] for s in similar_for(world.handler_a, ELEVATOR, k=10)}
    assert mine.pk in seen
    assert accusation.pk not in seen and other.pk not in seen
    registrar_seen = {s["id"] for s in similar_for(world.registrar, ELEVATOR, k=10)}
    assert accusation.pk in registrar_seen


def test_too_few_petitions_build_no_index_and_queries_answer_empty(world):
    make_petition(world, petitioners=[person()])
    assert index_sync.rebuild() is None
    assert get_index() is None
    assert similar_for(world.registrar, ELEVATOR) == []


def test_stored_similar_list_is_filtered_for_each_viewer(world):
    from xinfang.triage.service import record_json, triage_petition

    mine, accusation = _elevator_and_accusation_against_town_a(world)
    Petition.objects.filter(pk=accusation.pk).update(registering_unit=world.town_a)
    index_sync.rebuild()
    triage_petition(mine)
    assert accusation.pk in {s["id"] for s in mine.triage.similar}  # stored for everyone …
    assert accusation.pk in {s["id"] for s in record_json(world.registrar, mine)["similar"]}
    shown = record_json(world.handler_a, mine)
    assert accusation.pk not in {s["id"] for s in shown["similar"]}  # … shown only to who may see it


def test_a_snapshot_taken_across_a_second_boundary_still_sorts_newest(world, monkeypatch):
    _corpus(world)
    synced = index_sync.rebuild()
    second = int(index_sync.time.time()) + 86_400  # after the snapshot rebuild() just wrote
    # The last nanosecond of one second, then the first of the next.
    readings = iter([second * 10**9 + 999_999_999, (second + 1) * 10**9 + 1])
    monkeypatch.setattr(index_sync.time, "time_ns", lambda: next(readings))
    older = index_sync.snapshot(synced)
    newer = index_sync.snapshot(synced)
    assert index_sync.snapshots()[:2] == [newer, older]
