"""Value estimates: what realised partnerships are worth to companies under French rules.

Each estimate names its legal reference, its hypotheses and its limit, and says which
partnerships it leaves out and why (no amount, a buyer not subject to the obligation…).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from traits.fr import NBSP, fr_date, fr_euros, fr_number, plural
from traits.interchange.columns import fold
from traits.model import (
    Item,
    Organisation,
    OrgKind,
    Partnership,
    PartnershipMode,
    realised_date,
)
from traits.report.wording import capitalise, name_of

#: The SMIC horaire brut the OETH bounds use, and the day it came into force (décret of
#: October 2024, unchanged on 1 January 2025). Update both at each revaluation.
SMIC_HOURLY_EUROS = 11.88
SMIC_SINCE = dt.date(2024, 11, 1)

VALUE_RULES: dict[str, dict[str, Any]] = {
    "oeth": {
        "title": "Achats auprès d'un ESAT ou d'une entreprise adaptée : "
        "déduction de la contribution OETH",
        "reference": "Code du travail, art. L5212-10-1 et D5212-20 à D5212-22 ; guide de "
        "l'OETH de l'Urssaf et de l'Agefiph",
        "deduction_rate": 0.30,
        "cap_rate": 0.50,
        "cap_rate_high_employment": 0.75,
        # D5212-22: 75 % once the employer employs at least half the 6 % rate.
        "high_employment_threshold": 0.03,
        "supplier_legal_forms": ("esat", "ea", "eatt", "entreprise adaptee", "cdtd"),
        "min_headcount": 20,
        "employment_rate": 0.06,
        # D5212-20: contribution per missing beneficiary, in SMIC hours, by headcount.
        "smic_hours_by_headcount": ((250, 400), (750, 500), (None, 600)),
        "smic_hours_surcontribution": 1500,
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
when it employs at least ``high_employment_threshold`` of disabled workers: half the 6 % rate),
art. D5212-22. The contribution is, per missing beneficiary (``employment_rate`` of the headcount,
rounded down), ``smic_hours_by_headcount`` times the SMIC horaire (400 below 250 employees, 500
below 750, 600 from 750; art. D5212-20; 1 500 for the sur-contribution, D5212-21, which cannot
apply to a buyer whose purchases from an ESAT or EA exceed 600 SMIC hours). So a buyer's yearly
deduction is at most ``cap_rate_high_employment`` of that maximum contribution for its headcount.
Sources checked on 1 December 2026: Légifrance text of D5212-22 (version of 1 January 2021),
D5212-20, the Urssaf's « calcul de la contribution annuelle » and the Agefiph's « sur-contribution »
pages.

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


def _percent(rate: float) -> str:
    """``0.03`` → ``3 %``, ``0.005`` → ``0,5 %``."""
    value = 100 * rate
    return f"{fr_number(value, 0 if round(value, 6).is_integer() else 1)}{NBSP}%"


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
        f"Achat non estimé (acheteur : {name_of(buyer)}) : {why} ; l'obligation d'emploi "
        f"des travailleurs handicapés ne s'applique qu'à partir de {floor} salariés."
    )


def oeth_ceiling(buyer: Organisation | None) -> tuple[float, str] | None:
    """The most a buyer may deduct from its OETH contribution in a year, for its known headcount
    (the upper bound of its band), with the calculation in French; None without an upper bound.

    75 % (the highest cap) of the largest contribution for that headcount: every beneficiary
    owed (6 % of the headcount, rounded down) missing, at 400, 500 or 600 SMIC hours each.
    """
    rules = VALUE_RULES["oeth"]
    band = headcount_range(buyer.size if buyer else None)
    if band is None or band[1] is None:
        return None
    high = band[1]
    owed = math.floor(round(rules["employment_rate"] * high, 9))
    hours = next(
        h for below, h in rules["smic_hours_by_headcount"] if below is None or high < below
    )
    cap = rules["cap_rate_high_employment"]
    ceiling = cap * owed * hours * SMIC_HOURLY_EUROS
    staff = f"de {high} salariés" if band[0] == high else f"d'au plus {high} salariés"
    return ceiling, (
        f"au plus {fr_euros(ceiling)} pour une entreprise {staff} : "
        f"{fr_number(100 * cap)}{NBSP}% de "
        + plural(owed, "bénéficiaire manquant", "bénéficiaires manquants")
        + f" × {hours} × {fr_euros(SMIC_HOURLY_EUROS)}"
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
    #: Lines brought down to what the law allows at most (their estimate is « au plus »).
    capped: int = 0
    #: The part sure whatever the unknown ceiling (None: the estimate has no such ceiling).
    certain_euros: float | None = None
    #: What the estimate holds only if (said with its total): a fact the base does not record.
    condition: str | None = None

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
    capped: int = 0,
    certain_euros: float | None = None,
    condition: str | None = None,
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
        capped,
        certain_euros,
        condition,
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


def _bounded(
    estimate: float, p: Partnership, buyer: Organisation, used: dict[tuple[str, int | None], float]
) -> tuple[float, str | None]:
    """The estimate within what the buyer's yearly bound leaves (``used`` so far that year),
    and the bound's wording when it cut the estimate; ``used`` is updated."""
    ceiling = oeth_ceiling(buyer)
    if ceiling is None:
        return estimate, None
    day = realised_date(p)
    key = (buyer.org_id, day.year if day else None)
    room = max(ceiling[0] - used.get(key, 0.0), 0.0)
    cut = ceiling[1] if estimate > room else None
    estimate = min(estimate, room)
    used[key] = used.get(key, 0.0) + estimate
    return estimate, cut


