"""French wording of the report: names with their article, one sentence per partnership.

Pure functions over domain objects. Numbers, dates and plurals come from :mod:`traits.fr`.
"""

from __future__ import annotations

import re

from traits.fr import fr_euros, fr_exact, fr_month, plural
from traits.interchange.columns import fold
from traits.model import (
    LABELS_FR,
    Category,
    Item,
    Organisation,
    Partnership,
    realised_date,
)
from traits.report.kinds import subcategory_of

#: Quotation marks a facilitator may type around a title (taken off before quoting it), by
#: the mark that opens a pair.
_PAIRS = {"«": "»", '"': '"', "“": "”", "„": "“", "‘": "’", "'": "'", "‹": "›"}

# A realised partnership is said as « Nature « titre » – rôle : Nom ; rôle : Nom (détails). »:
# names only ever follow a colon or stand in a list, so the sentence is correct French whatever
# the name (plural, with or without its article, a common noun like « CCAS de … »). Grammar is
# never guessed from a name.

#: How an ``equipment`` offer is named, by subcategory, with the roles of its two parties:
#: never a generic noun that can be wrong (a trailer is not « un véhicule »).
_LENT = ("Prêt", "prêteur", "bénéficiaire")
_GIFT = ("Don en nature", "donateur", "bénéficiaire")
_IN_KIND = {
    "vehicles": _LENT,
    "tools": _LENT,
    "heavy_machinery": _LENT,
    "event_equipment": _LENT,
    "food_surplus": ("Don alimentaire", "donateur", "bénéficiaire"),
    "in_kind_gifts": _GIFT,
}
_SUPPLIED = ("Fourniture", "fournisseur", "bénéficiaire")
#: When nothing says what kind of thing it is.
_GENERAL = ("Aide en nature", "partenaire", "bénéficiaire")
#: Every other category: the nature, the role of who gives, of who receives.
_NATURES = {
    Category.PURCHASING: ("Achat", "fournisseur", "client"),
    Category.SKILLS: ("Apport de compétences", "partenaire", "bénéficiaire"),
    Category.PREMISES: ("Mise à disposition", "partenaire", "bénéficiaire"),
    Category.VOLUNTEERING: ("Bénévolat", "partenaire", "bénéficiaire"),
    Category.FUNDING: ("Soutien financier", "mécène", "bénéficiaire"),
}
_ANSWER = ("Réponse à un besoin", "partenaire", "bénéficiaire")


def name_of(org: Organisation | None) -> str:
    """An organisation's name as typed (spaces tidied), for a table cell or after a colon.

    ESAT and EA not named as such get their legal form in front (``ESAT Les Ateliers``).
    """
    if org is None:
        return "structure hors territoire"
    name = " ".join(org.name.split())
    form = fold(org.legal_form or "")
    folded = fold(name).split()
    if form == "esat" and "esat" not in folded:
        return f"ESAT {name}"
    if form in ("ea", "entreprise adaptee") and not {"ea", "adaptee"} & set(folded):
        return f"entreprise adaptée {name}"
    return name


def capitalise(text: str) -> str:
    """The text with its first letter in capitals (the rest untouched)."""
    return text[:1].upper() + text[1:]


def _unwrapped(text: str) -> str:
    """The title without the quotes typed around the whole of it (and a final full stop):
    a quote that belongs to the title (« Opération « Arrondi » ») is kept."""
    while True:
        text = text.strip().rstrip(".;,: ")
        if len(text) < 2:
            return text
        first, last, inner = text[0], text[-1], text[1:-1]
        closing = _PAIRS.get(first)
        if closing is not None and last == closing and _balanced(inner):
            text = inner
        elif closing is not None and closing not in text[1:] and _balanced(text[1:]):
            text = text[1:]  # an opening quote never closed
        elif last in _PAIRS.values() and not _opens(last, text[:-1]) and _balanced(text[:-1]):
            text = text[:-1]  # a closing quote never opened
        else:
            return text


def _opens(closing: str, text: str) -> bool:
    return any(o in text for o, c in _PAIRS.items() if c == closing and o != closing)


def _balanced(text: str) -> bool:
    """Every French or curly quote of ``text`` is closed, in order."""
    depth = 0
    for char in text:
        if char in "«“‹":
            depth += 1
        elif char in "»”›":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def quoted(title: str) -> str:
    """A title between French quotes, once: quotes and a final full stop typed around it go.

    Quotes inside the title become second-level quotes (“ ”), every one of them kept:
    « Le “Petit” marché », « Opération “Arrondi en caisse” ».
    """
    text = _unwrapped(" ".join(title.split()))
    text = re.sub(r"\s*»", "”", re.sub(r"«\s*", "“", text))
    return f"«\u00a0{text}\u00a0»"


