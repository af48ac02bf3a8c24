"""What facilitators see is French, without codes: every page of the app, read as text.

Each page of the sample territory is rendered headless (AppTest) and every text it shows —
titles, paragraphs, captions, messages, widget labels and options, tables, figures — is
checked for what a facilitator must never read: internal ids, the codes of categories,
statuses and subcategories, English interface words, file paths and English decimals.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from traits.interchange.columns import SUBCATEGORIES
from traits.model import (
    Category,
    DiagnosticStatus,
    Direction,
    OrgKind,
    PartnershipMode,
    PartnershipStatus,
)
from traits.services import demo, matching
from traits.storage import Store
from traits.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "vitre"
#: Every page of the app (the modules of app_pages/ not starting with "_").
PAGES = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py") if not p.stem.startswith("_"))


def _sample_ids() -> set[str]:
    ids = set()
    for name, column in [
        ("organisations.csv", "org_id"),
        ("items.csv", "item_id"),
        ("diagnostics.csv", "diagnostic_id"),
        ("contacts.csv", "contact_id"),
        ("partnerships.csv", "partnership_id"),
    ]:
        with open(SAMPLE / name, encoding="utf-8-sig") as fh:
            ids |= {row[column] for row in csv.DictReader(fh) if row.get(column)}
    return ids


#: French words that are also codes, and may be read in French text.
FRENCH_TOO = {"public", "communication", "web", "parking", "plants", "mailing"}
CODES = {
    str(v)
    for enum in (Category, DiagnosticStatus, Direction, OrgKind, PartnershipMode, PartnershipStatus)
    for v in enum
} | set(Vocabulary.default().codes)
CODES -= FRENCH_TOO
ENGLISH = [
    "Upload",
    "Browse files",
    "Drag and drop",
    "per file",
    "None",
    "True",
    "False",
    "NaN",
    "Choose",
    "No results",
    # the English headers of a file facilitators fill in (the subcategories upload); « code »
    # and « label » are French words too (ID_WORDS catches a code field)
    *(c.name for c in SUBCATEGORIES.columns if c.name not in ("code", "label")),
]
FORBIDDEN = [
    ("identifiant interne", re.compile(r"\b(?:o|n|of|p|d|c)_[a-z0-9_]{3,}\b")),
    ("identifiant généré", re.compile(r"\bp_[0-9a-f]{10}\b")),
    ("chemin de fichier", re.compile(r"(?:docs/|\.py\b|\.md\b|\.sqlite\b|data/samples)")),
    ("nombre à l'anglaise", re.compile(r"(?<![\d.,])\d+\.\d+(?![\d.])")),
    # an empty date field's mask, day by day: Streamlit writes dd / mm / yyyy or YYYY/MM/DD
    ("format de date à l'anglaise", re.compile(r"\b(?:dd|DD|yyyy|YYYY)\b")),
]


def _page_texts(at: AppTest) -> list[str]:
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                 "warning", "error", "text"):  # fmt: skip
        texts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("button", "text_input", "text_area", "number_input", "checkbox", "toggle",
                 "date_input", "selectbox", "multiselect", "radio", "tabs", "expander"):  # fmt: skip
        for widget in getattr(at, kind):
            texts.append(str(getattr(widget, "label", "")))
            if kind in ("selectbox", "multiselect", "radio"):
                texts += [str(o) for o in widget.options]
    for kind in ("file_uploader", "download_button"):
        for element in at.get(kind):
            texts += [str(element.proto.label), str(element.proto.help)]
    for metric in at.metric:
        texts += [str(metric.label), str(metric.value)]
    for chart in at.get("deck_gl_json_chart"):  # maps: what tooltips and labels show
        tooltip = json.loads(chart.proto.tooltip or "{}").get("text", "")
        for layer in json.loads(chart.proto.json).get("layers", []):
            fields = re.findall(r"{(\w+)}", tooltip)
            if layer["@@type"] == "TextLayer":
                fields.append(layer["getText"].removeprefix("@@="))
            texts += [str(row[f]) for row in layer.get("data") or [] for f in fields if f in row]
    for frame in at.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame):
            texts += [str(c) for c in value.columns]
            texts += [str(v) for v in value.astype(str).to_numpy().ravel()]
    return texts


#: Words that name an identifier or a code: a facilitator is never asked for one, nor shown one.
ID_WORDS = re.compile(r"\b(?:identifiants?|codes?|ids?|clés?)\b", re.IGNORECASE)
#: Labels with such a word that are not internal ids: a person's login name, a postcode.
NOT_IDS = {"Identifiant", "Code postal"}


def _labels(at: AppTest) -> list[str]:
    kinds = ("text_input", "text_area", "number_input", "selectbox", "multiselect", "radio",
             "checkbox", "toggle", "date_input", "button")  # fmt: skip
    return [str(w.label) for kind in kinds for w in getattr(at, kind)]


def _streamlit_english(at: AppTest) -> list[str]:
    """What Streamlit itself would write in English on this page: a choice list without a
    French placeholder (« Choose an option »), a chart with its Vega menu (« Download as PNG »)."""
    found = [
        f"« Choose an option » sur « {w.label} »"
        for kind in ("selectbox", "multiselect")
        for w in getattr(at, kind)
        if not w.proto.placeholder or _problems([w.proto.placeholder], set())
    ]
    for chart in at.get("arrow_vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("usermeta", {}).get("embedOptions", {}).get("actions") is not False:
            found.append("menu anglais d'un graphique (« Download as PNG »)")
    return found


def _calls_without_placeholder(source: str) -> list[int]:
    """The lines of the ``selectbox`` / ``multiselect`` calls without a ``placeholder``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("selectbox", "multiselect")
        and not any(k.arg == "placeholder" for k in node.keywords)
    ]