def estimate_oeth(
    realised: Iterable[Partnership],
    organisations: dict[str, Organisation],
    items: dict[str, Item],
    *,
    labour_share: float = DEFAULT_LABOUR_SHARE,
    earlier: Iterable[Partnership] = (),
) -> ValueEstimate:
    """Deduction from the buyers' OETH contribution for purchases from an ESAT or EA.

    Purchases are realised partnerships other than sponsorship whose offering organisation has
    the legal form ESAT or EA; their labour cost is estimated as ``labour_share`` of the amount.
    A buyer not known to employ at least 20 people is not subject to the obligation: its
    purchases are listed in ``excluded`` with the reason, never estimated. ``earlier``: the
    purchases realised earlier in the same year, before the period: they have used part of
    their buyers' yearly bound, and are not listed.
    """
    rules = VALUE_RULES["oeth"]
    rate = rules["deduction_rate"]
    lines: list[EstimateLine] = []
    excluded: list[str] = []
    not_valued = capped = 0
    used: dict[tuple[str, int | None], float] = {}  # a buyer's deductions in a year
    for p in earlier:
        supplier, buyer = _parties(p, organisations, items)
        if p.mode == PartnershipMode.PHILANTHROPY or not _is_disability_employer(supplier):
            continue
        if oeth_exclusion(buyer) is None and p.value_euros and buyer is not None:
            _bounded(rate * p.value_euros * labour_share, p, buyer, used)
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
        estimate = rate * labour
        basis = (
            f"{fr_number(100 * rate)}{NBSP}% × {fr_euros(labour)} de coût de main-d'œuvre "
            f"({fr_number(100 * labour_share)}{NBSP}% de {fr_euros(p.value_euros)})"
        )
        if buyer is not None:
            estimate, bound = _bounded(estimate, p, buyer, used)
            if bound is not None:
                capped += 1
                basis += f" ; borné à ce que la loi permet, {bound}"
        lines.append(
            EstimateLine(
                p.partnership_id,
                capitalise(name_of(buyer)),
                capitalise(name_of(supplier)),
                p.value_euros,
                estimate,
                basis,
            )
        )
    smic = f"{fr_euros(SMIC_HOURLY_EUROS)} (en vigueur depuis le {fr_date(SMIC_SINCE)})"
    return _estimate(
        "oeth",
        lines,
        [
            f"le coût de la main-d'œuvre, inconnu, est estimé à "
            f"{fr_number(100 * labour_share)}{NBSP}% du prix d'achat hors taxes.",
            f"seuls les acheteurs d'au moins {rules['min_headcount']} salariés sont assujettis "
            "à l'obligation d'emploi des travailleurs handicapés (OETH) : les achats d'un "
            "acheteur plus petit, ou dont l'effectif est inconnu, ne sont pas estimés.",
            f"SMIC horaire brut utilisé : {smic}.",
        ],
        f"la déduction est plafonnée à {fr_number(100 * rules['cap_rate'])}{NBSP}% de la "
        f"contribution brute ({fr_number(100 * rules['cap_rate_high_employment'])}{NBSP}% si "
        f"l'entreprise emploie au moins "
        f"{_percent(rules['high_employment_threshold'])} de travailleurs "
        "handicapés, la moitié du taux de 6 %). La contribution de chaque entreprise "
        "n'étant pas connue, les achats d'un acheteur sur une année sont bornés par ce que la "
        "loi permet au plus pour son effectif connu (la borne haute de sa tranche) : "
        f"{fr_number(100 * rules['cap_rate_high_employment'])}{NBSP}% de la contribution "
        "maximale, soit par bénéficiaire manquant (6 % de l'effectif, arrondi à l'entier "
        "inférieur) 400, 500 ou 600 fois le SMIC horaire selon l'effectif (moins de 250, de "
        "250 à 749, 750 et plus). La sur-contribution (1 500 fois le SMIC) ne change pas "
        "cette borne : elle ne s'applique pas à une entreprise dont ces achats dépassent "
        "600 fois le SMIC. Un acheteur dont la tranche n'a pas de borne haute (« 250 et plus ») "
        "n'est pas borné : son montant est donné avant plafonnement. La borne est annuelle : "
        "les achats du même acheteur réalisés plus tôt dans l'année, avant la période, en ont "
        "déjà pris leur part.",
        not_valued,
        excluded,
        capped,
    )


