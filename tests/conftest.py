"""Shared fixtures: a fresh store per test, the shared labelled set, small territory folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from traits.storage import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRAITS_SHARED", ROOT.parent / "shared"))
DEVSET = SHARED / "eval" / "devset"
SAMPLE = ROOT / "data" / "samples" / "vitre"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """PostgreSQL and browser tests count as slow: ``-m "not slow"`` is the quick loop.

    A test module that drives Chromium through ``browser_support`` is marked ``browser``.
    """
    for item in items:
        names = vars(item.module) if getattr(item, "module", None) else {}
        if any(getattr(v, "__name__", "") == "browser_support" for v in names.values()):
            item.add_marker(pytest.mark.browser)
        if "postgresql" in item.keywords or "browser" in item.keywords:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "test.sqlite")


@pytest.fixture
def devset() -> Path:
    if not DEVSET.exists():
        pytest.skip("shared/eval/devset is not beside the checkout")
    return DEVSET


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


ORGS = """org_id,name,kind,legal_form,siret,commune,postcode
a,Recyclerie du Bocage,ess,association,,Vitré,35500
b,Transports Morin,company,SAS,12345678200010,Fougères,35300
"""
ITEMS = """item_id,org_id,direction,category,title,description
n1,a,need,equipment,Camion,Un camion pour les collectes du samedi
o1,b,offer,equipment,Fourgon,Fourgon 12 m3 prêté le week-end
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    write(folder, "organisations.csv", ORGS)
    write(folder, "items.csv", ITEMS)
    return folder


#: Admin URL of a PostgreSQL server for the integration tests (set by .ci/run).
PG_URL = os.environ.get("TRAITS_TEST_PG_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture
def pg_store():
    """A fresh, migrated store in a new PostgreSQL database (dropped afterwards)."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TRAITS_TEST_PG_URL is not set: .ci/run starts PostgreSQL for CI")
        pytest.skip("TRAITS_TEST_PG_URL not set (see .ci/run)")
    import uuid

    import sqlalchemy as sa

    name = f"traits_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_URL).set(database=name)
    store = Store(url.render_as_string(hide_password=False))
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend_store(request, tmp_path: Path):
    """A fresh, migrated store on each backend (PostgreSQL: a new database per test)."""
    if request.param == "sqlite":
        return Store(tmp_path / "backend.sqlite")
    return request.getfixturevalue("pg_store")
