"""Stored shortlists: the same answer as a fresh match, used only while nothing has changed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from traits import services
from traits.errors import NotFoundError, PermissionDeniedError
from traits.model import Category as C
from traits.model import Contact, Diagnostic, Direction, Item, Territory
from traits.services import access, contacts, diagnostics, matching
from traits.services import partnerships as ps
from traits.services.access import Principal, Role, signed_in
from traits.storage import Store
from traits.storage import schema as t

NEED = "n_hautpre_informatique"
ORG = "o_clic_lien"
LATER = dt.datetime.now() + dt.timedelta(hours=1)


def _tfidf(store: Store) -> matching.MatchConfig:
    return dataclasses.replace(matching.load_config(store, "vitre"), use_semantic=False)


def _fresh(store: Store, **query: str) -> list[dict]:
    matcher = matching.fit_matcher(store, "vitre", _tfidf(store))
    return matching.match(store, territory_id="vitre", matcher=matcher, **query)


def _stored(store: Store, **query: str) -> list[dict]:
    return matching.match(store, territory_id="vitre", config=_tfidf(store), **query)


class FitCounter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fits = 0
        fit = matching.fit_matcher

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.fits += 1
            return fit(*args, **kwargs)

        monkeypatch.setattr(matching, "fit_matcher", counted)


@pytest.fixture
def demo(backend_store: Store) -> Store:
    services.load_demo(backend_store)
    return backend_store


def test_stored_answers_equal_a_fresh_match_and_need_no_fit(demo: Store, monkeypatch):
    expected = {
        "all": _fresh(demo),
        "need": _fresh(demo, need_id=NEED),
        "org": _fresh(demo, org_id=ORG),
    }
    counter = FitCounter(monkeypatch)
    assert _stored(demo) == expected["all"]  # computed and stored
    assert counter.fits == 1
    assert _stored(demo, need_id=NEED) == expected["need"]
    assert _stored(demo, org_id=ORG) == expected["org"]
    assert _stored(demo) == expected["all"]
    assert counter.fits == 1  # read back, not fitted again
    assert len(expected["need"]) == 1 and expected["org"]


@pytest.mark.parametrize("change", ["item", "partnership", "setting"])
def test_any_change_to_what_matching_reads_is_seen(demo: Store, monkeypatch, change: str):
    before = _stored(demo, need_id=NEED)
    offer = before[0]["candidates"][0]["offer_id"]
    counter = FitCounter(monkeypatch)
    if change == "item":
        diagnostics.save_diagnostic(
            demo,
            Diagnostic("d_neuf", "o_clic_lien", dt.date(2026, 1, 5)),
            [Item("of_neuf", "o_clic_lien", Direction.OFFER, C.SKILLS, "Dépannage informatique")],
            [],
        )
    elif change == "partnership":
        ps.propose(demo, NEED, offer)  # a proposed pair leaves the shortlist
    else:
        matching.save_settings(demo, "vitre", top_k=3)
    after = matching.match(demo, territory_id="vitre", need_id=NEED)
    assert counter.fits == 1
    config = matching.load_config(demo, "vitre")
    assert after == matching.match(
        demo, territory_id="vitre", need_id=NEED, matcher=matching.fit_matcher(demo, "vitre")
    )
    if change == "partnership":
        assert offer not in [c["offer_id"] for c in after[0]["candidates"]]
    if change == "setting":
        assert config.top_k == 3 and len(after[0]["candidates"]) <= 3


def test_unknown_need_or_organisation_is_said_without_a_fit(demo: Store, monkeypatch):
    counter = FitCounter(monkeypatch)
    with pytest.raises(NotFoundError, match="Besoin introuvable"):
        _stored(demo, need_id="of_clic_initiation")  # an offer, not a need
    with pytest.raises(NotFoundError, match="introuvable"):
        _stored(demo, org_id="o_absente")
    assert counter.fits == 0


def test_erasing_a_person_forgets_the_stored_shortlists(demo: Store):
    diagnostics.save_diagnostic(
        demo,
        Diagnostic("d_nom", "o_clic_lien", dt.date(2026, 1, 5)),
        [Item("n_nom", "o_clic_lien", Direction.NEED, C.SKILLS, "Aide de Prénom Fictif")],
        [Contact("c_nom", "o_clic_lien", "Prénom Fictif", True, email="fictif@exemple.org")],
    )
    _stored(demo)
    with demo.reading() as conn:
        assert conn.execute(t.shortlists.select()).first() is not None
    contacts.erase_person(demo, "fictif@exemple.org")
    with demo.reading() as conn:
        assert conn.execute(t.shortlists.select()).first() is None


def test_stored_shortlists_keep_territories_apart(demo: Store, small):
    services.import_territory(demo, small, territory=Territory("redon", "Pays de Redon"))
    _stored(demo)  # stored for Vitré while the base has no accounts yet
    with access.operator():
        access.add_user(demo, "anim.redon", Role.FACILITATOR, territories=frozenset({"redon"}))
    redon = Principal("anim.redon", Role.FACILITATOR, frozenset({"redon"}), LATER)
    with signed_in(redon), pytest.raises(PermissionDeniedError):
        matching.match(demo, territory_id="vitre", need_id=NEED)
