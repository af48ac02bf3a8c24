"""The territory's home: what to do next (partnerships to follow up, needs waiting, drafts).

What the Territoire page shows a facilitator when they open the app: the partnerships that
have not moved for a while (longest first), the needs no partnership answers yet, and the
diagnostics left as drafts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from traits.model import OPEN_STATUSES, DiagnosticStatus, Partnership, PartnershipStatus
from traits.services import access
from traits.services.views import parties_text
from traits.storage import Store
from traits.storage import repository as repo

__all__ = ["FollowUp", "Todo", "WaitingNeed", "DraftDiagnostic", "todo", "STALE_AFTER_DAYS"]

#: A partnership that has not moved for this many days is flagged as waiting for a follow-up.
STALE_AFTER_DAYS = 30


@dataclass(frozen=True)
class FollowUp:
    """An open partnership, with how long it has waited since its last step."""

    partnership_id: str
    parties: str
    status: PartnershipStatus
    last_step: dt.date
    days_idle: int

    @property
    def stale(self) -> bool:
        return self.days_idle >= STALE_AFTER_DAYS


@dataclass(frozen=True)
class WaitingNeed:
    """A need no partnership answers yet."""

    item_id: str
    title: str
    org_name: str
    since: dt.date | None


@dataclass(frozen=True)
class DraftDiagnostic:
    """A diagnostic saved half-done."""

    diagnostic_id: str
    org_name: str
    date: dt.date


@dataclass
class Todo:
    """Everything the home page lists, each list in the order to act on it."""

    follow_ups: list[FollowUp] = field(default_factory=list)
    waiting_needs: list[WaitingNeed] = field(default_factory=list)
    drafts: list[DraftDiagnostic] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.follow_ups or self.waiting_needs or self.drafts)


def _parties(part: Partnership, names: dict[str, str]) -> str:
    return parties_text([names.get(o, o) for o in part.org_ids])


def _last_step(part: Partnership) -> dt.date | None:
    if part.history:
        return max(step.at for step in part.history).date()
    return part.created


def todo(store: Store, territory_id: str, today: dt.date | None = None) -> Todo:
    """What a territory's facilitator has to do next."""
    access.require_read(territory_id)
    today = today or dt.date.today()
    with store.reading() as conn:
        orgs = repo.read_organisations(conn, territory_id)
        parts = repo.read_partnerships(conn, territory_id)
        items = repo.read_items(conn, territory_id)
        diagnostics = repo.read_diagnostics(conn, territory_id)
    names = {o.org_id: o.name for o in orgs}
    result = Todo()
    for part in parts:
        last = _last_step(part)
        if part.status in OPEN_STATUSES and last is not None:
            idle = max(0, (today - last).days)
            result.follow_ups.append(
                FollowUp(part.partnership_id, _parties(part, names), part.status, last, idle)
            )
    result.follow_ups.sort(key=lambda f: (-f.days_idle, f.parties))
    answered = {p.need_id for p in parts if p.status is not PartnershipStatus.ABANDONED}
    answered |= {m.need_id for p in parts for m in p.members if m.need_id}
    dated = {d.diagnostic_id: d.date for d in diagnostics}
    for item in items:
        if item.direction.value == "need" and item.item_id not in answered:
            since = dated.get(item.diagnostic_id) if item.diagnostic_id else None
            result.waiting_needs.append(
                WaitingNeed(item.item_id, item.title, names.get(item.org_id, ""), since)
            )
    result.waiting_needs.sort(key=lambda w: (w.since or dt.date.min, w.title), reverse=True)
    result.drafts = sorted(
        (
            DraftDiagnostic(d.diagnostic_id, names.get(d.org_id, ""), d.date)
            for d in diagnostics
            if d.status is DiagnosticStatus.DRAFT
        ),
        key=lambda d: d.date,
        reverse=True,
    )
    return result
