"""Value estimates: what realised partnerships are worth to companies under French rules.

Each estimate names its legal reference, its hypotheses and its limit, and says which
partnerships it leaves out and why (no amount, a buyer not subject to the obligation…).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from traits.fr import NBSP, fr_euros, fr_number, plural
from traits.interchange.columns import fold
from traits.model import Item, Organisation, OrgKind, Partnership, PartnershipMode
from traits.report.wording import bare, capitalise, of

VALUE_RULES: dict[str, dict[str, Any]] = {
    "oeth": {
        "title": "Achats auprès d'un ESAT ou d'une entreprise adaptée : "
        "déduction de la contribution OETH",
        "reference": "Code du travail, art. L5212-10-1 et D5212-22 et suivants",
        "deduction_rate": 0.30,
        "cap_rate": 0.50,
        "cap_rate_high_employment": 0.75,
        "high_employment_threshold": 0.035,
        "supplier_legal_forms": ("esat", "ea", "eatt", "entreprise adaptee", "cdtd"),
        "min_headcount": 20,
    },
    "sponsorship": {
        "title": "Mécénat financier et de compétences : réduction d'impôt de l'entreprise",
        "reference": "Code général des impôts, art. 238 bis",
        "reduction_rate": 0.60,
        "ceiling_turnover_rate": 0.005,
        "ceiling_floor_euros": 20_000,
        "reduced_rate_above_euros": 2_000_000,
        "reduced_rate": 0.40,
    },
}
"""The French rules behind the value estimates, with their legal references, in one place.

``oeth``: a company buying goods or services from an ESAT, an EA (or EATT, CDTD) deducts from its
contribution to the obligation d'emploi des travailleurs handicapés ``deduction_rate`` of the
labour cost of the purchase, up to ``cap_rate`` of the contribution (``cap_rate_high_employment``
when it employs at least ``high_employment_threshold`` of disabled workers).

``sponsorship``: a company's gifts (money, or staff time valued at cost: mécénat de compétences)
to a body of general interest give a tax reduction of ``reduction_rate`` (``reduced_rate`` on the
part above ``reduced_rate_above_euros``), within ``ceiling_floor_euros`` or
``ceiling_turnover_rate`` of the turnover excluding tax, whichever is higher.

Check these against the law in force before publishing a report.
"""

#: Labour cost as a share of the price of a purchase from an ESAT or EA (hypothesis: unknown).
DEFAULT_LABOUR_SHARE = 0.5
#: Cost of one hour of skills sponsorship, salary and employer charges (hypothesis: unknown).
DEFAULT_HOURLY_COST = 40.0

ESTIMATE_NOTICE = (
    "Estimations indicatives : elles reposent sur les montants saisis et sur les hypothèses "
    "indiquées ; seuls l'expert-comptable ou l'administration fiscale de chaque entreprise peuvent "
    "en établir le montant réel."
)
_NUMBERS = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")


def headcount_range(size: str | None) -> tuple[int, int | None] | None:
    """The headcount band of an organisation's ``size`` as typed, (low, high or None).

    ``"10-49"`` and ``"20 à 49"`` → (10, 49) and (20, 49); ``"250+"``, ``"250 et plus"``,
    ``"plus de 250"`` → (250, None) (251 for "plus de"); ``"moins de 10"`` → (0, 9);
    ``"35"``, ``"35 salariés"`` → (35, 35); None when unknown or unreadable.
    """
    raw = _THOUSANDS.sub("", size or "")
    numbers = [int(n) for n in _NUMBERS.findall(raw)]
    text = fold(raw).replace(" ", "") + ("+" if raw.rstrip().endswith("+") else "")
    if not numbers or len(numbers) > 2:
        return None
    if len(numbers) == 2:
        return (numbers[0], numbers[1]) if numbers[0] <= numbers[1] else None
    n = numbers[0]
    if text.startswith("moinsde"):
        return 0, max(n - 1, 0)
    if text.startswith("plusde"):
        return n + 1, None
    if text.endswith(("+", "etplus", "ouplus")):
        return n, None
    return n, n


def oeth_exclusion(buyer: Organisation | None) -> str | None:
    """Why a buyer's purchase gets no OETH estimate, in French (None: estimated).

    The obligation d'emploi des travailleurs handicapés starts at 20 employees: a buyer below,
    or whose headcount is unknown or straddles 20 (band ``10-49``), is not estimated.
    """
    floor = VALUE_RULES["oeth"]["min_headcount"]
    band = headcount_range(buyer.size if buyer else None)
    if band is not None and band[0] >= floor:
        return None
    if band is None:
        why = "effectif inconnu"
    elif band[1] is not None and band[1] < floor:
        why = f"moins de {floor} salariés"
    else:
        why = f"effectif {buyer.size if buyer else ''}, peut-être moins de {floor} salariés"
    return (
        f"Achat {of(buyer)} non estimé : {why} ; l'obligation d'emploi des travailleurs "
        f"handicapés ne s'applique qu'à partir de {floor} salariés."
    )


@dataclass
class EstimateLine:
    """One partnership's share of a value estimate."""

    partnership_id: str
    payer: str
    beneficiary: str
    base_euros: float
    estimate_euros: float
    basis: str


