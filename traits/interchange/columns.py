"""The interchange format's files, columns and enumerated values, with their French aliases.

Declared once here; the readers, the validation, the writers and the templates all use it.
See ``docs/format.md``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from traits.rules import fold  # the one fold, also used by readers and validation


@dataclass(frozen=True)
class Column:
    """One column of an interchange file; its first alias is the template's French header."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    #: A figure the reports count: a header that only looks like it is refused, not ignored.
    figure: bool = False

    def keys(self) -> set[str]:
        """Every folded spelling accepted for this header."""
        return {fold(self.name), *(fold(a) for a in self.aliases)}

    @property
    def label(self) -> str:
        """The French header people see (templates, messages)."""
        return self.aliases[0] if self.aliases else self.name


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

    @property
    def label(self) -> str:
        """The French sheet name of the templates, e.g. « Structures »."""
        return self.aliases[0] if self.aliases else self.name

    def header_map(self) -> dict[str, str]:
        """Folded header spelling → canonical column name."""
        out: dict[str, str] = {}
        for col in self.columns:
            for key in col.keys():
                out.setdefault(key, col.name)
        return out

    def column_for(self, header: str) -> str:
        """The canonical column a header names, or "": as spelled, else without its unit or
        note (« Montant (€) », « Heures en h », « Date : jj/mm/aaaa » are « Montant »…)."""
        mapping = self.header_map()
        return next((mapping[k] for k in header_keys(header) if k in mapping), "")

    def resembling(self, header: str) -> Column | None:
        """The column an unknown header probably means (« Montant HT » → « Montant »), or None."""
        key = header_keys(header)[-1]
        by_key = {k: col for col in self.columns for k in sorted(col.keys()) if len(k) >= 3}
        for k, col in by_key.items():
            if key.startswith(k + " ") or key.endswith(" " + k):
                return col
        close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.85)
        return by_key[close[0]] if close else None

    def column(self, name: str) -> Column:
        """The column of this canonical name."""
        return next(col for col in self.columns if col.name == name)


#: Words of a unit a header may end with (« Montant en € », « Heures h », « Effectif salariés »).
_UNITS = {"€", "eur", "euro", "euros", "h", "heure", "heures", "salarie", "salaries", "%"}
_NOTE = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")


def header_keys(header: str) -> list[str]:
    """A header's folded keys, to be tried in turn: as typed, without its note (text in
    brackets or after a colon), then also without a trailing unit (« en € », « euros »)."""
    keys = [fold(header), fold(_NOTE.sub(" ", header.split(":", 1)[0]))]
    words = keys[-1].split()
    while len(words) > 1 and words[-1] in _UNITS:
        words.pop()
        if len(words) > 1 and words[-1] == "en":
            words.pop()
    return [*keys, " ".join(words)]


def _c(name: str, *aliases: str, required: bool = False, figure: bool = False) -> Column:
    return Column(name, tuple(aliases), required, figure)


# Identifiers are optional (a row without one gets a stable id made from its content), and
# references between sheets may use names: see docs/format.md.
TERRITORIES = FileSpec(
    "territories",
    (
        _c("territory_id", "identifiant", "id"),
        _c("name", "nom", "nom du territoire", required=True),
        _c("communes", "communes ou EPCI", "epci"),
        _c("facilitator", "animateur ou animatrice", "animateur", "animatrice"),
    ),
    aliases=("Territoires",),
)

ORGANISATIONS = FileSpec(
    "organisations",
    (
        _c("org_id", "identifiant", "id"),
        _c("name", "nom", "nom de la structure", "raison sociale", required=True),
        _c("kind", "type", "type de structure", required=True),
        _c("legal_form", "forme juridique", "statut juridique"),
        _c("siret", "siret", "n° siret", "numero siret"),
        _c("commune", "commune", "ville", "localite"),
        _c("postcode", "code postal", "cp"),
        _c("lat", "latitude"),
        _c("lon", "longitude", "lng"),
        _c("size", "taille", "effectif", "nombre de salaries", "salaries"),
        _c("description", "description", "activite", "presentation"),
        _c("territory", "territoire"),
    ),
    required=True,
    aliases=("Structures", "organisation", "structure"),
)

