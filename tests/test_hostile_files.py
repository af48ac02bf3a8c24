"""Hostile and careless files (issue 11, items 7, 8, 9, 12, 13): refused in French, or read right.

Each file is built here. A refusal names the file or sheet and the row as the user sees them and
leaves the database as it was; what an export writes, an import reads back whole.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import ITEMS, ORGS, write
from hypothesis import given, settings
from hypothesis import strategies as st

from traits import services
from traits.errors import InvalidInputError
from traits.interchange import limits
from traits.interchange.columns import ITEMS as ITEMS_SPEC
from traits.interchange.readers import mojibake, read_csv_bytes, read_source, unneutralise
from traits.interchange.writers import neutralise
from traits.storage import Store
from traits.storage import repository as repo

HEAD = "item_id;org_id;direction;category;title;description\n"
ORGS_SC = ORGS.replace(",", ";")


def _refused(store: Store, path: Path) -> str:
    with pytest.raises(InvalidInputError) as err:
        services.import_territory(store, path)
    assert services.stats(store)["organisations"] == 0, "nothing may be written on error"
    return str(err.value)


def _folder(tmp_path: Path, items: bytes, orgs: bytes | None = None) -> Path:
    folder = tmp_path / "t"
    folder.mkdir(exist_ok=True)
    (folder / "organisations.csv").write_bytes(orgs or ORGS_SC.encode())
    (folder / "items.csv").write_bytes(items)
    return folder


# -- item 7: quotes and ids ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # never closed: the rest of the file would become one description
        'n1;a;need;skills;Site;ok\nn2;a;need;skills;Compta;"Aide\nn3;a;need;skills;X;y\n'
        "n4;a;need;skills;Z;w\n",
        # closed by the next quote of the file, followed by text
        'n1;a;need;skills;Site;ok\nn2;a;need;skills;Compta;"Aide\nn3;a;need;skills;X;y\n'
        'n4;a;need;skills;Z;"w"\n',
        # closed cleanly, but the cell swallowed lines shaped like rows
        'n1;a;need;skills;Site;ok\nn2;a;need;skills;Compta;"Aide\nn3;a;need;skills;X;y\n'
        'n4;a;need;skills;Z;w"\n',
    ],
)
def test_unbalanced_quote_is_refused_where_it_opened(store: Store, tmp_path: Path, body: str):
    message = _refused(store, _folder(tmp_path, (HEAD + body).encode()))
    assert "items.csv, ligne 3" in message and "guillemet" in message


def test_multiline_cells_still_read(store: Store, tmp_path: Path):
    body = (
        'n1,a,need,equipment,Mobilier,"Pour la fête :\nNous cherchons tables, chaises, bancs, '
        'tréteaux, nappes, verres\nmerci"\nn2,a,need,skills,X,y\n'
    )
    services.import_territory(store, _folder(tmp_path, (HEAD.replace(";", ",") + body).encode()))
    with store.reading() as conn:
        (mobilier,) = [i for i in repo.read_items(conn) if i.item_id == "n1"]
    assert mobilier.description.splitlines()[1].endswith("nappes, verres")
    assert services.stats(store)["needs"] == 2


@pytest.mark.parametrize("bad", ["\n", "\x0b", "\x85", "\u2028", "\u200b", "\x7f", "\t"])
@pytest.mark.parametrize(
    "file, column",
    [
        ("organisations", "territory"),
        ("organisations", "org_id"),
        ("items", "item_id"),
        ("items", "org_id"),
        ("partnerships", "partnership_id"),
        ("partnerships", "need_id"),
    ],
)
def test_control_and_invisible_characters_in_ids_are_refused(
    store: Store, tmp_path: Path, bad: str, file: str, column: str
):
    folder = tmp_path / "t"
    write(
        folder, "organisations.csv", "org_id;name;kind;territory\na;Asso;ess;t\nb;Ent;company;t\n"
    )
    write(folder, "items.csv", HEAD + "n1;a;need;skills;X;\no1;b;offer;skills;Y;\n")
    write(folder, "partnerships.csv", "partnership_id;need_id;offer_id;status\np1;n1;o1;piste\n")
    path = folder / f"{file}.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(";")
    cells = lines[1].split(";")
    at = header.index(column)
    cells[at] = f'"{cells[at][:1]}{bad}x"'
    lines[1] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n")
    message = _refused(store, folder)
    assert f"{file}.csv, ligne 2, colonne « {column} »" in message
    assert "retapez ce nom ou cet identifiant" in message and "après « " in message


# -- item 8: encodings ---------------------------------------------------------------------------


def test_mixed_utf8_and_windows_lines_are_each_read_right(store: Store, tmp_path: Path):
    orgs = (
        b"org_id;name;kind;commune\n"
        + "a;Recyclerie de Vitré;ess;Vitré\n".encode()
        + "b;Crêperie des Fougères;company;Fougères\n".encode("cp1252")
    )
    items = (HEAD + "n1;a;need;skills;Comptabilité;\no1;b;offer;skills;Crêpes;\n").encode()
    report = services.import_territory(store, _folder(tmp_path, items, orgs))
    with store.reading() as conn:
        names = sorted(o.name for o in repo.read_organisations(conn))
    assert names == ["Crêperie des Fougères", "Recyclerie de Vitré"]
    assert any("ligne 3" in str(w) and "Windows-1252" in str(w) for w in report.warnings)


def test_undecodable_line_is_named():
    data = HEAD.encode() + b"n1;a;need;skills;ok;\nn2;a;need;skills;\x81\x8d;\n"
    with pytest.raises(InvalidInputError) as err:
        read_csv_bytes(data, ITEMS_SPEC, "items.csv")
    assert "items.csv, ligne 3" in str(err.value)


@pytest.mark.parametrize(
    "bad, meant",
    [("VitrÃ©", "Vitré"), ("lâ€™atelier", "l’atelier"), ("Å“uvre", "œuvre"), ("garÃ§on", "garçon")],
)
def test_mojibake_in_valid_utf8_is_refused(store: Store, tmp_path: Path, bad: str, meant: str):
    orgs = f"identifiant;nom;type;ville\na;Asso;ess;{bad}\nb;Ent;entreprise;Rennes\n".encode()
    message = _refused(store, _folder(tmp_path, ITEMS.encode(), orgs))
    assert "organisations.csv, ligne 2, colonne « ville »" in message
    assert f"« {meant} »" in message


@pytest.mark.parametrize("good", ["CAFÉ\u00a0!", "Hôtel-Dieu", "SÃO", "Ça va", "À « Rennes »"])
def test_ordinary_accents_are_not_mojibake(good: str):
    assert mojibake(good) is None


# -- item 9: two sources for one table -----------------------------------------------------------


@pytest.mark.parametrize(
    "first, second",
    [("Organisations.csv", "organisations.csv"), ("organisations.csv", "structures.csv")],
)
def test_two_files_for_one_table_are_refused(store: Store, tmp_path: Path, first, second):
    folder = tmp_path / "t"
    write(folder, first, ORGS)
    write(folder, second, ORGS.replace("Recyclerie", "Autre"))
    write(folder, "items.csv", ITEMS)
    message = _refused(store, folder)
    assert f"« {first} »" in message and f"« {second} »" in message


def test_two_sheets_for_one_table_are_refused(store: Store, tmp_path: Path):
    import pandas as pd

    path = tmp_path / "territoire.xlsx"
    frame = pd.DataFrame({"org_id": ["a"], "name": ["Asso"], "kind": ["ess"]})
    with pd.ExcelWriter(path) as w:
        frame.to_excel(w, sheet_name="structures", index=False)
        frame.to_excel(w, sheet_name="organisations", index=False)
    message = _refused(store, path)
    assert "« structures »" in message and "« organisations »" in message


# -- item 12: sizes and cells, before any parser runs --------------------------------------------


@pytest.fixture
def no_parser(monkeypatch):
    """Fail if the spreadsheet parser is reached: the refusal must come before it."""
    import pandas as pd

    def forbidden(*args, **kwargs):
        raise AssertionError("the workbook was parsed before being refused")

    monkeypatch.setattr(pd, "read_excel", forbidden)


def _workbook(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


SHEET = b'<?xml version="1.0"?><worksheet><sheetData>%s</sheetData></worksheet>'


def test_workbook_inflating_past_the_limit_is_refused_unparsed(tmp_path: Path, no_parser):
    row = b'<row><c t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>'
    bomb = SHEET % (row * (limits.MAX_TEXT_BYTES // len(row) + 10))
    path = _workbook(tmp_path / "bombe.xlsx", {"xl/worksheets/sheet1.xml": bomb})
    assert path.stat().st_size < limits.MAX_TEXT_BYTES // 50
    with pytest.raises(InvalidInputError) as err:
        read_source(path)
    assert "bombe.xlsx" in str(err.value) and "trop volumineux" in str(err.value)


def test_highly_compressed_member_is_refused_unparsed(tmp_path: Path, no_parser):
    path = _workbook(tmp_path / "zip.xlsx", {"xl/worksheets/sheet1.xml": SHEET % (b" " * 2**22)})
    with pytest.raises(InvalidInputError) as err:
        read_source(path)
    assert "compressé" in str(err.value)


@pytest.mark.parametrize(
    "name, member",
    [
        # two cells, far apart: openpyxl lays out the whole grid between them
        (
            "grille.xlsx",
            (
                "xl/ailleurs/feuille.xml",  # wherever the relationships point
                SHEET % b'<row r="1"><c r="A1"><v>1</v></c></row>'
                b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
            ),
        ),
        # one cell repeated: pandas' ODS reader expands the repetitions
        (
            "repete.ods",
            (
                "content.xml",
                b'<office:document-content><table:table table:name="items">'
                b'<table:table-row table:number-rows-repeated="100000">'
                b'<table:table-cell table:number-columns-repeated="1000">'
                b"<text:p>x</text:p></table:table-cell></table:table-row>"
                b"</table:table></office:document-content>",
            ),
        ),
    ],
)
def test_cell_grid_past_the_limit_is_refused_unparsed(tmp_path: Path, no_parser, name, member):
    path = _workbook(tmp_path / name, dict([member]))
    with pytest.raises(InvalidInputError) as err:
        read_source(path)
    assert name in str(err.value) and "trop de cellules" in str(err.value)


@pytest.mark.parametrize(
    "rows",
    [
        # a value, 16,000 empty cells, a value: pandas lays out the empty ones in between
        b'<table:table-row table:number-rows-repeated="100000">'
        b'<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        b'<table:table-cell table:number-columns-repeated="16000"/>'
        b'<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        b"</table:table-row>",
        # two rows of values a million empty rows apart, padded to the widest row
        b'<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p>'
        b'</table:table-cell><table:table-cell office:value-type="float" office:value="1" '
        b'table:number-columns-repeated="2"/></table:table-row>'
        b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell/>'
        b'</table:table-row><table:table-row><table:table-cell office:value-type="string">'
        b"<text:p>x</text:p></table:table-cell></table:table-row>",
    ],
)
def test_ods_gaps_between_values_count(tmp_path: Path, no_parser, rows: bytes):
    content = b'<office:document-content><table:table table:name="items">%s</table:table>' % rows
    path = _workbook(
        tmp_path / "trous.ods", {"content.xml": content + b"</office:document-content>"}
    )
    with pytest.raises(InvalidInputError, match="trop de cellules"):
        read_source(path)


_ODS_CELLS = st.sampled_from(
    [
        "<table:table-cell/>",
        '<table:table-cell table:number-columns-repeated="3"/>',
        '<table:covered-table-cell table:number-columns-repeated="2"/>',
        '<table:table-cell office:value-type="string"><text:p>v</text:p></table:table-cell>',
        '<table:table-cell office:value-type="float" office:value="2" '
        'table:number-columns-repeated="2"/>',
    ]
)
_ODS_ROWS = st.tuples(
    st.sampled_from(["", ' table:number-rows-repeated="3"']), st.lists(_ODS_CELLS, max_size=4)
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_ODS_ROWS, max_size=5), min_size=1, max_size=2))
def test_ods_cell_count_is_the_grid_pandas_reads(tmp_path_factory, sheets):
    import pandas as pd

    base = tmp_path_factory.mktemp("ods") / "base.ods"
    pd.DataFrame({"a": ["x"]}).to_excel(base, engine="odf", sheet_name="s", index=False)
    with zipfile.ZipFile(base) as z:
        members = {n: z.read(n) for n in z.namelist()}
    content = members["content.xml"].decode()
    start = content.index('<table:table table:name="s">')
    end = content.index("</table:table>") + len("</table:table>")
    tables = "".join(
        f'<table:table table:name="s{k}">'
        + "".join(
            f"<table:table-row{rep}>{''.join(cells)}</table:table-row>" for rep, cells in rows
        )
        + "</table:table>"
        for k, rows in enumerate(sheets)
    )
    members["content.xml"] = (content[:start] + tables + content[end:]).encode()
    path = _workbook(base.with_name("t.ods"), members)
    frames = pd.read_excel(path, engine="odf", sheet_name=None, header=None)
    assert limits.ods_cells(iter([members["content.xml"]])) == sum(f.size for f in frames.values())


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 30), st.lists(st.integers(1, 12), max_size=4)), max_size=6)
)
def test_xlsx_cell_count_bounds_the_grid_pandas_reads(tmp_path_factory, rows):
    import openpyxl
    import pandas as pd
    from openpyxl.utils import get_column_letter

    path = tmp_path_factory.mktemp("xlsx") / "t.xlsx"
    openpyxl.Workbook().save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    body = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{get_column_letter(c)}{r}"><v>1</v></c>' for c in sorted(set(cols)))
        + "</row>"
        for r, cols in sorted(dict(rows).items())
    )
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = re.sub(
        rb"<sheetData\s*/>|<sheetData>.*</sheetData>",
        f"<sheetData>{body}</sheetData>".encode(),
        members[sheet],
        flags=re.S,
    )
    _workbook(path, members)
    frame = pd.read_excel(path, header=None)
    assert frame.size > 0 or not any(cols for _, cols in dict(rows).items())
    assert limits.xlsx_sheet_cells(iter([members[sheet]])) >= frame.size


def test_a_far_empty_row_counts(tmp_path: Path, no_parser):
    far = SHEET % b'<row r="1"><c r="A1"><v>1</v></c></row><row r="9999999"/>'
    path = _workbook(tmp_path / "loin.xlsx", {"xl/worksheets/sheet1.xml": far})
    with pytest.raises(InvalidInputError, match="trop de cellules"):
        read_source(path)


def test_empty_repeated_ods_cells_do_not_count(tmp_path: Path):
    # What LibreOffice writes after the data: empty rows and cells repeated to the sheet's end.
    content = (
        b'<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p>'
        b'</table:table-cell><table:table-cell table:number-columns-repeated="16383"/>'
        b'</table:table-row><table:table-row table:number-rows-repeated="1048575">'
        b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    assert limits.ods_cells(iter([content])) == 1


def test_csv_past_the_size_or_cell_limit_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 4096)
    folder = _folder(tmp_path, (HEAD + "n1;a;need;skills;X;" + "y" * 5000 + "\n").encode())
    with pytest.raises(InvalidInputError, match="trop volumineux"):
        read_source(folder)
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 2**20)
    monkeypatch.setattr(limits, "MAX_CELLS", 100)
    folder = _folder(tmp_path, (HEAD + "n1;a;need;skills;X;y\n" * 20).encode())
    with pytest.raises(InvalidInputError, match="trop de cellules"):
        read_source(folder)


# -- item 13: what is written is read back whole --------------------------------------------------


def _store_with_description(tmp_path: Path, description: str) -> Store:
    store = Store(tmp_path / "first.sqlite")
    services.import_territory(store, _folder(tmp_path, (HEAD + "n1;a;need;skills;X;y\n").encode()))
    with store.transaction() as conn:
        from traits.storage import schema

        conn.execute(schema.items.update().values(description=description))
    return store


def _descriptions(store: Store) -> list[str | None]:
    with store.reading() as conn:
        return [i.description for i in repo.read_items(conn)]


@pytest.mark.parametrize("target", ["out", "territoire.ods"])
def test_long_text_survives_export_then_import(tmp_path: Path, target: str):
    # As long as a workbook cell holds (the import refuses longer: see test_text_rules.py).
    long = ('Une très longue description ; avec des "guillemets".\n' * 4000)[:32_767].strip()
    first = _store_with_description(tmp_path, long)
    services.export_territory(first, tmp_path / target)
    second = Store(tmp_path / "second.sqlite")
    services.import_territory(second, tmp_path / target)
    assert _descriptions(second) == [long]


@pytest.mark.parametrize(
    "target, text, why",
    [
        ("territoire.xlsx", "x" * 40_000, "32\u202f767"),
        ("territoire.xlsx", "saut\x0bvertical", "contrôle"),
        ("territoire.ods", "fin\r\nde ligne", "retour chariot"),
    ],
)
def test_what_a_format_cannot_hold_is_refused_before_writing(
    tmp_path: Path, target: str, text: str, why: str
):
    store = _store_with_description(tmp_path, text)
    with pytest.raises(InvalidInputError) as err:
        services.export_territory(store, tmp_path / target)
    assert why in str(err.value) and "ligne 2, colonne « description »" in str(err.value)
    assert not (tmp_path / target).exists()
    assert list(tmp_path.glob("*.tmp*")) == []


def test_an_export_an_import_could_not_read_is_refused(tmp_path: Path, monkeypatch):
    store = _store_with_description(tmp_path, "z" * 20_000)
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 10_000)
    with pytest.raises(InvalidInputError, match="ne pourrait pas être importé"):
        services.export_territory(store, tmp_path / "territoire.ods")
    assert not (tmp_path / "territoire.ods").exists()


def test_a_workbook_that_reads_back_differently_is_not_kept(tmp_path: Path, monkeypatch):
    from traits.interchange import writers

    store = _store_with_description(tmp_path, "fin\r\nde ligne")
    monkeypatch.setattr(writers, "check_fits", lambda rows, fmt: None)  # only the read-back left
    with pytest.raises(InvalidInputError, match="ne se relit pas à l'identique"):
        services.export_territory(store, tmp_path / "territoire.ods")
    assert not (tmp_path / "territoire.ods").exists()
    assert list(tmp_path.glob("*.tmp*")) == []


def test_a_territory_given_to_the_import_needs_a_clean_id(store: Store, small: Path):
    from traits.model import Territory

    with pytest.raises(InvalidInputError, match="saut de ligne après « vitre »"):
        services.import_territory(store, small, territory=Territory("vitre\nredon", "Vitré"))
    assert services.stats(store)["organisations"] == 0


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="'=+-@a1 .\t", max_size=8))
def test_neutralising_a_cell_is_undone_exactly_by_the_readers(text: str):
    # Cells are stripped when read, so only texts without surrounding spaces must survive.
    text = text.strip()
    assert unneutralise(neutralise(text)) == text


def test_a_text_starting_with_a_quote_survives_export_then_import(tmp_path: Path):
    first = _store_with_description(tmp_path, "'=pas une formule")
    services.export_territory(first, tmp_path / "out")
    second = Store(tmp_path / "second.sqlite")
    services.import_territory(second, tmp_path / "out")
    assert _descriptions(second) == ["'=pas une formule"]


def test_a_table_in_another_format_inside_a_folder_is_reported(store: Store, small: Path):
    write(small, "contacts.xlsx", "pas un CSV")
    report = services.import_territory(store, small)
    assert any(w.file == "contacts.xlsx" and "ignoré" in w.message for w in report.warnings)


def test_a_workbook_member_with_a_false_checksum_is_refused(tmp_path: Path, no_parser):
    import struct
    import zlib

    sheet = SHEET % b'<row r="1"><c r="A1"><v>1</v></c></row>'
    path = _workbook(tmp_path / "abime.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    crc = struct.pack("<I", zlib.crc32(sheet))
    path.write_bytes(path.read_bytes().replace(crc, b"\0\0\0\0"))
    with pytest.raises(InvalidInputError, match="illisible"):
        read_source(path)