@dataclass
class ValueEstimate:
    """An estimate of what realised partnerships are worth to companies under one French rule."""

    key: str
    title: str
    reference: str
    base_euros: float
    estimate_euros: float
    hypotheses: list[str]
    limit: str
    lines: list[EstimateLine] = field(default_factory=list)
    not_valued: int = 0
    #: Partnerships of the rule's kind left out of the estimate, each with its reason in French.
    excluded: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return dataclasses.asdict(self)


def _estimate(
    key: str,
    lines: list[EstimateLine],
    hypotheses: list[str],
    limit: str,
    not_valued: int,
    excluded: list[str] | None = None,
) -> ValueEstimate:
    """An estimate under the rule ``key`` of ``VALUE_RULES``: its title, reference and sums."""
    rules = VALUE_RULES[key]
    return ValueEstimate(
        key,
        rules["title"],
        rules["reference"],
        sum(x.base_euros for x in lines),
        sum(x.estimate_euros for x in lines),
        hypotheses,
        limit,
        lines,
        not_valued,
        excluded or [],
    )


def _is_disability_employer(org: Organisation | None) -> bool:
    return (
        org is not None
        and fold(org.legal_form or "") in VALUE_RULES["oeth"]["supplier_legal_forms"]
    )


def _parties(
    p: Partnership, orgs: dict[str, Organisation], items: dict[str, Item]
) -> tuple[Organisation | None, Organisation | None]:
    """(the offering organisation, the needing one) of a partnership."""
    offer = items.get(p.offer_id or "")
    need = items.get(p.need_id or "")
    return (
        orgs.get(offer.org_id if offer else p.org_b),
        orgs.get(need.org_id if need else p.org_a),
    )


