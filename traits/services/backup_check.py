"""Reading a backup and checking ALL of it before the database is touched.

A backup is either a SQLite file (``traits backup x.sqlite``) or a gzipped JSON dump. Both are
read into plain rows, then checked against the schema itself (tables, columns, types, lengths,
required values, keys, references) and against the domain's rules (enumerations, account roles
and password hashes). The first problem is refused with a French message naming the table, the
row and the column; the message never quotes the row's values (they may be personal data).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import json
import math
import sqlite3
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from traits import model, rules
from traits.errors import InvalidInputError, Problem
from traits.services.access import Role, account_problem
from traits.storage import schema as t
from traits.storage.dump import sqlite_select_all

DUMP_FORMAT = "traits-dump"
SQLITE_MAGIC = b"SQLite format 3\x00"
INT32 = 2**31

#: Columns whose values must be one of an enumeration of the domain.
_ENUMS: dict[tuple[str, str], type[StrEnum]] = {
    ("organisations", "kind"): model.OrgKind,
    ("diagnostics", "status"): model.DiagnosticStatus,
    ("items", "direction"): model.Direction,
    ("items", "category"): model.Category,
    ("subcategories", "category"): model.Category,
    ("partnerships", "status"): model.PartnershipStatus,
    ("partnerships", "mode"): model.PartnershipMode,
    ("partnership_events", "from_status"): model.PartnershipStatus,
    ("partnership_events", "to_status"): model.PartnershipStatus,
    ("users", "role"): Role,
}
ENUMERATIONS = {key: tuple(e.value for e in enum) for key, enum in _ENUMS.items()}
#: JSON columns holding a list of texts (``None`` in the value: any text; else an enumeration).
TEXT_LISTS: dict[tuple[str, str], type[StrEnum] | None] = {
    ("territories", "communes"): None,
    ("partnerships", "categories"): model.Category,
    ("subcategories", "synonyms"): None,
    ("subcategories", "related"): None,
    ("users", "territories"): None,
}
#: Field rules of the import and the forms that a restored value must pass as it is stored.
_FIELD_RULES = {
    ("organisations", "siret"): (rules.siret, "SIRET"),
    ("organisations", "postcode"): (lambda v: rules.postcode(v)[0], "code postal"),
    ("contacts", "phone"): (lambda v: rules.phone(v)[0], "numéro de téléphone"),
}
#: Tables a restore does not replace: the audit log is append-only.
KEPT = {t.audit_log.name}


@dataclass
class Backup:
    """A backup read whole: its schema revision and, per table, rows of Python values."""

    revision: str
    tables: dict[str, list[dict[str, Any]]]


class _Refused(Exception):
    """One problem found in a value (its row and column are added by the caller)."""


def _refuse(source: str, message: str, row: int | None = None, column: str | None = None) -> None:
    raise InvalidInputError(
        Problem(message, file=source, row=row, column=column),
        summary="Sauvegarde refusée : rien n'a été changé dans la base.",
    )


# -- reading ------------------------------------------------------------------------------


def _read_sqlite(path: Path) -> tuple[Any, dict[str, Any]]:
    """Revision and raw rows of a SQLite backup, opened read-only."""
    name = path.name
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        _refuse(name, "fichier SQLite impossible à ouvrir.")
    try:
        present = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        if "alembic_version" not in present:
            _refuse(name, "ce fichier SQLite n'est pas une sauvegarde traits.")
        revision = conn.execute("select version_num from alembic_version").fetchone()
        known = {table.name for table in t.metadata.sorted_tables}
        tables: dict[str, Any] = {}
        for table in sorted(present - {"alembic_version"}):
            if table.startswith("sqlite_"):
                continue
            if table not in known:  # refused by the caller, as in a JSON dump
                tables[table] = None
                continue
            cursor = conn.execute(sqlite_select_all(table))
            columns = [c[0] for c in cursor.description]
            tables[table] = [dict(zip(columns, values, strict=True)) for values in cursor]
    except sqlite3.DatabaseError:
        _refuse(name, "fichier SQLite abîmé ou tronqué : reprenez une autre sauvegarde.")
    finally:
        conn.close()
    return (revision[0] if revision else None), tables


def _read_json(path: Path) -> tuple[Any, Any]:
    """Revision and raw rows of a gzipped JSON dump."""
    name = path.name
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            dump = json.load(fh)
    except gzip.BadGzipFile:
        _refuse(name, "ni base SQLite ni fichier compressé : ce n'est pas une sauvegarde traits.")
    except (EOFError, zlib.error):
        _refuse(name, "fichier compressé tronqué ou abîmé : reprenez une autre sauvegarde.")
    except (UnicodeDecodeError, ValueError):
        _refuse(name, "le contenu n'est pas du JSON lisible : ce n'est pas une sauvegarde traits.")
    if not isinstance(dump, dict) or dump.get("format") != DUMP_FORMAT:
        _refuse(name, "ce n'est pas une sauvegarde traits (format inconnu).")
    return dump.get("revision"), dump.get("tables")


def read_backup(source: Path, revision: str) -> Backup:
    """Read and check a whole backup against the schema at ``revision``; refuse the first problem.

    Raises
    ------
    InvalidInputError
        naming the file, the table, the row (from 1) and the column of the first problem.
    """
    name = source.name
    try:
        with source.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError:
        _refuse(name, "sauvegarde introuvable ou illisible.")
    if not head:
        _refuse(name, "fichier vide : ce n'est pas une sauvegarde traits.")
    from_sqlite = head == SQLITE_MAGIC
    found, tables = _read_sqlite(source) if from_sqlite else _read_json(source)
    if not isinstance(found, str) or found != revision:
        _refuse(
            name,
            "sauvegarde faite avec une autre version de traits (schéma "
            f"{found if isinstance(found, str) and len(found) < 40 else 'inconnu'}, "
            f"base au schéma {revision}) : restaurez-la avec la même version.",
        )
    if not isinstance(tables, dict):
        _refuse(name, "la liste des tables manque ou n'a pas la bonne forme.")
    known = {table.name for table in t.metadata.sorted_tables}
    for table_name in tables:
        if table_name not in known:
            _refuse(name, "table inconnue dans la sauvegarde (autre logiciel ou autre version).")
    checked: dict[str, list[dict[str, Any]]] = {}
    for table in t.metadata.sorted_tables:
        if table.name in KEPT:
            continue
        if table.name not in tables:
            _refuse(name, f"la table « {table.name} » manque.")
        checked[table.name] = _rows(name, table, tables[table.name], from_sqlite)
    _check_keys(name, checked)
    _check_references(name, checked)
    _check_accounts(name, checked)
    _check_consistency(name, checked)
    return Backup(revision, checked)


# -- checking -----------------------------------------------------------------------------


def _rows(source: str, table: sa.Table, rows: Any, from_sqlite: bool) -> list[dict[str, Any]]:
    if not isinstance(rows, list):
        _refuse(source, f"table « {table.name} » : une liste de lignes est attendue.")
    names = set(table.c.keys())
    out = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            _refuse(source, f"table « {table.name} » : la ligne n'est pas un objet.", number)
        unknown = sorted(set(row) - names)
        if unknown:
            _refuse(source, f"table « {table.name} » : colonne inconnue.", number, str(unknown[0]))
        values = {}
        for column in table.c:
            if column.name not in row:
                _refuse(source, f"table « {table.name} » : colonne absente.", number, column.name)
            try:
                values[column.name] = _value(table.name, column, row[column.name], from_sqlite)
            except _Refused as exc:
                _refuse(source, f"table « {table.name} » : {exc}", number, column.name)
        out.append(values)
    return out


def _value(table: str, column: sa.Column, raw: Any, from_sqlite: bool) -> Any:
    """The Python value of one cell, or ``_Refused`` saying (in French) what is wrong."""
    if raw is None:
        if not column.nullable:
            raise _Refused("valeur obligatoire manquante.")
        return None
    kind = column.type
    if isinstance(kind, sa.Boolean):
        if isinstance(raw, bool) or (from_sqlite and raw in (0, 1)):
            return bool(raw)
        raise _Refused("vrai ou faux attendu.")
    if isinstance(kind, sa.Integer):
        if isinstance(raw, bool) or not isinstance(raw, int) or not -INT32 <= raw < INT32:
            raise _Refused("nombre entier attendu.")
        return raw
    if isinstance(kind, sa.Float):
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise _Refused("nombre fini attendu.")
        return float(raw)
    if isinstance(kind, sa.DateTime):
        return _datetime(raw, date_only=False)
    if isinstance(kind, sa.Date):
        return _datetime(raw, date_only=True)
    if isinstance(kind, sa.LargeBinary):
        return _binary(raw, from_sqlite)
    if isinstance(kind, sa.JSON):
        return _json(table, column.name, raw, from_sqlite)
    if isinstance(kind, sa.String):  # String and Text
        return _text(table, column.name, raw, kind.length)
    raise _Refused("type de colonne non pris en charge.")  # a new column type: teach it here


def _datetime(raw: Any, *, date_only: bool) -> dt.date:
    what = "date (AAAA-MM-JJ)" if date_only else "date et heure (AAAA-MM-JJ HH:MM:SS)"
    if not isinstance(raw, str):
        raise _Refused(f"{what} attendue.")
    try:
        if date_only:
            return dt.date.fromisoformat(raw)
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _Refused(f"{what} attendue.") from None
    if value.tzinfo is not None:
        raise _Refused(f"{what} sans fuseau horaire attendue.")
    return value


def _binary(raw: Any, from_sqlite: bool) -> bytes:
    if from_sqlite and isinstance(raw, bytes):
        return raw
    if not from_sqlite and isinstance(raw, str):
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            pass
    raise _Refused("données binaires illisibles.")


def _json(table: str, column: str, raw: Any, from_sqlite: bool) -> Any:
    value = raw
    if from_sqlite:
        if not isinstance(raw, str):
            raise _Refused("valeur JSON attendue.")
        try:
            value = json.loads(raw)
        except ValueError:
            raise _Refused("valeur JSON illisible.") from None
    if (table, column) in TEXT_LISTS:
        allowed = TEXT_LISTS[(table, column)]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _Refused("liste de textes attendue.")
        if allowed is not None and not set(value) <= {e.value for e in allowed}:
            raise _Refused("valeur hors de la liste permise.")
    return value


def _text(table: str, column: str, raw: Any, length: int | None) -> str:
    if not isinstance(raw, str):
        raise _Refused("texte attendu.")
    if "\x00" in raw:
        raise _Refused("caractère nul interdit dans un texte.")
    if length is not None and len(raw) > length:
        raise _Refused(f"texte trop long ({len(raw)} caractères, {length} au plus).")
    problem = rules.text_problem(raw, table, column) if table in rules.EXPORTED else None
    if problem is not None:  # the import's and the forms' rule (it never quotes the text)
        raise _Refused(problem)
    field = _FIELD_RULES.get((table, column))
    if field is not None:
        rule, what = field
        try:
            ok = rule(raw) == raw
        except rules.FieldError:
            ok = False
        if not ok:  # the rule's own message would quote the value (personal data)
            raise _Refused(f"{what} refusé par la règle de l'import et des formulaires.")
    allowed = ENUMERATIONS.get((table, column))
    if allowed is not None and raw not in allowed:
        raise _Refused(f"valeur hors de la liste permise ({', '.join(allowed)}).")
    return raw


def _check_accounts(source: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    """An account that could not sign in, that would see nothing, or that is granted a
    territory the backup does not hold, is refused (the rule of ``traits user add``).

    Two names that differ only by case are restored as they were backed up (a backup gives
    back what its base held): ``traits user list`` and Administration list such pairs.
    """
    known = {row["territory_id"] for row in tables.get(t.territories.name, [])}
    for number, row in enumerate(tables.get(t.users.name, []), start=1):
        problem = account_problem(row["username"], row["role"], row["territories"] or [], known)
        if problem is not None:
            column, message = problem
            _refuse(source, f"table « users » : {message}", number, column)
        password = row["password_hash"]
        if password is not None and not password.startswith("$argon2"):
            _refuse(
                source,
                "table « users » : empreinte de mot de passe illisible.",
                number,
                "password_hash",
            )


def _check_keys(source: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Primary keys and unique constraints hold (NULLs never collide, as in SQL)."""
    for table in t.metadata.sorted_tables:
        if table.name not in tables:
            continue
        groups = [[c.name for c in table.primary_key.columns]] + [
            [c.name for c in constraint.columns]
            for constraint in table.constraints
            if isinstance(constraint, sa.UniqueConstraint)
        ]
        for columns in groups:
            seen: set[tuple[Any, ...]] = set()
            for number, row in enumerate(tables[table.name], start=1):
                key = tuple(row[c] for c in columns)
                if any(v is None for v in key):
                    continue
                if key in seen:
                    _refuse(
                        source,
                        f"table « {table.name} » : même clé qu'une ligne précédente.",
                        number,
                        columns[0],
                    )
                seen.add(key)