def test_every_choice_list_of_the_app_has_a_french_placeholder():
    """Also those a page shows only sometimes (an account to disable, a move to choose)."""
    assert _calls_without_placeholder("st.multiselect('Territoires', ['a'])") == [1]
    sources = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    missing = {
        f"{path.name}:{line}"
        for path in sources
        for line in _calls_without_placeholder(path.read_text(encoding="utf-8"))
    }
    assert not missing, sorted(missing)


def _id_labels(labels: list[str]) -> list[str]:
    return [
        f"champ d'identifiant ou de code « {label} »"
        for label in labels
        if label not in NOT_IDS and ID_WORDS.search(label)
    ]


def _problems(texts: list[str], ids: set[str]) -> list[str]:
    found = []
    for text in texts:
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
            if word in ids:
                found.append(f"identifiant « {word} » dans « {text[:80]} »")
            elif word in CODES:
                found.append(f"code « {word} » dans « {text[:80]} »")
        for english in ENGLISH:
            if re.search(rf"\b{re.escape(english)}\b", text):
                found.append(f"anglais « {english} » dans « {text[:80]} »")
        for what, pattern in FORBIDDEN:
            if pattern.search(text):
                found.append(f"{what} dans « {text[:80]} »")
    return found


def test_an_upload_label_with_english_headers_is_caught():
    old = "Ou un fichier CSV (code, category, label, synonyms, related)"
    assert any("category" in p for p in _problems([old], set()))


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory: pytest.TempPathFactory) -> AppTest:
    db = tmp_path_factory.mktemp("words") / "app.sqlite"
    mp = pytest.MonkeyPatch()
    mp.setenv("TRAITS_DB", str(db))
    for store in (Store(db), demo.open_demo(str(db))):
        matching.save_settings(store, None, use_semantic=False)
        store.dispose()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    next(b for b in at.button if b.label == "Explorer le territoire d'exemple").click().run()
    yield at
    mp.undo()


@pytest.mark.parametrize("page", PAGES)
def test_a_page_shows_no_code_id_english_word_or_path(sample_app: AppTest, page: str):
    sample_app.switch_page(f"app_pages/{page}.py")
    sample_app.run()
    assert not sample_app.exception, [e.value for e in sample_app.exception]
    problems = _problems(_page_texts(sample_app), _sample_ids()) + _id_labels(_labels(sample_app))
    problems += _streamlit_english(sample_app)
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_a_new_base_asks_for_no_id_or_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Outside the sample (whose forms are hidden): the forms of a first territory."""
    monkeypatch.setenv("TRAITS_DB", str(tmp_path / "new.sqlite"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("app_pages/territory.py")
    at.run()
    assert "Nom du territoire" in _labels(at)
    problems = _id_labels(_labels(at))
    next(w for w in at.text_input if w.label == "Nom du territoire").input("Pays de Test")
    next(b for b in at.button if b.label == "Créer le territoire").click().run()
    assert not at.exception, [e.value for e in at.exception]
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        problems += [f"{page} : {p}" for p in _problems(_page_texts(at), set())]
        problems += [f"{page} : {p}" for p in _id_labels(_labels(at))]
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_every_kit_chapter_shows_no_code_id_english_word_or_path(sample_app: AppTest):
    """The Kit page runs only its open tab: open each chapter in turn."""
    sample_app.switch_page("app_pages/kit.py")
    sample_app.run()
    labels = [t.label for t in sample_app.tabs]
    assert len(labels) > 5
    problems = []
    for label in labels[1:]:
        sample_app.session_state["kit_chapter"] = label
        sample_app.run()
        assert not sample_app.exception, [e.value for e in sample_app.exception]
        texts = _page_texts(sample_app)
        assert sum(len(t) for t in texts) > 2000, label  # the chapter was rendered
        problems += _problems(texts, _sample_ids())
    assert not problems, "\n".join(dict.fromkeys(problems))
