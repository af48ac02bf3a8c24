"""A one-page plaquette presenting the démarche on a territory, to leave after a meeting."""

from __future__ import annotations

import io

from traits.kit.booklet import ACCENT, banner, new_pdf
from traits.kit.profile import KitProfile
from traits.kit.typography import french_spacing

STEPS = [
    ("Vous rencontrer", "une heure d'entretien sur vos pratiques, vos besoins et vos ressources."),
    ("Chercher les pistes", "croiser vos besoins avec ce que proposent les autres structures."),
    (
        "Vous mettre en lien",
        "présenter les deux partenaires, avec votre accord, et proposer un premier rendez-vous.",
    ),
    (
        "Suivre",
        "aider à fixer les modalités (convention, assurance, calendrier) et valoriser "
        "ce qui a marché.",
    ),
]
EXAMPLES = [
    "acheter une prestation à un ESAT, une entreprise adaptée ou une structure d'insertion ;",
    "prêter un véhicule, du matériel ou une salle quand ils ne servent pas ;",
    "donner des invendus, du mobilier, des denrées ;",
    "mettre des compétences à disposition (mécénat de compétences, partage entre structures) ;",
    "soutenir un projet local par le mécénat.",
]


def render(profile: KitProfile) -> bytes:
    """The plaquette as one A4 PDF page carrying the territory's name."""
    pdf = new_pdf(profile, f"Traits d'Unions – {profile.territory}")
    pdf.set_auto_page_break(False)
    banner(
        pdf,
        62,
        [("Traits d'Unions", 28, 13), (f"{profile.territory} : travailler ensemble", 15, 8)],
    )
    pdf.set_y(72)

    def paragraph(text: str, size: float = 11, style: str = "") -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(
            0, size * 0.55, french_spacing(text), new_x="LMARGIN", new_y="NEXT", align="L"
        )

    paragraph(
        "La démarche Traits d'Unions aide les structures de l'économie sociale et solidaire "
        "(associations, coopératives, ESAT, entreprises adaptées, structures d'insertion) et les "
        f"entreprises engagées du territoire à construire des partenariats utiles à chacun. "
        f"Elle est animée par : {profile.pole_name}."
    )
    pdf.ln(4)
    paragraph("Des exemples de partenariats", 13, "B")
    for line in EXAMPLES:
        paragraph("•  " + line)
    pdf.ln(4)
    paragraph("Comment ça marche", 13, "B")
    for n, (title, text) in enumerate(STEPS, start=1):
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_text_color(*ACCENT)
        pdf.cell(8, 6, f"{n}.")
        pdf.set_text_color(0)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(
            0,
            6,
            french_spacing(f"**{title}** : {text}"),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
            markdown=True,
        )
    pdf.ln(4)
    paragraph(
        "Pour une entreprise, un partenariat peut aussi compter pour l'obligation d'emploi de "
        "travailleurs handicapés, le mécénat ou le don des invendus : nous vous aidons à "
        "vérifier ce qui s'applique à votre situation.",
        10,
    )
    pdf.set_y(pdf.h - 58)
    pdf.set_draw_color(*ACCENT)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    fields = profile.fields()
    paragraph("Contact", 13, "B")
    paragraph(f"{fields['animateur']} · {fields['pole']}")
    paragraph(fields["contact"])
    pdf.ln(3)
    paragraph(
        "Un entretien ne vous engage à rien ; vos coordonnées ne sont transmises qu'avec "
        "votre accord.",
        9,
    )
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()