def estimate_oeth(
    realised: Iterable[Partnership],
    organisations: dict[str, Organisation],
    items: dict[str, Item],
    *,
    labour_share: float = DEFAULT_LABOUR_SHARE,
) -> ValueEstimate:
    """Deduction from the buyers' OETH contribution for purchases from an ESAT or EA.

    Purchases are realised partnerships other than sponsorship whose offering organisation has
    the legal form ESAT or EA; their labour cost is estimated as ``labour_share`` of the amount.
    A buyer not known to employ at least 20 people is not subject to the obligation: its
    purchases are listed in ``excluded`` with the reason, never estimated.
    """
    rules = VALUE_RULES["oeth"]
    rate = rules["deduction_rate"]
    lines: list[EstimateLine] = []
    excluded: list[str] = []
    not_valued = 0
    for p in realised:
        supplier, buyer = _parties(p, organisations, items)
        if p.mode == PartnershipMode.PHILANTHROPY or not _is_disability_employer(supplier):
            continue
        reason = oeth_exclusion(buyer)
        if reason is not None:
            excluded.append(reason)
            continue
        if not p.value_euros:
            not_valued += 1
            continue
        labour = p.value_euros * labour_share
        lines.append(
            EstimateLine(
                p.partnership_id,
                capitalise(bare(buyer)),
                capitalise(bare(supplier)),
                p.value_euros,
                rate * labour,
                f"{fr_number(100 * rate)}{NBSP}% × {fr_euros(labour)} de coût de main-d'œuvre "
                f"({fr_number(100 * labour_share)}{NBSP}% de {fr_euros(p.value_euros)})",
            )
        )
    return _estimate(
        "oeth",
        lines,
        [
            f"le coût de la main-d'œuvre, inconnu, est estimé à "
            f"{fr_number(100 * labour_share)}{NBSP}% du prix d'achat hors taxes.",
            f"seuls les acheteurs d'au moins {rules['min_headcount']} salariés sont assujettis "
            "à l'obligation d'emploi des travailleurs handicapés (OETH) : les achats d'un "
            "acheteur plus petit, ou dont l'effectif est inconnu, ne sont pas estimés.",
        ],
        f"la déduction est plafonnée à {fr_number(100 * rules['cap_rate'])}{NBSP}% de la "
        f"contribution due ({fr_number(100 * rules['cap_rate_high_employment'])}{NBSP}% si "
        f"l'entreprise emploie au moins "
        f"{fr_number(100 * rules['high_employment_threshold'], 1)}{NBSP}% de travailleurs "
        "handicapés) ; la contribution n'étant pas connue, le montant est donné avant "
        "plafonnement.",
        not_valued,
        excluded,
    )


def estimate_sponsorship(
    realised: Iterable[Partnership],
    organisations: dict[str, Organisation],
    items: dict[str, Item],
    *,
    hourly_cost: float = DEFAULT_HOURLY_COST,
) -> ValueEstimate:
    """Tax reduction of companies for the sponsorship (mécénat) they gave.

    Realised partnerships of mode philanthropy whose giver is a company; the value is
    ``value_euros`` when known, else ``value_hours × hourly_cost`` (mécénat de compétences).
    Gifts in kind without an amount are counted in ``not_valued``.
    """
    rules = VALUE_RULES["sponsorship"]
    rate = rules["reduction_rate"]
    lines, not_valued = [], 0
    for p in realised:
        giver, receiver = _parties(p, organisations, items)
        if p.mode != PartnershipMode.PHILANTHROPY or giver is None:
            continue
        if giver.kind != OrgKind.COMPANY:
            continue
        if p.value_euros:
            base, basis = (
                p.value_euros,
                f"{fr_number(100 * rate)}{NBSP}% × {fr_euros(p.value_euros)}",
            )
        elif p.value_hours:
            base = p.value_hours * hourly_cost
            basis = (
                f"{fr_number(100 * rate)}{NBSP}% × "
                f"{plural(p.value_hours, 'heure', 'heures')} × {fr_euros(hourly_cost)}"
            )
        else:
            not_valued += 1
            continue
        lines.append(
            EstimateLine(
                p.partnership_id,
                capitalise(bare(giver)),
                capitalise(bare(receiver)),
                base,
                rate * base,
                basis,
            )
        )
    return _estimate(
        "sponsorship",
        lines,
        [
            f"une heure de mécénat de compétences est valorisée à {fr_euros(hourly_cost)} "
            "(coût salarial chargé supposé).",
            "le bénéficiaire est un organisme d'intérêt général éligible au mécénat et "
            "l'entreprise est soumise à l'impôt.",
        ],
        f"la réduction porte sur les dons dans la limite de "
        f"{fr_euros(rules['ceiling_floor_euros'])} ou de "
        f"{fr_number(100 * rules['ceiling_turnover_rate'], 1)}{NBSP}% du chiffre d'affaires hors "
        "taxes si ce montant est plus élevé, l'excédent étant reportable sur les cinq exercices "
        f"suivants ; le taux passe à {fr_number(100 * rules['reduced_rate'])}{NBSP}% au-delà de "
        f"{fr_euros(rules['reduced_rate_above_euros'])} de dons. Le chiffre d'affaires n'étant "
        "pas connu, le montant est donné avant plafonnement.",
        not_valued,
    )
