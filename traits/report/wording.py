"""French wording of the report: names with their article, one sentence per partnership.

Pure functions over domain objects. Numbers, dates and plurals come from :mod:`traits.fr`.
"""

from __future__ import annotations

import re

from traits.fr import fr_euros, fr_month, plural
from traits.interchange.columns import fold
from traits.model import (
    LABELS_FR,
    Category,
    Item,
    Organisation,
    Partnership,
    realised_date,
)
from traits.vocabulary import Vocabulary

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

#: Quotation marks a facilitator may have typed around a title (taken off before quoting it).
_QUOTES = "«»\"“”„‘’'‹›"

#: How an ``equipment`` offer is given, by subcategory: a verb phrase then the item itself
#: (``{what}``, its quoted title), never a generic noun that can be wrong (a trailer is
#: not « un véhicule », a garden is not « des locaux »); ``{to}`` is à + taker, ``{of}`` de + taker.
_LENT = "met à la disposition {of} : {what}"
_IN_KIND = {
    "vehicles": _LENT,
    "tools": _LENT,
    "heavy_machinery": _LENT,
    "event_equipment": _LENT,
    "food_surplus": "donne {to} : {what}",
    "in_kind_gifts": "donne {to} : {what}",
}
_SUPPLIED = "fournit {to} : {what}"
#: When nothing says what kind of thing it is: the help in kind, then the item's title.
_GENERAL = "apporte une aide en nature {to} : {what}"
#: Below this evidence, a title's subcategory is not guessed (the sentence stays general).
_GUESS_FLOOR = 0.4


def designation(org: Organisation | None) -> tuple[str, str]:
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


def bare(org: Organisation | None) -> str:
    """The designation with its article: ``l'ESAT …``, ``la Banque …``, ``Octet …``."""
    article, name = designation(org)
    return article + name


def of(org: Organisation | None) -> str:
    """``de`` + designation, contracted: ``du Garage``, ``des Pépinières``, ``d'Octet``."""
    article, name = designation(org)
    if article == "une ":
        return f"d'une {name}"
    if article == "le ":
        return f"du {name}"
    if article == "les ":
        return f"des {name}"
    if article:
        return f"de {article}{name}"
    return f"d'{name}" if _starts_with_vowel(name) else f"de {name}"


def to(org: Organisation | None) -> str:
    """``à`` + designation, contracted: ``au Festival``, ``aux Pépinières``, ``à l'ESAT``."""
    article, name = designation(org)
    if article == "le ":
        return f"au {name}"
    if article == "les ":
        return f"aux {name}"
    return f"à {article}{name}"


def apposed(text: str) -> str:
    """A designation followed by more words: an apposition in the name is closed by a comma.

    ``la Banque Armor-Vilaine, agence de Vitré`` + verb → ``…, agence de Vitré, soutient``.
    """
    return text + "," if "," in text else text


def capitalise(text: str) -> str:
    """The text with its first letter in capitals (the rest untouched)."""
    return text[:1].upper() + text[1:]


def quoted(title: str) -> str:
    """A title between French quotes, once: quotes and a final full stop typed around it go.

    Quotes inside the title become second-level quotes (“ ”): « Le “Petit” marché ».
    """
    text = " ".join(title.split()).strip(_QUOTES + " ").rstrip(".;,: ").strip(_QUOTES + " ")
    text = re.sub(r"\s*»", "”", re.sub(r"«\s*", "“", text))
    return f"«\u00a0{text}\u00a0»"


def in_kind_action(item: Item) -> str:
    """The verb phrase of an ``equipment`` offer, then the item (``donne {to} : {what}``).

    The verb comes from the item's subcategory, else the vocabulary's clear best guess from its
    title and description; general (``apporte une aide en nature``) when nothing stands out.
    """
    code = item.subcategory
    if not code:
        found = Vocabulary.default().suggest(
            f"{item.title} {item.description or ''}", Category.EQUIPMENT.value, k=2
        )
        clear = found and found[0][1] >= _GUESS_FLOOR
        if clear and (len(found) == 1 or found[0][1] > found[1][1]):
            code = found[0][0].code
    if not code:
        return _GENERAL
    return _IN_KIND.get(code, _SUPPLIED)


def and_list(parts: list[str]) -> str:
    """``a``, ``a et b``, ``a, b et c``; empty for no part (callers say something else then)."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def _pooled_action(
    partnership: Partnership,
    organisations: dict[str, Organisation],
    offer: Item | None,
) -> str:
    """The clause of a pooled partnership: who gathered their needs, who answers them.

    Members listed without their need (only the one serving the group should be) are named
    all the same: every member but the one whose offer serves the group.
    """
    giver_id = offer.org_id if offer is not None else None
    takers = [m.org_id for m in partnership.members if m.need_id] or [
        o for o in partnership.org_ids if o != giver_id
    ]
    takers = list(dict.fromkeys(takers))
    title = quoted(partnership.label or (offer.title if offer else "") or "mutualisation")
    if offer is not None:
        giver = apposed(bare(organisations.get(offer.org_id)))
        if not takers:
            return f"{giver} répond à une mutualisation : {title}"
        whom = and_list([apposed(of(organisations.get(o))) for o in takers])
        return f"{giver} répond aux besoins réunis {whom} : {title}"
    if len(takers) < 2:
        return f"une mutualisation a été concrétisée : {title}"
    who = and_list([apposed(bare(organisations.get(o))) for o in takers])
    return f"{who} mutualisent leurs besoins : {title}"


def _action(
    category: Category | None,
    offer: Item | None,
    giver: Organisation | None,
    taker: Organisation | None,
) -> str:
    """The sentence's clause without its details: who does what for whom."""
    who = apposed(bare(giver))
    if offer is None:
        return f"{who} et {apposed(bare(taker))} ont concrétisé un partenariat"
    title = quoted(offer.title)
    if category == Category.PURCHASING:
        return f"{who} assure {title} pour {bare(taker)}"
    if category == Category.SKILLS:
        return f"{who} apporte ses compétences {to(taker)} : {title}"
    if category == Category.EQUIPMENT:
        return f"{who} " + in_kind_action(offer).format(what=title, to=to(taker), of=of(taker))
    if category == Category.PREMISES:  # rooms, land, parking, housing: named by their title
        return f"{who} " + _LENT.format(what=title, of=of(taker))
    if category == Category.VOLUNTEERING:
        return f"{who} mobilise des bénévoles pour {bare(taker)} : {title}"
    if category == Category.FUNDING:
        return f"{who} soutient financièrement {bare(taker)} : {title}"
    return f"{who} répond à un besoin {of(taker)} : {title}"


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
        text = f"{apposed(bare(giver))} répond au besoin {quoted(need.title)} {of(taker)}"
    else:
        text = _action(category, offer, giver, taker)
    details = []
    if partnership.mode is not None:
        details.append(LABELS_FR[partnership.mode])
    if partnership.value_euros:
        details.append(fr_euros(partnership.value_euros))
    if partnership.value_hours:
        details.append(plural(partnership.value_hours, "heure", "heures"))
    day = realised_date(partnership)
    if day is not None:
        details.append(fr_month(day))
    suffix = f" ({', '.join(details)})" if details else ""
    return f"{capitalise(text)}{suffix}."
