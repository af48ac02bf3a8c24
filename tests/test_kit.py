"""The kit d'essaimage: its chapters say true things without command lines, its import templates
import as-is, and the generated kit (booklet, Word templates, plaquette, summary) is the same from
the command line and from the Kit page."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import click
import docx
import pandas as pd
import pytest
import typer
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from traits.cli import app
from traits.errors import InvalidInputError
from traits.report import VALUE_RULES
from traits.services import get_territory, import_territory, load_demo, stats
from traits.services import kit as kit_service
from traits.services.kit import kit_files, write_kit
from traits.services.reports import build_report
from traits.storage import Store

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "docs" / "kit-essaimage"
MODELES = KIT / "modeles"
ANNEX = KIT / "annexe-technique" / "README.md"
DOCUMENTS = [
    "01-la-demarche.md",
    "02-la-premiere-annee.md",
    "03-guide-entretien.md",
    "04-les-outils-de-terrain.md",
    "05-faire-vivre-les-partenariats.md",
    "06-donnees-personnelles.md",
    "07-faq.md",
    "08-glossaire.md",
    "09-l-application-pas-a-pas.md",
]
#: Canonical headers that are French words as well.
FRENCH_TOO = {"commune", "siret", "description", "date", "motivations", "notes"}
TEMPLATE_FILES = ["organisations", "items", "diagnostics", "contacts", "partnerships"]
#: What each template holds once imported (the example rows).
TEMPLATE_COUNTS = {"organisations": 2, "diagnostics": 1, "needs": 1, "offers": 1, "contacts": 1}
#: Names of real people in shared/seeds: the kit must never reuse them.
SEED_NAMES = [
    "Tarayre",
    "Jolivet",
    "Godefroy",
    "Brunschwig",
    "Lapouge",
    "Poirrier",
    "Glet",
    "Modica",
    "Le Jeanne",
    "Buret",
    "Escaffre",
    "Guillet",
    "Mercier",
    "Le Stradic",
    "Le Bechec",
    "Bourhis",
    "Townsend",
    "Jaguin",
    "Quesnay",
]


def _text(name: str) -> str:
    return (KIT / name).read_text(encoding="utf-8")


# -- documents ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_kit_document_exists_and_is_substantial(name: str) -> None:
    text = _text(name)
    assert text.startswith("# "), f"{name} commence par son titre"
    assert len(text) > 2500, f"{name} est trop court ({len(text)} caractères)"
    assert text.count("\n## ") >= 2, f"{name} a au moins deux sections"
    assert re.search(r"[éèàçê]", text), f"{name} est en français accentué"
    assert "\ufffd" not in text


@pytest.mark.parametrize("name", DOCUMENTS)
def test_kit_documents_name_no_real_person_from_the_seeds(name: str) -> None:
    text = _text(name)
    assert not [n for n in SEED_NAMES if n in text]


def test_templates_name_no_real_person_from_the_seeds() -> None:
    from traits.kit.documents import SOURCES

    for path in SOURCES.glob("*/*.md"):
        assert not [n for n in SEED_NAMES if n in path.read_text("utf-8")], path.name


#: What a coordinator chapter must not contain: commands, options, prompts, installs, scripts.
COMMAND_LINE = [
    (r"\btraits\s", "la commande traits"),
    (r"--", "une option de commande"),
    (r"\$ ", "une invite de commande"),
    (r"\bpip\b", "pip"),
    (r"\.py\b", "un script Python"),
    (r"```", "un bloc de code"),
]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_coordinator_chapters_hold_no_command_line(name: str) -> None:
    lines = [
        line
        for line in _text(name).splitlines()
        if not re.fullmatch(r"\|[-:| ]+\||---", line.strip())  # table rules, separators
    ]
    text = "\n".join(lines)
    found = [what for pattern, what in COMMAND_LINE if re.search(pattern, text)]
    assert not found, f"{name} : {found}"


def test_the_command_line_check_catches_the_old_kit() -> None:
    old = "Dans un terminal : `traits import mon-territoire.xlsx --dry-run`, puis `pip install`."
    assert [w for p, w in COMMAND_LINE if re.search(p, old)]


def test_kit_links_point_to_existing_documents() -> None:
    for name in DOCUMENTS:
        for target in re.findall(r"\]\(([^)#:]+\.md)\)", _text(name)):
            assert (KIT / target).exists(), f"{name} → {target}"


def _cli_commands() -> set[str]:
    def walk(group: click.Group, prefix: str) -> set[str]:
        out = set()
        for name, cmd in group.commands.items():
            out.add(f"{prefix}{name}")
            if hasattr(cmd, "commands"):  # a group (typer's may not subclass click.Group)
                out |= walk(cmd, f"{prefix}{name} ")
        return out

    return walk(typer.main.get_command(app), "")


def test_commands_quoted_in_the_technical_annex_exist() -> None:
    known = _cli_commands()
    quoted = set()
    for text in [ANNEX.read_text("utf-8")]:
        for words in re.findall(r"traits ((?:[a-z]+ ?){1,2})", text):
            parts = words.split()
            command = " ".join(parts[:2]) if " ".join(parts[:2]) in known else parts[0]
            quoted.add(command)
    # `traits territory create` is being added to the CLI; check it once it exists.
    pending = {"territory"} - {c.split()[0] for c in known}
    unknown = {
        c
        for c in quoted
        if c not in known
        and c.split()[0]
        in {
            "import",
            "export",
            "demo",
            "stats",
            "vocabulary",
            "match",
            "evaluate",
            "partnership",
            "report",
            "graph",
            "contact",
            "backup",
            "restore",
            "territory",
            "kit",
        }
    } - pending
    assert not unknown, f"commandes citées inconnues : {sorted(unknown)}"
    for group, subs in {
        "partnership": {"propose", "status", "list"},
        "contact": {"export", "erase", "purge"},
    }.items():
        assert {f"{group} {s}" for s in subs} <= known


def test_legal_levers_match_the_report_rules() -> None:
    """The figures the kit gives companies are those the report computes with."""
    text = _text("05-faire-vivre-les-partenariats.md")
    oeth, sponsorship = VALUE_RULES["oeth"], VALUE_RULES["sponsorship"]

    def pct(rate: float) -> str:
        return f"{100 * rate:g}".replace(".", ",") + " %"

    for needle in [
        "L5212-10-1",
        "D5212-22",
        pct(oeth["deduction_rate"]),
        pct(oeth["cap_rate"]),
        pct(oeth["cap_rate_high_employment"]),
        pct(oeth["high_employment_threshold"]),
        "238 bis",
        pct(sponsorship["reduction_rate"]),
        pct(sponsorship["reduced_rate"]),
        pct(sponsorship["ceiling_turnover_rate"]),
        f"{sponsorship['ceiling_floor_euros']:,}".replace(",", " ") + " €",
        "2020-105",
        "L541-15-8",
        "2016-138",
        "2014-856",
        "SPASER",
        "à vérifier",
    ]:
        assert needle in text, needle


def test_privacy_document_has_notice_retention_rights_and_register() -> None:
    text = _text("06-donnees-personnelles.md")
    for needle in [
        "intérêt légitime",
        "consentement",
        "trois ans",
        "Administration",
        "Exporter",
        "Effacer",
        "Purger",
        "registre des activités de traitement",
        "santé",
        "syndicale",
        "à venir",
    ]:
        assert needle.lower() in text.lower(), needle


# -- templates ------------------------------------------------------------------------------------


def _import(source: Path, tmp_path: Path):
    store = Store(tmp_path / "kit.sqlite")
    report = import_territory(store, source)
    return store, report


@pytest.mark.parametrize(
    "source",
    ["csv", "modele-territoire.xlsx", "modele-territoire.ods"],
)
def test_template_examples_left_in_are_ignored_with_a_notice(source: str, tmp_path: Path) -> None:
    store, report = _import(MODELES / source, tmp_path)
    assert not any(report.written.values())
    notices = [w for w in report.warnings if "exemple du modèle, ignoré" in w.message]
    assert len(notices) == len(TEMPLATE_FILES)
    counts = stats(store)
    assert counts["organisations"] == counts["needs"] == counts["offers"] == 0
    store.dispose()


def test_templates_filled_in_import_every_row(tmp_path: Path) -> None:
    """The template's rows, once the facilitator replaces « exemple » by their own ids."""
    folder = tmp_path / "filled"
    folder.mkdir()
    for path in (MODELES / "csv").glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig").replace("exemple-", "x-")
        (folder / path.name).write_text(text.replace(" (exemple)", ""), encoding="utf-8")
    store, report = _import(folder, tmp_path)
    assert report.warnings == []
    counts = stats(store)
    for key, expected in TEMPLATE_COUNTS.items():
        assert counts[key] == expected, key
    assert counts["partnerships"]["in_discussion"] == 1
    store.dispose()


