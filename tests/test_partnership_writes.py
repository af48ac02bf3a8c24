"""Every write of a partnership from an account: checked against the version it read (never a
silent overwrite), and signed in the partnership's history by that account (issues 7 and 11)."""

from __future__ import annotations

import pytest

from traits import services
from traits.errors import ConflictError
from traits.model import Partnership, PartnershipStatus
from traits.services import access, pooling
from traits.services import partnerships as ps
from traits.storage import Store
from traits.storage import repository as repo

FACILITATOR = access.Principal("anim.v", access.Role.FACILITATOR, frozenset({"vitre"}))


@pytest.fixture
def demo(backend_store: Store) -> Store:
    services.load_demo(backend_store)
    return backend_store


@pytest.fixture
def store(demo: Store) -> Store:
    backend_store = demo
    with access.operator():
        access.add_user(
            backend_store,
            "anim.v",
            "facilitator",
            "un mot de passe long",
            territories=["vitre"],
            display_name="Gwen Animatrice",
        )
    return backend_store


def _free_pair(store: Store) -> tuple[str, str]:
    """A need and an offer of two organisations that no partnership joins yet."""
    with store.reading() as conn:
        items = repo.read_items(conn, "vitre")
    taken = ps.excluded_pairs(store)
    return next(
        (n.item_id, o.item_id)
        for n in items
        if n.direction == "need"
        for o in items
        if o.direction == "offer" and o.org_id != n.org_id and (n.item_id, o.item_id) not in taken
    )


def _open(store: Store) -> str:
    parts = ps.list_partnerships(store, status="proposed", territory_id="vitre")
    return parts[0].partnership_id


def test_every_write_path_signs_the_history_with_the_account(store: Store):
    """Propose, move and mutualise from a signed-in account: each step names it, by its
    display name (what the history shows), without the caller having to pass it."""
    with access.signed_in(FACILITATOR):
        made = ps.propose(store, *_free_pair(store))
        moved = ps.change_status(store, made.partnership_id, "introduced")
        pool = next(iter(pooling.find_pools(store, "vitre")))
        pooled = pooling.propose_pool(store, pool.need_ids, offer_id=pool.offer_id)
    assert [e.author for e in moved.history] == ["Gwen Animatrice", "Gwen Animatrice"]
    assert [e.author for e in pooled.history] == ["Gwen Animatrice"]
    # an author given explicitly (the CLI's --author) is kept as given
    with access.signed_in(FACILITATOR):
        done = ps.change_status(
            store, made.partnership_id, PartnershipStatus.IN_DISCUSSION, author="Yann Essai"
        )
    assert done.history[-1].author == "Yann Essai"


def test_an_account_without_display_name_signs_with_its_user_name(store: Store):
    with access.operator():
        access.add_user(
            store, "anim.w", "facilitator", "un mot de passe long", territories=["vitre"]
        )
    who = access.Principal("anim.w", access.Role.FACILITATOR, frozenset({"vitre"}))
    with access.signed_in(who):
        part = ps.change_status(store, _open(store), "introduced")  # without --author
    assert part.history[-1].author == "anim.w"


@pytest.mark.parametrize(
    "write",
    [
        {"status": "introduced"},
        {"value_euros": 2000.0, "value_hours": 30.0},
        {"mode": "philanthropy"},
        {"notes": "Rappeler en janvier"},
    ],
    ids=["move", "value", "mode", "notes"],
)
@pytest.mark.parametrize("meanwhile", ["moved", "valued"])
def test_a_write_at_a_stale_version_is_refused_and_writes_nothing(
    demo: Store, write: dict[str, object], meanwhile: str
):
    """Move, mode, value, notes: one compare-and-set, whatever the other session changed."""
    store = demo
    pid = _open(store)
    read = ps.get(store, pid)
    seen = _version(store, pid)
    if meanwhile == "moved":
        ps.change_status(store, pid, "introduced", note="l'autre session")
    else:
        ps.update_details(store, pid, value_hours=7)
    current = ps.get(store, pid)
    with pytest.raises(ConflictError):
        if "status" in write:
            ps.change_status(store, pid, "abandoned", reason="stale", expected_version=seen)
        else:
            ps.update_details(store, pid, expected_version=seen, **write)  # type: ignore[arg-type]
    after = ps.get(store, pid)
    assert after == current and _version(store, pid) == seen + 1
    said = ps.changes_since(read, after)
    if meanwhile == "moved":
        assert said == ["son étape : piste proposée → mise en lien"]
    else:
        assert said[0].startswith("heures données : ") and said[0].endswith("→ 7")


def _version(store: Store, pid: str) -> int:
    from traits.storage import partnerships as stored

    with store.reading() as conn:
        return stored.versions(conn)[pid]


def test_status_labels_used_in_the_conflict_message_are_french():
    before = Partnership("p1", "a", "b", PartnershipStatus.PROPOSED, value_euros=800.0)
    after = Partnership(
        "p1", "a", "b", PartnershipStatus.IN_DISCUSSION, value_euros=1500.0, notes="x"
    )
    assert ps.changes_since(before, after) == [
        "son étape : piste proposée → en discussion",
        "montant : 800 € → 1\u202f500 €",
        "ses notes",
    ]


def test_no_pistes_reason_says_why_not_add_needs_and_offers(demo: Store):
    """Issue 16: when every piste of a need was proposed or set aside, the empty Pistes page
    says so, instead of asking for needs and offers the territory already has."""
    from traits.services import matching, views

    store = demo
    need, offer = _free_pair(store)
    untouched = views.no_pistes_reason(store, "vitre", need_id=need)
    assert "Aucune offre du territoire ne répond assez" in untouched
    ps.propose(store, need, offer)
    proposed = views.no_pistes_reason(store, "vitre", need_id=need)
    assert "1 piste déjà proposée" in proposed and "écartée" not in proposed
    other = next(o for n, o in [_free_pair(store)] if n == need)
    matching.record_feedback(store, need, other, False)
    both = views.no_pistes_reason(store, "vitre", need_id=need)
    assert "1 piste déjà proposée" in both and "1 piste écartée" in both
    assert "ajoutez des besoins et des offres" not in both
    territory = views.no_pistes_reason(store, "vitre")
    assert "pistes déjà proposées" in territory  # the sample's partnerships and this one


def test_a_piste_proposed_meanwhile_is_refused_saying_its_step_without_ids(demo: Store):
    """Two sessions propose the same piste: the second is told where it stands, in the
    words of the board (no partnership id, which the app never shows)."""
    store = demo
    need, offer = _free_pair(store)
    made = ps.propose(store, need, offer)
    ps.change_status(store, made.partnership_id, "introduced")
    with pytest.raises(ConflictError) as refused:
        ps.propose(store, need, offer)
    said = str(refused.value)
    assert "à l'étape « mise en lien »" in said and "« Partenariats »" in said
    assert made.partnership_id not in said
    assert (need, offer) in ps.excluded_pairs(store)