ITEMS = FileSpec(
    "items",
    (
        _c("item_id", "identifiant", "id"),
        _c("org_id", "structure", "organisation", "nom de la structure", required=True),
        _c("direction", "sens", "besoin ou offre", required=True),
        _c("category", "catégorie", "type d'echange", required=True),
        _c("subcategory", "sous-catégorie", "souscategorie"),
        _c("title", "intitulé", "titre", "besoin ou offre en quelques mots", required=True),
        _c("description", "description", "détail", "precisions"),
        _c("quantity", "quantité ou fréquence", "quantite", "frequence"),
        _c("diagnostic_id", "entretien", "diagnostic", "date de l'entretien"),
    ),
    required=True,
    aliases=("Besoins et offres", "besoins offres", "elements", "besoins", "offres et besoins"),
)

DIAGNOSTICS = FileSpec(
    "diagnostics",
    (
        _c("diagnostic_id", "identifiant", "id"),
        _c("org_id", "structure", "organisation", "nom de la structure", required=True),
        _c("date", "date de l'entretien", "date entretien", required=True),
        _c("facilitator", "animateur ou animatrice", "animateur", "animatrice", "mene par"),
        _c("practices", "pratiques existantes", "pratiques"),
        _c("motivations", "motivations"),
        _c("obstacles", "freins"),
        _c("notes", "notes", "remarques", "commentaires"),
        _c("status", "statut", "état"),
    ),
    aliases=("Entretiens", "diagnostic", "entretiens diagnostics"),
)

CONTACTS = FileSpec(
    "contacts",
    (
        _c("contact_id", "identifiant", "id"),
        _c("org_id", "structure", "organisation", "nom de la structure", required=True),
        _c("name", "nom", "prénom et nom", "prenom nom", "nom prenom", "personne", required=True),
        _c("role", "fonction", "poste"),
        _c("email", "courriel", "mail", "e mail", "adresse mail", "adresse electronique"),
        _c("phone", "téléphone", "tel", "portable", "numero de telephone"),
        _c("consent", "consentement", "accord pour etre contacte", "accord", required=True),
        _c("consent_date", "date du consentement", "date consentement"),
        _c("consent_source", "origine du consentement", "source du consentement"),
        _c("consent_scope", "portée du consentement", "perimetre du consentement"),
    ),
    aliases=("Contacts", "personnes", "interlocuteurs"),
)

PARTNERSHIPS = FileSpec(
    "partnerships",
    (
        _c("partnership_id", "identifiant", "id"),
        _c("org_a", "structure qui a le besoin", "structure a", "structure du besoin"),
        _c("need_id", "besoin"),
        _c("org_b", "structure qui offre", "structure b", "structure de l'offre"),
        _c("offer_id", "offre"),
        _c("status", "statut", "etat", "ou en est on", required=True),
        _c("mode", "mode de partenariat", "type de partenariat"),
        _c("categories", "catégories échangées", "categorie", "categories"),
        _c(
            "value_hours",
            "heures",
            "nombre d'heures",
            "nb d'heures",
            "nb heures",
            "durée",
            "heures données",
            "temps donne",
            "temps passé",
            figure=True,
        ),
        _c("value_euros", "montant", "euros", "montant en euros", "valeur", figure=True),
        _c("value_quantity", "quantité", "volume", figure=True),
        _c("value_unit", "unité", "unite de la quantite"),
        _c("abandon_reason", "motif d'abandon", "motif abandon", "raison"),
        _c("created", "date de création", "date", "cree le", "date de debut", figure=True),
        _c("notes", "notes", "remarques", "commentaires"),
        _c("label", "nom de la mutualisation", "intitule de la mutualisation", "mutualisation"),
    ),
    aliases=("Partenariats", "suivi des partenariats", "suivi"),
)

PARTNERSHIP_EVENTS = FileSpec(
    "partnership_events",
    (
        _c("partnership_id", "partenariat", required=True),
        _c("at", "date", required=True),
        _c("author", "auteur", "auteurice"),
        _c("from_status", "de", "statut precedent"),
        _c("to_status", "vers", "nouveau statut", required=True),
        _c("note", "note"),
    ),
    aliases=("Historique", "historique des partenariats"),
)

#: The organisations of a pooled partnership (mutualisation), each with the need it brings.
PARTNERSHIP_MEMBERS = FileSpec(
    "partnership_members",
    (
        _c("partnership_id", "partenariat", required=True),
        _c("org_id", "structure", "organisation", "nom de la structure", required=True),
        _c("need_id", "besoin"),
    ),
    aliases=("Membres des mutualisations", "membres", "mutualisations"),
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
    PARTNERSHIP_MEMBERS,
    RELEVANCE,
)
FILES_BY_NAME = {spec.name: spec for spec in FILES}


