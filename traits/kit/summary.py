"""The two-page results summary for elected officials and funders, from the report's figures."""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.shared import Cm, Pt

from traits.fr import plural
from traits.kit.documents import NOTE_GREY, save
from traits.kit.profile import KitProfile
from traits.kit.typography import french_spacing
from traits.model import LABELS_FR

TITLE = "Traits d'Unions : synthèse des résultats"

#: How each figure is counted, said once for the reader of the summary.
COUNTING = [
    "Structures rencontrées : les structures et entreprises avec qui le Pôle a eu un entretien "
    "daté dans la période, ou dont un partenariat a avancé dans la période.",
    "Rendez-vous diagnostics : les entretiens « pratiques partenariales » datés dans la période. "
    "Une structure peut être rencontrée sans diagnostic (réunion, événement) : les deux chiffres "
    "diffèrent.",
    "Partenariats concrétisés : ceux qui ont abouti pendant la période ; pistes naissantes : "
    "ceux qui restent ouverts à la fin de la période. Un partenariat met souvent plusieurs mois, "
    "parfois plus d'un an, à aboutir.",
]


def _label(code: str) -> str:
    return LABELS_FR.get(code, code)


def _bullets(doc, lines: list[str]) -> None:
    for line in lines:
        doc.add_paragraph(french_spacing(line), style="List Bullet")


def _breakdown(counts: dict[str, int]) -> str:
    parts = [f"{_label(code)} ({n})" for code, n in counts.items() if n]
    return ", ".join(parts) if parts else "aucun"


def render(figures: dict[str, Any], profile: KitProfile) -> bytes:
    """The summary as a Word document; ``figures`` is the report's public dictionary."""
    doc = Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.8)
    doc.styles["Normal"].font.size = Pt(10.5)
    period = figures["period"]["label"]
    doc.add_heading(french_spacing(f"{TITLE} – {profile.territory}"), level=1)
    intro = doc.add_paragraph()
    intro.add_run(french_spacing(f"{profile.pole_name}, période : {period}.")).italic = True

    doc.add_heading("En bref", level=2)
    doc.add_paragraph(french_spacing(figures["headline"]))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    rows = [
        ("Structures rencontrées", figures["organisations"]),
        ("Rendez-vous diagnostics", figures["diagnostics"]),
        ("Besoins exprimés", figures["needs"]),
        ("Offres recensées", figures["offers"]),
        ("Partenariats concrétisés", figures["partnerships"].get("realised", 0)),
        ("Pistes naissantes (en cours à la fin de la période)", figures["emerging"]),
        ("Pistes abandonnées", figures["partnerships"].get("abandoned", 0)),
    ]
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = str(value)

    doc.add_heading("Ce qui a été échangé", level=2)
    _bullets(
        doc,
        [
            "Par mode de partenariat : " + _breakdown(figures["realised_by_mode"]) + ".",
            "Par nature : " + _breakdown(figures["realised_by_category"]) + ".",
        ],
    )
    realised = figures["realised"]
    doc.add_heading("Les partenariats concrétisés", level=2)
    if realised:
        _bullets(doc, realised[:12])
        if len(realised) > 12:
            rest = plural(len(realised) - 12, "autre partenariat", "autres partenariats")
            doc.add_paragraph(french_spacing(f"Et {rest}, détaillés dans le bilan complet."))
    else:
        doc.add_paragraph("Aucun partenariat concrétisé sur la période.")

    doc.add_heading("Comment ces chiffres sont comptés", level=2)
    _bullets(doc, COUNTING)
    note = doc.add_paragraph()
    run = note.add_run(
        french_spacing(
            "Les chiffres viennent du suivi tenu par le Pôle. Les estimations de valeur "
            "(obligation d'emploi, mécénat) du bilan complet sont indicatives. Contact : "
            f"{profile.fields()['animateur']}, {profile.fields()['contact']}."
        )
    )
    run.italic = True
    run.font.color.rgb = NOTE_GREY
    return save(doc, profile, TITLE)
