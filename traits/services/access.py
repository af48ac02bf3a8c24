"""Accounts, roles and the checks every service makes.

Who is calling is known in every block the services open on the database (see
:func:`traits.storage.db.add_guard`): the account signed in (a context variable, or the app's
browser session looked up in every thread of that session, widget callbacks included), or the
server's operator (the command line), or nobody. Nobody may do everything only on a database
without accounts (a single-user laptop); with accounts, a caller who is nobody is refused.
Each block also re-reads the signed-in account: a disabled, deleted or narrowed account
stops working at its next action.

Roles:

- ``facilitator`` (animateur·rice): reads and writes the territories assigned, nothing else;
- ``coordinator`` (coordination régionale): reads every territory, writes nothing;
- ``admin``: manages accounts and territories, and everything else.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.engine import Connection

from traits.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from traits.storage import Store, accounts
from traits.storage.audit import acting_as, set_actor
from traits.storage.db import add_guard
from traits.storage.repository import owners
from traits.storage.territories import territory_ids

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
SESSION_HOURS = 8
MIN_PASSWORD = 10
READ_ONLY = "la coordination régionale consulte les territoires mais ne les modifie pas."


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


class _Unset:
    """No account was set in this context (then the app's session, if any, is asked)."""


_UNSET = _Unset()
_PRINCIPAL: contextvars.ContextVar[Principal | None | _Unset] = contextvars.ContextVar(
    "traits_principal", default=_UNSET
)
#: Why this context needs no account: the operator, or the sign-in machinery itself.
_TRUSTED: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "traits_trusted", default=None
)
#: The app's lookup of the browser session's account: (inside a session?, its account).
_SESSION_LOOKUP: list[Callable[[], tuple[bool, Principal | None]]] = []


def current() -> Principal | None:
    """The calling account: set in this context, else the app session's, else None."""
    principal = _PRINCIPAL.get()
    if not isinstance(principal, _Unset):
        return principal
    for lookup in _SESSION_LOOKUP:
        inside, found = lookup()
        if inside:
            return found
    return None


def use_session_lookup(lookup: Callable[[], tuple[bool, Principal | None]]) -> None:
    """Where the app keeps each browser session's account.

    Asked whenever no account was set in the current context, so that code the app runs
    outside its page scripts (widget callbacks run before the page) still acts as the
    session's account. ``lookup()`` returns (whether a session is running, its account).
    """
    _SESSION_LOOKUP[:] = [lookup]


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


@contextmanager
def _trusted(why: str) -> Iterator[None]:
    token = _TRUSTED.set(why)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def operator() -> contextlib.AbstractContextManager[None]:
    """Run a block as the server's operator (the command line, a script on the server).

    Whoever runs it already holds the database's address and password, so no account is
    asked; its writes are logged under ``TRAITS_AUTHOR`` or the system user.
    """
    return _trusted("operator")


def cache_writes() -> contextlib.AbstractContextManager[None]:
    """Run a block that writes only caches (e.g. embeddings), whoever reads the page."""
    return _trusted("cache")


def _guard(conn: Connection, writes: bool) -> None:
    """Check the caller at the start of every database block (installed in the Store)."""
    if _TRUSTED.get() is not None:
        return
    p = current()
    if p is None:
        if accounts.any_account(conn):
            raise PermissionDeniedError(
                "aucun compte connecté : connectez-vous (ou reconnectez-vous) pour continuer."
            )
        return
    if p.expired():
        raise PermissionDeniedError("votre session a expiré : reconnectez-vous.")
    row = accounts.account_rights(conn, p.username)
    if row is None or row.disabled:
        raise PermissionDeniedError(
            "votre compte a été désactivé ou supprimé : demandez à l'administration."
        )
    if row.role != p.role.value or not p.territories <= set(row.territories or []):
        raise PermissionDeniedError("vos droits ont changé : reconnectez-vous.")
    set_actor(p.username)  # the audit log names the account, whatever thread runs the block
    if writes and p.role is Role.COORDINATOR:
        raise PermissionDeniedError(READ_ONLY)


add_guard(_guard)


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
        raise PermissionDeniedError(READ_ONLY)
    if territory_ids is None:
        raise PermissionDeniedError("cette opération porte sur tous les territoires.")
    wanted = {territory_ids} if isinstance(territory_ids, str) else set(territory_ids)
    denied = sorted(wanted - p.territories)
    if denied:
        named = territories_named(denied)
        raise PermissionDeniedError(
            f"vous ne pouvez pas modifier le territoire{named}."
            if named
            else "vous ne pouvez modifier que vos territoires : ce que vous demandez touche "
            "un autre territoire."
        )


def writable_territories() -> frozenset[str] | None:
    """Territories the caller may write (None: every one); a coordinator is refused."""
    p = _caller()
    if p is None or p.role is Role.ADMIN:
        return None
    if p.role is Role.COORDINATOR:
        raise PermissionDeniedError(READ_ONLY)
    return p.territories


