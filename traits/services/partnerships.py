"""Partnership services: propose a piste, move it along its life, list and follow.

Every change is appended to the partnership's history (who, when, from, to, note); a change
that makes no sense is refused with a French message.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TypedDict, Unpack

import sqlalchemy as sa

from traits import rules
from traits.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    Problem,
    TransitionError,
)
from traits.fr import fr_number
from traits.model import (
    LABELS_FR,
    TRANSITIONS,
    Category,
    Partnership,
    PartnershipMode,
    PartnershipStatus,
)
from traits.services import access
from traits.storage import Store
from traits.storage import partnerships as stored
from traits.storage import repository as repo
from traits.storage import schema as t


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _status(value: str | PartnershipStatus) -> PartnershipStatus:
    from traits.interchange.columns import PARTNERSHIP_STATUS_VALUES, fold

    canonical = PARTNERSHIP_STATUS_VALUES.get(fold(str(value)))
    if canonical is None:
        allowed = ", ".join(f"« {LABELS_FR[s]} »" for s in PartnershipStatus)
        raise InvalidInputError(f"statut « {value} » inconnu : choisissez parmi {allowed}.")
    return PartnershipStatus(canonical)


def infer_mode(need_category: str, offer_category: str, offer_kind: str) -> PartnershipMode:
    """The likely Le Rameau mode of a need–offer pair (the facilitator may change it).

    A purchase is responsible purchasing; a gift of skills, goods, time or money is
    philanthropy; lending premises or equipment between organisations is economic cooperation.
    """
    if "purchasing" in (need_category, offer_category):
        return PartnershipMode.RESPONSIBLE_PRACTICES
    if offer_category in ("funding", "volunteering", "skills"):
        return PartnershipMode.PHILANTHROPY
    if offer_category in ("premises", "equipment") and offer_kind == "company":
        return PartnershipMode.PHILANTHROPY
    return PartnershipMode.ECONOMIC_COOPERATION


def propose(
    store: Store,
    need_id: str,
    offer_id: str,
    *,
    mode: PartnershipMode | str | None = None,
    author: str | None = None,
    note: str | None = None,
) -> Partnership:
    """Turn a need–offer pair into a proposed partnership (a piste) in one call."""
    with store.transaction() as conn:
        # both parties' territories: one territory never proposes with another's records
        access.require_owned(conn, "item", [need_id, offer_id])
        rows = stored.items_by_id(conn, [need_id, offer_id], with_kind=True)
        need, offer = rows.get(need_id), rows.get(offer_id)
        if need is None:
            raise NotFoundError(f"besoin « {need_id} » introuvable : vérifiez l'identifiant.")
        if offer is None:
            raise NotFoundError(f"offre « {offer_id} » introuvable : vérifiez l'identifiant.")
        if need.direction != "need":
            raise InvalidInputError(f"« {need_id} » est une offre, pas un besoin.")
        if offer.direction != "offer":
            raise InvalidInputError(f"« {offer_id} » est un besoin, pas une offre.")
        if need.org_id == offer.org_id:
            raise InvalidInputError(
                "un partenariat réunit deux structures différentes : ce besoin et cette offre "
                f"appartiennent tous deux à « {need.org_id} »."
            )
        existing = stored.of_pair(conn, need_id, offer_id)
        if existing is not None:
            raise ConflictError(  # proposed meanwhile, maybe by another session: no id shown
                "cette piste existe déjà : elle est devenue un partenariat, à l'étape "
                f"« {LABELS_FR[PartnershipStatus(existing.status)]} » ; suivez-la dans "
                "« Partenariats »."
            )
        if isinstance(mode, str):
            from traits.interchange.columns import MODE_VALUES, fold

            canonical = MODE_VALUES.get(fold(mode))
            if canonical is None:
                raise InvalidInputError(f"mode « {mode} » inconnu.")
            mode = PartnershipMode(canonical)
        now = _now()
        part = Partnership(
            partnership_id=f"p_{uuid.uuid4().hex[:10]}",
            org_a=need.org_id,
            org_b=offer.org_id,
            status=PartnershipStatus.PROPOSED,
            need_id=need_id,
            offer_id=offer_id,
            mode=mode or infer_mode(need.category, offer.category, offer.kind),
            categories=sorted({Category(need.category), Category(offer.category)}),
            created=now.date(),
        )
        stored.insert(conn, part, now, author, note)
    return get(store, part.partnership_id)


def get(store: Store, partnership_id: str) -> Partnership:
    """One partnership with its history."""
    with store.reading() as conn:
        parties = repo.owners(conn, "partnership", [partnership_id]).get(partnership_id)
        if parties is None:
            raise NotFoundError(f"partenariat « {partnership_id} » introuvable.")
        allowed = access.readable_territories()
        if allowed is not None and not parties & allowed:
            access.require_read(min(parties))
        return _get(conn, partnership_id)


def _get(conn: sa.Connection, partnership_id: str) -> Partnership:
    found = repo.read_partnerships(conn, partnership_ids=[partnership_id])
    if not found:
        raise NotFoundError(f"partenariat « {partnership_id} » introuvable.")
    return found[0]


def _locked(conn: sa.Connection, partnership_id: str, expected_version: int | None) -> sa.Row:
    """The partnership's status and version, its row locked until the transaction ends.

    Checks the caller may write it, that it exists, and (with ``expected_version``) that nobody
    changed it since the caller read it.
    """
    access.require_owned(conn, "partnership", [partnership_id])
    row = stored.lock(conn, partnership_id)
    if row is None:
        raise NotFoundError(f"partenariat « {partnership_id} » introuvable.")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            "ce partenariat vient d'être modifié par quelqu'un d'autre : rechargez-le "
            "avant d'enregistrer votre changement."
        )
    return row


def _write(
    conn: sa.Connection, partnership_id: str, row: sa.Row, values: dict[str, object]
) -> None:
    """Write ``values`` at the version :func:`_locked` read, and bump it: every change of a
    partnership goes through this one compare-and-set (move, mode, value, notes)."""
    changed = stored.update(
        conn, partnership_id, {**values, "version": row.version + 1}, version=row.version
    )
    if changed != 1:  # pragma: no cover - the row lock of _locked makes this unreachable
        raise ConflictError("ce partenariat vient d'être modifié : rechargez-le.")


def _check_transition(old: PartnershipStatus, new: PartnershipStatus) -> None:
    """Refuse, in French, a move the partnership's life does not allow."""
    if new in TRANSITIONS[old]:
        return
    if old == new:
        message = f"le partenariat est déjà « {LABELS_FR[new]} »."
    elif not TRANSITIONS[old]:
        message = (
            f"le partenariat est « {LABELS_FR[old]} » : son histoire est close, "
            "proposez une nouvelle piste si besoin."
        )
    else:
        allowed = ", ".join(LABELS_FR[s] for s in sorted(TRANSITIONS[old]))
        message = (
            f"passage de « {LABELS_FR[old]} » à « {LABELS_FR[new]} » impossible : "
            f"étapes possibles : {allowed}."
        )
    raise TransitionError(message)