#: A territory's own subcategories (Paramètres page, ``traits vocabulary --add``): not a file of
#: the territory folder, but read with the same header folding. The code is optional (made
#: from the label) and ``related`` may name subcategories by label.
SUBCATEGORIES = FileSpec(
    "subcategories",
    (
        _c("code", "code", "identifiant"),
        _c("label", "Libellé", "libelle", "sous-catégorie", "intitulé", required=True),
        _c("category", "Catégorie", required=True),
        _c("synonyms", "Synonymes", "mots reconnus"),
        _c("related", "Sous-catégories voisines", "voisines", "sous-catégories proches"),
    ),
    aliases=("Sous-catégories",),
)


def file_for(stem: str) -> FileSpec | None:
    """The file spec for a file or sheet name (``items``, ``Besoins et offres``…), or None."""
    key = fold(stem.removesuffix(".csv"))
    for spec in FILES:
        if key == fold(spec.name) or key in {fold(a) for a in spec.aliases}:
            return spec
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def files_named_in(name: str) -> list[FileSpec]:
    """The files whose name a sheet name contains (« STRUCTURES 2025 », « Structures (2025) »,
    « structures_v2 »): those of the longest name found, so one unless it is ambiguous."""
    words = _words(name)
    found: dict[str, tuple[int, FileSpec]] = {}
    for spec in FILES:
        for alias in (spec.name, *spec.aliases):
            key = _words(alias)
            n = len(key)
            if any(words[i : i + n] == key for i in range(len(words) - n + 1)):
                if n > found.get(spec.name, (0, spec))[0]:
                    found[spec.name] = (n, spec)
    longest = max((n for n, _ in found.values()), default=0)
    return [spec for n, spec in found.values() if n == longest and spec is not RELEVANCE]


#: Sheets of the kit's templates that hold no data (read past without a word).
README_SHEET = "À lire"
LISTS_SHEET = "Listes"


def is_template_sheet(name: str) -> bool:
    """Whether a sheet is the templates' explanation or drop-down values sheet."""
    return fold(name) in {fold(README_SHEET), fold(LISTS_SHEET)}


def sheet_names() -> str:
    """The French sheet names, for a message: « Structures », « Besoins et offres »…"""
    return ", ".join(f"« {spec.label} »" for spec in FILES if spec is not RELEVANCE)


