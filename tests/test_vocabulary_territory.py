"""A territory extends the packaged vocabulary with its own subcategories (data, not code)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ITEMS, write

from traits import services
from traits.errors import InvalidInputError, NotFoundError
from traits.model import Territory
from traits.services import vocabulary as voc
from traits.storage import Store


def test_territory_addition_is_used_by_the_import(store: Store, small: Path, tmp_path: Path):
    services.import_territory(store, small, territory=Territory("vitre", "Pays de Vitré"))
    write(
        small,
        "items.csv",
        ITEMS.replace(
            "item_id,org_id,direction,category,title,description",
            "item_id,org_id,direction,category,title,description,sous-catégorie",
        ).replace("samedi\n", "samedi,Réparation navale\n"),
    )
    with pytest.raises(InvalidInputError, match="sous-catégorie « Réparation navale » inconnue"):
        services.import_territory(store, small)
    extra = write(
        tmp_path,
        "voc.csv",
        "code;category;label;synonyms\nboat_repair;skills;Réparation navale;chantier naval|coque\n",
    )
    assert voc.extend_vocabulary(store, "vitre", extra) == 1
    services.import_territory(store, small)
    assert voc.vocabulary(store, "vitre").get("boat_repair").label == "Réparation navale"
    assert voc.vocabulary(store, "autre").get("boat_repair") is None


def test_bad_vocabulary_file_is_refused_whole(store: Store, small: Path, tmp_path: Path):
    services.import_territory(store, small, territory=Territory("vitre", "Pays de Vitré"))
    bad = write(
        tmp_path, "voc.csv", "code,category,label\nok_code,skills,Bien\nBad Code,cuisine,\n"
    )
    with pytest.raises(InvalidInputError) as err:
        voc.extend_vocabulary(store, "vitre", bad)
    columns = {p.column for p in err.value.problems}
    assert {"code", "category", "label"} <= columns
    assert voc.territory_additions(store, "vitre") == []
    with pytest.raises(NotFoundError):
        voc.extend_vocabulary(
            store, "nulle-part", write(tmp_path, "v2.csv", "code,category,label\nx,skills,X\n")
        )