def may_read(territory_id: str) -> bool:
    """Whether the caller may read ``territory_id`` (and so see it or its records named)."""
    allowed = readable_territories()
    return allowed is None or territory_id in allowed


def territories_named(territory_ids: Iterable[str]) -> str:
    """`` « a, b »`` to name territories in a message, or "" when the caller may not read
    every one of them (a refusal never discloses another territory)."""
    ids = sorted(territory_ids)
    if not ids or not all(may_read(t) for t in ids):
        return ""
    return f" « {', '.join(ids)} »"


def require_admin() -> None:
    """Refuse unless the caller is an administrator (or the laptop's single user)."""
    p = _caller()
    if p is not None and p.role is not Role.ADMIN:
        raise PermissionDeniedError("réservé aux administrateur·rices.")


def may_write(territory_id: str | None) -> bool:
    """Whether the caller may write ``territory_id`` (for pages hiding what would be refused)."""
    try:
        require_write(territory_id)
    except PermissionDeniedError:
        return False
    return True


# -- which territory owns a record ---------------------------------------------------------------

#: The kinds of records that carry an id, with their French name (for messages).
RECORD_KINDS = {
    "organisation": "la structure",
    "diagnostic": "le diagnostic",
    "item": "le besoin ou l'offre",
    "contact": "le contact",
    "partnership": "le partenariat",
}


def foreign_message(kind: str, record_id: str, others: Iterable[str]) -> str:
    """« le diagnostic « d1 » appartient à un autre territoire (« redon ») : … », naming the
    other territories only to a caller allowed to read them."""
    named = territories_named(others)
    where = f" ({named.strip()})" if named else ""
    return (
        f"{RECORD_KINDS[kind]} « {record_id} » appartient à un autre territoire{where} : un "
        "territoire ne modifie pas les enregistrements d'un autre. Donnez un autre identifiant."
    )


def require_owned(
    conn: Connection, kind: str, ids: Iterable[str], territory_id: str | None = None
) -> dict[str, frozenset[str]]:
    """Refuse unless the caller may write every stored record named and, with
    ``territory_id``, each of them already belongs to that territory alone.

    The one check of every write that names existing records by id (forms, proposals,
    imports): the owner is read in ``conn`` (lock it in the same transaction as the write).
    Returns the owners found (ids not stored are new records, left to the caller).
    """
    found = owners(conn, kind, [i for i in ids if i])
    for record_id, territories in sorted(found.items()):
        if territory_id is not None and territories != {territory_id}:
            raise PermissionDeniedError(
                foreign_message(kind, record_id, territories - {territory_id})
            )
        p = _caller()
        if p is not None and p.role is Role.FACILITATOR and not territories <= p.territories:
            raise PermissionDeniedError(
                f"vous ne pouvez pas modifier {RECORD_KINDS[kind]} « {record_id} » : cet "
                "enregistrement appartient à un autre territoire que les vôtres."
            )
        require_write(territories)
    return found


def require_stored(
    conn: Connection, kind: str, record_id: str, territory_id: str | None = None
) -> frozenset[str]:
    """Like :func:`require_owned` for one record that must exist; returns its territories."""
    found = require_owned(conn, kind, [record_id], territory_id)
    if record_id not in found:
        raise NotFoundError(f"{RECORD_KINDS[kind]} « {record_id} » introuvable.")
    return found[record_id]


# -- accounts -------------------------------------------------------------------------------------


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def account_problem(
    username: str, role: str, territories: Iterable[str], known_territories: set[str]
) -> tuple[str, str] | None:
    """What makes an account unusable or too wide, as (column, French message), else None.

    The one rule of ``traits user add`` and of a restore: a valid user name, a known role, a
    facilitator with at least one territory, and only territories that exist (a grant of a
    territory not there yet would give its rights to whoever creates it later).
    """
    if not isinstance(username, str) or not re.fullmatch(r"[A-Za-z0-9._@-]{2,120}", username):
        return "username", (
            "identifiant invalide : lettres, chiffres, point, tiret, arobase (2 à 120 caractères)."
        )
    if role not in {r.value for r in Role}:
        return "role", f"rôle « {role} » inconnu : {', '.join(r.value for r in Role)}."
    territories = sorted(set(territories))
    if role == Role.FACILITATOR and not territories:
        return "territories", "animateur·rice sans territoire : donnez-lui au moins un territoire."
    unknown = [x for x in territories if x not in known_territories]
    if unknown:
        return "territories", f"territoire(s) inconnu(s) : {', '.join(unknown)}."
    return None


def same_name_message(username: str, taken: str) -> str:
    """Why ``username`` is refused when ``taken`` already names an account."""
    if taken == username:
        return f"le compte « {username} » existe déjà."
    return (
        f"le compte « {taken} » existe déjà : « {username} » ne s'en distingue que par les "
        "majuscules ou les accents, ce serait le même identifiant. Choisissez-en un autre."
    )


