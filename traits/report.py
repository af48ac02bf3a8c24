"""The funder report (bilan d'activité): counts, indicators, realised partnerships, value estimates.

``build_report`` turns a territory's data into a ``Report``; ``to_markdown``, ``to_html``,
``to_docx`` and ``to_json`` render it in French. Pure functions: no storage, no user interface.

Definitions, for a period from ``start`` to ``end`` (both included, either may be open):

- *structures rencontrées*: without a period, every organisation of the territory (each one
  recorded was met by the facilitator); with a period, those of the territory with a diagnostic
  in the period, party to a partnership with a step (or creation) dated in the period, or with
  a need or offer recorded outside any diagnostic: such an item carries no date, so it counts
  in every period (record a diagnostic, even a draft, to date a meeting);
- *rendez-vous diagnostics*: diagnostics of the territory's organisations dated in the period,
  drafts included (the interview took place);
- *besoins, offres*: without a period, all of the territory's; with a period, those recorded in
  a diagnostic of the period, or with no diagnostic and belonging to an organisation met;
- *partenariats*: those touching the territory, with their status at the end of the period
  (from their dated history), leaving out those that did not exist yet and those already
  realised or abandoned before the start. So ``realised`` counts the partenariats concrétisés
  in the period and the open statuses the *pistes naissantes* at its end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from traits import graph as g
from traits.errors import InvalidInputError
from traits.fr import (
    NBSP,
    fr_euros,
    fr_month,
    fr_number,
    fr_percent,
    period_label,
    plural,
)
from traits.interchange.columns import fold
from traits.model import (
    LABELS_FR,
    OPEN_STATUSES,
    Category,
    Diagnostic,
    Direction,
    Item,
    Organisation,
    OrgKind,
    Partnership,
    PartnershipMode,
    PartnershipStatus,
    Territory,
)

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

_NO_MODE = "unspecified"
_OPEN_VALUES = {s.value for s in OPEN_STATUSES}


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


# --- French wording: see traits.fr -----------------------------------------------------


# Articles for organisation names starting with a common noun ("la Banque…", "le Garage…").
_MASCULINE = set(
    "garage cabinet cafe chantier festival supermarche lycee sivom tiers lieu collectif centre "
    "comite club groupement syndicat restaurant magasin foyer service pole conseil bureau domaine "
    "gaec relais jardin college comptoir".split()
)
_FEMININE = set(
    "banque compagnie regie ressourcerie recyclerie laiterie scic scop cjs communaute commune "
    "mairie maison fondation mutuelle cooperative federation ferme boulangerie menuiserie societe "
    "structure mission cuisine fabrique conserverie chambre residence union ligue creche "
    "biscuiterie brasserie".split()
)
_ELIDED = set(
    "association atelier entreprise epicerie imprimerie hotel agence entraide esat ehpad ecole "
    "etablissement office amicale auberge usine institut".split()
)
_PLURAL = set("ateliers pepinieres jardins etablissements editions amis".split())


def _designation(org: Organisation | None) -> tuple[str, str]:
    """An organisation's name as (article, rest): ``("l'", "ESAT Les Ateliers")``, ``("", "X")``.

    ESAT and EA not named as such get their legal form in front (``l'entreprise adaptée …``).
    """
    if org is None:
        return "une ", "structure hors territoire"
    name = " ".join(org.name.split())
    form = fold(org.legal_form or "")
    folded = fold(name)
    if form == "esat" and "esat" not in folded.split():
        return "l'", f"ESAT {name}"
    if form in ("ea", "entreprise adaptee") and not {"ea", "adaptee"} & set(folded.split()):
        return "l'", f"entreprise adaptée {name}"
    first, _, rest = name.partition(" ")
    lowered = first.lower()
    if lowered in ("le", "la", "les") and rest:
        return lowered + " ", rest
    if lowered.startswith(("l'", "l’")) and len(first) > 2:
        return "l'", name[2:]
    key = fold(first).split(" ")[0] if fold(first) else ""
    if key in _PLURAL:
        return "les ", name
    if key in _ELIDED:
        return "l'", name
    if key in _MASCULINE:
        return "le ", name
    if key in _FEMININE:
        return "la ", name
    return "", name


def _starts_with_vowel(text: str) -> bool:
    return fold(text[:1]) in tuple("aeiouyh")


def _bare(org: Organisation | None) -> str:
    """The designation with its article: ``l'ESAT …``, ``la Banque …``, ``Octet …``."""
    article, name = _designation(org)
    return article + name


def _of(org: Organisation | None) -> str:
    """``de`` + designation, contracted: ``du Garage``, ``des Pépinières``, ``d'Octet``."""
    article, name = _designation(org)
    if article == "une ":
        return f"d'une {name}"
    if article == "le ":
        return f"du {name}"
    if article == "les ":
        return f"des {name}"
    if article:
        return f"de {article}{name}"
    return f"d'{name}" if _starts_with_vowel(name) else f"de {name}"


def _to(org: Organisation | None) -> str:
    """``à`` + designation, contracted: ``au Festival``, ``aux Pépinières``, ``à l'ESAT``."""
    article, name = _designation(org)
    if article == "le ":
        return f"au {name}"
    if article == "les ":
        return f"aux {name}"
    return f"à {article}{name}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def realised_sentence(
    partnership: Partnership,
    organisations: dict[str, Organisation],
    items: dict[str, Item],
) -> str:
    """One French sentence for a partenariat concrétisé, for funders.

    Built from who offers (the offer's organisation, else ``org_b``), who needs (the need's, else
    ``org_a``), the offer or need title, what is exchanged, the mode, the value and the month:
    « L'ESAT Les Ateliers du Haut-Pré assure « Blanchisserie » pour l'Hôtel… (pratiques
    responsables, 9 800 €, mai 2022). »
    """
    offer = items.get(partnership.offer_id or "")
    need = items.get(partnership.need_id or "")
    giver = organisations.get(offer.org_id if offer else partnership.org_b)
    taker = organisations.get(need.org_id if need else partnership.org_a)
    category = (
        partnership.categories[0]
        if partnership.categories
        else (offer.category if offer else need.category if need else None)
    )
    who, whom = _bare(giver), taker
    if offer is None and need is None:
        text = f"{who} et {_bare(taker)} ont concrétisé un partenariat"
    elif offer is None:
        text = f"{who} répond au besoin « {need.title} » {_of(whom)}"  # type: ignore[union-attr]
    elif category == Category.PURCHASING:
        text = f"{who} assure « {offer.title} » pour {_bare(whom)}"
    elif category == Category.SKILLS:
        text = f"{who} apporte ses compétences {_to(whom)} : « {offer.title} »"
    elif category == Category.EQUIPMENT:
        text = f"{who} fournit du matériel {_to(whom)} : « {offer.title} »"
    elif category == Category.PREMISES:
        text = f"{who} met des locaux à la disposition {_of(whom)} : « {offer.title} »"
    elif category == Category.VOLUNTEERING:
        text = f"{who} mobilise des bénévoles pour {_bare(whom)} : « {offer.title} »"
    elif category == Category.FUNDING:
        text = f"{who} soutient financièrement {_bare(whom)} : « {offer.title} »"
    else:
        text = f"{who} répond à un besoin {_of(whom)} : « {offer.title} »"
    details = []
    if partnership.mode is not None:
        details.append(LABELS_FR[partnership.mode])
    if partnership.value_euros:
        details.append(fr_euros(partnership.value_euros))
    if partnership.value_hours:
        details.append(plural(partnership.value_hours, "heure", "heures"))
    day = g.realised_date(partnership)
    if day is not None:
        details.append(fr_month(day))
    suffix = f" ({', '.join(details)})" if details else ""
    return f"{_capitalise(text)}{suffix}."