def change_status(
    store: Store,
    partnership_id: str,
    status: PartnershipStatus | str,
    *,
    reason: str | None = None,
    note: str | None = None,
    author: str | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    details: Details | None = None,
) -> Partnership:
    """Move a partnership to ``status``, appending the change to its history.

    ``abandoned`` requires a reason. With ``expected_version``, the change is refused if
    someone else changed the partnership since it was read (no silent overwrite).
    ``details`` (the keyword arguments of :func:`update_details`: mode, value…) are checked
    first and written with the status in the same transaction: all of the move, or nothing.
    """
    new = _status(status)
    if new is PartnershipStatus.ABANDONED and not (reason and reason.strip()):
        raise InvalidInputError(
            "un abandon doit être motivé : indiquez le motif (option --reason)."
        )
    values = _detail_values(details) if details else {}
    with store.transaction() as conn:
        row = _locked(conn, partnership_id, expected_version)
        old = PartnershipStatus(row.status)
        _check_transition(old, new)
        values["status"] = new.value
        if new is PartnershipStatus.ABANDONED:
            values["abandon_reason"] = reason
        _write(conn, partnership_id, row, values)
        said = note if new is not PartnershipStatus.ABANDONED else (note or reason)
        stored.add_event(conn, partnership_id, at or _now(), old.value, new.value, author, said)
    return get(store, partnership_id)


class Details(TypedDict, total=False):
    """What a partnership is worth and its mode: the fields a facilitator may set."""

    mode: PartnershipMode | str | None
    value_hours: float | str | None
    value_euros: float | str | None
    value_quantity: float | str | None
    value_unit: str | None
    notes: str | None


