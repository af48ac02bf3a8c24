"""The interchange format's files, columns and enumerated values, with their French aliases.

Declared once here; the readers, the validation, the writers and the templates all use it.
See ``docs/format.md``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


def fold(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive key for headers and enum values."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    for ch in "_-'’.":
        text = text.replace(ch, " ")
    return " ".join(text.split())


@dataclass(frozen=True)
class Column:
    """One column of an interchange file."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def keys(self) -> set[str]:
        """Every folded spelling accepted for this header."""
        return {fold(self.name), *(fold(a) for a in self.aliases)}


@dataclass(frozen=True)
class FileSpec:
    """One file of a territory folder (or one sheet of a workbook)."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False
    aliases: tuple[str, ...] = field(default=())

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def header_map(self) -> dict[str, str]:
        """Folded header spelling → canonical column name."""
        out: dict[str, str] = {}
        for col in self.columns:
            for key in col.keys():
                out.setdefault(key, col.name)
        return out


def _c(name: str, *aliases: str, required: bool = False) -> Column:
    return Column(name, tuple(aliases), required)


TERRITORIES = FileSpec(
    "territories",
    (
        _c("territory_id", "identifiant", "id", required=True),
        _c("name", "nom", required=True),
        _c("communes", "epci"),
        _c("facilitator", "animateur", "animatrice", "animateur animatrice"),
    ),
    aliases=("territoires",),
)

ORGANISATIONS = FileSpec(
    "organisations",
    (
        _c("org_id", "identifiant", "id", required=True),
        _c("name", "nom", required=True),
        _c("kind", "type", required=True),
        _c("legal_form", "forme juridique", "statut juridique"),
        _c("siret"),
        _c("commune", "ville"),
        _c("postcode", "code postal", "cp"),
        _c("lat", "latitude"),
        _c("lon", "longitude", "lng"),
        _c("size", "taille", "effectif"),
        _c(
            "description",
        ),
        _c("territory", "territoire"),
    ),
    required=True,
    aliases=("structures", "organisation"),
)

ITEMS = FileSpec(
    "items",
    (
        _c("item_id", "identifiant", "id", required=True),
        _c("org_id", "structure", "organisation", required=True),
        _c("direction", "sens", required=True),
        _c("category", "categorie", required=True),
        _c("subcategory", "sous categorie", "souscategorie"),
        _c("title", "intitule", "titre", required=True),
        _c(
            "description",
        ),
        _c("quantity", "quantite", "frequence", "quantite ou frequence"),
        _c("diagnostic_id", "diagnostic"),
    ),
    required=True,
    aliases=("besoins et offres", "besoins offres", "elements"),
)

DIAGNOSTICS = FileSpec(
    "diagnostics",
    (
        _c("diagnostic_id", "identifiant", "id", required=True),
        _c("org_id", "structure", "organisation", required=True),
        _c("date", required=True),
        _c("facilitator", "animateur", "animatrice", "animateur animatrice"),
        _c("practices", "pratiques", "pratiques existantes"),
        _c(
            "motivations",
        ),
        _c("obstacles", "freins"),
        _c(
            "notes",
        ),
        _c("status", "statut"),
    ),
    aliases=("entretiens",),
)

CONTACTS = FileSpec(
    "contacts",
    (
        _c("contact_id", "identifiant", "id", required=True),
        _c("org_id", "structure", "organisation", required=True),
        _c("name", "nom", required=True),
        _c("role", "fonction"),
        _c("email", "courriel", "mail", "e mail"),
        _c("phone", "telephone", "tel"),
        _c("consent", "consentement", required=True),
        _c("consent_date", "date du consentement", "date consentement"),
        _c("consent_source", "origine du consentement", "source du consentement"),
        _c("consent_scope", "portee du consentement", "perimetre du consentement"),
    ),
)

PARTNERSHIPS = FileSpec(
    "partnerships",
    (
        _c("partnership_id", "identifiant", "id", required=True),
        _c("need_id", "besoin"),
        _c("offer_id", "offre"),
        _c("org_a", "structure a"),
        _c("org_b", "structure b"),
        _c("status", "statut", required=True),
        _c("mode", "mode de partenariat"),
        _c("categories", "categorie", "categories echangees"),
        _c("value_hours", "heures"),
        _c("value_euros", "euros", "montant"),
        _c("value_quantity", "quantite", "volume"),
        _c("value_unit", "unite"),
        _c("abandon_reason", "motif d abandon", "motif abandon", "raison"),
        _c("created", "date de creation", "cree le"),
        _c(
            "notes",
        ),
    ),
    aliases=("partenariats",),
)

PARTNERSHIP_EVENTS = FileSpec(
    "partnership_events",
    (
        _c("partnership_id", "partenariat", required=True),
        _c("at", "date", required=True),
        _c("author", "auteur", "auteurice"),
        _c("from_status", "de", "statut precedent"),
        _c("to_status", "vers", "nouveau statut", required=True),
        _c(
            "note",
        ),
    ),
    aliases=("historique", "historique des partenariats"),
)

#: Graded need→offer pairs of labelled sets (read for evaluation, not stored).
RELEVANCE = FileSpec(
    "relevance",
    (
        _c("need_id", "besoin", required=True),
        _c("offer_id", "offre", required=True),
        _c("grade", "note", "pertinence", required=True),
    ),
    aliases=("pertinence",),
)

#: Every file, in the order they must be read (references point backwards).
FILES: tuple[FileSpec, ...] = (
    TERRITORIES,
    ORGANISATIONS,
    DIAGNOSTICS,
    ITEMS,
    CONTACTS,
    PARTNERSHIPS,
    PARTNERSHIP_EVENTS,
    RELEVANCE,
)
FILES_BY_NAME = {spec.name: spec for spec in FILES}


def file_for(stem: str) -> FileSpec | None:
    """The file spec for a file or sheet name (``items``, ``Besoins et offres``…), or None."""
    key = fold(stem.removesuffix(".csv"))
    for spec in FILES:
        if key == fold(spec.name) or key in {fold(a) for a in spec.aliases}:
            return spec
    return None


def _enum(*pairs: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in pairs:
        out[fold(canonical)] = canonical
        for alias in aliases:
            out[fold(alias)] = canonical
    return out


KIND_VALUES = _enum(
    ("ess", ("structure ess", "structure de l'ess")),
    ("company", ("entreprise", "societe")),
    ("public", ("collectivite", "organisme public", "collectivite ou organisme public")),
    ("other", ("autre",)),
)
DIRECTION_VALUES = _enum(("need", ("besoin",)), ("offer", ("offre",)))
CATEGORY_VALUES = _enum(
    ("skills", ("competences", "competence")),
    ("equipment", ("materiel", "equipement")),
    ("purchasing", ("achats", "achat")),
    ("premises", ("locaux", "local")),
    ("volunteering", ("benevolat",)),
    ("funding", ("mecenat financier", "financement")),
    ("other", ("autre",)),
)
DIAGNOSTIC_STATUS_VALUES = _enum(
    ("complete", ("termine", "complet", "fait")), ("draft", ("brouillon", "en cours"))
)
PARTNERSHIP_STATUS_VALUES = _enum(
    ("proposed", ("piste", "propose", "piste proposee")),
    ("introduced", ("mise en lien", "introduit", "mis en lien")),
    ("in_discussion", ("en discussion",)),
    ("realised", ("concretise", "realise", "realisee", "concretisee")),
    ("abandoned", ("abandonne", "abandonnee")),
)
MODE_VALUES = _enum(
    ("philanthropy", ("mecenat",)),
    ("responsible_practices", ("pratiques responsables",)),
    ("economic_cooperation", ("cooperation economique",)),
    ("societal_innovation", ("innovation societale",)),
)
YES_NO_VALUES = {
    **{fold(v): True for v in ("yes", "oui", "o", "y", "vrai", "true", "1", "x")},
    **{fold(v): False for v in ("no", "non", "n", "faux", "false", "0")},
}
