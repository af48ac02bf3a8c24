"""A malformed backup is refused whole, before the database is touched, on both backends.

Each case spoils one thing of a good backup (format, revision, tables, columns, types,
enumerations, keys, references, accounts); it is tried as a gzipped JSON dump and, where the
spoilt thing can be stored in one, as a SQLite file. The refusal names the table, the row and
the column, never the row's values, and the database keeps every row it had.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from traits import services
from traits.errors import InvalidInputError
from traits.services import access, backup
from traits.storage import Store
from traits.storage import schema as t

Dump = dict[str, Any]
SECRET = "valeur-secrete-42"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """A SQLite database of the sample territory plus one account and one embedding."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = Store(path)
    with access.operator():  # the server's operator, as the CLI runs
        services.load_demo(store)
        access.add_user(store, "coordination", "coordinator", "un mot de passe")
        with store.transaction() as conn:
            rows = [{"model": "m", "text_hash": "h", "vector": b"\x01"}]
            conn.execute(t.embeddings.insert(), rows)
    store.dispose()
    return path


@pytest.fixture(scope="module")
def good_dump(demo_file: Path, tmp_path_factory) -> Dump:
    """The logical dump of ``demo_file``."""
    store = Store(demo_file)
    with access.operator():
        path = backup.backup(store, tmp_path_factory.mktemp("good") / "good.json.gz")
    store.dispose()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(autouse=True)
def as_operator():
    """Restores are run by the server's operator (an account exists in these databases)."""
    with access.operator():
        yield


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def target(request, demo_file: Path, tmp_path: Path) -> Store:
    """A database holding the sample territory, on each backend."""
    if request.param == "sqlite":
        shutil.copy(demo_file, tmp_path / "target.sqlite")
        return Store(tmp_path / "target.sqlite")
    store = request.getfixturevalue("pg_store")
    services.load_demo(store)
    return store


def _rows(d: Dump, table: str) -> list[dict[str, Any]]:
    return d["tables"][table]


def _set(table: str, column: str, value: Any, row: int = 0) -> Callable[[Dump], None]:
    def spoil(d: Dump) -> None:
        _rows(d, table)[row][column] = value

    return spoil


def _duplicate(table: str, change: dict[str, Any] | None = None) -> Callable[[Dump], None]:
    def spoil(d: Dump) -> None:
        _rows(d, table).append({**_rows(d, table)[0], **(change or {})})

    return spoil


def _drop_column(d: Dump) -> None:
    del _rows(d, "organisations")[1]["name"]


def _drop_column_everywhere(d: Dump) -> None:
    for row in _rows(d, "diagnostics"):
        del row["status"]


def _user(**values: Any) -> Callable[[Dump], None]:
    return _set("users", next(iter(values)), next(iter(values.values())))


def _realised_pair_twice(d: Dump) -> None:
    first = next(p for p in _rows(d, "partnerships") if p["need_id"] and p["offer_id"])
    _rows(d, "partnerships").append({**first, "partnership_id": SECRET})


def _partnership_need_of_another_org(d: Dump) -> None:
    """A partnership whose org_a is not the organisation of its need (probe D4)."""
    part = next(p for p in _rows(d, "partnerships") if p["need_id"])
    other = next(
        o["org_id"]
        for o in _rows(d, "organisations")
        if o["org_id"] not in (part["org_a"], part["org_b"])
    )
    part["org_a"] = other


def _item_diagnostic_of_another_org(d: Dump) -> None:
    """A need linked to the diagnostic of another organisation (probe D4)."""
    item = next(i for i in _rows(d, "items") if i["diagnostic_id"])
    diag = next(x for x in _rows(d, "diagnostics") if x["org_id"] != item["org_id"])
    item["diagnostic_id"] = diag["diagnostic_id"]


def _feedback_offer_as_need(d: Dump) -> None:
    """Feedback whose « need » is an offer (the directions the import checks)."""
    offer = next(i for i in _rows(d, "items") if i["direction"] == "offer")
    need = next(i for i in _rows(d, "items") if i["direction"] == "need")
    _rows(d, "feedback").append(
        {"feedback_id": 999_999, "need_id": offer["item_id"], "offer_id": need["item_id"],
         "relevant": True, "at": "2025-01-02T10:00:00", "author": None}
    )  # fmt: skip


