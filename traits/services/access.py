"""Accounts, roles and the checks every service makes.

Who is signed in is a context variable (like the audit's actor): the app sets it for each
browser session after login, so the services need no extra argument and cannot be called
around. With nobody signed in, the caller is the local user of a single-user laptop
deployment and may do everything; a shared deployment signs every session in.

Roles:

- ``facilitator`` (animateur·rice): reads and writes the territories assigned, nothing else;
- ``coordinator`` (coordination régionale): reads every territory, writes nothing;
- ``admin``: manages accounts and territories, and everything else.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa

from traits.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from traits.storage import Store
from traits.storage import schema as t
from traits.storage.audit import set_actor

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
SESSION_HOURS = 8
MIN_PASSWORD = 10


class Role(StrEnum):
    """What an account may do."""

    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.FACILITATOR: "animateur·rice",
    Role.COORDINATOR: "coordination régionale",
    Role.ADMIN: "administrateur·rice",
}


@dataclass(frozen=True)
class Principal:
    """A signed-in account, valid until ``expires_at``."""

    username: str
    role: Role
    territories: frozenset[str] = field(default_factory=frozenset)
    expires_at: dt.datetime | None = None

    def expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and (now or dt.datetime.now()) >= self.expires_at


_PRINCIPAL: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "traits_principal", default=None
)


def current() -> Principal | None:
    """The signed-in account, or None on a single-user deployment."""
    return _PRINCIPAL.get()


def sign_in(principal: Principal | None) -> None:
    """Make ``principal`` the caller of every service in this context (app session, thread)."""
    _PRINCIPAL.set(principal)
    set_actor(principal.username if principal else None)


@contextmanager
def signed_in(principal: Principal) -> Iterator[None]:
    """Run a block as ``principal``."""
    token = _PRINCIPAL.set(principal)
    try:
        set_actor(principal.username)
        yield
    finally:
        _PRINCIPAL.reset(token)
        set_actor(current().username if current() else None)


@contextmanager
def unrestricted() -> Iterator[None]:
    """Run a block with no account: only for throwaway databases (evaluation)."""
    token = _PRINCIPAL.set(None)
    try:
        yield
    finally:
        _PRINCIPAL.reset(token)


def _caller() -> Principal | None:
    p = current()
    if p is not None and p.expired():
        raise PermissionDeniedError("votre session a expiré : reconnectez-vous.")
    return p


def readable_territories() -> frozenset[str] | None:
    """Territories the caller may read (None: all)."""
    p = _caller()
    if p is None or p.role in (Role.ADMIN, Role.COORDINATOR):
        return None
    return p.territories


def require_read(territory_id: str | None) -> None:
    """Refuse unless the caller may read ``territory_id`` (None: every territory)."""
    allowed = readable_territories()
    if allowed is None:
        return
    if territory_id is None:
        raise PermissionDeniedError(
            "vous n'avez accès qu'à vos territoires : choisissez-en un "
            f"({', '.join(sorted(allowed)) or 'aucun'})."
        )
    if territory_id not in allowed:
        raise PermissionDeniedError(f"vous n'avez pas accès au territoire « {territory_id} ».")


def require_write(territory_ids: str | Iterable[str] | None) -> None:
    """Refuse unless the caller may write every territory named (None: every territory)."""
    p = _caller()
    if p is None or p.role is Role.ADMIN:
        return
    if p.role is Role.COORDINATOR:
        raise PermissionDeniedError(
            "la coordination régionale consulte les territoires mais ne les modifie pas."
        )
    if territory_ids is None:
        raise PermissionDeniedError("cette opération porte sur tous les territoires.")
    wanted = {territory_ids} if isinstance(territory_ids, str) else set(territory_ids)
    denied = sorted(wanted - p.territories)
    if denied:
        raise PermissionDeniedError(
            f"vous ne pouvez pas modifier le territoire « {', '.join(denied)} »."
        )


def require_admin() -> None:
    """Refuse unless the caller is an administrator (or the laptop's single user)."""
    p = _caller()
    if p is not None and p.role is not Role.ADMIN:
        raise PermissionDeniedError("réservé aux administrateur·rices.")


def territory_of(
    conn: sa.Connection,
    *,
    org_id: str | None = None,
    item_id: str | None = None,
    partnership_id: str | None = None,
) -> str:
    """The territory a record belongs to (a partnership: its first party's)."""
    if partnership_id is not None:
        org_id = conn.execute(
            sa.select(t.partnerships.c.org_a).where(
                t.partnerships.c.partnership_id == partnership_id
            )
        ).scalar()
    elif item_id is not None:
        org_id = conn.execute(
            sa.select(t.items.c.org_id).where(t.items.c.item_id == item_id)
        ).scalar()
    territory = conn.execute(
        sa.select(t.organisations.c.territory_id).where(t.organisations.c.org_id == org_id)
    ).scalar()
    if territory is None:
        raise NotFoundError("enregistrement introuvable.")
    return str(territory)


# -- accounts -------------------------------------------------------------------------------------


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_user(
    store: Store,
    username: str,
    role: Role | str,
    password: str | None = None,
    *,
    territories: Iterable[str] = (),
    display_name: str | None = None,
) -> None:
    """Create an account (administrators only); the password is stored as an Argon2id hash."""
    require_admin()
    if not re.fullmatch(r"[A-Za-z0-9._@-]{2,120}", username):
        raise InvalidInputError(
            "identifiant invalide : lettres, chiffres, point, tiret, @ (2 à 120 caractères)."
        )
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInputError(
            f"rôle « {role} » inconnu : {', '.join(r.value for r in Role)}."
        ) from None
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"mot de passe trop court : au moins {MIN_PASSWORD} caractères.")
    territories = sorted(set(territories))
    if role is Role.FACILITATOR and not territories:
        raise InvalidInputError(
            "un·e animateur·rice doit avoir au moins un territoire (--territory)."
        )
    with store.transaction() as conn:
        known = set(conn.scalars(sa.select(t.territories.c.territory_id)))
        unknown = [x for x in territories if x not in known]
        if unknown:
            raise NotFoundError(f"territoire(s) inconnu(s) : {', '.join(unknown)}.")
        if conn.execute(
            sa.select(t.users.c.username).where(t.users.c.username == username)
        ).first():
            raise InvalidInputError(f"le compte « {username} » existe déjà.")
        conn.execute(
            t.users.insert(),
            {
                "username": username,
                "display_name": display_name,
                "role": role.value,
                "territories": territories,
                "disabled": False,
                "failed_attempts": 0,
                "password_hash": _hasher().hash(password) if password else None,
                "created": dt.datetime.now(),
            },
        )


