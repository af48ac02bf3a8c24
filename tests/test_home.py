"""The territory's home: partnerships to follow up, needs waiting, drafts."""

from __future__ import annotations

import datetime as dt

import pytest

from traits import services
from traits.services import home, partnerships
from traits.storage import Store
from traits.storage import repository as repo


@pytest.fixture
def demo(tmp_path) -> Store:
    store = Store(tmp_path / "demo.sqlite")
    services.load_demo(store)
    return store


def test_open_partnerships_longest_idle_first_and_flagged_after_a_month(demo):
    later = dt.date.today() + dt.timedelta(days=400)
    todo = home.todo(demo, "vitre", today=later)
    open_ids = {
        p.partnership_id
        for p in partnerships.list_partnerships(demo, territory_id="vitre")
        if p.status.value in {"proposed", "introduced", "in_discussion"}
    }
    assert {f.partnership_id for f in todo.follow_ups} == open_ids
    idle = [f.days_idle for f in todo.follow_ups]
    assert idle == sorted(idle, reverse=True)
    assert all(f.stale for f in todo.follow_ups)


def test_a_need_leaves_the_waiting_list_once_a_partnership_is_proposed(demo):
    before = home.todo(demo, "vitre")
    need = before.waiting_needs[0]
    with demo.reading() as conn:
        items = repo.read_items(conn, "vitre")
    need_org = next(i.org_id for i in items if i.item_id == need.item_id)
    offer = next(i.item_id for i in items if i.direction.value == "offer" and i.org_id != need_org)
    partnerships.propose(demo, need.item_id, offer)
    after = home.todo(demo, "vitre")
    assert need.item_id not in {w.item_id for w in after.waiting_needs}
    assert len(after.waiting_needs) == len(before.waiting_needs) - 1


def test_drafts_are_listed(demo):
    todo = home.todo(demo, "vitre")
    drafts = [d for d in services.list_diagnostics(demo, "vitre") if d.status.value == "draft"]
    assert drafts, "the sample territory keeps a draft diagnostic"
    assert {d.diagnostic_id for d in todo.drafts} == {d.diagnostic_id for d in drafts}
    dates = [d.date for d in todo.drafts]
    assert dates == sorted(dates, reverse=True)


def test_the_sample_is_never_loaded_into_a_base_holding_real_territories(tmp_path):
    from traits.errors import InvalidInputError
    from traits.services import demo as demo_service

    store = Store(tmp_path / "own.sqlite")
    services.create_territory(store, None, "Pays de Test", ["Vitré"], None)
    with pytest.raises(InvalidInputError, match="base à part"):
        services.load_demo(store)
    sample = demo_service.open_demo(str(tmp_path / "own.sqlite"))
    assert [t.territory_id for t in services.list_territories(sample)] == ["vitre"]
    assert [t.name for t in services.list_territories(store)] == ["Pays de Test"]
    assert demo_service.remove_demo(str(tmp_path / "own.sqlite"), sample)
    assert not (tmp_path / "own-exemple.sqlite").exists()


@pytest.mark.parametrize(
    ("days", "said"),
    [(1, "1 jour"), (10, "10 jours"), (21, "3 semaines"), (100, "3 mois"), (1547, "4 ans")],
)
def test_waiting_times_are_said_as_people_say_them(days, said):
    from traits.fr import fr_duration

    assert fr_duration(days) == said
