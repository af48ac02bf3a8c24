"""The territory at a glance, in French: who animates it and where, its key figures, and
one sentence for each thing to do next (see :mod:`traits.services.home`).

Sentences are plain text: the app makes them inert before showing them.
"""

from __future__ import annotations

from traits.fr import fr_date, fr_duration
from traits.model import LABELS_FR, Territory
from traits.services.data import stats
from traits.services.home import DraftDiagnostic, FollowUp, WaitingNeed
from traits.storage import Store

#: How many of each kind of thing to do the overview lists.
SHOWN_PER_LIST = 6


def territory_line(territory: Territory) -> str:
    """« Animation : … — communes : … », saying what is not filled in."""
    communes = ", ".join(territory.communes) or "non renseignées"
    return f"Animation : {territory.facilitator or 'non renseignée'} — communes : {communes}"


def key_figures(store: Store, territory_id: str) -> list[tuple[str, int]]:
    """The territory's key figures with their French labels, in the order to show them."""
    counts = stats(store, territory_id)
    return [
        ("Structures", counts["organisations"]),
        ("Diagnostics", counts["diagnostics"]),
        ("Besoins", counts["needs"]),
        ("Offres", counts["offers"]),
        ("Partenariats concrétisés", counts["partnerships"]["realised"]),
    ]


def follow_up_line(follow_up: FollowUp) -> str:
    """« A et B : en discussion, sans nouvelle depuis 5 semaines »."""
    idle = (
        f"sans nouvelle depuis {fr_duration(follow_up.days_idle)}"
        if follow_up.days_idle
        else "mis à jour aujourd'hui"
    )
    return f"{follow_up.parties} : {LABELS_FR[follow_up.status]}, {idle}"


def waiting_need_line(need: WaitingNeed) -> str:
    """« Titre (Structure, diagnostic du 4 février 2025) »."""
    since = f", diagnostic du {fr_date(need.since)}" if need.since else ""
    return f"{need.title} ({need.org_name}{since})"


def draft_line(draft: DraftDiagnostic) -> str:
    """« Structure, entretien du 4 février 2025 »."""
    return f"{draft.org_name}, entretien du {fr_date(draft.date)}"


__all__ = [
    "SHOWN_PER_LIST",
    "draft_line",
    "follow_up_line",
    "key_figures",
    "territory_line",
    "waiting_need_line",
]
