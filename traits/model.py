"""The domain model: territories, organisations, diagnostics, needs and offers, partnerships.

Pure Python, typed, no storage and no user interface. Objects are validated once, at the
boundary (import, form), and then trusted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class OrgKind(StrEnum):
    """What kind of organisation: the programme pairs ESS structures with companies."""

    ESS = "ess"
    COMPANY = "company"
    PUBLIC = "public"
    OTHER = "other"


class Direction(StrEnum):
    """Whether an item is a need (besoin) or an offer (offre)."""

    NEED = "need"
    OFFER = "offer"


class Category(StrEnum):
    """The categories of needs and offers of the interchange format."""

    SKILLS = "skills"
    EQUIPMENT = "equipment"
    PURCHASING = "purchasing"
    PREMISES = "premises"
    VOLUNTEERING = "volunteering"
    FUNDING = "funding"
    OTHER = "other"


class DiagnosticStatus(StrEnum):
    """A diagnostic may be saved half-done during an interview and resumed later."""

    DRAFT = "draft"
    COMPLETE = "complete"


class PartnershipStatus(StrEnum):
    """Where a partnership stands, from piste to concrétisé (or abandoned)."""

    PROPOSED = "proposed"
    INTRODUCED = "introduced"
    IN_DISCUSSION = "in_discussion"
    REALISED = "realised"
    ABANDONED = "abandoned"


class PartnershipMode(StrEnum):
    """Le Rameau's typology of company–ESS partnerships."""

    PHILANTHROPY = "philanthropy"
    RESPONSIBLE_PRACTICES = "responsible_practices"
    ECONOMIC_COOPERATION = "economic_cooperation"
    SOCIETAL_INNOVATION = "societal_innovation"


#: French labels shown to people, for every enumerated value.
LABELS_FR: dict[str, str] = {
    OrgKind.ESS: "structure de l'ESS",
    OrgKind.COMPANY: "entreprise",
    OrgKind.PUBLIC: "collectivité ou organisme public",
    OrgKind.OTHER: "autre",
    Direction.NEED: "besoin",
    Direction.OFFER: "offre",
    Category.SKILLS: "compétences",
    Category.EQUIPMENT: "matériel",
    Category.PURCHASING: "achats",
    Category.PREMISES: "locaux",
    Category.VOLUNTEERING: "bénévolat",
    Category.FUNDING: "mécénat financier",
    Category.OTHER: "autre",
    DiagnosticStatus.DRAFT: "brouillon",
    DiagnosticStatus.COMPLETE: "terminé",
    PartnershipStatus.PROPOSED: "piste proposée",
    PartnershipStatus.INTRODUCED: "mise en lien",
    PartnershipStatus.IN_DISCUSSION: "en discussion",
    PartnershipStatus.REALISED: "concrétisé",
    PartnershipStatus.ABANDONED: "abandonné",
    PartnershipMode.PHILANTHROPY: "mécénat",
    PartnershipMode.RESPONSIBLE_PRACTICES: "pratiques responsables",
    PartnershipMode.ECONOMIC_COOPERATION: "coopération économique",
    PartnershipMode.SOCIETAL_INNOVATION: "innovation sociétale",
}

#: The forward order of a partnership's life; ``abandoned`` may end any open step.
PIPELINE: tuple[PartnershipStatus, ...] = (
    PartnershipStatus.PROPOSED,
    PartnershipStatus.INTRODUCED,
    PartnershipStatus.IN_DISCUSSION,
    PartnershipStatus.REALISED,
)

#: Statuses a partnership may move to from each status: forward (steps may be skipped when
#: recorded late), or to abandoned while open; realised and abandoned are final.
TRANSITIONS: dict[PartnershipStatus, frozenset[PartnershipStatus]] = {
    **{
        status: frozenset(PIPELINE[i + 1 :]) | {PartnershipStatus.ABANDONED}
        for i, status in enumerate(PIPELINE[:-1])
    },
    PartnershipStatus.REALISED: frozenset(),
    PartnershipStatus.ABANDONED: frozenset(),
}

#: Statuses that count as "pistes émergentes" in activity reports.
OPEN_STATUSES = frozenset(
    {PartnershipStatus.PROPOSED, PartnershipStatus.INTRODUCED, PartnershipStatus.IN_DISCUSSION}
)

#: Statuses a partnership cannot leave.
FINAL_STATUSES = frozenset({PartnershipStatus.REALISED, PartnershipStatus.ABANDONED})


@dataclass
class Territory:
    """A Pôle ESS's territory ("pays"), with its facilitator."""

    territory_id: str
    name: str
    communes: list[str] = field(default_factory=list)
    facilitator: str | None = None


@dataclass
class Organisation:
    """An organisation met by the facilitator."""

    org_id: str
    name: str
    kind: OrgKind
    territory_id: str
    legal_form: str | None = None
    siret: str | None = None
    commune: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    size: str | None = None
    description: str | None = None


@dataclass
class Diagnostic:
    """A diagnostic interview: what an organisation already does, wants and fears."""

    diagnostic_id: str
    org_id: str
    date: dt.date
    facilitator: str | None = None
    practices: str | None = None
    motivations: str | None = None
    obstacles: str | None = None
    notes: str | None = None
    status: DiagnosticStatus = DiagnosticStatus.COMPLETE


@dataclass
class Item:
    """A need or an offer of an organisation."""

    item_id: str
    org_id: str
    direction: Direction
    category: Category
    title: str
    description: str | None = None
    subcategory: str | None = None
    quantity: str | None = None
    diagnostic_id: str | None = None


