"""The report's content as format-free blocks, defined once for every format and the Bilan page.

Renderers (``render_*`` modules) turn these blocks into Markdown, HTML, DOCX, PDF or XLSX;
the app's Bilan page shows :func:`key_figures` and :func:`period_notes`; the kit's results
summary takes :func:`key_figure_blocks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from traits.fr import fr_euros, fr_number, fr_percent, period_label, plural
from traits.model import LABELS_FR, PartnershipMode, PartnershipStatus
from traits.report.estimates import ESTIMATE_NOTICE, ValueEstimate
from traits.report.figures import NO_MODE, Report
from traits.report.kinds import KIND_LABELS, KINDS

#: A table cell: text, or a number each format writes its own way (French in text formats).
Cell = str | int | float


@dataclass
class Heading:
    """A section title (level 2) or sub-title (level 3); ``short``: the same in at most
    31 characters, whole words (a spreadsheet's sheet name), when the title is longer."""

    text: str
    level: int = 2
    short: str | None = None


@dataclass
class Paragraph:
    """A paragraph of text; ``lead`` marks the headline a format may set apart."""

    text: str
    lead: bool = False


@dataclass
class Table:
    """A table with a header row."""

    headers: list[str]
    rows: list[list[Cell]]


@dataclass
class Bars:
    """A bar chart: one labelled bar per value."""

    title: str
    label_header: str
    values: list[tuple[str, int]]


@dataclass
class Bullets:
    """A bulleted list."""

    items: list[str]


Block = Heading | Paragraph | Table | Bars | Bullets


def cell_text(value: Cell) -> str:
    """A cell as French text: numbers with French separators (``1 200``, ``0,5``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return fr_number(value, 0 if float(value).is_integer() else 2)


def bar_width(value: int, values: Sequence[tuple[str, int]]) -> int:
    """A bar's length in percent of the longest bar."""
    top = max((v for _, v in values), default=0)
    return round(100 * value / top) if top else 0


def label(code: str) -> str:
    """The French label of a status, mode or category code."""
    if code == NO_MODE:
        return "non renseigné"
    for enum in (PartnershipStatus, PartnershipMode):
        try:
            return LABELS_FR[enum(code)]
        except ValueError:
            continue
    return KIND_LABELS.get(code, code)


def title(report: Report) -> str:
    """The report's title."""
    return f"Bilan Traits d'Unions – {report.territory_name}"


def key_figures(report: Report) -> list[tuple[str, int]]:
    """The key figures, labelled: the one list every format and the Bilan page show."""
    return [
        ("Structures rencontrées", report.organisations),
        ("Rendez-vous diagnostics", report.diagnostics),
        ("Besoins exprimés", report.needs),
        ("Offres recensées", report.offers),
        ("Partenariats concrétisés", report.realised_count),
        ("Pistes naissantes", report.emerging),
        ("Partenariats abandonnés", report.partnerships[PartnershipStatus.ABANDONED.value]),
    ]


#: What is counted apart from a dated period, and within the totals without a period (the
#: words before the comma): (key of ``Report.undated``, one, many).
_UNDATED = (
    ("needs", "besoin sans date, non compté", "besoins sans date, non comptés"),
    ("offers", "offre sans date, non comptée", "offres sans date, non comptées"),
    ("partnerships", "partenariat sans date, non compté", "partenariats sans date, non comptés"),
    (
        "realised",
        "partenariat concrétisé sans date (aucune étape « concrétisé » datée dans son "
        "historique), non compté",
        "partenariats concrétisés sans date (aucune étape « concrétisé » datée dans leur "
        "historique), non comptés",
    ),
)


def period_notes(report: Report) -> list[str]:
    """What the figures leave out and why: undated items, organisations never met, no activity."""
    notes = []
    dated = report.start is not None or report.end is not None
    if dated and not any(n for _, n in key_figures(report)):
        notes.append("Aucune activité datée dans la période : tous les chiffres sont à zéro.")
    for key, one, many in _UNDATED:
        n = report.undated.get(key, 0)
        if n and dated:
            notes.append(plural(n, one, many) + " dans la période.")
        elif n:
            words = plural(n, one.split(",")[0], many.split(",")[0])
            notes.append(f"Dont {words} dans ces totaux.")
    if report.unmet:
        notes.append(
            plural(
                report.unmet,
                "structure enregistrée sans rencontre datée (ni diagnostic ni étape de "
                "partenariat), non comptée parmi les structures rencontrées.",
                "structures enregistrées sans rencontre datée (ni diagnostic ni étape de "
                "partenariat), non comptées parmi les structures rencontrées.",
            )
        )
    return notes


def _summary_blocks(report: Report) -> list[Block]:
    """The period, the headline, the key figures and what they leave out."""
    blocks: list[Block] = [
        Paragraph(f"Période : {period_label(report.start, report.end)}."),
        Paragraph(report.headline(), lead=True),
        Heading("Chiffres clés"),
        Table(["Indicateur", "Nombre"], [[name, n] for name, n in key_figures(report)]),
    ]
    notes = period_notes(report)
    if notes:
        blocks.append(Bullets(notes))
    return blocks


def _realised_blocks(report: Report) -> list[Block]:
    """The realised partnerships, one sentence each."""
    return [
        Heading(
            plural(report.realised_count, "partenariat concrétisé", "partenariats concrétisés")
            if report.realised_count
            else "Partenariats concrétisés"
        ),
        Bullets(report.realised) if report.realised else Paragraph("Aucun sur la période."),
    ]


def key_figure_blocks(report: Report) -> list[Block]:
    """The period, the headline, the key figures and what they leave out, the realised list.

    The short form of the report (the kit's two-page results summary uses it).
    """
    return _summary_blocks(report) + _realised_blocks(report)


def bar_charts(report: Report) -> list[Bars]:
    """The report's charts: partnerships by status (pipeline order), realised ones by mode and
    by category; the Bilan page and every format draw these."""
    return [
        Bars(
            "Partenariats par statut",
            "Statut",
            [(label(s), n) for s, n in report.partnerships.items()],
        ),
        Bars(
            "Partenariats concrétisés par mode (typologie du Rameau)",
            "Mode",
            [(label(m), n) for m, n in report.realised_by_mode.items()],
        ),
        Bars(
            "Partenariats concrétisés par catégorie",
            "Catégorie",
            [(label(c), n) for c, n in report.realised_by_category.items()],
        ),
    ]


def indicator_lines(report: Report) -> list[str]:
    """The indicators in sentences: conversion rate, median delay, ESS–company share."""
    conv = report.conversion
    decided = plural(
        report.realised_count + report.partnerships[PartnershipStatus.ABANDONED.value],
        "piste concrétisée ou abandonnée",
        "pistes concrétisées ou abandonnées",
    )
    median = report.median_days_to_realise
    if conv["among_all"] is None:  # no piste at all: no rate, and no « 0 sur 0 »
        rate = "Taux de concrétisation : non calculable, aucune piste sur la période."
    elif conv["among_decided"] is None:
        rate = (
            "Taux de concrétisation : aucune piste tranchée (concrétisée ou abandonnée) sur la "
            f"période ; {fr_percent(conv['among_all'])} de l'ensemble des pistes."
        )
    else:
        rate = (
            f"Taux de concrétisation : {fr_percent(conv['among_decided'])} des pistes "
            f"tranchées ({fr_number(report.realised_count)} sur {decided}), "
            f"{fr_percent(conv['among_all'])} de l'ensemble des pistes."
        )
    return [
        rate,
        "Délai médian entre la piste et la concrétisation : "
        + (plural(median, "jour", "jours") if median is not None else "non calculable")
        + ".",
        "Part des partenariats concrétisés entre une structure de l'ESS et une "
        f"entreprise : {fr_percent(report.ess_company_share)}.",
        *_pool_lines(report),
    ]


def _pool_lines(report: Report) -> list[str]:
    """Mutualisations: found among today's needs, followed and realised in the period."""
    followed = plural(report.pools_followed, "mutualisation suivie", "mutualisations suivies")
    realised = plural(report.pools_realised, "concrétisée", "concrétisées")
    line = f"Mutualisations : {followed} sur la période, dont {realised}"
    if report.pools_found is not None:
        found = plural(
            report.pools_found,
            "piste de mutualisation repérée",
            "pistes de mutualisation repérées",
        )
        line += f" ; {found} aujourd'hui parmi les besoins du territoire"
    return [line + "."]


def _indicators(report: Report) -> list[Block]:
    status, *realised = bar_charts(report)
    return [
        status,
        Heading("Indicateurs"),
        Bullets(indicator_lines(report)),
        *realised,
        Heading("Besoins et offres par catégorie", short="Besoins et offres"),
        Table(
            ["Catégorie", "Besoins", "Offres"],
            [
                [
                    label(kind),
                    report.items_by_category["needs"][kind],
                    report.items_by_category["offers"][kind],
                ]
                for kind in KINDS
            ],
        ),
    ]


def _estimate_summary(estimate: ValueEstimate) -> str:
    """« Estimation : 1 800 € pour 12 000 € d'achats (reference). », with its bounds said."""
    what = "d'achats" if estimate.key == "oeth" else "de dons valorisés"
    text = (
        f"Estimation : {fr_euros(estimate.estimate_euros)} pour "
        f"{fr_euros(estimate.base_euros)} {what} ({estimate.reference})."
    )
    if estimate.capped:
        text += " " + plural(
            estimate.capped,
            "montant est borné à ce que la loi permet au plus pour l'effectif de l'acheteur.",
            "montants sont bornés à ce que la loi permet au plus pour l'effectif de l'acheteur.",
        )
    if estimate.condition:
        text += " " + estimate.condition
    certain = estimate.certain_euros
    if certain is not None and certain < estimate.estimate_euros:
        text += (
            f" C'est un maximum avant plafonnement : {fr_euros(certain)} sont sûrs quel que "
            "soit le chiffre d'affaires des entreprises, le reste en dépend (ou est reporté sur "
            "les exercices suivants)."
        )
    return text


def _estimate(estimate: ValueEstimate) -> list[Block]:
    blocks: list[Block] = [
        Heading(estimate.title, 3),
        Paragraph(_estimate_summary(estimate)),
    ]
    if estimate.lines:
        blocks.append(
            Table(
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
    notes += estimate.excluded
    blocks.append(Bullets(notes))
    return blocks


def detail_blocks(report: Report) -> list[Block]:
    """Everything after the key figures: charts, indicators, categories, the realised
    partnerships and the value estimates (the Bilan page shows these below its figures)."""
    blocks = _indicators(report) + _realised_blocks(report)
    blocks += [
        Heading(
            "Estimation de la valeur pour les entreprises", short="Valeur pour les entreprises"
        ),
        Paragraph(ESTIMATE_NOTICE),
    ]
    for estimate in report.value_estimates:
        blocks += _estimate(estimate)
    return blocks


def report_blocks(report: Report) -> list[Block]:
    """The whole report's content, independent of the output format."""
    return _summary_blocks(report) + detail_blocks(report)
