"""The vocabulary's phrase index is built once per content and read back from the user cache."""

from __future__ import annotations

import pytest

from traits import vocabulary as voc
from traits.vocabulary import Subcategory, Vocabulary

TEXTS = ["Prêt d'un camion pour un déménagement", "mise sous pli de 2 000 courriers", "bureau"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "traits"


def _rows() -> list[Subcategory]:
    return list(Vocabulary.default())


def _evidence(v: Vocabulary) -> list[dict[str, float]]:
    return [v.evidence(t) for t in TEXTS]


def test_the_index_is_written_once_then_read_back(cache_dir, monkeypatch):
    built = Vocabulary(_rows())
    files = list(cache_dir.glob("vocabulary-*.json"))
    assert len(files) == 1

    def no_build(self):  # type: ignore[no-untyped-def]
        raise AssertionError("the index should come from the cache")

    monkeypatch.setattr(Vocabulary, "_index", no_build)
    read = Vocabulary(_rows())
    assert _evidence(read) == _evidence(built)
    assert read._phrases == built._phrases and read._stems == built._stems


def test_a_territory_addition_gets_its_own_index(cache_dir):
    base = Vocabulary(_rows())
    extra = Subcategory("bicycles_pound", "equipment", "Vélos de la fourrière", ("vélo orphelin",))
    extended = base.extended([extra])
    assert len(list(cache_dir.glob("vocabulary-*.json"))) == 2
    assert "bicycles_pound" in extended.evidence("un vélo orphelin")
    assert "bicycles_pound" not in base.evidence("un vélo orphelin")


@pytest.mark.parametrize("garbage", ["{not json", '{"key": "other"}', '{"key": "K", "stems": 3}'])
def test_an_unreadable_cache_falls_back_to_building(cache_dir, garbage):
    reference = _evidence(Vocabulary(_rows()))
    (path,) = cache_dir.glob("vocabulary-*.json")
    key = path.stem.removeprefix("vocabulary-")
    path.write_text(garbage.replace('"K"', f'"{key}"'), "utf-8")
    assert _evidence(Vocabulary(_rows())) == reference
    assert voc._read_index(key) is not None  # rebuilt and written again


def test_an_unwritable_cache_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _evidence(Vocabulary(_rows()))[0]
