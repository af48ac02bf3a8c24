"""Probe kit3: the kit's year option, and the French of its templates and chapters whatever the
Pôle is called."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from traits.cli import app
from traits.errors import InvalidInputError
from traits.kit import documents, plaquette
from traits.kit.profile import KitProfile
from traits.services import kit as kit_service
from traits.storage import Store


@pytest.mark.parametrize("year", ["0", "20255", "10000", "-5", "99"])
def test_an_implausible_year_is_refused_in_french(year: str, tmp_path: Path) -> None:
    """Probe kit3 #8: 20255 gave « Erreur inattendue », 0 silently meant « all dates »."""
    db = tmp_path / "base.sqlite"
    Store(db).dispose()
    out = tmp_path / "kit"
    result = CliRunner().invoke(app, ["kit", str(out), "--db", str(db), "--year", year])
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidInputError)
    message = str(result.exception)
    assert f"« {year} »" in message and "quatre chiffres" in message
    assert "toutes les dates" in message
    assert not out.exists()


def test_the_year_rule_is_the_services_one() -> None:
    kit_service.check_year(None)
    kit_service.check_year(2026)
    with pytest.raises(InvalidInputError):
        kit_service.check_year(0)


#: Where a name can stand whatever it is (« Pôle ESS – … », « Les Amis de … », « Portes de
#: Bretagne Solidaires »): alone on its line, after a colon or a middle dot, in parentheses.
NAME_ALONE = re.compile(r"(?:^|\(|: |· )\{pole\}(?=$|\)| ;| ·|\.|,| \()", re.M)


def test_the_poles_name_never_needs_an_article_in_a_template() -> None:
    """Probe kit3 #3: « mené par Pôle ESS – … », « que Pôle ESS … mentionne » needed an article
    with the default name and with any « Pôle ESS … » name, none with « Les Amis … »: the
    templates now put the name where French needs none, whatever it is."""
    for source in documents.sources():
        text = source.path.read_text("utf-8")
        every = text.count("{pole}")
        alone = len(NAME_ALONE.findall(text))
        assert every == alone, f"{source.path.name} : « {{pole}} » dans une phrase"


def test_the_plaquette_does_not_put_the_poles_name_in_a_sentence() -> None:
    profile = KitProfile("Pays de Test", pole="Pôle ESS du Test")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(plaquette.render(profile))).pages)
    flat = " ".join(text.split())
    assert "Pôle ESS du Test aide" not in flat
    assert re.search(r"animée par\s?: Pôle ESS du Test\.", flat), flat


KIT = Path(__file__).resolve().parents[1] / "docs" / "kit-essaimage"
#: The texts a coordinator reads: the chapters (the booklet) and the Word templates' sources.
COORDINATOR_TEXTS = sorted(KIT.glob("0*.md")) + [s.path for s in documents.sources()]
#: Technical words that belong in the technical annex, not in a coordinator's text.
TECHNICAL = re.compile(
    r"PostgreSQL|SQLite|\bSQL\b|Alembic|Streamlit|Python|encodeur|embedding|\bURL\b", re.I
)


@pytest.mark.parametrize("path", COORDINATOR_TEXTS, ids=lambda p: p.name)
def test_coordinator_texts_hold_no_technical_word(path: Path) -> None:
    """Probe kit3 #6: « PostgreSQL » and « encodeur sémantique » in the data-protection chapter."""
    found = TECHNICAL.findall(path.read_text("utf-8"))
    assert not found, f"{path.name} : {found}"


def test_spaser_is_spelled_out_one_way_everywhere() -> None:
    """Probe kit3 #7: « écologiquement » here, « économiquement » there."""
    right = "promotion des achats publics socialement et écologiquement responsables"
    texts = COORDINATOR_TEXTS + [KIT / "annexe-technique" / "README.md"]
    spelled = [
        (path.name, " ".join(m.split()))
        for path in texts
        for m in re.findall(r"promotion\s+des\s+achats[^()]*?responsables", path.read_text("utf-8"))
    ]
    assert spelled, "SPASER n'est développé nulle part"
    assert all(text == right for _, text in spelled), spelled


NUMBERS = {2: "Deux", 3: "Trois", 4: "Quatre"}


def test_the_guide_counts_the_grids_the_kit_gives_and_says_where_answers_go() -> None:
    """Probe kit3 #9: « Deux grilles » while the kit gives three; the answers that matter
    (ESUS, IAE, tax receipts, OETH) had no place to be written."""
    grids = [s for s in documents.sources() if s.path.name.startswith("grille-entretien")]
    guide = (KIT / "03-guide-entretien.md").read_text("utf-8")
    assert f"{NUMBERS[len(grids)]} grilles" in guide
    where = guide.split("**Où noter ces réponses.**")[1].split("##")[0]
    for needed in ("Notes de l'entretien", "ESUS", "IAE", "reçus fiscaux", "OETH"):
        assert needed in where


def test_the_kit_summary_counts_food_given_apart_and_says_quantities() -> None:
    """Probe kit3 #4 and #5 in the results summary of the kit (same rule as the report)."""
    import docx

    from traits import report as r
    from traits.interchange import readers, validate
    from traits.kit import summary
    from traits.services.data import SAMPLE_DIR

    parsed = validate.validate(readers.read_source(SAMPLE_DIR))
    rep = r.build_report(parsed, territory="vitre")
    data = summary.render(r.key_figure_blocks(rep), rep.to_dict(), KitProfile("Pays de Vitré"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "dons alimentaires (1)" in text and "matériel (2)" in text
    assert "4,5 tonnes en 2022" in text
