"""Sentences the services write for people read as French sentences."""

from __future__ import annotations

from traits import services
from traits.services import matching
from traits.storage import Store


def test_a_proposed_pistes_history_note_is_sentences_not_a_semicolon_list(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    services.load_demo(store)
    matching.save_settings(store, None, use_semantic=False)
    matcher = matching.fit_matcher(store, "vitre")
    result = matching.match(store, territory_id="vitre", matcher=matcher, top=1)
    need = next(r for r in result if r["candidates"])
    from traits.services.views import pistes_for

    view = next(v for v in pistes_for(store, "vitre", matcher, need_id=need["need_id"]))
    part = matching.propose_candidate(store, view.candidate)
    note = part.history[0].note
    assert note and ".;" not in note and ";." not in note
