"""The Store: one database (SQLite file by default, or any SQLAlchemy URL), migrated on open.

The engine is taken from the caller (a path, a URL, or an ``Engine``); every write runs in one
transaction, so an import or a save is all or nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from platformdirs import user_data_dir
from sqlalchemy.engine import Connection, Engine

from traits.errors import MissingDatabaseError, StorageError

#: Environment variable naming the database when ``--db`` is not given.
DB_ENV = "TRAITS_DB"
_MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*(?:\"([^\"]*)\"|None)", re.M)


#: Checks run at the start of every transaction and read block, given the connection and
#: whether it writes; one raising refuses the block. ``traits.services.access`` installs the
#: one that knows who is calling (storage knows nothing of accounts).
_GUARDS: list[Callable[[Connection, bool], None]] = []


def add_guard(check: Callable[[Connection, bool], None]) -> None:
    """Run ``check(conn, writes)`` at the start of every :class:`Store` block (once per check)."""
    if check not in _GUARDS:
        _GUARDS.append(check)


def _guard(conn: Connection, writes: bool) -> None:
    for check in _GUARDS:
        check(conn, writes)


def default_db_path() -> Path:
    """The default SQLite file, in the user's data directory."""
    return Path(user_data_dir("traits", appauthor=False)) / "traits.sqlite"


def resolve_url(db: str | os.PathLike[str] | None) -> str:
    """Turn ``--db`` (a file path, a SQLAlchemy URL, or nothing) into a SQLAlchemy URL."""
    if db is None or str(db) == "":
        db = os.environ.get(DB_ENV) or default_db_path()
    text = str(db)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    return f"sqlite:///{path.resolve()}"


def head_revision() -> str:
    """The newest migration's revision, read from the migration files (Alembic not loaded)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        found = dict((m[0], m[1]) for m in _REVISION_LINE.findall(path.read_text("utf-8")))
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    if len(heads) != 1:
        raise StorageError(f"migrations : {len(heads)} révisions finales au lieu d'une.")
    return heads.pop()


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, secure delete, and write transactions that lock at once.

    ``BEGIN IMMEDIATE`` makes two writers queue instead of failing half-way, so that several
    people using one file never lose a write; read-only blocks use a plain ``BEGIN``.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA secure_delete=ON")  # erased data is overwritten, not just freed
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        read_only = conn.get_execution_options().get("traits_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _open_failure(exc: sa.exc.DatabaseError) -> str:
    """Why a database could not be opened, in French (the driver's words for a server)."""
    detail = str(exc.orig)
    if "file is not a database" in detail:
        return "ce fichier n'est pas une base de données"
    if "unable to open database file" in detail:
        return "fichier impossible à ouvrir ou à créer"
    if "readonly database" in detail:
        return "la base est en lecture seule"
    return f"le serveur ou le pilote a répondu : {detail.strip()}"


class Store:
    """A traits database: several territories in one file or one PostgreSQL database."""

    def __init__(
        self,
        db: str | os.PathLike[str] | Engine | None = None,
        *,
        migrate: bool = True,
        create: bool = True,
    ) -> None:
        """Open (and migrate) the base; ``create=False`` refuses to make a new, empty one where
        none exists (:class:`MissingDatabaseError`): the commands that only read or change a
        base must never work on an empty one by mistake."""
        if isinstance(db, Engine):
            self.engine = db
        else:
            url = resolve_url(db)
            if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
                path = Path(url.removeprefix("sqlite:///"))
                if not create and not path.exists():
                    raise MissingDatabaseError(f"aucune base de données : {path}", url=url)
                path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.engine = sa.create_engine(url)
            except (sa.exc.ArgumentError, ModuleNotFoundError) as exc:
                raise StorageError(
                    f"Adresse de base de données invalide : {url!r} ({exc}). "
                    "Donnez un chemin de fichier ou une URL SQLAlchemy "
                    "(ex. postgresql+psycopg://utilisateur@hôte/base)."
                ) from exc
        if self.engine.dialect.name == "sqlite":
            _configure_sqlite(self.engine)
        if not getattr(self.engine, "_traits_audited", False):
            from traits.storage.audit import install

            install(self.engine)
            self.engine._traits_audited = True  # type: ignore[attr-defined]
        if not create and not self._has_schema():
            raise MissingDatabaseError(f"base de données vide : {self.url}", url=self.url)
        if migrate:
            self.migrate()

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Bring the schema to the latest Alembic revision.

        A base already there is recognised with one query, without loading Alembic (which
        costs most of a command's start-up).
        """
        if self._at_head():
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.DatabaseError as exc:  # OperationalError, "file is not a database"…
            raise StorageError(
                f"Impossible d'ouvrir ou de mettre à jour la base {self.url} : "
                f"{_open_failure(exc)}. Vérifiez le chemin, les droits d'écriture ou le serveur."
            ) from exc

    def _has_schema(self) -> bool:
        """Whether the base was ever created by traits (it has a migration version)."""
        try:
            return sa.inspect(self.engine).has_table("alembic_version")
        except sa.exc.DatabaseError:  # not a database at all: migrate() says so in French
            return True

    def _at_head(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(traits_read_only=True)
                with conn.begin():
                    stored = conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                    versions = [row[0] for row in stored]
        except sa.exc.DatabaseError:  # no version table yet, or not a database: Alembic says
            return False
        return versions == [head_revision()]

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: committed at the end of the block, rolled back on any error."""
        with self.engine.begin() as conn:
            _guard(conn, True)
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only block (does not take the SQLite write lock)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(traits_read_only=True)
            with conn.begin():
                _guard(conn, False)
                yield conn

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
