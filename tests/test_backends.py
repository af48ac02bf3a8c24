"""The same scenarios on SQLite and PostgreSQL: migrations, round trip, matching, lifecycle, report."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from traits import services
from traits.errors import InvalidInputError, TransitionError
from traits.services import matching, reports
from traits.services import partnerships as ps
from traits.storage import Store
from traits.storage import repository as repo
from traits.storage import schema as t


def test_migrations(backend_store: Store):
    with backend_store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), t.metadata) == []


def test_round_trip(backend_store: Store, tmp_path: Path):
    services.load_demo(backend_store)
    services.export_territory(backend_store, tmp_path / "out")
    other = Store(tmp_path / "other.sqlite")
    services.import_territory(other, tmp_path / "out")
    with backend_store.reading() as a, other.reading() as b:
        first, second = repo.read_all(a), repo.read_all(b)
    for name in (
        "territories",
        "organisations",
        "diagnostics",
        "items",
        "contacts",
        "partnerships",
    ):
        assert sorted(map(repr, getattr(first, name))) == sorted(map(repr, getattr(second, name)))


def test_bad_import_writes_nothing(backend_store: Store, small: Path):
    (small / "items.csv").write_text(
        (small / "items.csv").read_text("utf-8") + "n9,zz,need,skills,x,\n", "utf-8"
    )
    with pytest.raises(InvalidInputError):
        services.import_territory(backend_store, small)
    assert services.stats(backend_store)["organisations"] == 0


def test_matching_lifecycle_and_report(backend_store: Store):
    services.load_demo(backend_store)
    config = dataclasses.replace(matching.load_config(backend_store, "vitre"), use_semantic=False)
    matcher = matching.fit_matcher(backend_store, "vitre", config)
    results = matching.match(backend_store, territory_id="vitre", top=3, matcher=matcher)
    need = next(r for r in results if r["candidates"])
    part = ps.propose(backend_store, need["need_id"], need["candidates"][0]["offer_id"])
    for status in ("introduced", "in_discussion", "realised"):
        part = ps.change_status(backend_store, part.partnership_id, status)
    with pytest.raises(TransitionError):
        ps.change_status(backend_store, part.partnership_id, "proposed")
    report = reports.build_report(backend_store, "vitre").to_dict()
    assert report["partnerships"]["realised"] == 11
    # The partnership just proposed dates a meeting with one of the 16 organisations not met.
    assert (report["organisations"], report["unmet"], report["diagnostics"]) == (25, 15, 24)