#: The sponsorship estimate holds only for a beneficiary that may issue tax receipts, which the
#: base does not record: said with the total and on every line, never assumed.
RECEIPTS_UNKNOWN = (
    "Cette réduction d'impôt n'est possible que si le bénéficiaire peut délivrer des reçus "
    "fiscaux (organisme d'intérêt général éligible au mécénat) ; l'application ne l'enregistre "
    "pas : à vérifier auprès de chaque bénéficiaire avant de citer ce montant."
)
ELIGIBLE_ONLY = "si le bénéficiaire peut délivrer des reçus fiscaux"


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
    given: dict[tuple[str, int | None], float] = {}  # a giver's gifts in a year
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
        basis += f", {ELIGIBLE_ONLY}"
        day = realised_date(p)
        key = (giver.org_id, day.year if day else None)
        given[key] = given.get(key, 0.0) + base
        lines.append(
            EstimateLine(
                p.partnership_id,
                capitalise(name_of(giver)),
                capitalise(name_of(receiver)),
                base,
                rate * base,
                basis,
            )
        )
    floor = rules["ceiling_floor_euros"]
    certain = sum(rate * min(total, floor) for total in given.values())
    return _estimate(
        "sponsorship",
        lines,
        [
            f"une heure de mécénat de compétences est valorisée à {fr_euros(hourly_cost)} "
            "(coût salarial chargé supposé).",
            "l'entreprise est soumise à l'impôt.",
        ],
        f"la réduction porte sur les dons dans la limite de "
        f"{fr_euros(rules['ceiling_floor_euros'])} ou de "
        f"{fr_number(100 * rules['ceiling_turnover_rate'], 1)}{NBSP}% du chiffre d'affaires hors "
        "taxes si ce montant est plus élevé, l'excédent étant reportable sur les cinq exercices "
        f"suivants ; le taux passe à {fr_number(100 * rules['reduced_rate'])}{NBSP}% au-delà de "
        f"{fr_euros(rules['reduced_rate_above_euros'])} de dons. Le chiffre d'affaires des "
        "entreprises n'étant pas connu (aucun n'est supposé), le montant est un maximum donné "
        f"avant ce plafond : seuls les dons jusqu'à {fr_euros(floor)} par entreprise et par "
        "année sont sûrs d'ouvrir droit à la réduction dans l'année.",
        not_valued,
        certain_euros=certain,
        condition=RECEIPTS_UNKNOWN,
    )