def _enum(*pairs: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in pairs:
        out[fold(canonical)] = canonical
        for alias in aliases:
            out[fold(alias)] = canonical
    return out


_COOPERATIVES = ("scop", "scic", "cae", "cooperative")
_COMPANY_FORMS = ("sa", "sas", "sarl", "sasu", "eurl")
KIND_VALUES = _enum(
    ("ess", ("structure ess", "structure de l'ess", "ess", "association", "asso", "esat", "ea",
             "entreprise adaptee", "scop", "scic", "cooperative", "aci", "chantier d'insertion",
             "entreprise d'insertion", "siae", "mutuelle", "fondation", "association loi 1901",
             "association loi 1908", "asso loi 1901", "association declaree", "esus",
             "entreprise solidaire d'utilite sociale", "cae",
             "cooperative d'activite et d'emploi", "societe cooperative", "etti",
             "entreprise de travail temporaire d'insertion", "entreprise de l'ess",
             "economie sociale et solidaire",
             # a cooperative is one whatever its company form (« SCOP SARL », « SAS SCIC »)
             *(f"{c} {f}" for c in _COOPERATIVES for f in _COMPANY_FORMS),
             *(f"{f} {c}" for c in _COOPERATIVES for f in _COMPANY_FORMS))),
    ("company", ("entreprise", "societe", "pme", "tpe", "eti", "artisan", "commerce",
                 "commercant", "sas", "sarl", "sa", "eurl", "sasu", "entreprise privee",
                 "entreprise individuelle", "micro entreprise", "micro entrepreneur",
                 "auto entrepreneur", "auto entreprise", "societe anonyme", "snc",
                 "grande entreprise", "gaec", "earl", "exploitation agricole")),
    ("public", ("collectivite", "organisme public", "collectivite ou organisme public",
                "mairie", "commune", "communaute de communes", "departement", "region",
                "etablissement public", "collectivite territoriale", "collectivite locale",
                "ccas", "cias", "centre communal d'action sociale",
                "centre intercommunal d'action sociale", "epci", "intercommunalite",
                "communaute d'agglomeration", "agglomeration", "communaute urbaine",
                "metropole", "conseil departemental", "conseil regional", "syndicat mixte",
                "service public", "administration", "etat")),
    ("other", ("autre",)),
)  # fmt: skip
def _acronyms(key: str) -> str:
    """A folded key with dotted acronyms joined (« s a r l » → « sarl »)."""
    return re.sub(r"\b(?:[a-z0-9] )+[a-z0-9]\b", lambda m: m.group(0).replace(" ", ""), key)


#: Kind words that name two kinds: refused, saying which ones to choose from.
KIND_AMBIGUOUS = {
    fold("EI"): "« EI » désigne une entreprise d'insertion (structure de l'ESS) ou une "
    "entreprise individuelle (entreprise)",
}


def enum_value(values: dict[str, str], text: str, note: bool = False) -> str | None:
    """The canonical value ``text`` names (case, accents, spaces folded), or None. With
    ``note``, a note in brackets is allowed when it names the same value or nothing known
    (« Entreprise adaptée (EA) », « Association (loi 1901) »)."""
    found = values.get(fold(text))
    if found is not None or not note:
        return found
    base = values.get(_acronyms(fold(_NOTE.sub(" ", text))))
    notes = [values.get(_acronyms(fold(m.strip("()[] ")))) for m in _NOTE.findall(text)]
    return base if base is not None and all(n in (None, base) for n in notes) else None


DIRECTION_VALUES = _enum(
    ("need", ("besoin", "besoins", "demande", "recherche", "cherche")),
    ("offer", ("offre", "offres", "ressource", "propose", "proposition")),
)
CATEGORY_VALUES = _enum(
    ("skills", ("compétences", "competence", "conseil", "expertise")),
    ("equipment", ("matériel", "equipement", "materiels")),
    ("purchasing", ("achats", "achat", "prestation", "prestations", "achats responsables",
                    "sous traitance")),
    ("premises", ("locaux", "local", "lieu", "salle")),
    ("volunteering", ("bénévolat", "benevoles")),
    ("funding", ("mécénat financier", "financement", "don financier", "dons financiers")),
    ("other", ("autre",)),
)  # fmt: skip
#: Everyday words for what is exchanged, giving a category and a subcategory at once.
CATEGORY_PHRASES: dict[str, tuple[str, str | None]] = {
    fold(k): v
    for k, v in {
        "prêt de matériel": ("equipment", None),
        "don de matériel": ("equipment", "in_kind_gifts"),
        "mise à disposition de matériel": ("equipment", None),
        "prêt de véhicule": ("equipment", "vehicles"),
        "dons en nature": ("equipment", "in_kind_gifts"),
        "don en nature": ("equipment", "in_kind_gifts"),
        "mécénat de compétences": ("volunteering", "skilled_volunteering"),
        "bénévolat de compétences": ("volunteering", "skilled_volunteering"),
        "bénévolat de salariés": ("volunteering", "employee_volunteering"),
        "prêt de locaux": ("premises", None),
        "mise à disposition de locaux": ("premises", None),
        "prêt de salle": ("premises", "meeting_rooms"),
        "mécénat": ("funding", "sponsorship"),
        "subvention": ("funding", "foundation_grants"),
    }.items()
}
DIAGNOSTIC_STATUS_VALUES = _enum(
    ("complete", ("terminé", "complet", "fait", "fini")),
    ("draft", ("brouillon", "en cours", "a finir", "incomplet")),
)
PARTNERSHIP_STATUS_VALUES = _enum(
    ("proposed", ("piste proposée", "piste", "propose", "proposee", "idee", "a proposer")),
    ("introduced", ("mise en lien", "introduit", "mis en lien", "mise en relation",
                    "mis en relation", "contact pris", "presentes")),
    ("in_discussion", ("en discussion", "en cours", "en negociation", "en cours de discussion")),
    ("realised", ("concrétisé", "concretise", "realise", "realisee", "concretisee", "signe",
                  "signee", "conclu", "conclue", "en place", "fait")),
    ("abandoned", ("abandonné", "abandonne", "abandonnee", "sans suite", "refuse", "annule",
                   "annulee")),
)  # fmt: skip
MODE_VALUES = _enum(
    ("philanthropy", ("mécénat", "mecenat")),
    ("responsible_practices", ("pratiques responsables",)),
    ("economic_cooperation", ("coopération économique", "cooperation economique")),
    ("societal_innovation", ("innovation sociétale", "innovation societale")),
)