def list_users(store: Store) -> list[dict[str, object]]:
    """Every account (administrators only), without password hashes."""
    require_admin()
    with store.reading() as conn:
        return [
            {
                "username": r.username,
                "display_name": r.display_name,
                "role": r.role,
                "territories": list(r.territories or []),
                "disabled": bool(r.disabled),
                "locked_until": r.locked_until,
            }
            for r in conn.execute(sa.select(t.users).order_by(t.users.c.username))
        ]


def disable_user(store: Store, username: str) -> None:
    """Disable an account (administrators only); its history stays."""
    require_admin()
    with store.transaction() as conn:
        done = conn.execute(
            t.users.update().where(t.users.c.username == username).values(disabled=True)
        )
        if done.rowcount != 1:
            raise NotFoundError(f"compte « {username} » introuvable.")


def has_users(store: Store) -> bool:
    """Whether the deployment has accounts (then the app asks to sign in)."""
    with store.reading() as conn:
        return conn.execute(sa.select(t.users.c.username).limit(1)).first() is not None


def authenticate(
    store: Store, username: str, password: str, now: dt.datetime | None = None
) -> Principal:
    """Check a password; too many failures lock the account for a while."""
    from argon2.exceptions import VerificationError

    now = now or dt.datetime.now()
    refused = PermissionDeniedError("identifiant ou mot de passe incorrect.")
    with store.transaction() as conn:
        row = conn.execute(sa.select(t.users).where(t.users.c.username == username)).first()
        if row is None or row.disabled or not row.password_hash:
            _hasher().hash(password)  # same time whether the account exists or not
            raise refused
        if row.locked_until is not None and row.locked_until > now:
            raise PermissionDeniedError(
                "trop de tentatives : compte bloqué jusqu'à "
                f"{row.locked_until:%H:%M}. Réessayez plus tard."
            )
        try:
            _hasher().verify(row.password_hash, password)
        except VerificationError:
            failed = row.failed_attempts + 1
            locked = (
                now + dt.timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_LOGINS else None
            )
            conn.execute(
                t.users.update()
                .where(t.users.c.username == username)
                .values(failed_attempts=0 if locked else failed, locked_until=locked)
            )
            error = refused
        else:
            error = None
            conn.execute(
                t.users.update()
                .where(t.users.c.username == username)
                .values(failed_attempts=0, locked_until=None)
            )
    if error is not None:
        raise error
    return Principal(
        row.username,
        Role(row.role),
        frozenset(row.territories or []),
        now + dt.timedelta(hours=SESSION_HOURS),
    )


def principal_for_sso(store: Store, email: str, now: dt.datetime | None = None) -> Principal:
    """The account of a user signed in by OIDC (``st.login``): matched by username = e-mail."""
    with store.reading() as conn:
        row = conn.execute(sa.select(t.users).where(t.users.c.username == email)).first()
    if row is None or row.disabled:
        raise PermissionDeniedError(
            f"aucun compte actif pour « {email} » : demandez-en un à l'administration."
        )
    now = now or dt.datetime.now()
    return Principal(
        row.username,
        Role(row.role),
        frozenset(row.territories or []),
        now + dt.timedelta(hours=SESSION_HOURS),
    )