#: The mode to give for « à préciser »: it clears a mode set before.
NO_MODE = ""


def _detail_values(details: Details) -> dict[str, object]:
    """Mode, value and notes checked, as the columns to write (``None`` left out; the mode
    :data:`NO_MODE` clears it)."""
    mode, value_unit, notes = details.get("mode"), details.get("value_unit"), details.get("notes")
    values: dict[str, object] = {}
    if mode is not None and not str(mode).strip():
        values["mode"] = None
    elif mode is not None:
        from traits.interchange.columns import MODE_VALUES, fold

        canonical = MODE_VALUES.get(fold(str(mode)))
        if canonical is None:
            allowed = ", ".join(m.value for m in PartnershipMode)
            raise InvalidInputError(f"mode « {mode} » inconnu : choisissez parmi {allowed}.")
        values["mode"] = canonical
    for key, number, rule, label in (
        ("value_hours", details.get("value_hours"), rules.hours, "heures"),
        ("value_euros", details.get("value_euros"), rules.euros, "montant en euros"),
        ("value_quantity", details.get("value_quantity"), rules.quantity, "quantité"),
    ):
        if number is not None:
            try:
                values[key] = rule(number)
            except rules.FieldError as exc:
                raise InvalidInputError(Problem(exc.message, column=label)) from None
    if value_unit is not None:
        try:
            unit = rules.check_length(value_unit.strip(), t.partnerships.name, "value_unit")
        except rules.FieldError as exc:
            raise InvalidInputError(Problem(exc.message, column="unité")) from None
        values["value_unit"] = unit or None
    if notes is not None:
        values["notes"] = notes.strip() or None
    return values


def update_details(
    store: Store,
    partnership_id: str,
    *,
    expected_version: int | None = None,
    **details: Unpack[Details],
) -> Partnership:
    """Set what a partnership is worth and its mode (values left ``None`` are unchanged)."""
    values = _detail_values(details)
    if not values:
        raise InvalidInputError("rien à modifier : donnez un mode, une valeur ou une note.")
    with store.transaction() as conn:
        row = _locked(conn, partnership_id, expected_version)
        _write(conn, partnership_id, row, values)
    return get(store, partnership_id)


def changes_since(before: Partnership, after: Partnership) -> list[str]:
    """What someone else changed in a partnership since ``before`` was read, in French
    (« son étape : mise en lien → en discussion »), for the message of a refused save."""
    said: list[str] = []
    if before.status is not after.status:
        said.append(f"son étape : {LABELS_FR[before.status]} → {LABELS_FR[after.status]}")
    if before.mode != after.mode:
        said.append(f"son mode : {_mode_fr(before.mode)} → {_mode_fr(after.mode)}")
    for label, old, new, unit in (
        ("heures données", before.value_hours, after.value_hours, ""),
        ("montant", before.value_euros, after.value_euros, " €"),
        ("quantité", before.value_quantity, after.value_quantity, ""),
    ):
        if old != new:
            said.append(f"{label} : {_number_fr(old, unit)} → {_number_fr(new, unit)}")
    if (before.value_unit or "") != (after.value_unit or ""):
        said.append("l'unité de la quantité")
    if (before.notes or "") != (after.notes or ""):
        said.append("ses notes")
    if (before.abandon_reason or "") != (after.abandon_reason or ""):
        said.append("le motif d'abandon")
    return said or ["un autre enregistrement, sans changement visible"]


def _mode_fr(mode: PartnershipMode | None) -> str:
    return LABELS_FR[mode] if mode else "à préciser"


def _number_fr(value: float | None, unit: str) -> str:
    return "non renseigné" if value is None else f"{fr_number(value)}{unit}"


def list_partnerships(
    store: Store,
    *,
    status: PartnershipStatus | str | None = None,
    territory_id: str | None = None,
) -> list[Partnership]:
    """Partnerships, optionally of one status and one territory."""
    wanted = _status(status) if status else None
    access.require_read(territory_id)
    with store.reading() as conn:
        parts = repo.read_partnerships(conn, territory_id)
    return [p for p in parts if wanted is None or p.status is wanted]


def excluded_pairs(store: Store) -> set[tuple[str, str]]:
    """Need–offer pairs the matcher must leave out: already proposed, realised or declined."""
    with store.reading() as conn:
        return stored.proposed_pairs(conn) | stored.declined_pairs(conn)