# --- value estimates ----------------------------------------------------------------------------


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

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return dataclasses.asdict(self)


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
    """
    rules = VALUE_RULES["oeth"]
    rate = rules["deduction_rate"]
    lines, not_valued = [], 0
    for p in realised:
        supplier, buyer = _parties(p, organisations, items)
        if p.mode == PartnershipMode.PHILANTHROPY or not _is_disability_employer(supplier):
            continue
        if not p.value_euros:
            not_valued += 1
            continue
        labour = p.value_euros * labour_share
        lines.append(
            EstimateLine(
                p.partnership_id,
                _capitalise(_bare(buyer)),
                _capitalise(_bare(supplier)),
                p.value_euros,
                rate * labour,
                f"{fr_number(100 * rate)}{NBSP}% × {fr_euros(labour)} de coût de main-d'œuvre "
                f"({fr_number(100 * labour_share)}{NBSP}% de {fr_euros(p.value_euros)})",
            )
        )
    return ValueEstimate(
        "oeth",
        rules["title"],
        rules["reference"],
        sum(x.base_euros for x in lines),
        sum(x.estimate_euros for x in lines),
        [
            f"le coût de la main-d'œuvre, inconnu, est estimé à "
            f"{fr_number(100 * labour_share)}{NBSP}% du prix d'achat hors taxes.",
            "l'acheteur est un employeur d'au moins 20 salariés, assujetti à l'obligation "
            "d'emploi des travailleurs handicapés (OETH).",
        ],
        f"la déduction est plafonnée à {fr_number(100 * rules['cap_rate'])}{NBSP}% de la "
        f"contribution due ({fr_number(100 * rules['cap_rate_high_employment'])}{NBSP}% si "
        f"l'entreprise emploie au moins "
        f"{fr_number(100 * rules['high_employment_threshold'], 1)}{NBSP}% de travailleurs "
        "handicapés) ; la contribution n'étant pas connue, le montant est donné avant "
        "plafonnement.",
        lines,
        not_valued,
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
                _capitalise(_bare(giver)),
                _capitalise(_bare(receiver)),
                base,
                rate * base,
                basis,
            )
        )
    return ValueEstimate(
        "sponsorship",
        rules["title"],
        rules["reference"],
        sum(x.base_euros for x in lines),
        sum(x.estimate_euros for x in lines),
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
        lines,
        not_valued,
    )


# --- the report ---------------------------------------------------------------------------------


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
    dated = start is not None or end is not None

    def in_period(day: dt.date | None) -> bool:
        if not dated:
            return True
        if day is None:
            return False
        return (start is None or day >= start) and (end is None or day <= end)

    organisations = {o.org_id: o for o in data.organisations}
    items = {i.item_id: i for i in data.items}
    ours = {
        o.org_id for o in data.organisations if territory is None or o.territory_id == territory
    }

    diagnostics = [d for d in data.diagnostics if d.org_id in ours and in_period(d.date)]

    scope: list[Partnership] = []
    active: set[str] = set()
    for p in data.partnerships:
        if p.org_a not in ours and p.org_b not in ours:
            continue
        status = g.status_on(p, end) if end is not None else p.status
        if status is None:
            continue
        closed = g.closed_date(p) if status == p.status else None
        if start is not None and closed is not None and closed < start:
            continue
        scope.append(p if status == p.status else dataclasses.replace(p, status=status))
        days = [e.at.date() for e in p.history] + ([p.created] if p.created else [])
        if any(in_period(day) for day in days):
            active |= {p.org_a, p.org_b} & ours

    if dated:
        undated = {i.org_id for i in data.items if i.org_id in ours and not i.diagnostic_id}
        met = {d.org_id for d in diagnostics} | active | undated
        in_diagnostic = {d.diagnostic_id for d in diagnostics}
        counted_items = [
            i
            for i in data.items
            if i.org_id in ours
            and (i.diagnostic_id in in_diagnostic if i.diagnostic_id else i.org_id in met)
        ]
    else:
        met = ours
        counted_items = [i for i in data.items if i.org_id in ours]

    by_status = {s.value: 0 for s in PartnershipStatus}
    for p in scope:
        by_status[p.status.value] += 1

    realised = sorted(
        (p for p in scope if p.status == PartnershipStatus.REALISED),
        key=lambda p: (g.realised_date(p) or dt.date.max, p.partnership_id),
    )
    by_mode = {m.value: 0 for m in PartnershipMode}
    by_category = {c.value: 0 for c in Category}
    for p in realised:
        mode = p.mode.value if p.mode else _NO_MODE
        by_mode[mode] = by_mode.get(mode, 0) + 1
        offer, need = items.get(p.offer_id or ""), items.get(p.need_id or "")
        fallback = offer or need
        categories = p.categories or ([fallback.category] if fallback else [])
        for c in set(categories):
            by_category[c.value] += 1

    items_by_category = {
        "needs": {c.value: 0 for c in Category},
        "offers": {c.value: 0 for c in Category},
    }
    counts = Counter((i.direction, i.category) for i in counted_items)
    for (direction, category), n in counts.items():
        key = "needs" if direction == Direction.NEED else "offers"
        items_by_category[key][category.value] += n

    parties = {x for p in realised for x in (p.org_a, p.org_b)}
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
            "among_decided": g.conversion(scope, among="decided"),
            "among_all": g.conversion(scope, among="all"),
        },
        median_days_to_realise=g.median_days_to_realise(realised),
        ess_company_share=g.ess_company_share(realised_graph),
        realised=[realised_sentence(p, organisations, items) for p in realised],
        value_estimates=[
            estimate_oeth(realised, organisations, items, labour_share=labour_share),
            estimate_sponsorship(realised, organisations, items, hourly_cost=hourly_cost),
        ],
        assumptions={"labour_share": labour_share, "hourly_cost_euros": hourly_cost},
    )


# --- rendering: one list of blocks, three renderers ---------------------------------------------


@dataclass
class _Heading:
    text: str
    level: int = 2


@dataclass
class _Paragraph:
    text: str


@dataclass
class _Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class _Bars:
    """A bar chart: one labelled bar per value."""

    title: str
    label_header: str
    values: list[tuple[str, int]]


@dataclass
class _Bullets:
    items: list[str]


_Block = _Heading | _Paragraph | _Table | _Bars | _Bullets


def _label(code: str) -> str:
    if code == _NO_MODE:
        return "non renseigné"
    for enum in (PartnershipStatus, PartnershipMode, Category):
        try:
            return LABELS_FR[enum(code)]
        except ValueError:
            continue
    return code


def title(report: Report) -> str:
    """The report's title."""
    return f"Bilan Traits d'Unions – {report.territory_name}"


