"""Build the workbook templates of the kit from the CSV templates, so both stay identical.

    python docs/kit-essaimage/modeles/make_templates.py

Reads ``csv/*.csv`` (UTF-8 with BOM, ``;``) and writes ``modele-territoire.xlsx`` and
``modele-territoire.ods``: a first sheet « À lire » explaining every column, then one sheet
per file under its French name (« Structures », « Besoins et offres »…), every cell kept as
text, a drop-down list (data validation) on every enumerated column, and the example rows
(identifiant « exemple-… »: the import ignores them, with a notice). The drop-down values
come from ``traits`` itself, so they are always values the import accepts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from traits.headcount import HEADCOUNT_BANDS
from traits.interchange.columns import FILES_BY_NAME, LISTS_SHEET, README_SHEET, FileSpec
from traits.model import (
    LABELS_FR,
    Category,
    DiagnosticStatus,
    Direction,
    OrgKind,
    PartnershipMode,
    PartnershipStatus,
)
from traits.vocabulary import Vocabulary

HERE = Path(__file__).resolve().parent
CSV_DIR = HERE / "csv"
#: Sheets in the order a facilitator fills them (references point backwards).
FILES = ("organisations", "items", "diagnostics", "contacts", "partnerships")
WORKBOOKS = ("modele-territoire.xlsx", "modele-territoire.ods")
LAST_ROW = 1_048_576  # drop-down lists cover every row of the sheet under the header


def _labels(enum: type) -> list[str]:
    return [LABELS_FR[v] for v in enum]


def choices() -> dict[tuple[str, str], tuple[list[str], bool]]:
    """(file, column) → (drop-down values, strict): strict lists refuse other values."""
    vocabulary = Vocabulary.default()
    subcategories = sorted(vocabulary.get(code).label for code in vocabulary.codes)  # type: ignore[union-attr]
    return {
        ("organisations", "kind"): (_labels(OrgKind), True),
        ("organisations", "size"): (list(HEADCOUNT_BANDS), False),
        ("items", "direction"): (_labels(Direction), True),
        ("items", "category"): (_labels(Category), False),
        ("items", "subcategory"): (subcategories, False),
        ("diagnostics", "status"): (_labels(DiagnosticStatus), True),
        ("contacts", "consent"): (["oui", "non"], True),
        ("partnerships", "status"): (_labels(PartnershipStatus), True),
        ("partnerships", "mode"): (_labels(PartnershipMode), True),
        ("partnerships", "categories"): (_labels(Category), False),
    }


#: What a column holds, in a facilitator's words (the « À lire » sheet), by column name, or by
#: « file.column » where one name means different things in two sheets. Whether a column is
#: required, and the values of a drop-down list, are not written here: they come from the
#: column definitions (traits.interchange.columns) and ``choices()``, see ``describe``.
HELP: dict[str, str] = {
    "name": "Le nom, tel que vous l'écrirez ailleurs (les autres onglets s'y réfèrent).",
    "contacts.name": "Prénom et nom de la personne.",
    "org_id": "Le nom de la structure, tel qu'écrit dans l'onglet « Structures » (ou son "
    "identifiant).",
    "legal_form": "Association, SCOP, SCIC, ESAT, EA, SARL, SAS…",
    "siret": "14 chiffres, espaces permis. Laissez vide si vous ne l'avez pas.",
    "commune": "La commune, même sans accents ou sous son ancien nom (avant une fusion).",
    "postcode": "5 chiffres, par exemple 35500.",
    "lat": "Rarement utile : la position est retrouvée à partir de la commune.",
    "lon": "Rarement utile : la position est retrouvée à partir de la commune.",
    "size": "L'effectif salarié : une tranche de la liste, ou un nombre.",
    "description": "Quelques phrases, librement.",
    "territory": "Laissez vide : le territoire choisi à l'import.",
    "category": "Ou des mots de tous les jours : « prêt de matériel », « mécénat de compétences »…",
    "subcategory": "Choisissez dans la liste, ou laissez vide.",
    "title": "Le besoin ou l'offre en quelques mots.",
    "quantity": "Quantité ou fréquence, librement : « 2 samedis par mois ».",
    "diagnostic_id": "La date de l'entretien où cela a été dit (un entretien de l'onglet "
    "« Entretiens »), ou vide.",
    "date": "La date : 04/02/2025, 4 février 2025 ou 2025-02-04.",
    "facilitator": "Qui a mené l'entretien.",
    "practices": "Ce que la structure fait déjà en partenariat.",
    "motivations": "Ce qu'elle cherche.",
    "obstacles": "Ce qui la freine.",
    "notes": "Librement.",
    "diagnostics.status": "Vide : terminé.",
    "role": "Sa fonction.",
    "email": "Son adresse, par exemple prenom.nom@exemple.fr.",
    "phone": "Son numéro, par exemple 02 99 12 34 56.",
    "consent": "Oui : la personne accepte d'être contactée. Pas de croix.",
    "consent_date": "Quand elle a donné son accord.",
    "consent_source": "Où : « entretien diagnostic »…",
    "consent_scope": "Pour quoi : « mise en lien avec des entreprises du territoire »…",
    "org_a": "Le nom de la structure qui a le besoin (vide si la colonne « besoin » le dit).",
    "need_id": "L'intitulé du besoin (tel qu'écrit dans « Besoins et offres »), ou vide.",
    "org_b": "Le nom de la structure qui offre (vide si la colonne « offre » le dit).",
    "offer_id": "L'intitulé de l'offre, ou vide.",
    "categories": "Ce qui est échangé (plusieurs possibles, séparées par des virgules).",
    "value_hours": "Heures données : 20, 20 h ou 1h30.",
    "value_euros": "Montant en euros : 1 800 € ou 1 800,50.",
    "value_quantity": "Un nombre (avec son unité dans la colonne suivante).",
    "value_unit": "L'unité de la quantité : repas, m³, samedis…",
    "abandon_reason": "À remplir si le partenariat est abandonné (obligatoire alors).",
    "created": "La date où la piste a été proposée ; vide, celle du premier entretien.",
}
#: The first column of every sheet: the row's own identifier.
ID_HELP = (
    "Facultatif. Un code court et unique si vous en utilisez un (les autres onglets peuvent "
    "l'écrire à la place du nom) ; sinon laissez vide."
)


def describe(spec: FileSpec, column: str) -> tuple[bool, str]:
    """(required, what to write) for one column of a sheet, from its definition."""
    required = spec.column(column).required
    if column == spec.columns[0].name:
        return required, ID_HELP
    text = HELP.get(f"{spec.name}.{column}") or HELP.get(column, "")
    listed = choices().get((spec.name, column))
    if listed is not None:
        values, strict = listed
        shown = ", ".join(f"« {v} »" for v in values[:8])
        shown += "…" if len(values) > 8 else "."
        text = f"{'Liste' if strict else 'Liste ou texte libre'} : {shown} {text}".strip()
    return required, ("Obligatoire. " if required else "") + text


def read_template(name: str) -> pd.DataFrame:
    """One CSV template, every cell as text (empty cells stay empty)."""
    return pd.read_csv(
        CSV_DIR / f"{name}.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def readme() -> pd.DataFrame:
    """The « À lire » sheet: one line per column of every sheet."""
    rows = [
        {
            "onglet": "",
            "colonne": "",
            "obligatoire": "",
            "ce qu'on y écrit": "Les lignes dont l'identifiant commence par « exemple » sont "
            "des exemples : l'import les ignore. Remplacez-les par vos données.",
        }
    ]
    for name in FILES:
        spec = FILES_BY_NAME[name]
        for typed in read_template(name).columns:
            required, text = describe(spec, spec.column_for(typed))
            rows.append(
                {
                    "onglet": spec.label,
                    "colonne": typed,
                    "obligatoire": "oui" if required else "non",
                    "ce qu'on y écrit": text,
                }
            )
    return pd.DataFrame(rows)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _xlsx(path: Path, frames: dict[FileSpec, pd.DataFrame]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = choices()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        readme().to_excel(writer, sheet_name=README_SHEET, index=False)
        writer.sheets[README_SHEET].column_dimensions["D"].width = 90
        values_sheet = writer.book.create_sheet(LISTS_SHEET)
        values_sheet.sheet_state = "hidden"
        for spec, frame in frames.items():
            frame.to_excel(writer, sheet_name=spec.label, index=False)
            sheet = writer.sheets[spec.label]
            for i, typed in enumerate(frame.columns):
                width = max([len(typed), *(len(str(v)) for v in frame.iloc[:, i])])
                sheet.column_dimensions[_letter(i)].width = min(max(width + 2, 12), 60)
                column = spec.column_for(typed)
                if (spec.name, column) not in lists:
                    continue
                values, strict = lists[(spec.name, column)]
                # The values go in a column of the hidden « Listes » sheet.
                col = _letter(values_sheet.max_column if values_sheet["A1"].value else 0)
                for row, value in enumerate(values, start=1):
                    values_sheet[f"{col}{row}"] = value
                formula = f"'{LISTS_SHEET}'!${col}$1:${col}${len(values)}"
                check = DataValidation(
                    type="list",
                    formula1=formula,
                    allow_blank=True,
                    errorStyle="stop" if strict else "warning",
                    error="Choisissez une valeur de la liste.",
                    errorTitle="Valeur inattendue",
                )
                sheet.add_data_validation(check)
                check.add(f"{_letter(i)}2:{_letter(i)}{LAST_ROW}")


def _ods(path: Path, frames: dict[FileSpec, pd.DataFrame]) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import ContentValidation, ContentValidations, Table, TableCell, TableRow
    from odf.text import P

    lists = choices()
    doc = OpenDocumentSpreadsheet()
    validations = ContentValidations()
    doc.spreadsheet.addElement(validations)

    def sheet(name: str, frame: pd.DataFrame, spec: FileSpec | None) -> None:
        table = Table(name=name)
        names: list[str | None] = []
        for typed in frame.columns:
            key = (spec.name, spec.column_for(typed)) if spec else None
            if key in lists:
                values, strict = lists[key]
                vname = f"v{len(validations.childNodes) + 1}"
                quoted = ";".join('"' + v.replace('"', "'") + '"' for v in values)
                validations.addElement(
                    ContentValidation(
                        name=vname,
                        condition=f"of:cell-content-is-in-list({quoted})",
                        allowemptycell="true",
                        displaylist="unsorted",
                    )
                )
                names.append(vname if strict else None)
            else:
                names.append(None)
        rows = [list(frame.columns), *frame.astype(str).values.tolist()]
        if spec:  # the drop-down lists down to the sheet's last row: one repeated empty row
            rows.append([""] * len(frame.columns))
        for r, values in enumerate(rows):
            repeated = LAST_ROW - len(rows) + 1 if spec and r == len(rows) - 1 else 1
            row = TableRow(numberrowsrepeated=repeated) if repeated > 1 else TableRow()
            for c, value in enumerate(values):
                attrs = {"contentvalidationname": names[c]} if r and names[c] else {}
                cell = TableCell(valuetype="string", **attrs) if value else TableCell(**attrs)
                if value:
                    cell.addElement(P(text=value))
                row.addElement(cell)
            table.addElement(row)
        doc.spreadsheet.addElement(table)

    sheet(README_SHEET, readme(), None)
    for spec, frame in frames.items():
        sheet(spec.label, frame, spec)
    doc.save(str(path))


def build(target_dir: Path = HERE) -> list[Path]:
    """Write both workbooks into ``target_dir``; return their paths."""
    frames = {FILES_BY_NAME[name]: read_template(name) for name in FILES}
    written = []
    for filename in WORKBOOKS:
        path = Path(target_dir) / filename
        (_ods if path.suffix == ".ods" else _xlsx)(path, frames)
        written.append(path)
    return written


def main() -> int:
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"écrit : {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
