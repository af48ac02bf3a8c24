"""Storage: migrations build exactly the declared schema; writes are all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from traits.errors import StorageError
from traits.storage import Store, resolve_url
from traits.storage import schema as t
from traits.storage.db import head_revision


def test_migrations_match_the_declared_tables(tmp_path: Path):
    store = Store(tmp_path / "m.sqlite")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    assert diff == []


def test_reopening_is_at_the_head_revision(tmp_path: Path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from traits.storage.db import _MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    Store(tmp_path / "m.sqlite")
    store = Store(tmp_path / "m.sqlite")
    with store.reading() as conn:
        assert conn.execute(sa.text("select version_num from alembic_version")).scalar() == head
    assert head_revision() == head


def test_a_base_at_the_head_opens_without_alembic(tmp_path: Path, monkeypatch):
    """Opening is one query when the base is up to date; an older base is still migrated."""
    from alembic import command

    Store(tmp_path / "m.sqlite")
    calls: list[str] = []
    upgrade = command.upgrade
    monkeypatch.setattr(command, "upgrade", lambda cfg, rev: calls.append(rev) or upgrade(cfg, rev))
    Store(tmp_path / "m.sqlite")
    assert calls == []
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    with engine.begin() as conn:  # the base as the previous revision left it
        conn.execute(sa.text("DROP TABLE shortlists"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0006'"))
    engine.dispose()
    store = Store(tmp_path / "m.sqlite")
    assert calls == ["head"]
    with store.reading() as conn:
        assert (
            conn.execute(sa.text("select version_num from alembic_version")).scalar()
            == head_revision()
        )


def test_a_failed_transaction_leaves_nothing(tmp_path: Path):
    store = Store(tmp_path / "m.sqlite")
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            conn.execute(t.territories.insert(), {"territory_id": "x", "name": "X", "communes": []})
            raise RuntimeError("interrupted")
    with store.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.territories)).scalar() == 0


def test_db_option_accepts_paths_and_urls(tmp_path: Path, monkeypatch):
    assert resolve_url(tmp_path / "a.sqlite") == f"sqlite:///{tmp_path / 'a.sqlite'}"
    assert resolve_url("postgresql+psycopg://u@h/b") == "postgresql+psycopg://u@h/b"
    monkeypatch.setenv("TRAITS_DB", str(tmp_path / "env.sqlite"))
    assert resolve_url(None).endswith("env.sqlite")


def test_bad_url_is_a_french_message():
    with pytest.raises(StorageError, match="Adresse de base de données invalide"):
        Store("nosuchdialect://x/y")