def _blocks(report: Report) -> list[_Block]:
    """The report's content, independent of the output format."""
    conv = report.conversion
    decided = plural(
        report.partnerships["realised"] + report.partnerships["abandoned"],
        "piste concrétisée ou abandonnée",
        "pistes concrétisées ou abandonnées",
    )
    blocks: list[_Block] = [
        _Paragraph(f"Période : {period_label(report.start, report.end)}."),
        _Paragraph(report.headline()),
        _Heading("Chiffres clés"),
        _Table(
            ["Indicateur", "Nombre"],
            [
                ["Structures rencontrées", fr_number(report.organisations)],
                ["Rendez-vous diagnostics", fr_number(report.diagnostics)],
                ["Besoins exprimés", fr_number(report.needs)],
                ["Offres recensées", fr_number(report.offers)],
                ["Partenariats concrétisés", fr_number(report.realised_count)],
                ["Pistes naissantes", fr_number(report.emerging)],
                ["Partenariats abandonnés", fr_number(report.partnerships["abandoned"])],
            ],
        ),
        _Bars(
            "Partenariats par statut",
            "Statut",
            [(_label(s), n) for s, n in report.partnerships.items()],
        ),
        _Heading("Indicateurs"),
        _Bullets(
            [
                f"Taux de concrétisation : {fr_percent(conv['among_decided'])} des pistes "
                f"tranchées ({report.realised_count} sur {decided}), "
                f"{fr_percent(conv['among_all'])} de l'ensemble des pistes.",
                "Délai médian entre la piste et la concrétisation : "
                + (
                    plural(report.median_days_to_realise, "jour", "jours")
                    if report.median_days_to_realise is not None
                    else "non calculable"
                )
                + ".",
                "Part des partenariats concrétisés entre une structure de l'ESS et une "
                f"entreprise : {fr_percent(report.ess_company_share)}.",
            ]
        ),
        _Bars(
            "Partenariats concrétisés par mode (typologie du Rameau)",
            "Mode",
            [(_label(m), n) for m, n in report.realised_by_mode.items()],
        ),
        _Bars(
            "Partenariats concrétisés par catégorie",
            "Catégorie",
            [(_label(c), n) for c, n in report.realised_by_category.items()],
        ),
        _Heading("Besoins et offres par catégorie"),
        _Table(
            ["Catégorie", "Besoins", "Offres"],
            [
                [
                    _label(c.value),
                    fr_number(report.items_by_category["needs"][c.value]),
                    fr_number(report.items_by_category["offers"][c.value]),
                ]
                for c in Category
            ],
        ),
        _Heading(
            plural(report.realised_count, "partenariat concrétisé", "partenariats concrétisés")
            if report.realised_count
            else "Partenariats concrétisés"
        ),
        _Bullets(report.realised) if report.realised else _Paragraph("Aucun sur la période."),
        _Heading("Estimation de la valeur pour les entreprises"),
        _Paragraph(ESTIMATE_NOTICE),
    ]
    for estimate in report.value_estimates:
        blocks.append(_Heading(estimate.title, 3))
        blocks.append(
            _Paragraph(
                f"Estimation : {fr_euros(estimate.estimate_euros)} pour "
                f"{fr_euros(estimate.base_euros)} "
                + ("d'achats" if estimate.key == "oeth" else "de dons valorisés")
                + f" ({estimate.reference})."
            )
        )
        if estimate.lines:
            blocks.append(
                _Table(
                    ["Entreprise", "Partenaire", "Base", "Estimation", "Calcul"],
                    [
                        [
                            x.payer,
                            x.beneficiary,
                            fr_euros(x.base_euros),
                            fr_euros(x.estimate_euros),
                            x.basis,
                        ]
                        for x in estimate.lines
                    ],
                )
            )
        notes = [f"Hypothèse : {h}" for h in estimate.hypotheses]
        notes.append(f"Plafond : {estimate.limit}")
        if estimate.not_valued:
            notes.append(
                plural(
                    estimate.not_valued,
                    "partenariat sans montant renseigné n'est pas estimé.",
                    "partenariats sans montant renseigné ne sont pas estimés.",
                )
            )
        blocks.append(_Bullets(notes))
    return blocks


