"""The Bilan page shows what the exported documents show, never a traceback; download names
say the territory and the period (outside probe, D2, D5, D8)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from test_report import world

from traits import report as r
from traits.fr import fr_euros
from traits.services import reports as services
from traits.storage import Store
from traits.storage import repository as repo

APP = str(Path(__file__).parents[1] / "app.py")


def _bilan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str, end: str):
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "app.sqlite"
    monkeypatch.setenv("TRAITS_DB", str(db))
    store = Store(db)
    with store.transaction() as conn:
        repo.write_parsed(conn, world())
    store.dispose()
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.session_state["territory_id"] = "t1"
    app.switch_page("app_pages/report.py")
    app.run()
    app.text_input(key="bilan_start").set_value(start)
    app.text_input(key="bilan_end").set_value(end)
    return app.run()


def _page_text(app) -> str:
    parts = [str(m.value) for m in app.markdown] + [str(c.value) for c in app.caption]
    parts += [df.value.to_csv() for df in app.dataframe]
    return "\n".join(parts).replace("\\", "")


def test_the_bilan_page_shows_the_estimates_and_the_category_tables(tmp_path, monkeypatch):
    app = _bilan(tmp_path, monkeypatch, "01/01/2022", "31/12/2022")
    assert not app.exception and not app.error
    shown = _page_text(app)
    report = r.build_report(
        world(), territory="t1", start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)
    )
    for block in r.detail_blocks(report):
        if isinstance(block, r.Heading):
            assert block.text in shown
    assert "Estimation de la valeur pour les entreprises" in shown
    assert "Besoins et offres par catégorie" in shown
    oeth = report.value_estimates[0]
    assert oeth.estimate_euros > 0 and fr_euros(oeth.estimate_euros) in shown


def test_an_unexpected_error_on_the_bilan_is_french_without_a_traceback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(services, "build_report", broken)
    app = _bilan(tmp_path, monkeypatch, "01/01/2022", "31/12/2022")
    assert not app.exception
    errors = " ".join(str(e.value) for e in app.error).replace("\\", "")
    assert errors.startswith("Une erreur inattendue empêche d'afficher le bilan")
    for leak in ("IndexError", "Traceback", "list index", ".py", "/"):
        assert leak not in errors


@pytest.mark.parametrize(
    ("start", "end", "name"),
    [
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "bilan-pays-de-test-2025.pdf"),
        (
            dt.date(2025, 1, 1),
            dt.date(2025, 4, 30),
            "bilan-pays-de-test-du-01-01-2025-au-30-04-2025.pdf",
        ),
        (dt.date(2025, 1, 1), None, "bilan-pays-de-test-depuis-le-01-01-2025.pdf"),
        (None, dt.date(2023, 12, 31), "bilan-pays-de-test-jusqu-au-31-12-2023.pdf"),
        (None, None, "bilan-pays-de-test-toutes-dates.pdf"),
    ],
)
def test_download_names_say_the_territory_and_the_period(start, end, name):
    report = r.build_report(world(), territory="t1", start=start, end=end)
    assert services.report_file_name(report, "pdf") == name
    assert services.report_file_name(report, "md").endswith(name[:-4] + ".md")


def test_xlsx_sheet_names_are_whole_titles(tmp_path):
    from openpyxl import load_workbook

    report = r.build_report(world(), territory="t1")
    path = r.to_xlsx(report, tmp_path / "b.xlsx")
    titles = load_workbook(io.BytesIO(path.read_bytes())).sheetnames
    headings = {b.short or b.text for b in r.report_blocks(report) if isinstance(b, r.Heading)}
    assert all(len(t) <= 31 and (t == "Bilan" or t in headings) for t in titles)
    assert "Valeur pour les entreprises" in titles
