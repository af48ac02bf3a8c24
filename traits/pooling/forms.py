"""The forms a shared answer can take (groupement de commandes, prêt mutualisé…), with radius."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PoolForm:
    """A form a shared answer can take, and how far apart its members may be."""

    code: str
    label: str
    explanation: str
    radius_km: float | None


FORMS: dict[str, PoolForm] = {
    form.code: form
    for form in (
        PoolForm(
            "purchasing_group",
            "groupement de commandes",
            "un seul achat pour toutes les structures : un meilleur prix, un seul prestataire "
            "(une structure d'insertion, un ESAT ou une entreprise adaptée par exemple)",
            35.0,
        ),
        PoolForm(
            "shared_equipment",
            "prêt mutualisé de matériel",
            "un matériel ou un véhicule partagé, avec un planning et une convention de prêt "
            "qui règle l'assurance et l'entretien",
            25.0,
        ),
        PoolForm(
            "shared_premises",
            "locaux partagés",
            "un local ou un espace de stockage commun, partagé par convention",
            20.0,
        ),
        PoolForm(
            "shared_job",
            "emploi partagé",
            "un poste à temps partiel partagé entre les structures : groupement d'employeurs, "
            "ou mise à disposition de personnel, obligatoirement sans but lucratif "
            "(articles L8241-1 et L8241-2 du Code du travail)",
            50.0,
        ),
        PoolForm(
            "collective_training",
            "formation collective",
            "une session de formation commune : un seul formateur, des places partagées",
            40.0,
        ),
        PoolForm(
            "shared_service",
            "accompagnement mutualisé",
            "un même accompagnement ou une même prestation, achetés ensemble",
            None,
        ),
        PoolForm(
            "volunteer_day",
            "journée de bénévolat commune",
            "une journée ou un vivier de bénévoles partagé, par exemple avec le mécénat de "
            "compétences d'une entreprise du territoire",
            30.0,
        ),
        PoolForm(
            "joint_collection",
            "collecte mutualisée",
            "une tournée de collecte et un stockage communs pour les dons ou les matériaux",
            25.0,
        ),
        PoolForm(
            "joint_outreach",
            "démarche commune auprès des entreprises",
            "une seule sollicitation des entreprises du territoire pour toutes les structures "
            "(matinale, forum ou courrier commun)",
            None,
        ),
        PoolForm(
            "joint_funding",
            "recherche de financement commune",
            "un dossier commun auprès d'un même financeur ou mécène",
            None,
        ),
    )
}

#: Subcategories whose pools take another form than their category's.
_SUBCATEGORY_FORMS = {
    "training": "collective_training",
    "health_safety": "collective_training",
    "inclusive_hiring": "shared_job",
    "work_immersion": "joint_outreach",
    "networking": "joint_outreach",
    "food_surplus": "joint_collection",
    "materials_offcuts": "joint_collection",
    "in_kind_gifts": "joint_collection",
    "clothing_ppe": "joint_collection",
}
#: Purchases that are office work done by someone an organisation could employ.
_STAFF_WORK = frozenset({"data_entry", "reception_services"})
_CATEGORY_FORMS = {
    "purchasing": "purchasing_group",
    "equipment": "shared_equipment",
    "premises": "shared_premises",
    "skills": "shared_service",
    "volunteering": "volunteer_day",
    "funding": "joint_funding",
    "other": "shared_service",
}


def pool_form(
    category: str, subcategory: str | None, work_time: bool, *, staff: bool = False
) -> PoolForm:
    """The form a pool of needs of this category and subcategory could take.

    A shared job (and its staff-loan law) is for staff to employ, not for a service to buy:

    * a service of the skills or other categories (communication, accounting…) written with
      working time (« 10 h par semaine », « 0,2 ETP », « un mi-temps ») becomes a shared job;
    * a purchase (cleaning, green spaces, laundry, catering…) stays a groupement de
      commandes whatever hours it gives, those hours being the contract's volume; it becomes
      a shared job only when its words ask for staff (« un poste », « embaucher »);
    * office work filed among purchases (secretariat, reception: :data:`_STAFF_WORK`) is
      work an organisation employs someone for: it counts as a skills service.
    """
    code = _SUBCATEGORY_FORMS.get(subcategory or "") or _CATEGORY_FORMS.get(category, "")
    if subcategory in _STAFF_WORK:
        code = "shared_service"
    if (code == "shared_service" and work_time) or (code == "purchasing_group" and staff):
        code = "shared_job"
    return FORMS[code or "shared_service"]