def _bar_width(value: int, values: Sequence[tuple[str, int]]) -> int:
    top = max((v for _, v in values), default=0)
    return round(100 * value / top) if top else 0


# Markdown --------------------------------------------------------------------------------------


def _md(text: str, cell: bool = False) -> str:
    """User text safe in Markdown: no raw HTML, no table break."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    if cell:
        text = text.replace("|", "\\|").replace("\n", " ")
    return text


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md(h, True) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(_md(c, True) for c in row) + " |" for row in rows]
    return lines + [""]


def to_markdown(report: Report) -> str:
    """The report as Markdown (bar charts drawn with block characters)."""
    lines = [f"# {_md(title(report))}", ""]
    for block in _blocks(report):
        if isinstance(block, _Heading):
            lines += [f"{'#' * block.level} {_md(block.text)}", ""]
        elif isinstance(block, _Paragraph):
            lines += [_md(block.text), ""]
        elif isinstance(block, _Table):
            lines += _md_table(block.headers, block.rows)
        elif isinstance(block, _Bars):
            lines += [f"**{_md(block.title)}**", ""]
            lines += _md_table(
                [block.label_header, "Nombre", ""],
                [
                    [label, str(v), "█" * round(_bar_width(v, block.values) / 5)]
                    for label, v in block.values
                ],
            )
        elif isinstance(block, _Bullets):
            lines += [f"- {_md(item)}" for item in block.items] + [""]
    return "\n".join(lines).rstrip() + "\n"


# HTML ------------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d2a33; line-height: 1.45; }
h1 { color: #6b2a6b; } h2 { color: #6b2a6b; border-bottom: 2px solid #e6d3e6; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4eef4; }
.chart { margin: 0.5rem 0 1.5rem; }
.chart .row { display: flex; align-items: center; gap: 0.5rem; margin: 0.15rem 0; }
.chart .label { width: 14rem; }
.chart .track { flex: 1; background: #f1f1f1; }
.chart .bar { background: #8e3d8e; height: 1.1rem; }
.chart .value { width: 3rem; text-align: right; }
.headline { font-size: 1.2rem; font-weight: bold; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (no script, no external resource)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title(report))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title(report))}</h1>",
    ]
    headline = report.headline()
    for block in _blocks(report):
        if isinstance(block, _Heading):
            parts.append(f"<h{block.level}>{_e(block.text)}</h{block.level}>")
        elif isinstance(block, _Paragraph):
            css = ' class="headline"' if block.text == headline else ""
            parts.append(f"<p{css}>{_e(block.text)}</p>")
        elif isinstance(block, _Table):
            parts.append("<table>")
            parts.append("<tr>" + "".join(f"<th>{_e(h)}</th>" for h in block.headers) + "</tr>")
            for row in block.rows:
                parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
            parts.append("</table>")
        elif isinstance(block, _Bars):
            parts.append(f'<figure class="chart"><figcaption>{_e(block.title)}</figcaption>')
            for label, value in block.values:
                width = _bar_width(value, block.values)
                parts.append(
                    f'<div class="row"><span class="label">{_e(label)}</span>'
                    f'<span class="track"><span class="bar" style="display:block;width:{width}%">'
                    f'</span></span><span class="value">{value}</span></div>'
                )
            parts.append("</figure>")
        elif isinstance(block, _Bullets):
            parts.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block.items) + "</ul>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


# DOCX ------------------------------------------------------------------------------------------


def to_docx(report: Report, path: str | Path) -> Path:
    """Write the report as a Word document (python-docx); charts become tables with bars."""
    from docx import Document  # optional dependency, imported when used

    document = Document()
    document.core_properties.title = title(report)
    document.core_properties.language = "fr-FR"
    document.add_heading(title(report), level=1)
    bullet = document.styles["List Bullet"]  # looked up once: by name it is slow per paragraph

    def table(headers: list[str], rows: list[list[str]]) -> None:
        t = document.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            cells = t.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
        document.add_paragraph()

    for block in _blocks(report):
        if isinstance(block, _Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, _Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, _Table):
            table(block.headers, block.rows)
        elif isinstance(block, _Bars):
            document.add_paragraph().add_run(block.title).bold = True
            table(
                [block.label_header, "Nombre", ""],
                [
                    [label, str(v), "█" * round(_bar_width(v, block.values) / 5)]
                    for label, v in block.values
                ],
            )
        elif isinstance(block, _Bullets):
            for item in block.items:
                document.add_paragraph(item, style=bullet)
    path = Path(path)
    document.save(str(path))
    return path


# PDF -------------------------------------------------------------------------------------------

#: Unicode TrueType fonts tried for the PDF (Debian's fonts-dejavu-core, then others).
PDF_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def to_pdf(report: Report, path: str | Path) -> Path:
    """Write the report as a PDF a Pôle can send (fpdf2, a Unicode font for the accents)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular = next((Path(f) for f in PDF_FONTS if Path(f).exists()), None)
    if regular is None:
        raise InvalidInputError(
            "aucune police Unicode trouvée pour le PDF (paquet Debian fonts-dejavu-core) : "
            "installez-la, ou choisissez le format docx."
        )
    bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
    pdf = FPDF(format="A4")
    pdf.set_title(title(report))
    pdf.set_lang("fr")
    pdf.set_margins(18, 18, 18)
    pdf.add_font("body", "", str(regular))
    pdf.add_font("body", "B", str(bold if bold.exists() else regular))
    pdf.add_page()
    pdf.set_font("body", "B", 16)
    pdf.multi_cell(0, 8, title(report), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    head = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))

    def table(headers: list[str], rows: list[list[str]], widths: tuple[int, ...] | None = None):
        pdf.set_font("body", "", 9)
        with pdf.table(headings_style=head, col_widths=widths, line_height=5) as t:
            for line in [headers, *rows]:
                r = t.row()
                for text in line:
                    r.cell(text)
        pdf.ln(3)

    for block in _blocks(report):
        if isinstance(block, _Heading):
            pdf.set_font("body", "B", 13 if block.level <= 2 else 11)
            pdf.ln(2)
            pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT")
        elif isinstance(block, _Paragraph):
            pdf.set_font("body", "", 10)
            pdf.multi_cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, _Table):
            table(block.headers, block.rows)
        elif isinstance(block, _Bars):
            pdf.set_font("body", "B", 10)
            pdf.multi_cell(0, 6, block.title, new_x="LMARGIN", new_y="NEXT")
            table(
                [block.label_header, "Nombre", ""],
                [
                    [label, str(v), "█" * round(_bar_width(v, block.values) / 5)]
                    for label, v in block.values
                ],
                (3, 1, 3),
            )
        elif isinstance(block, _Bullets):
            pdf.set_font("body", "", 10)
            for item in block.items:
                pdf.multi_cell(0, 5, f"• {item}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    path = Path(path)
    pdf.output(str(path))
    return path


# JSON ------------------------------------------------------------------------------------------


def to_json(report: Report) -> str:
    """The report's figures as JSON (UTF-8 text, accents kept)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