#: (id, spoil the dump, expected words of the message). ``None`` as the place: file level.
CASES: list[tuple[str, Callable[[Dump], None], str]] = [
    ("revision-old", lambda d: d.update(revision="0001"), "autre version de traits"),
    ("revision-missing", lambda d: d.pop("revision"), "autre version de traits"),
    ("tables-not-a-dict", lambda d: d.update(tables=[]), "liste des tables"),
    ("rows-not-a-list", lambda d: d["tables"].update(items={}), "« items » : une liste"),
    (
        "row-not-an-object",
        lambda d: _rows(d, "items").__setitem__(2, SECRET),
        "ligne 3 : table « items » : la ligne n'est pas",
    ),
    ("unknown-table", lambda d: d["tables"].update(clients=[]), "table inconnue"),
    ("missing-table", lambda d: d["tables"].pop("contacts"), "« contacts » manque"),
    ("unknown-column", _set("organisations", "couleur", SECRET, 3), "colonne « couleur »"),
    (
        "missing-column",
        _drop_column,
        "ligne 2, colonne « name » : table « organisations » : colonne absente",
    ),
    (
        "column-dropped",
        _drop_column_everywhere,
        "ligne 1, colonne « status » : table « diagnostics » : colonne absente",
    ),
    ("required-null", _set("organisations", "name", None, 5), "ligne 6, colonne « name »"),
    (
        "bad-date",
        _set("diagnostics", "date", "31/02/" + SECRET),
        "colonne « date » : table « diagnostics » : date",
    ),
    (
        "impossible-date",
        _set("diagnostics", "date", "2024-02-30"),
        "« diagnostics » : date (AAAA-MM-JJ)",
    ),
    ("bad-datetime", _set("partnership_events", "at", SECRET), "colonne « at »"),
    (
        "datetime-with-zone",
        _set("partnership_events", "at", "2024-01-01T10:00:00+02:00"),
        "sans fuseau",
    ),
    ("integer-as-text", _set("organisations", "version", "1"), "nombre entier attendu"),
    ("integer-too-big", _set("organisations", "version", 2**40), "nombre entier attendu"),
    ("infinite-euros", _set("partnerships", "value_euros", float("inf")), "nombre fini attendu"),
    ("euros-as-text", _set("partnerships", "value_euros", SECRET), "colonne « value_euros »"),
    ("boolean-as-text", _set("contacts", "consent", "oui"), "vrai ou faux attendu"),
    ("text-as-number", _set("organisations", "name", 12), "texte attendu"),
    (
        "text-too-long",
        _set("organisations", "postcode", "3" * 11),
        "texte trop long (11 caractères, 10 au plus)",
    ),
    ("nul-character", _set("organisations", "description", "a\x00b"), "caractère nul"),
    (
        "unknown-category",
        _set("items", "category", SECRET),
        "colonne « category » : table « items » : valeur hors de la liste permise",
    ),
    ("unknown-status", _set("partnerships", "status", "done"), "colonne « status »"),
    ("unknown-kind", _set("organisations", "kind", "school"), "colonne « kind »"),
    (
        "categories-not-a-list",
        _set("partnerships", "categories", "skills"),
        "liste de textes attendue",
    ),
    ("categories-unknown", _set("partnerships", "categories", ["magic"]), "colonne « categories »"),
    ("communes-of-numbers", _set("territories", "communes", [35000]), "liste de textes attendue"),
    (
        "binary-not-base64",
        _set("embeddings", "vector", "%%%" + SECRET),
        "données binaires illisibles",
    ),
    (
        "reference-to-nobody",
        _set("items", "org_id", SECRET, 7),
        "ligne 8, colonne « org_id » : table « items » : renvoie à une ligne absente de la table « organisations »",
    ),
    (
        "event-of-no-partnership",
        _set("partnership_events", "partnership_id", SECRET),
        "colonne « partnership_id »",
    ),
    ("duplicate-key", _duplicate("organisations"), "même clé"),
    (
        "duplicate-need-offer",
        _realised_pair_twice,
        "colonne « need_id » : table « partnerships » : même clé",
    ),
    ("unknown-role", _user(role="superuser"), "colonne « role » : table « users »"),
    ("facilitator-without-territory", _user(role="facilitator"), "sans territoire"),
    ("password-hash-garbage", _user(password_hash=SECRET), "empreinte de mot de passe"),
    # The rule of `traits user add` (probe D3): no grant of a territory the backup lacks.
    (
        "grant-of-unknown-territory",
        _user(territories=["vitre", "nulle_part"]),
        "colonne « territories » : table « users » : territoire(s) inconnu(s) : nulle_part",
    ),
    ("username-invalid", _user(username="deux mots"), "identifiant invalide"),
    # The import's and the forms' field rules (probe D5, D6), without quoting the value.
    ("control-character", _set("organisations", "description", SECRET + "\x07"), "retapez"),
    ("longer-than-a-cell", _set("items", "description", SECRET * 2000), "32\u202f767 au plus"),
    ("postcode-full-width", _set("organisations", "postcode", "３５５００"), "code postal refusé"),
    # Cross-record consistency the import checks (probe D4).
    (
        "partnership-need-of-another-org",
        _partnership_need_of_another_org,
        "colonne « need_id » : table « partnerships » : le besoin d'un partenariat doit être",
    ),
    (
        "item-diagnostic-of-another-org",
        _item_diagnostic_of_another_org,
        "colonne « diagnostic_id » : table « items » : l'entretien d'un besoin",
    ),
    ("feedback-offer-as-need", _feedback_offer_as_need, "« need_id » doit désigner un besoin"),
]
#: Cases whose spoilt value a SQLite file cannot carry as the dump does (file-level shapes).
JSON_ONLY = {
    "missing-column",
    "tables-not-a-dict",
    "rows-not-a-list",
    "row-not-an-object",
    "revision-missing",
}


