"""The report's figures: what a territory did over a period, counted by dates.

Definitions, for a period from ``start`` to ``end`` (both included, either may be open; no
period at all means every date):

- *structures rencontrées*: organisations of the territory with a diagnostic in the period,
  or party to a partnership with a step (or creation) dated in the period (a meeting). An
  organisation recorded without either (a member list, an item typed outside any interview)
  is never counted: it is reported apart as ``unmet``;
- *rendez-vous diagnostics*: diagnostics dated in the period, drafts included;
- *besoins, offres*: dated by the diagnostic where they were recorded; with a period, those
  without a diagnostic carry no date and are counted apart (``undated``), never in the period;
- *partenariats*: counted in a period only for what happened to them in it, by their dated
  steps (their history; without history, their current status on their ``created`` date,
  else on the earliest diagnostic of their need or offer). *Concrétisés* (and *abandonnés*):
  a step to that status dated in the period; only those carry value estimates. The other
  statuses, whose sum is the *pistes naissantes*: partnerships with at least one step in the
  period, under the status their history had reached at its end. So counts of steps add up
  over sub-periods (first half + second half = year). A partnership without any date is
  counted apart (``undated["partnerships"]``); one whose status says realised without a dated
  step to it is counted apart too (``undated["realised"]``, « concrétisé sans date ») in
  every period that may hold its realisation (ending after its last dated step), never as a
  piste in the periods after. Neither is ever dated on the day of the report.

Without a period, every partnership counts (realised or abandoned if it ever was, else its
current status), and ``undated`` says how many of the totals carry no date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from traits import graph as g
from traits.fr import period_label, plural
from traits.model import (
    OPEN_STATUSES,
    Diagnostic,
    Direction,
    Item,
    Organisation,
    Partnership,
    PartnershipMode,
    PartnershipStatus,
    Territory,
    realised_date,
    start_date,
)
from traits.report.estimates import (
    DEFAULT_HOURLY_COST,
    DEFAULT_LABOUR_SHARE,
    ESTIMATE_NOTICE,
    ValueEstimate,
    estimate_oeth,
    estimate_sponsorship,
)
from traits.report.kinds import KINDS, kind_of
from traits.report.wording import realised_sentence

#: The mode key of realised partnerships whose mode was not recorded.
NO_MODE = "unspecified"
_OPEN_VALUES = {s.value for s in OPEN_STATUSES}
Status = PartnershipStatus


class ReportData(Protocol):
    """What a report reads: a ``Parsed`` (import or ``repository.read_all``) fits."""

    @property
    def territories(self) -> Sequence[Territory]: ...

    @property
    def organisations(self) -> Sequence[Organisation]: ...

    @property
    def diagnostics(self) -> Sequence[Diagnostic]: ...

    @property
    def items(self) -> Sequence[Item]: ...

    @property
    def partnerships(self) -> Sequence[Partnership]: ...


@dataclass
class Report:
    """A territory's activity over a period, as reported to funders."""

    territory_id: str | None
    territory_name: str
    start: dt.date | None
    end: dt.date | None
    organisations: int
    diagnostics: int
    needs: int
    offers: int
    partnerships: dict[str, int]
    realised_by_mode: dict[str, int]
    realised_by_category: dict[str, int]
    items_by_category: dict[str, dict[str, int]]
    conversion: dict[str, float | None]
    median_days_to_realise: float | None
    ess_company_share: float | None
    realised: list[str]
    value_estimates: list[ValueEstimate]
    assumptions: dict[str, float] = field(default_factory=dict)
    #: Needs, offers and partnerships without any date, and partnerships realised without a
    #: dated realisation (``realised``): counted apart from a dated period, and within the
    #: totals of the all-dates report (which says how many).
    undated: dict[str, int] = field(
        default_factory=lambda: {"needs": 0, "offers": 0, "partnerships": 0, "realised": 0}
    )
    #: Organisations of the territory with neither a diagnostic nor a dated partnership step.
    unmet: int = 0
    #: Pooled partnerships (mutualisations) realised in the period, and proposed in it.
    pools_realised: int = 0
    pools_followed: int = 0
    #: Mutualisations the territory's needs suggest today (None: not searched).
    pools_found: int | None = None

    @property
    def realised_count(self) -> int:
        """Number of partenariats concrétisés in the period."""
        return self.partnerships[PartnershipStatus.REALISED.value]

    @property
    def emerging(self) -> int:
        """Number of pistes naissantes (open partnerships) at the end of the period."""
        return sum(n for status, n in self.partnerships.items() if status in _OPEN_VALUES)

    def headline(self) -> str:
        """« 40 structures rencontrées, 24 rendez-vous diagnostics, 10 partenariats … »."""
        return (
            ", ".join(
                [
                    plural(self.organisations, "structure rencontrée", "structures rencontrées"),
                    plural(self.diagnostics, "rendez-vous diagnostic", "rendez-vous diagnostics"),
                    plural(
                        self.realised_count, "partenariat concrétisé", "partenariats concrétisés"
                    ),
                    plural(self.emerging, "piste naissante", "pistes naissantes"),
                ]
            )
            + "."
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (dates in ISO format)."""
        return {
            "territory": {"id": self.territory_id, "name": self.territory_name},
            "period": {
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None,
                "label": period_label(self.start, self.end),
            },
            "headline": self.headline(),
            "organisations": self.organisations,
            "diagnostics": self.diagnostics,
            "needs": self.needs,
            "offers": self.offers,
            "partnerships": dict(self.partnerships),
            "emerging": self.emerging,
            "undated": dict(self.undated),
            "unmet": self.unmet,
            "pools": {
                "found": self.pools_found,
                "followed": self.pools_followed,
                "realised": self.pools_realised,
            },
            "realised_by_mode": dict(self.realised_by_mode),
            "realised_by_category": dict(self.realised_by_category),
            "items_by_category": {k: dict(v) for k, v in self.items_by_category.items()},
            "conversion": dict(self.conversion),
            "median_days_to_realise": self.median_days_to_realise,
            "ess_company_share": self.ess_company_share,
            "realised": list(self.realised),
            "value_estimates": {
                "notice": ESTIMATE_NOTICE,
                "assumptions": dict(self.assumptions),
                **{e.key: e.to_dict() for e in self.value_estimates},
            },
        }


def _territory_name(territories: Sequence[Territory], territory: str | None) -> str:
    if territory is None:
        if len(territories) == 1:
            return territories[0].name
        return "tous les territoires"
    for t in territories:
        if t.territory_id == territory:
            return t.name
    return territory


@dataclass
class _Period:
    """The report's period and the one rule placing a day in it."""

    start: dt.date | None
    end: dt.date | None

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def holds(self, day: dt.date | None) -> bool:
        """Whether a day is in the period (an unknown day is in no dated period)."""
        if day is None:
            return not self.dated
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def _known_start(p: Partnership, item_days: dict[str, dt.date]) -> dt.date | None:
    """A partnership's earliest known date: its history or ``created``, else the diagnostic
    where its need or offer was recorded; None when nothing dates it."""
    own = start_date(p)
    if own is not None:
        return own
    days = [item_days[i] for i in (p.need_id, p.offer_id) if i and i in item_days]
    return min(days) if days else None


def _events(p: Partnership, item_days: dict[str, dt.date]) -> list[tuple[dt.date, Status]]:
    """A partnership's dated steps (day, status reached). Without history, its one step is its
    current status on its earliest known date (the import's rule); none when nothing dates it."""
    if p.history:
        return [(e.at.date(), e.to_status) for e in sorted(p.history, key=lambda e: e.at)]
    since = _known_start(p, item_days)
    return [] if since is None else [(since, p.status)]


def realised_without_date(p: Partnership, events: list[tuple[dt.date, Status]]) -> bool:
    """Whether a partnership says « concrétisé » but no dated step brought it there."""
    return p.status == Status.REALISED and all(s != Status.REALISED for _, s in events)


def period_status(
    p: Partnership, events: list[tuple[dt.date, Status]], period: _Period
) -> Status | None:
    """What a partnership counts as in a period; None when nothing happened to it there.

    Realised (or abandoned) when a step to that status is dated in the period; otherwise, when
    at least one of its steps is, the status its dated history had reached at the period's end.
    Without a period, every partnership counts: realised or abandoned if it ever was, else its
    current status.
    """
    inside = {s for day, s in events if period.holds(day)}
    if not period.dated:
        inside.add(p.status)
    elif not inside:
        return None
    for final in (Status.REALISED, Status.ABANDONED):
        if final in inside:
            return final
    if not period.dated:
        return p.status
    reached = [s for day, s in events if period.end is None or day <= period.end]
    return reached[-1]  # events are in order, and one of them is in the period


@dataclass
class _Scope:
    """The partnerships a period counts, under their status in it, and what it counts apart."""

    counted: list[Partnership] = field(default_factory=list)
    met: set[str] = field(default_factory=set)
    undated: int = 0
    realised_undated: int = 0
    #: Steps to « abandonné » in the period (a realised partnership may end in the same one).
    abandoned: int = 0


def _partnerships_in(
    data: ReportData, ours: set[str], period: _Period, item_days: dict[str, dt.date]
) -> _Scope:
    """The partnerships of the territory with a step in the period (every one without a
    period), each under its status in the period (:func:`period_status`); the organisations
    they met in it; those without any date and those realised without a dated realisation."""
    scope = _Scope()
    for p in data.partnerships:
        parties = set(p.org_ids)  # every member of a pooled partnership
        if not parties & ours:
            continue
        events = _events(p, item_days)
        if not events:
            scope.undated += 1
        if realised_without_date(p, events) and (
            not period.dated or period.end is None or bool(events) and period.end >= events[-1][0]
        ):
            scope.realised_undated += 1
        status = period_status(p, events, period)
        if status is None:
            continue
        scope.abandoned += status == Status.ABANDONED or any(
            s == Status.ABANDONED and period.holds(day) for day, s in events
        )
        # as it stood at the period's end: its realisation date is the one in the period
        history = [e for e in p.history if period.end is None or e.at.date() <= period.end]
        scope.counted.append(dataclasses.replace(p, status=status, history=history))
        days = [e.at.date() for e in p.history] + ([p.created] if p.created else [])
        if any(period.holds(day) for day in days):
            scope.met |= parties & ours
    return scope


def _realised_breakdown(
    realised: list[Partnership], items: dict[str, Item]
) -> tuple[dict[str, int], dict[str, int]]:
    """Realised partnerships by mode and by category (one count per category of each)."""
    by_mode = {m.value: 0 for m in PartnershipMode}
    by_category = {k: 0 for k in KINDS}
    for p in realised:
        mode = p.mode.value if p.mode else NO_MODE
        by_mode[mode] = by_mode.get(mode, 0) + 1
        fallback = items.get(p.offer_id or "") or items.get(p.need_id or "")
        categories = p.categories or ([fallback.category] if fallback else [])
        for kind in {kind_of(c, fallback) for c in categories}:
            by_category[kind] += 1
    return by_mode, by_category


def _realised_earlier_that_year(
    data: ReportData, ours: set[str], period: _Period, item_days: dict[str, dt.date]
) -> list[Partnership]:
    """The territory's partnerships realised in the period's first year before the period
    starts (their history up to that realisation): they used part of a buyer's yearly bound."""
    if period.start is None:
        return []
    first = dt.date(period.start.year, 1, 1)
    out = []
    for p in data.partnerships:
        if not set(p.org_ids) & ours:
            continue
        days = [d for d, s in _events(p, item_days) if s == Status.REALISED]
        before = [d for d in days if first <= d < period.start]
        if before:
            history = [e for e in p.history if e.at.date() <= before[-1]]
            out.append(dataclasses.replace(p, status=Status.REALISED, history=history))
    return out


def build_report(
    data: ReportData,
    *,
    territory: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    labour_share: float = DEFAULT_LABOUR_SHARE,
    hourly_cost: float = DEFAULT_HOURLY_COST,
) -> Report:
    """The report of one territory (``territory_id``; None: every organisation of ``data``).

    See the module docstring for what each figure counts. ``labour_share`` and ``hourly_cost``
    are the value estimates' hypotheses. Partners outside the territory may be present in
    ``data.organisations`` (to name them): they are not counted.
    """
    period = _Period(start, end)
    organisations = {o.org_id: o for o in data.organisations}
    items = {i.item_id: i for i in data.items}
    ours = {
        o.org_id for o in data.organisations if territory is None or o.territory_id == territory
    }
    diagnostic_days = {d.diagnostic_id: d.date for d in data.diagnostics if d.org_id in ours}
    item_days = {
        i.item_id: diagnostic_days[i.diagnostic_id]
        for i in data.items
        if i.diagnostic_id in diagnostic_days
    }
    diagnostics = [d for d in data.diagnostics if d.org_id in ours and period.holds(d.date)]
    found = _partnerships_in(data, ours, period, item_days)
    scope = found.counted
    met = {d.org_id for d in diagnostics} | found.met
    ever_met = {d.org_id for d in data.diagnostics} | {
        x for p in data.partnerships if start_date(p) is not None for x in p.org_ids
    }
    mine = [i for i in data.items if i.org_id in ours]
    counted_items = [i for i in mine if period.holds(item_days.get(i.item_id))]
    undated_items = Counter(i.direction for i in mine if i.item_id not in item_days)

    by_status = {s.value: 0 for s in PartnershipStatus}
    for p in scope:
        by_status[p.status.value] += 1
    by_status[Status.ABANDONED.value] = found.abandoned
    realised = sorted(
        (p for p in scope if p.status == PartnershipStatus.REALISED),
        key=lambda p: (realised_date(p) or dt.date.max, p.partnership_id),
    )
    by_mode, by_category = _realised_breakdown(realised, items)
    items_by_category = {"needs": {k: 0 for k in KINDS}, "offers": {k: 0 for k in KINDS}}
    counts = Counter((i.direction, kind_of(i.category, i)) for i in counted_items)
    for (direction, kind), n in counts.items():
        key = "needs" if direction == Direction.NEED else "offers"
        items_by_category[key][kind] += n

    parties = {x for p in realised for x in p.org_ids}
    realised_graph = g.build_graph((o for o in data.organisations if o.org_id in parties), realised)
    return Report(
        territory_id=territory,
        territory_name=_territory_name(data.territories, territory),
        start=start,
        end=end,
        organisations=len(met),
        diagnostics=len(diagnostics),
        needs=sum(n for (d, _), n in counts.items() if d == Direction.NEED),
        offers=sum(n for (d, _), n in counts.items() if d == Direction.OFFER),
        partnerships=by_status,
        realised_by_mode=by_mode,
        realised_by_category=by_category,
        items_by_category=items_by_category,
        conversion={
            # the same counts as the sentence « x sur y pistes concrétisées ou abandonnées »:
            # a partnership realised then abandoned in the period is one of each
            "among_decided": (
                len(realised) / (len(realised) + found.abandoned)
                if realised or found.abandoned
                else None
            ),
            "among_all": g.conversion(scope, among="all"),
        },
        median_days_to_realise=g.median_days_to_realise(realised),
        ess_company_share=g.ess_company_share(realised_graph),
        realised=[realised_sentence(p, organisations, items) for p in realised],
        pools_realised=sum(p.is_pooled for p in realised),
        pools_followed=sum(p.is_pooled for p in scope),
        value_estimates=[
            estimate_oeth(
                realised,
                organisations,
                items,
                labour_share=labour_share,
                earlier=_realised_earlier_that_year(data, ours, period, item_days),
            ),
            estimate_sponsorship(realised, organisations, items, hourly_cost=hourly_cost),
        ],
        assumptions={"labour_share": labour_share, "hourly_cost_euros": hourly_cost},
        undated={
            "needs": undated_items[Direction.NEED],
            "offers": undated_items[Direction.OFFER],
            "partnerships": found.undated,
            "realised": found.realised_undated,
        },
        unmet=len(ours - ever_met),
    )
