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


def test_form_and_file_make_the_same_code_and_a_second_time_updates(
    store: Store, small: Path, tmp_path: Path
):
    services.import_territory(store, small, territory=Territory("vitre", "Pays de Vitré"))
    assert voc.add_subcategory(store, "vitre", "Entretien de bateaux", "skills", "coque") == 1
    extra = write(
        tmp_path,
        "voc.csv",
        "Libellé;Catégorie;Synonymes;Sous-catégories voisines\n"
        "Entretien de bateaux;compétences;carénage;\n"
        "Location de voiliers;matériel;voilier;entretien de bateaux\n",
    )
    assert voc.extend_vocabulary(store, "vitre", extra) == 2
    own = {s.code: s for s in voc.territory_additions(store, "vitre")}
    assert set(own) == {"entretien_de_bateaux", "location_de_voiliers"}
    assert own["entretien_de_bateaux"].synonyms == ("carénage",)
    assert own["location_de_voiliers"].related == ("entretien_de_bateaux",)


def test_the_template_is_french_and_reads_back(store: Store, small: Path, tmp_path: Path):
    services.import_territory(store, small, territory=Territory("vitre", "Pays de Vitré"))
    data = voc.vocabulary_template()
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header == "Libellé;Catégorie;Synonymes;Sous-catégories voisines"
    assert voc.extend_file(store, "vitre", data, "sous-categories.csv") == 1
    (sub,) = voc.territory_additions(store, "vitre")
    assert sub.category == "skills" and sub.related == ("maintenance_repairs",)


def test_an_upload_error_names_the_uploaded_file(store: Store, small: Path):
    services.import_territory(store, small, territory=Territory("vitre", "Pays de Vitré"))
    bad = "Libellé;Catégorie\nVoile;planètes\n".encode()
    with pytest.raises(InvalidInputError, match="mes-sous-categories.csv, ligne 2, colonne"):
        voc.extend_file(store, "vitre", bad, "mes-sous-categories.csv")
    assert voc.territory_additions(store, "vitre") == []


def test_a_workbook_is_read_too_and_its_errors_name_the_sheet(
    store: Store, small: Path, tmp_path: Path
):
    import pandas as pd

    services.import_territory(store, small, territory=Territory("vitre", "Pays de Vitré"))
    rows = [["Libellé", "Catégorie", "Synonymes"], ["Entretien de bateaux", "Compétences", "coque"]]
    good = tmp_path / "ajouts.xlsx"
    pd.DataFrame(rows).to_excel(good, sheet_name="Feuil1", header=False, index=False)
    assert voc.extend_vocabulary(store, "vitre", good) == 1
    assert voc.territory_additions(store, "vitre")[0].code == "entretien_de_bateaux"
    bad = tmp_path / "faux.xlsx"
    rows[1][1] = "planètes"
    pd.DataFrame(rows).to_excel(bad, sheet_name="Feuil1", header=False, index=False)
    with pytest.raises(
        InvalidInputError, match="faux.xlsx, onglet « Feuil1 », ligne 2, colonne « Catégorie »"
    ):
        voc.extend_vocabulary(store, "vitre", bad)