def _write_json(d: Dump, path: Path) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(d, fh)
    return path


def _write_sqlite(d: Dump, path: Path) -> Path:
    """The dump as a SQLite backup, stored the way SQLAlchemy stores each type in SQLite."""
    conn = sqlite3.connect(path)
    conn.execute("create table alembic_version (version_num varchar(32))")
    if d.get("revision") is not None:
        conn.execute("insert into alembic_version values (?)", (d["revision"],))
    for name, rows in d["tables"].items():
        table = t.metadata.tables.get(name)
        columns = sorted({c for row in rows for c in row}) or (
            list(table.c.keys()) if table is not None else ["id"]
        )
        conn.execute(f'create table "{name}" ({", ".join(f"{c!r}" for c in columns)})')
        for row in rows:
            values = []
            for c in columns:
                value = row.get(c)
                if table is not None and c in table.c:
                    kind = table.c[c].type
                    if isinstance(kind, sa.JSON):
                        value = json.dumps(value)
                    elif isinstance(kind, sa.LargeBinary) and isinstance(value, str):
                        try:  # stored as bytes, as SQLAlchemy does; a spoilt value stays text
                            value = base64.b64decode(value, validate=True)
                        except ValueError:
                            pass
                    elif isinstance(kind, sa.DateTime) and isinstance(value, str):
                        value = value.replace("T", " ", 1) if "+" not in value else value
                values.append(value)
            conn.execute(f'insert into "{name}" values ({", ".join("?" * len(columns))})', values)
    conn.commit()
    conn.close()
    return path


def _snapshot(store: Store) -> dict[str, list[str]]:
    with store.reading() as conn:
        return {
            table.name: sorted(map(repr, conn.execute(sa.select(table))))
            for table in t.metadata.sorted_tables
            if table is not t.audit_log
        }


