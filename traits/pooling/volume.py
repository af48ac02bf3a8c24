"""The volume of a pool: what its needs ask, summed honestly, and said where it is not.

Each need's quantities are read from its « Quantité ou fréquence » field first (what the
facilitator typed there is what the need is about), then from its title and description for
the units the field does not give. The pool sums them unit by unit and period by period:

* quantities of different periods are never added raw: they are listed apart (« 3 jours par
  trimestre ; 1 jour par quinzaine »), and an estimate in one period is given with the
  conversion said (« soit environ 3,2 jours par mois en tout, en comptant 52 semaines et 12
  mois par an »);
* ETP stay ETP (how many hours a full-time job has depends on the collective agreement);
* people or seats a shared room or vehicle must hold are a capacity: the largest is given,
  not the sum (the members use it in turn);
* a wording read in an unusual way is said (« mi-temps » compté 0,5 ETP), and so are the
  needs whose quantity could not be read, or not without a guess (« 1.200 m² »; two different
  surfaces in one text).
"""

from __future__ import annotations

from dataclasses import dataclass

from traits.quantities import (
    PERIOD_WEEKS,
    UNIT_LABELS,
    Quantity,
    format_quantity,
    read_quantities,
)

__all__ = ["NeedVolume", "need_volume", "pool_volume"]

#: Forms whose shared thing is used in turn: people and seats are a capacity, not summed.
_USED_IN_TURN = frozenset({"shared_premises", "shared_equipment"})
_CAPACITY = frozenset({"personne", "place"})
_UNIT_ORDER = list(UNIT_LABELS)
_PERIOD_ORDER = [None, "jour", *PERIOD_WEEKS]
#: Periods from which an estimate is said per month rather than per week.
_MONTHLY = frozenset({"mois", "trimestre", "semestre", "an"})


@dataclass(frozen=True)
class NeedVolume:
    """What one need asks (counted quantities), how unusual wordings were read, what was not."""

    title: str
    quantities: list[Quantity]
    notes: list[str]
    doubts: list[str]

    @property
    def work_time(self) -> bool:
        """Whether the need gives hours or a share of a job (ETP, mi-temps)."""
        return any(q.unit in {"heure", "etp"} for q in self.quantities)


def need_volume(title: str, description: str, field: str = "") -> NeedVolume:
    """The quantities a need asks, read from its quantity field, then its title and text.

    The field's units are not read again in the text; a title repeating its description is
    read once. Several values of one unit and period in the text are summed when they are
    time slots (« de 9 h à 12 h et de 14 h à 17 h »), taken once when equal, else not guessed
    between (a doubt).
    """
    notes: list[str] = []
    doubts: list[str] = []
    chosen: dict[tuple[str, str | None], Quantity] = {}
    field_reading, in_title, in_text = map(read_quantities, (field, title, description))
    texts = [
        field_reading.quantities,
        [q for q in in_title.quantities if q not in in_text.quantities] + in_text.quantities,
    ]
    for reading in (field_reading, in_title, in_text):
        doubts.extend(d for d in reading.doubts if d not in doubts)
    for quantities in texts:
        given = set(chosen)  # units the field gave are not read again in the text
        values: dict[tuple[str, str | None], list[Quantity]] = {}
        for q in quantities:
            if q.aside:
                notes.append(q.note or "")
            elif (q.unit, q.per) not in given:
                values.setdefault((q.unit, q.per), []).append(q)
        for (unit, per), qs in values.items():
            if len(qs) > 1 and all(q.span for q in qs):
                chosen[(unit, per)] = Quantity(sum(q.value for q in qs), unit, per)
            elif len({q.value for q in qs}) == 1:
                chosen[(unit, per)] = qs[0]
            else:
                shown = " et ".join(format_quantity(q) for q in qs)
                doubts.append(f"plusieurs valeurs, {shown} : laquelle compter ?")
                continue
            notes.extend(q.note for q in qs if q.note)
    return NeedVolume(title, list(chosen.values()), notes, doubts)


def _estimate(unit: str, quantities: dict[str | None, float]) -> str | None:
    """« soit environ … en tout » when one unit is given over several calendar periods."""
    if len(quantities) < 2 or not all(p in PERIOD_WEEKS for p in quantities):
        return None
    target = "mois" if _MONTHLY & set(quantities) else "semaine"
    weeks = PERIOD_WEEKS[target]
    total = sum(
        value / PERIOD_WEEKS[str(p)] * weeks for p, value in quantities.items() if p is not None
    )
    shown = format_quantity(Quantity(round(total, 1), unit, target))
    return (
        f"Périodes différentes, non additionnées telles quelles : soit environ {shown} en "
        "tout (en comptant 52 semaines et 12 mois par an)."
    )


def pool_volume(needs: list[NeedVolume], form: str) -> tuple[list[str], list[str]]:
    """The pool's volume figures and the French sentences that go with them."""
    totals: dict[tuple[str, str | None], float] = {}
    capacity = form in _USED_IN_TURN
    for need in needs:
        for q in need.quantities:
            key = (q.unit, q.per)
            if capacity and q.unit in _CAPACITY:
                totals[key] = max(totals.get(key, 0.0), q.value)
            else:
                totals[key] = totals.get(key, 0.0) + q.value
    keys = sorted(totals, key=lambda k: (_UNIT_ORDER.index(k[0]), _PERIOD_ORDER.index(k[1])))
    figures = []
    for unit, per in keys:
        shown = format_quantity(Quantity(totals[(unit, per)], unit, per))
        figures.append(f"jusqu'à {shown}" if capacity and unit in _CAPACITY else shown)
    reasons = []
    if figures:
        reasons.append("Volume cumulé : " + " ; ".join(figures) + ".")
        if capacity and any(unit in _CAPACITY for unit, _ in keys):
            reasons.append(
                "Capacité : la plus grande demandée, non additionnée (les structures "
                "l'utilisent à tour de rôle)."
            )
        for unit in dict.fromkeys(unit for unit, _ in keys):
            estimate = _estimate(unit, {p: totals[(u, p)] for u, p in keys if u == unit})
            if estimate:
                reasons.append(estimate)
        without = [n.title for n in needs if not n.quantities and not n.doubts]
        if without:
            count = len(without)
            reasons.append(
                f"{count} besoin{'s' if count > 1 else ''} sans quantité lisible : "
                + ", ".join(f"« {t} »" for t in without)
                + "."
            )
    notes = [note for n in needs for note in dict.fromkeys(n.notes)]
    if notes:
        reasons.append("Lu ainsi : " + " ; ".join(notes) + ".")
    doubts = [f"« {n.title} » ({d})" for n in needs for d in n.doubts]
    if doubts:
        reasons.append("À vérifier, non compté : " + " ; ".join(doubts) + ".")
    return figures, reasons