def in_kind_nature(item: Item) -> tuple[str, str, str]:
    """The nature of an ``equipment`` offer and its parties' roles (``Prêt``, ``prêteur``…).

    From the item's subcategory, else the vocabulary's clear best guess from its title and
    description; general (``Aide en nature``) when nothing stands out.
    """
    code = subcategory_of(item, Category.EQUIPMENT)
    if not code:
        return _GENERAL
    return _IN_KIND.get(code, _SUPPLIED)


def and_list(parts: list[str]) -> str:
    """``a``, ``a et b``, ``a, b et c``; empty for no part (callers say something else then)."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def _parties(nature: str, title: str, roles: list[tuple[str, str]]) -> str:
    """« Nature « titre » – rôle : Nom ; rôle : Nom »."""
    head = f"{nature} {title}".strip()
    return head + " – " + " ; ".join(f"{role} : {who}" for role, who in roles)


def _pooled_action(
    partnership: Partnership,
    organisations: dict[str, Organisation],
    offer: Item | None,
) -> str:
    """The clause of a pooled partnership: who answers the needs gathered, and whose they are.

    Members listed without their need (only the one serving the group should be) are named
    all the same: every member but the one whose offer serves the group.
    """
    giver_id = offer.org_id if offer is not None else None
    takers = [m.org_id for m in partnership.members if m.need_id] or [
        o for o in partnership.org_ids if o != giver_id
    ]
    takers = list(dict.fromkeys(takers))
    title = quoted(partnership.label or (offer.title if offer else "") or "mutualisation")
    names = and_list([name_of(organisations.get(o)) for o in takers])
    if offer is not None:
        roles = [("partenaire", name_of(organisations.get(offer.org_id)))]
        if takers:
            roles.append(("bénéficiaires" if len(takers) > 1 else "bénéficiaire", names))
        return _parties("Mutualisation", title, roles)
    if len(takers) < 2:
        return f"Mutualisation concrétisée : {title}"
    return _parties("Mutualisation", title, [("structures réunies", names)])


def _action(
    category: Category | None,
    offer: Item | None,
    giver: Organisation | None,
    taker: Organisation | None,
) -> str:
    """The sentence without its details: what was exchanged, who gave, who received."""
    if offer is None:
        return _parties(
            "Partenariat concrétisé",
            "",
            [("partenaires", and_list([name_of(giver), name_of(taker)]))],
        )
    if category == Category.EQUIPMENT:
        nature, giving, receiving = in_kind_nature(offer)
    else:
        nature, giving, receiving = _NATURES.get(category, _ANSWER)  # type: ignore[arg-type]
    roles = [(giving, name_of(giver)), (receiving, name_of(taker))]
    return _parties(nature, quoted(offer.title), roles)


def quantity_text(partnership: Partnership) -> str | None:
    """The quantity recorded for a partnership, as typed (« 4,5 tonnes en 2022 »), or None."""
    if partnership.value_quantity is None:
        return None
    number = fr_exact(partnership.value_quantity)
    unit = " ".join((partnership.value_unit or "").split())
    return f"{number} {unit}" if unit else f"quantité : {number}"


def realised_sentence(
    partnership: Partnership,
    organisations: dict[str, Organisation],
    items: dict[str, Item],
) -> str:
    """One French sentence for a partenariat concrétisé, for funders.

    Built from who offers (the offer's organisation, else ``org_b``), who needs (the need's, else
    ``org_a``), the offer or need title, what is exchanged, the mode, the value and the month
    of its realisation (left out when the history does not date it):
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
    if partnership.is_pooled:
        text = _pooled_action(partnership, organisations, offer)
    elif offer is None and need is not None:
        roles = [("partenaire", name_of(giver)), ("bénéficiaire", name_of(taker))]
        text = _parties("Réponse au besoin", quoted(need.title), roles)
    else:
        text = _action(category, offer, giver, taker)
    details = []
    if partnership.mode is not None:
        details.append(LABELS_FR[partnership.mode])
    quantity = quantity_text(partnership)
    if quantity:
        details.append(quantity)
    if partnership.value_euros:
        details.append(fr_euros(partnership.value_euros))
    if partnership.value_hours:
        details.append(plural(partnership.value_hours, "heure", "heures"))
    day = realised_date(partnership)
    if day is not None:
        details.append(fr_month(day))
    suffix = f" ({', '.join(details)})" if details else ""
    return f"{capitalise(text)}{suffix}."
