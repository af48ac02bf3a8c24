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
