"""The two-page results summary for elected officials and funders, from the report's figures."""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.shared import Cm, Pt, RGBColor

from traits.kit.documents import NOTE_GREY, save
from traits.kit.profile import KitProfile, end_sentence
from traits.kit.typography import french_spacing
from traits.report.blocks import Block, label
from traits.report.render_docx import add_blocks

TITLE = "Traits d'Unions : synthèse des résultats"
SAMPLE_RED = RGBColor(0xB0, 0x1E, 0x1E)

#: How each figure is counted, said once for the reader of the summary.
COUNTING = [
    "Structures rencontrées : les structures et entreprises rencontrées individuellement "
    "dans la période, c'est-à-dire avec un entretien diagnostic daté ou une étape de "
    "partenariat datée (un rendez-vous individuel). Une réunion collective ou un événement ne "
    "suffit pas. Les structures enregistrées sans rencontre datée sont comptées à part.",
    "Rendez-vous diagnostics : les entretiens « pratiques partenariales » datés dans la période. "
    "Une structure peut être rencontrée sans diagnostic (un rendez-vous de mise en lien) : les "
    "deux chiffres diffèrent.",
    "Partenariats concrétisés : ceux qui ont abouti pendant la période ; pistes naissantes : "
    "ceux qui restent ouverts à la fin de la période. Un partenariat met souvent plusieurs mois, "
    "parfois plus d'un an, à aboutir.",
]
#: Said on the first line of a summary made for the fictional sample territory.
SAMPLE_NOTICE = (
    "Exemple fictif : ces chiffres viennent du territoire d'exemple fourni avec "
    "l'application (structures et personnes inventées). Ce n'est pas un bilan réel."
)


def _bullets(doc, lines: list[str]) -> None:
    for line in lines:
        doc.add_paragraph(french_spacing(line), style="List Bullet")


def _breakdown(counts: dict[str, int]) -> str:
    parts = [f"{label(code)} ({n})" for code, n in counts.items() if n]
    return ", ".join(parts) if parts else "aucun"


def render(blocks: list[Block], figures: dict[str, Any], profile: KitProfile) -> bytes:
    """The summary as a Word document: the report's key-figure ``blocks`` (what is counted and
    what is counted apart), then the breakdowns of ``figures`` (the report's dictionary)."""
    doc = Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.8)
    doc.styles["Normal"].font.size = Pt(10.5)
    if profile.sample:
        warning = doc.add_paragraph().add_run(french_spacing(SAMPLE_NOTICE))
        warning.bold = True
        warning.font.color.rgb = SAMPLE_RED
    doc.add_heading(french_spacing(f"{TITLE} – {profile.territory}"), level=1)
    doc.add_paragraph().add_run(french_spacing(profile.pole_name)).italic = True
    add_blocks(doc, blocks, french_spacing)

    doc.add_heading("Ce qui a été échangé", level=2)
    _bullets(
        doc,
        [
            "Par mode de partenariat : " + _breakdown(figures["realised_by_mode"]) + ".",
            "Par nature : " + _breakdown(figures["realised_by_category"]) + ".",
        ],
    )
    doc.add_heading("Comment ces chiffres sont comptés", level=2)
    _bullets(doc, COUNTING)
    note = doc.add_paragraph()
    contact = ", ".join([profile.fields()["animateur"], profile.fields()["contact"]])
    run = note.add_run(
        french_spacing(
            "Les chiffres viennent du suivi tenu par le Pôle. Les estimations de valeur "
            "(obligation d'emploi, mécénat) du bilan complet sont indicatives. Contact : "
            + end_sentence(contact)
        )
    )
    run.italic = True
    run.font.color.rgb = NOTE_GREY
    return save(doc, profile, TITLE)