def test_csv_templates_are_utf8_bom_semicolon_with_french_headers() -> None:
    from traits.interchange.columns import FILES_BY_NAME, fold

    for name in TEMPLATE_FILES:
        raw = (MODELES / "csv" / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        header = raw.decode("utf-8-sig").splitlines()[0].split(";")
        spec = FILES_BY_NAME[name]
        mapping = spec.header_map()
        assert all(fold(h) in mapping for h in header), name
        english = [h for h in header if h == mapping[fold(h)] and h not in FRENCH_TOO]
        assert not english, f"{name}: en-têtes anglais {english}"
        required = {c.name for c in spec.columns if c.required}
        assert required <= {mapping[fold(h)] for h in header}, name


def _make_templates():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_templates", MODELES / "make_templates.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_workbooks_hold_exactly_the_csv_templates_under_french_sheet_names() -> None:
    from traits.interchange.columns import file_for

    for workbook in ("modele-territoire.xlsx", "modele-territoire.ods"):
        engine = "odf" if workbook.endswith(".ods") else "openpyxl"
        sheets = pd.read_excel(
            MODELES / workbook, sheet_name=None, dtype=str, engine=engine, keep_default_na=False
        )
        names = [n for n in sheets if n not in ("À lire", "Listes")]
        assert names == [
            "Structures",
            "Besoins et offres",
            "Entretiens",
            "Contacts",
            "Partenariats",
        ]
        assert list(sheets)[0] == "À lire"
        for name in names:
            spec = file_for(name)
            assert spec is not None and spec.name in TEMPLATE_FILES
            frame = sheets[name].loc[lambda f: f.ne("").any(axis=1)]
            csv = pd.read_csv(
                MODELES / "csv" / f"{spec.name}.csv",
                sep=";",
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
            )
            pd.testing.assert_frame_equal(frame, csv, obj=f"{workbook} › {name}")
            assert all(v.startswith("exemple-") for v in frame.iloc[:, 0]), name


def test_every_enumerated_column_has_a_drop_down_list_of_accepted_values() -> None:
    from openpyxl import load_workbook

    from traits.interchange.columns import FILES_BY_NAME, fold

    module = _make_templates()
    book = load_workbook(MODELES / "modele-territoire.xlsx")
    lists = book["Listes"]
    for (file, column), (values, _strict) in module.choices().items():
        spec = FILES_BY_NAME[file]
        sheet = book[spec.label]
        headers = [c.value for c in sheet[1]]
        index = next(i for i, h in enumerate(headers) if spec.header_map()[fold(h)] == column)
        letter = sheet.cell(row=1, column=index + 1).column_letter
        found = [d for d in sheet.data_validations.dataValidation if f"{letter}2" in d.sqref]
        assert found, (file, column)
        ref = found[0].formula1.split("!")[1].replace("$", "")
        assert [row[0].value for row in lists[ref]] == values
    # the lists hold only values the import accepts
    from traits.interchange.columns import KIND_VALUES, PARTNERSHIP_STATUS_VALUES

    assert all(fold(v) in KIND_VALUES for v in module.choices()[("organisations", "kind")][0])
    statuses = module.choices()[("partnerships", "status")][0]
    assert all(fold(v) in PARTNERSHIP_STATUS_VALUES for v in statuses)
    ods = (MODELES / "modele-territoire.ods").read_bytes()
    import io
    import zipfile

    content = zipfile.ZipFile(io.BytesIO(ods)).read("content.xml").decode()
    assert content.count("<table:content-validation ") >= 7
    assert "cell-content-is-in-list" in content


def test_readme_sheet_explains_every_column_in_french() -> None:
    module = _make_templates()
    readme = module.readme()
    for name in TEMPLATE_FILES:
        header = pd.read_csv(
            MODELES / "csv" / f"{name}.csv", sep=";", encoding="utf-8-sig", nrows=0
        ).columns
        from traits.interchange.columns import FILES_BY_NAME

        shown = readme[readme["onglet"] == FILES_BY_NAME[name].label]
        assert list(shown["colonne"]) == list(header)
        assert all(shown["ce qu'on y écrit"].str.len() > 5), name
    text = " ".join(readme["ce qu'on y écrit"])
    assert not re.search(r"\b(org_id|item_id|need_id|value_euros|company)\b", text)


def _filled(folder: Path, blank: tuple[str, str] | None = None) -> Path:
    """The CSV templates with their examples made real rows; one column emptied if asked."""
    folder.mkdir()
    for path in (MODELES / "csv").glob("*.csv"):
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame = frame.replace(r"^exemple-", "x-", regex=True).replace(
            " \\(exemple\\)", "", regex=True
        )
        if blank is not None and blank[0] == path.stem:
            frame[blank[1]] = ""
        frame.to_csv(folder / path.name, sep=";", index=False)
    return folder


def test_readme_calls_required_exactly_the_columns_the_import_requires(tmp_path: Path) -> None:
    """Each column the « À lire » sheet describes, emptied in the filled template: an error at
    that column when it says « obligatoire : oui », none at that column otherwise."""
    from traits.interchange import readers, validate
    from traits.interchange.columns import FILES

    module = _make_templates()
    by_label = {spec.label: spec for spec in FILES}
    rows = module.readme().iloc[1:]
    assert len(rows) == sum(len(module.read_template(name).columns) for name in TEMPLATE_FILES)
    for i, (label, typed, required, text) in enumerate(rows.itertuples(index=False)):
        spec = by_label[label]
        parsed = validate.validate(
            readers.read_source(_filled(tmp_path / str(i), (spec.name, typed)))
        )
        at_column = [p for p in parsed.errors if p.file == f"{spec.name}.csv" and p.column == typed]
        assert (required == "oui") == bool(at_column), (label, typed, required, parsed.errors)
        assert (required == "oui") == text.startswith("Obligatoire."), (label, typed)
        assert "Facultatif" not in text or required == "non", (label, typed)
    # The identifier of each sheet is described as one, never as another column's reference.
    ids = rows[rows["colonne"] == "identifiant"]["ce qu'on y écrit"]
    assert len(ids) == len(TEMPLATE_FILES) and set(ids) == {module.ID_HELP}
    structure = rows[rows["colonne"] == "structure"]["ce qu'on y écrit"]
    assert all("onglet « Structures »" in t for t in structure)


def test_shipped_workbooks_hold_the_readme_and_examples_from_the_lists() -> None:
    """The « À lire » sheet of the shipped workbook is the generated one; every example value of
    an enumerated column is a value of its drop-down list; the lists cover the whole sheet."""
    from openpyxl import load_workbook

    from traits.interchange.columns import FILES_BY_NAME

    module = _make_templates()
    shipped = pd.read_excel(MODELES / "modele-territoire.xlsx", sheet_name="À lire", dtype=str)
    pd.testing.assert_frame_equal(shipped.fillna(""), module.readme())
    for (file, column), (values, _strict) in module.choices().items():
        spec = FILES_BY_NAME[file]
        frame = module.read_template(file)
        typed = next(h for h in frame.columns if spec.column_for(h) == column)
        examples = [v for v in frame[typed] if v]
        assert all(v in values for v in examples), (file, column, examples)
    book = load_workbook(MODELES / "modele-territoire.xlsx")
    ranges = {str(d.sqref) for s in book.worksheets for d in s.data_validations.dataValidation}
    assert ranges and all(r.endswith("1048576") for r in ranges)
    content = zipfile.ZipFile(MODELES / "modele-territoire.ods").read("content.xml").decode()
    assert content.count('table:number-rows-repeated="') >= len(TEMPLATE_FILES)


def test_make_templates_rebuilds_the_workbooks(tmp_path: Path) -> None:
    module = _make_templates()
    written = module.build(tmp_path)
    assert sorted(p.name for p in written) == ["modele-territoire.ods", "modele-territoire.xlsx"]
    for path in written:
        store, report = _import(path, tmp_path / path.suffix.lstrip("."))
        assert [w for w in report.warnings if "exemple du modèle" not in w.message] == []
        store.dispose()


# -- the generated kit ----------------------------------------------------------------------------

FONTS = Path("/usr/share/fonts/truetype/dejavu")
needs_fonts = pytest.mark.skipif(
    not (FONTS / "DejaVuSans.ttf").exists(), reason="police DejaVu absente (fonts-dejavu-core)"
)
CONTACT = "contact@pole-exemple.example.org"
#: A line of printed text may not start with these (French typography).
BAD_START = re.compile(r"^\s*[»?;:!]")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("kit") / "exemple.sqlite"
    store = Store(db)
    load_demo(store)
    store.dispose()
    return db


@pytest.fixture(scope="module")
def cli_kit(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "kit"
    result = CliRunner().invoke(
        app, ["kit", str(out), "--db", str(sample_db), "--territory", "vitre", "--contact", CONTACT]
    )
    assert result.exit_code == 0, result.output
    assert "27 fichiers" in result.output
    return out


def _hashes(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def _folder(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def _sample_territory(db: Path):  # type: ignore[no-untyped-def]
    store = Store(db)
    try:
        return get_territory(store, "vitre")
    finally:
        store.dispose()


def _pdf_lines(data: bytes) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def _docx_text(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    parts += [p.text for s in doc.sections for p in s.header.paragraphs]
    return "\n".join(parts)


@needs_fonts
def test_cli_kit_writes_the_whole_kit_booklet_first(cli_kit: Path) -> None:
    files = _folder(cli_kit)
    assert {
        "livret-traits-d-unions.pdf",
        "plaquette.pdf",
        "entretiens/grille-entretien-structure-ess.docx",
        "entretiens/grille-entretien-entreprise.docx",
        "conventions/mise-a-disposition-de-personnel.docx",
        "groupe-local/charte-du-groupe-local.docx",
        "bilan/synthese-des-resultats.docx",
        "tableurs/modele-territoire.xlsx",
    } <= set(files)
    assert len(files) == 27


@needs_fonts
def test_kit_generation_is_deterministic(sample_db: Path) -> None:
    store = Store(sample_db)
    first = kit_files(store, "vitre", contact=CONTACT)
    kit_service._booklet.cache_clear()  # build the booklet again, not from the cache
    second = kit_files(store, "vitre", contact=CONTACT)
    store.dispose()
    assert [f.name for f in first][0] == "livret-traits-d-unions.pdf"
    assert _hashes({f.name: f.data for f in first}) == _hashes({f.name: f.data for f in second})


@needs_fonts
def test_booklet_names_the_territory_and_its_facilitator(cli_kit: Path, sample_db: Path) -> None:
    territory = _sample_territory(sample_db)
    cover = "\n".join(_pdf_lines((cli_kit / "livret-traits-d-unions.pdf").read_bytes())[:20])
    assert territory.name in cover
    assert territory.facilitator and territory.facilitator in cover
    assert CONTACT in cover
    assert "pas une publication officielle" in cover


@needs_fonts
def test_no_booklet_line_starts_with_closing_punctuation(cli_kit: Path) -> None:
    lines = _pdf_lines((cli_kit / "livret-traits-d-unions.pdf").read_bytes())
    assert len(lines) > 500
    assert [line for line in lines if BAD_START.match(line)] == []


@needs_fonts
def test_without_french_spacing_lines_would_start_with_punctuation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check above can fail: the booklet laid out without the typography rule breaks."""
    from traits.kit import booklet
    from traits.kit.profile import KitProfile

    monkeypatch.setattr(booklet, "french_spacing", lambda text: text)
    data = booklet.build(KitProfile(territory="Pays de Vitré"))
    assert [line for line in _pdf_lines(data) if BAD_START.match(line)]


def test_french_spacing_puts_non_breaking_spaces_where_french_wants_them() -> None:
    from traits.kit.typography import NBSP, french_spacing

    assert french_spacing("Objet : « Mise en lien » ; merci ! Pourquoi ?") == (
        f"Objet{NBSP}: «{NBSP}Mise en lien{NBSP}»{NBSP}; merci{NBSP}! Pourquoi{NBSP}?"
    )
    assert french_spacing("«mot»") == f"«{NBSP}mot{NBSP}»"
    assert french_spacing("https://www.ess-bretagne.org à 10:30") == (
        "https://www.ess-bretagne.org à 10:30"
    )


@needs_fonts
def test_plaquette_is_one_page_carrying_the_territory(cli_kit: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(cli_kit / "plaquette.pdf")
    assert len(reader.pages) == 1
    assert "Pays de Vitré" in reader.pages[0].extract_text()


@needs_fonts
def test_every_docx_opens_filled_for_the_territory(cli_kit: Path) -> None:
    documents = sorted(cli_kit.rglob("*.docx"))
    assert len(documents) == 23
    for path in documents:
        text = _docx_text(path.read_bytes())
        assert "Pays de Vitré" in text, path.name
        assert not re.search(r"\{[a-z_]+\}", text), f"{path.name} : champ non rempli"
        for line in text.splitlines():
            assert not re.search(r"\w [;:!?»]", line), f"{path.name} : {line}"
            assert not re.search(r"\S[ \u00a0][,.](?!\d)", line), f"{path.name} : {line}"


@needs_fonts
def test_the_information_notice_is_filled_from_the_privacy_chapter(cli_kit: Path) -> None:
    text = _docx_text((cli_kit / "entretiens/notice-donnees-personnelles.docx").read_bytes())
    assert "[" not in text and "]" not in text
    assert CONTACT in text and "intérêt légitime" in text and "CNIL" in text


def test_an_unknown_passage_in_the_notice_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kit_service, "information_notice", lambda: "**Titre**\n\nÉcrire à [fax].")
    with pytest.raises(InvalidInputError, match="fax"):
        kit_service.notice_source()


@needs_fonts
def test_legal_templates_say_to_check_with_a_legal_adviser(cli_kit: Path) -> None:
    for path in sorted((cli_kit / "conventions").glob("*.docx")):
        text = _docx_text(path.read_bytes())
        assert "conseil juridique" in text, path.name
    staff = _docx_text((cli_kit / "conventions/mise-a-disposition-de-personnel.docx").read_bytes())
    assert "L8241-2" in staff and "sans but lucratif" in staff
    vehicle = _docx_text((cli_kit / "conventions/pret-materiel-ou-vehicule.docx").read_bytes())
    assert "Assurance" in vehicle


@needs_fonts
def test_interview_grids_ask_the_questions_that_matter(cli_kit: Path) -> None:
    ess = _docx_text((cli_kit / "entretiens/grille-entretien-structure-ess.docx").read_bytes())
    company = _docx_text((cli_kit / "entretiens/grille-entretien-entreprise.docx").read_bytes())
    for needle in ["ESUS", "insertion par l'activité économique", "reçus fiscaux", "ESAT"]:
        assert needle in ess, needle
    for needle in ["20 salarié·es ou plus", "OETH", "mécénat", "invendus"]:
        assert needle in company, needle


@needs_fonts
def test_results_summary_gives_the_report_figures(cli_kit: Path, sample_db: Path) -> None:
    store = Store(sample_db)
    figures = build_report(store, "vitre").to_dict()
    store.dispose()
    text = _docx_text((cli_kit / "bilan/synthese-des-resultats.docx").read_bytes())
    assert figures["headline"].replace(" ", "") in text.replace(" ", "").replace("\u00a0", "")
    assert "Structures rencontrées" in text and "Rendez-vous diagnostics" in text
    assert str(figures["diagnostics"]) in text


def test_kit_refuses_a_folder_that_is_not_empty(sample_db: Path, tmp_path: Path) -> None:
    (tmp_path / "déjà là.txt").write_text("x")
    store = Store(sample_db)
    with pytest.raises(InvalidInputError, match="pas vide"):
        write_kit(store, tmp_path, "vitre")
    store.dispose()
    assert [p.name for p in tmp_path.iterdir()] == ["déjà là.txt"]


def test_an_unknown_field_in_a_template_source_is_an_error() -> None:
    from traits.kit.documents import fill
    from traits.kit.profile import KitProfile

    with pytest.raises(InvalidInputError, match="inconnu"):
        fill("Bonjour {prenom}", KitProfile(territory="Pays de Vitré"))


# -- the Kit page ---------------------------------------------------------------------------------


@pytest.fixture
def kit_page(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    db = tmp_path / "page.sqlite"
    db.write_bytes(sample_db.read_bytes())
    monkeypatch.setenv("TRAITS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/kit.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_kit_page_tabs_are_the_chapter_titles_with_their_accents(kit_page: AppTest) -> None:
    labels = [t.label for t in kit_page.tabs]
    assert labels[0] == "Télécharger le kit"
    assert "La démarche Traits d'Unions" in labels
    assert "Données personnelles (RGPD)" in labels
    assert not [label for label in labels if "-" in label and ".md" in label]


def test_a_link_between_chapters_opens_the_chapter_in_the_app(kit_page: AppTest) -> None:
    kit_page.session_state["kit_chapter"] = "La démarche Traits d'Unions"
    kit_page.run()
    text = "\n".join(m.value for m in kit_page.markdown)
    assert ".md)" not in text and "(chapitre « Guide d'entretien diagnostic »)" in text
    button = next(b for b in kit_page.button if b.label == "Guide d'entretien diagnostic")
    button.click().run()
    assert kit_page.session_state["kit_chapter"] == "Guide d'entretien diagnostic"
    assert any("La grille, question par question" in m.value for m in kit_page.markdown)


@needs_fonts
def test_cli_and_kit_page_give_the_same_files(kit_page: AppTest, cli_kit: Path) -> None:
    next(t for t in kit_page.text_input if t.label.startswith("Contact")).input(CONTACT).run()
    next(b for b in kit_page.button if b.label == "Préparer les fichiers du kit").click().run()
    assert not kit_page.exception, [e.value for e in kit_page.exception]
    files = kit_page.session_state["kit_files"][1]
    assert files[0].name == "livret-traits-d-unions.pdf"
    assert _hashes({f.name: f.data for f in files}) == _hashes(_folder(cli_kit))
    labels = [b.label for b in kit_page.get("download_button")]
    assert labels[0] == "Livret du kit d'essaimage"
    assert labels[-1] == "Tout le kit (archive zip)"
    assert len(labels) == len(files) + 1


def test_the_sample_territory_summary_says_it_is_fictional(cli_kit: Path) -> None:
    text = _docx_text((cli_kit / "bilan/synthese-des-resultats.docx").read_bytes())
    assert text.startswith("Exemple fictif")


def test_a_real_territory_called_vitre_is_not_taken_for_the_sample(tmp_path: Path) -> None:
    from traits.model import Territory
    from traits.services.data import is_sample_territory

    sample = pd.read_csv("data/samples/vitre/territories.csv").iloc[0]
    fictional = Territory("vitre", sample["name"], facilitator=sample["facilitator"])
    real = Territory("vitre", sample["name"], facilitator="Animatrice du Pôle")
    assert is_sample_territory(fictional)
    assert not is_sample_territory(real)
    assert not is_sample_territory(Territory("fougeres", "Pays de Fougères"))


def test_a_blank_field_is_not_followed_by_a_full_stop() -> None:
    from traits.kit.documents import fill
    from traits.kit.profile import BLANK, KitProfile

    blank = KitProfile(territory="Pays de Vitré")
    assert fill("Contact : {contact}.", blank) == f"Contact : {BLANK}"
    filled = KitProfile(territory="Pays de Vitré", contact="pole@exemple.org")
    assert fill("Contact : {contact}.", filled) == "Contact : pole@exemple.org."


def test_no_generated_document_puts_a_full_stop_after_dots(sample_db: Path) -> None:
    store = Store(sample_db)
    files = kit_files(store, "vitre")
    store.dispose()
    for file in files:
        if file.name.endswith(".docx"):
            assert "…." not in _docx_text(file.data), file.name


def test_the_summary_counts_apart_the_structures_never_met(sample_db: Path) -> None:
    import dataclasses

    from traits.kit import summary
    from traits.kit.profile import KitProfile
    from traits.report import blocks as report_blocks

    store = Store(sample_db)
    report = dataclasses.replace(build_report(store, "vitre"), unmet=3)
    store.dispose()
    doc = summary.render(
        report_blocks.key_figure_blocks(report), report.to_dict(), KitProfile("Pays de Vitré")
    )
    text = _docx_text(doc).replace("\u00a0", " ")
    assert "3 structures enregistrées sans rencontre datée" in text
    assert "Exemple fictif" not in text


def test_french_spacing_keeps_a_non_breaking_space_already_there() -> None:
    from traits.kit.typography import french_spacing

    assert french_spacing("«\u202fRoutage\u202f» ;") == "«\u202fRoutage\u202f»\u00a0;"
    assert french_spacing("« Routage »") == "«\u00a0Routage\u00a0»"


def test_interview_grids_cover_oeth_for_ess_employers_and_collectivities(cli_kit: Path) -> None:
    ess = _docx_text((cli_kit / "entretiens/grille-entretien-structure-ess.docx").read_bytes())
    company = _docx_text((cli_kit / "entretiens/grille-entretien-entreprise.docx").read_bytes())
    public = _docx_text((cli_kit / "entretiens/grille-entretien-collectivite.docx").read_bytes())
    assert "20 salarié·es et plus" in ess and "OETH" in ess
    assert "emploi direct" in company and "75 %" in company.replace("\u00a0", " ")
    assert "URSSAF" in company and "Agefiph" in company
    for needle in ["service achats", "SPASER", "clauses sociales"]:
        assert needle in public, needle


def test_local_group_kit_can_run_a_first_meeting(cli_kit: Path) -> None:
    group = cli_kit / "groupe-local"
    sheet = _docx_text((group / "feuille-d-emargement.docx").read_bytes())
    agenda = _docx_text((group / "ordre-du-jour-premiere-reunion.docx").read_bytes())
    minutes = _docx_text((group / "compte-rendu-de-reunion.docx").read_bytes())
    invitation = _docx_text((group / "invitation-premiere-reunion.docx").read_bytes())
    assert "signature" in sheet
    assert "présentation de la démarche (20 minutes)" in agenda
    assert "qui fait le lien" in minutes
    assert "répondre avant le" in invitation