def _check_references(source: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Every reference points to a row of the backup itself."""
    for table in t.metadata.sorted_tables:
        if table.name not in tables:
            continue
        for fk in table.foreign_keys:
            target = fk.column.table.name
            if target not in tables:
                continue
            present = {row[fk.column.name] for row in tables[target]}
            for number, row in enumerate(tables[table.name], start=1):
                value = row[fk.parent.name]
                if value is not None and value not in present:
                    _refuse(
                        source,
                        f"table « {table.name} » : renvoie à une ligne absente "
                        f"de la table « {target} ».",
                        number,
                        fk.parent.name,
                    )


#: Cross-record rules the import enforces too (docs/format.md): a row's reference must point at
#: a row of the same organisation. (table, column, referenced table, its key, the referenced
#: row's field, the row's field that it must equal, what the rule says in French.)
_SAME_ORGANISATION = (
    ("items", "diagnostic_id", "diagnostics", "diagnostic_id", "org_id", "org_id",
     "l'entretien d'un besoin ou d'une offre doit être celui de sa structure"),
    ("partnerships", "need_id", "items", "item_id", "org_id", "org_a",
     "le besoin d'un partenariat doit être celui de la structure qui a le besoin (org_a)"),
    ("partnerships", "offer_id", "items", "item_id", "org_id", "org_b",
     "l'offre d'un partenariat doit être celle de la structure qui offre (org_b)"),
    ("partnership_members", "need_id", "items", "item_id", "org_id", "org_id",
     "le besoin d'un membre de mutualisation doit être celui de sa structure"),
    ("partnerships", "need_id", "items", "item_id", "direction", None, "need"),
    ("partnerships", "offer_id", "items", "item_id", "direction", None, "offer"),
    ("partnership_members", "need_id", "items", "item_id", "direction", None, "need"),
    ("feedback", "need_id", "items", "item_id", "direction", None, "need"),
    ("feedback", "offer_id", "items", "item_id", "direction", None, "offer"),
)  # fmt: skip
_DIRECTION_FR = {"need": "un besoin", "offer": "une offre"}


def _check_consistency(source: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Each reference agrees with the row it points at (same organisation, right direction),
    as the import checks: a restore never brings back what an import would refuse."""
    for table, column, target, key, field, same_as, rule in _SAME_ORGANISATION:
        by_key = {row[key]: row for row in tables.get(target, [])}
        for number, row in enumerate(tables.get(table, []), start=1):
            found = by_key.get(row[column]) if row[column] is not None else None
            if found is None:
                continue
            if same_as is None and found[field] != rule:
                message = f"« {column} » doit désigner {_DIRECTION_FR[rule]}."
            elif same_as is not None and found[field] != row[same_as]:
                message = f"{rule}."
            else:
                continue
            _refuse(source, f"table « {table} » : {message}", number, column)
    for number, row in enumerate(tables.get("partnerships", []), start=1):
        if row["org_a"] == row["org_b"]:
            _refuse(
                source,
                "table « partnerships » : un partenariat réunit deux structures différentes.",
                number,
                "org_b",
            )