@pytest.mark.parametrize("kind", ["json", "sqlite"])
@pytest.mark.parametrize(("case", "spoil", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_backup_is_refused_whole(
    target: Store, good_dump: Dump, tmp_path: Path, kind, case, spoil, expected
):
    if kind == "sqlite" and case in JSON_ONLY:
        pytest.skip("a SQLite file has no such shape")
    d = copy.deepcopy(good_dump)
    spoil(d)
    if kind == "json":
        path = _write_json(d, tmp_path / "spoilt.json.gz")
    else:
        path = _write_sqlite(d, tmp_path / "spoilt.sqlite")
    before = _snapshot(target)
    with pytest.raises(InvalidInputError) as refused:
        backup.restore(target, path)
    message = str(refused.value)
    assert expected in message, message
    assert message.startswith("Sauvegarde refusée : rien n'a été changé")
    assert SECRET not in message and "INSERT" not in message.upper()
    assert "@" not in message  # no e-mail of the sample's contacts
    assert _snapshot(target) == before


FILES: list[tuple[str, Callable[[Path, Path], None], str]] = [
    (
        "truncated-gzip",
        lambda good, p: p.write_bytes(good.read_bytes()[: good.stat().st_size // 2]),
        "tronqué",
    ),
    ("not-gzip", lambda good, p: p.write_bytes(b"bonjour"), "ni base SQLite ni fichier compressé"),
    ("gzip-of-text", lambda good, p: p.write_bytes(gzip.compress(b"pas du json")), "pas du JSON"),
    (
        "gzip-of-latin1",
        lambda good, p: p.write_bytes(gzip.compress("é".encode("latin-1"))),
        "pas du JSON",
    ),
    ("json-list", lambda good, p: p.write_bytes(gzip.compress(b"[1, 2]")), "format inconnu"),
    (
        "json-other-format",
        lambda good, p: p.write_bytes(gzip.compress(b'{"format": "x"}')),
        "format inconnu",
    ),
    ("empty-file", lambda good, p: p.write_bytes(b""), "fichier vide"),
]


@pytest.mark.parametrize(("case", "make", "expected"), FILES, ids=[c[0] for c in FILES])
def test_unreadable_dump_is_refused(
    demo_file: Path, good_dump: Dump, tmp_path: Path, case, make, expected
):
    store = Store(shutil.copy(demo_file, tmp_path / "target.sqlite"))
    good = _write_json(good_dump, tmp_path / "good.json.gz")
    bad = tmp_path / "bad.json.gz"
    make(good, bad)
    before = _snapshot(store)
    with pytest.raises(InvalidInputError, match=expected):
        backup.restore(store, bad)
    assert _snapshot(store) == before


def test_foreign_and_truncated_sqlite_files_are_refused(backend_store: Store, tmp_path: Path):
    services.load_demo(backend_store)
    before = _snapshot(backend_store)
    foreign = tmp_path / "autre.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("create table clients (id integer primary key, nom text)")
    conn.execute("insert into clients values (1, ?)", (SECRET,))
    conn.commit()
    conn.close()
    with pytest.raises(InvalidInputError, match="n'est pas une sauvegarde traits") as refused:
        backup.restore(backend_store, foreign)
    assert SECRET not in str(refused.value)
    good = backup.backup(backend_store, tmp_path / "bonne.sqlite")
    truncated = tmp_path / "tronquee.sqlite"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    with pytest.raises(InvalidInputError, match="abîmé ou tronqué|manque|autre version"):
        backup.restore(backend_store, truncated)
    assert _snapshot(backend_store) == before


def test_the_cli_prints_the_refusal_without_data(
    good_dump: Dump, tmp_path: Path, monkeypatch, capsys
):
    from traits import cli

    d = copy.deepcopy(good_dump)
    _set("contacts", "consent", SECRET, 2)(d)
    path = _write_json(d, tmp_path / "spoilt.json.gz")
    monkeypatch.setattr(
        "sys.argv", ["traits", "restore", str(path), "--db", str(tmp_path / "x.sqlite")]
    )
    with pytest.raises(SystemExit) as stop:
        cli.main()
    err = capsys.readouterr().err
    assert stop.value.code == 1
    assert (
        "spoilt.json.gz, ligne 3, colonne « consent » : table « contacts » : vrai ou faux attendu"
        in err
    )
    assert SECRET not in err and "inattendue" not in err


def test_a_restored_account_can_sign_in(store: Store, good_dump: Dump, tmp_path: Path):
    backup.restore(store, _write_json(good_dump, tmp_path / "good.json.gz"))
    principal = access.authenticate(store, "coordination", "un mot de passe")
    assert principal.role is access.Role.COORDINATOR


def test_a_backup_holding_one_account_under_two_cases_restores_and_says_so(
    target: Store, good_dump: Dump, tmp_path: Path
):
    """A backup gives back what its base held, even two names that differ only by case
    (made before names were compared that way); the pair is then listed, never merged."""
    d = copy.deepcopy(good_dump)
    users = d["tables"]["users"]
    users.append({**users[0], "username": users[0]["username"].upper()})
    backup.restore(target, _write_json(d, tmp_path / "double.json.gz"))
    groups = access.duplicate_accounts(target)
    assert [sorted(g) for g in groups] == [
        sorted([users[0]["username"], users[0]["username"].upper()])
    ]
    assert "majuscules" in access.duplicates_warning(groups)