def duplicate_accounts(store: Store) -> list[list[str]]:
    """Accounts whose names differ only by case (made before names were unique), by group;
    the app and ``traits user list`` report them. Signing in with a name of the group other
    than its exact form is refused until the administrator disables the extra accounts."""
    require_admin()
    with store.reading() as conn:
        return accounts.duplicate_names(conn)


def duplicates_warning(groups: list[list[str]]) -> str:
    """What the administrator reads about :func:`duplicate_accounts`, and what to do."""
    listed = " ; ".join(" et ".join(f"« {name} »" for name in group) for group in groups)
    return (
        f"Des comptes ne se distinguent que par les majuscules : {listed}. Ce sont des comptes "
        "différents, créés avant que les identifiants ne tiennent plus compte des majuscules ; "
        "chacun se connecte avec son identifiant écrit exactement. Gardez-en un par personne "
        "et désactivez les autres."
    )


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
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"mot de passe trop court : au moins {MIN_PASSWORD} caractères.")
    territories = sorted(set(territories))
    with store.transaction() as conn:
        problem = account_problem(username, str(role), territories, set(territory_ids(conn)))
        if problem is not None:
            column, message = problem
            error = NotFoundError if column == "territories" and territories else InvalidInputError
            raise error(message)
        role = Role(role)
        taken = accounts.same_name(conn, username)
        if taken:
            raise InvalidInputError(same_name_message(username, taken[0]))
        accounts.insert_user(
            conn,
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
            for r in accounts.read_users(conn)
        ]


def disable_user(store: Store, username: str) -> None:
    """Disable an account (administrators only); its history stays."""
    require_admin()
    with store.transaction() as conn:
        if not accounts.disable_user(conn, username):
            raise NotFoundError(f"compte « {username} » introuvable.")


def has_users(store: Store) -> bool:
    """Whether the deployment has accounts (then the app asks to sign in)."""
    with _trusted("sign-in"), store.reading() as conn:
        return accounts.any_account(conn)


#: The one answer to a refused sign-in, whether the account exists, is locked or disabled,
#: or the password is wrong: the answer must not tell which usernames exist.
REFUSED = (
    f"identifiant ou mot de passe incorrect. Après {MAX_FAILED_LOGINS} essais manqués, un "
    f"compte est bloqué {LOCK_MINUTES} minutes : réessayez plus tard."
)
_DUMMY_HASH: list[str] = []


def _verify(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; the same Argon2 work when there is no hash to check."""
    from argon2.exceptions import VerificationError

    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher().hash("traits: no such account"))
    try:
        _hasher().verify(password_hash or _DUMMY_HASH[0], password)
    except VerificationError:
        return False
    return password_hash is not None


def authenticate(
    store: Store, username: str, password: str, now: dt.datetime | None = None
) -> Principal:
    """Check a password; too many failures lock the account for a while.

    Every refusal is the same message after the same Argon2 work (unknown, disabled or
    locked account, wrong password), so nobody learns which usernames exist.
    """
    now = now or dt.datetime.now()
    # the attempt's writes (failures counted) are logged under the account tried
    with _trusted("sign-in"), acting_as(f"connexion:{username[:120]}"), store.transaction() as conn:
        row = accounts.read_user(conn, username)
        matches = _verify(row.password_hash if row is not None else None, password)
        if row is None or row.disabled or not row.password_hash:
            ok = False
        elif row.locked_until is not None and row.locked_until > now:
            ok = False  # no failure counted while locked: the lock ends when it says
        elif not matches:
            ok = False
            failed = row.failed_attempts + 1
            locked = (
                now + dt.timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_LOGINS else None
            )
            accounts.set_failures(conn, username, 0 if locked else failed, locked)
        else:
            ok = True
            accounts.set_failures(conn, username, 0, None)
    if not ok:
        raise PermissionDeniedError(REFUSED)
    return Principal(
        row.username,
        Role(row.role),
        frozenset(row.territories or []),
        now + dt.timedelta(hours=SESSION_HOURS),
    )


def refresh(store: Store, principal: Principal) -> Principal:
    """``principal`` as its account is now (role, territories), same expiry.

    Raises PermissionDeniedError when the account was disabled or deleted, or the session
    expired: the app signs the session out.
    """
    if principal.expired():
        raise PermissionDeniedError("votre session a expiré : reconnectez-vous.")
    with _trusted("sign-in"), store.reading() as conn:
        row = accounts.read_user(conn, principal.username)
    if row is None or row.disabled:
        raise PermissionDeniedError(
            "votre compte a été désactivé ou supprimé : demandez à l'administration."
        )
    return Principal(
        row.username, Role(row.role), frozenset(row.territories or []), principal.expires_at
    )


def principal_for_sso(store: Store, email: str, now: dt.datetime | None = None) -> Principal:
    """The account of a user signed in by OIDC (``st.login``): matched by username = e-mail."""
    with _trusted("sign-in"), store.reading() as conn:
        row = accounts.read_user(conn, email)
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
