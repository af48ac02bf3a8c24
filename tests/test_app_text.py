"""User text is shown as text on every page, never as Markdown (issue 11, item 17).

Two checks: a static one (every f-string or concatenation handed to a Streamlit element that
renders Markdown interpolates values only through ``esc`` or a number/date formatter) and a
live one (AppTest: a description holding an image and a link renders neither, on any page).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app_pages._text import esc

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
#: Streamlit calls whose text (first argument) is rendered as Markdown.
RENDERERS = {
    "markdown", "write", "caption", "info", "success", "warning", "error", "toast", "title",
    "header", "subheader", "expander", "button", "checkbox", "toggle", "metric", "popover",
    "form_submit_button", "download_button", "radio", "text_input", "text_area", "selectbox",
}  # fmt: skip
#: Calls whose result holds no user text: French number/date formatters, counts, labels.
SAFE_CALLS = {
    "esc", "fr_number", "fr_euros", "fr_percent", "fr_date", "fr_month", "period_label",
    "plural", "len", "int", "score_words", "fr_duration",
}  # fmt: skip
#: Methods that keep a safe text safe.
STR_METHODS = {"get", "capitalize", "upper", "lower", "strip", "title"}


def _safe(node: ast.expr) -> bool:
    """True when ``node`` can only produce text the code wrote or a value passed through esc."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_safe(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return _safe(node.value)
    if isinstance(node, ast.BinOp):
        return _safe(node.left) and _safe(node.right)
    if isinstance(node, ast.IfExp):
        return _safe(node.body) and _safe(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(_safe(v) for v in node.values)
    if isinstance(node, ast.Name | ast.Attribute):  # module constants: LABELS, SENSITIVE…
        name = node.id if isinstance(node, ast.Name) else node.attr
        return name.isupper()
    if isinstance(node, ast.Subscript):  # LABELS_FR[...]
        return _safe(node.value)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "join" and node.args:  # "sep".join(esc(x) for x in …)
            arg = node.args[0]
            parts = arg.elt if isinstance(arg, ast.GeneratorExp | ast.ListComp) else arg
            return _safe(func.value) and _safe(parts)  # type: ignore[union-attr]
        if name in STR_METHODS and isinstance(func, ast.Attribute):  # LABELS_FR.get(…).lower()
            return _safe(func.value)
        return name in SAFE_CALLS
    return False


def unsafe_calls(source: str) -> list[int]:
    """Lines where a Markdown-rendering call is given text that may hold an unescaped value.

    A variable holding text the code wrote itself (a message built with ``esc``, the kit's own
    Markdown) is accepted when its line says so with a ``# trusted:`` comment.
    """
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        if func.attr not in RENDERERS or not node.args:
            continue
        if func.attr == "write" and not (
            isinstance(func.value, ast.Name) and func.value.id == "st"
        ):
            continue  # archive.write, file.write…
        span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
        if not _safe(node.args[0]) and not any("# trusted:" in line for line in span):
            found.append(node.lineno)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_interpolate_user_text_only_through_esc(page: Path):
    assert unsafe_calls(page.read_text("utf-8")) == [], page.name


def test_the_static_check_catches_an_unescaped_value():
    assert unsafe_calls('st.markdown(f"**{org.name}**")') == [1]
    assert unsafe_calls('st.caption("Groupe : " + ", ".join(names))') == [1]
    assert unsafe_calls("st.subheader(territory.name)") == [1]
    assert unsafe_calls("left.caption(item['description'])") == [1]
    assert unsafe_calls('st.markdown(f"**{esc(org.name)}** {fr_percent(x)}")') == []
    assert unsafe_calls("st.success(done)  # trusted: built with esc") == []


#: What the browser would turn into an image or a link, in Markdown source: unescaped
#: ``[...](`` or ``![``, and what GFM links after parsing (http://, www., e-mails).
LIVE = re.compile(
    r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|https?:/|https?\\:/|www\.|www\\\.|[\w.+-]@[\w-]", re.I
)


def test_esc_leaves_nothing_live():
    hostile = "![x](http://127.0.0.1:9/x.png) [lien](http://example.org) www.ex.org a@b.fr"
    assert LIVE.search(hostile)
    assert not LIVE.search(esc(hostile))
    assert esc(None) == "" and esc(0) == "0"


HOSTILE = "Atelier ![x](http://127.0.0.1:9/x.png) [lien](http://example.org) www.example.org"
#: Element kinds whose text Streamlit renders as Markdown, and the attribute holding it.
SHOWN = {
    "markdown": "value", "caption": "value", "info": "value", "success": "value",
    "warning": "value", "error": "value", "title": "value", "header": "value",
    "subheader": "value", "toast": "value", "expander": "label", "button": "label",
    "checkbox": "label", "metric": "label",
}  # fmt: skip


def _shown(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(getattr(e, attr, "")) for kind, attr in SHOWN.items() for e in at.get(kind)]


def test_no_page_renders_user_text_as_image_or_link(tmp_path: Path, monkeypatch):
    import sqlalchemy as sa
    from streamlit.testing.v1 import AppTest
    from test_app import APP, PAGES

    from traits import services
    from traits.services import matching
    from traits.storage import Store
    from traits.storage import schema as t

    db = tmp_path / "app.sqlite"
    monkeypatch.setenv("TRAITS_DB", str(db))
    store = Store(db)
    matching.save_settings(store, None, use_semantic=False)
    services.load_demo(store)
    with store.transaction() as conn:
        for table, columns in {
            t.territories: ("name", "facilitator"),
            t.organisations: ("name", "description"),
            t.items: ("title", "description"),
            t.diagnostics: ("notes", "practices"),
            t.partnerships: ("notes", "abandon_reason"),
            t.partnership_events: ("note", "author"),
            t.contacts: ("name", "role"),
        }.items():
            conn.execute(table.update().values({c: HOSTILE for c in columns}))
        conn.execute(t.territories.update().values(communes=[HOSTILE]))
        assert conn.scalar(sa.select(sa.func.count()).select_from(t.items)) > 0
    store.dispose()
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    seen: list[str] = []
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py").run()
        if page == "diagnostics":  # open a saved diagnostic: its items show their descriptions
            next(b for b in at.button if b.label == "Modifier").click().run()
        assert not at.exception, (page, [e.value for e in at.exception])
        shown = _shown(at)
        live = [s for s in shown if "Atelier" in s and LIVE.search(s)]  # the kit's links are ours
        assert live == [], page
        seen += shown
    # the hostile text was shown, as text, on the pages (the check above is not vacuous)
    assert sum(esc(HOSTILE) in s for s in seen) >= 10