@dataclass
class Contact:
    """A contact person of an organisation, with their consent to be contacted."""

    contact_id: str
    org_id: str
    name: str
    consent: bool
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    consent_date: dt.date | None = None
    consent_source: str | None = None
    consent_scope: str | None = None


@dataclass
class StatusChange:
    """One dated step of a partnership's history (append-only)."""

    partnership_id: str
    at: dt.datetime
    to_status: PartnershipStatus
    from_status: PartnershipStatus | None = None
    author: str | None = None
    note: str | None = None


@dataclass
class PartnershipMember:
    """One organisation of a pooled (multi-party) partnership, with the need it brings."""

    partnership_id: str
    org_id: str
    need_id: str | None = None


@dataclass
class Partnership:
    """A partnership of two organisations, usually a need of one met by an offer of the other.

    A pooled partnership (mutualisation) brings several organisations together around one
    shared answer: ``members`` lists them all with their needs, ``label`` names the pool, and
    ``org_a``/``org_b`` hold its first two members (or its first member and the offer's
    organisation) so that every two-party view still works.
    """

    partnership_id: str
    org_a: str
    org_b: str
    status: PartnershipStatus
    need_id: str | None = None
    offer_id: str | None = None
    mode: PartnershipMode | None = None
    categories: list[Category] = field(default_factory=list)
    value_hours: float | None = None
    value_euros: float | None = None
    value_quantity: float | None = None
    value_unit: str | None = None
    abandon_reason: str | None = None
    created: dt.date | None = None
    notes: str | None = None
    history: list[StatusChange] = field(default_factory=list)
    label: str | None = None
    members: list[PartnershipMember] = field(default_factory=list)

    @property
    def is_pooled(self) -> bool:
        """Whether this partnership brings more than a need and an offer together."""
        return bool(self.members)

    @property
    def org_ids(self) -> list[str]:
        """Every organisation of the partnership, in order, without repeats."""
        ids = [m.org_id for m in self.members] if self.members else [self.org_a]
        return list(dict.fromkeys([*ids, self.org_b]))


#: A mutualisation (pooled partnership) brings at least this many organisations together.
MIN_POOL_ORGANISATIONS = 2


def pool_rule_problems(partnership: Partnership, name: Callable[[str], str]) -> list[str]:
    """Why a pooled partnership's members break the rule of every mutualisation, in French.

    The one rule the import, the CLI and the app apply: at least
    :data:`MIN_POOL_ORGANISATIONS` member organisations, and both parties (``org_a``,
    ``org_b``) among the members. ``name`` words an organisation for the message (« Nom »).
    Empty for a partnership without members (a two-party partnership) or a sound one.
    """
    p = partnership
    if not p.members:
        return []
    members = list(dict.fromkeys(m.org_id for m in p.members))
    problems = []
    if len(members) < MIN_POOL_ORGANISATIONS:
        problems.append(
            f"une mutualisation réunit au moins {MIN_POOL_ORGANISATIONS} structures : seule "
            f"{name(members[0])} est membre du partenariat « {p.partnership_id} » ; ajoutez les "
            "autres structures membres."
        )
    roles = ((p.org_a, "la structure qui a le besoin"), (p.org_b, "la structure partenaire"))
    for org_id, role in roles:
        if org_id not in members:
            problems.append(
                f"{name(org_id)}, {role} du partenariat « {p.partnership_id} », n'est pas "
                "parmi ses membres : ajoutez-la, ou corrigez la ligne du partenariat."
            )
    return problems


# --- history-date rules: when a partnership started, was realised, stood at a status ----------


def start_date(partnership: Partnership) -> dt.date | None:
    """The day a partnership came to exist: its ``created`` date or its first event, the earlier."""
    days = [e.at.date() for e in partnership.history]
    if partnership.created is not None:
        days.append(partnership.created)
    return min(days) if days else None


def realised_date(partnership: Partnership) -> dt.date | None:
    """The day of the step to ``realised`` in the history (None if not realised or undated)."""
    days = [e.at.date() for e in partnership.history if e.to_status == PartnershipStatus.REALISED]
    return max(days) if days else None


def closed_date(partnership: Partnership) -> dt.date | None:
    """The day a realised or abandoned partnership reached that final status (None if open)."""
    if partnership.status not in FINAL_STATUSES:
        return None
    days = [e.at.date() for e in partnership.history if e.to_status == partnership.status]
    return max(days) if days else None


def status_on(
    partnership: Partnership, day: dt.date, since: dt.date | None = None
) -> PartnershipStatus | None:
    """The partnership's status at the end of ``day``, or None if it is not known to exist then.

    Reads the dated history. Without history, the current status from its start on: its
    ``created`` date, else ``since`` (its earliest known date, such as the diagnostic where
    its need or offer was recorded). A partnership without any date is never placed on a day:
    None (the report counts it apart, as undated).
    """
    if not partnership.history:
        begun = partnership.created or since
        if begun is None or begun > day:
            return None
        return partnership.status
    past = [e for e in partnership.history if e.at.date() <= day]
    if not past:
        return None
    return max(past, key=lambda e: e.at).to_status


def luhn_ok(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (used by SIREN and SIRET)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def siret_ok(siret: str) -> bool:
    """Whether a SIRET is 14 digits passing its check digit.

    La Poste's establishments (SIREN 356000000) follow another rule: the digits sum to a multiple
    of 5.
    """
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith("356000000"):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)
