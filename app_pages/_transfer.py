"""Import a spreadsheet (CSV files, or an XLSX/ODS workbook) and export the territory."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _errors, _signin
from app_pages._text import esc
from traits import services
from traits.services import downloads

MAX_MB = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAYOUT_HELP = """
- Les onglets sont reconnus par leur nom (« Structures », « Besoins et offres »…), même suivi
  d'une année (« Structures 2025 ») ; seul l'onglet « Structures » est obligatoire.
- Les lignes de titre au-dessus des en-têtes, une ligne d'indications juste sous les en-têtes
  (« jj/mm/aaaa », « en euros ») et les lignes de total sont ignorées, et l'aperçu le dit.
- Une cellule fusionnée sur plusieurs lignes est lue sur chacune d'elles.
- Les lignes masquées ou filtrées sont importées comme les autres : l'aperçu les signale.
"""
#: How values are read (the field rules of traits.rules), as the import's help says it.
VALUES_HELP = """
- **Montants, heures, quantités** : `1 800,50 €`, `1 800 €`, `20 h`, `1h30`. Séparez les
  milliers par une espace et les décimales par une virgule : `12 000`, `12,5`. Un point suivi de
  trois chiffres peut se lire comme un séparateur de milliers ou comme une virgule : il est
  refusé, jamais deviné. Une cellule en pourcentage (15 %) ou dans une autre monnaie que
  l'euro (1 200 $) est refusée : écrivez le montant en euros.
- **Dates** : `04/02/2025`, `4 février 2025`, `4/2/25` ou une cellule date. Une année à deux
  chiffres est 20xx, sauf si elle tombe plus d'un an après aujourd'hui (`31/12/99` est 1999).
  Les dates d'avant 2000, ou de plus d'un an après aujourd'hui, sont refusées : vérifiez l'année.
- Les messages citent chaque cellule telle que le tableur l'affiche.
"""
STAGED = "import_staged"  # session key: (signature of the uploaded files, folder, source path)


def render(store: Any, territory_id: str) -> None:
    """The import (preview, then « Importer » or « Annuler ») and the export button."""
    st.subheader("Importer un tableur")
    st.caption(
        "Fichiers CSV du format d'échange ou un classeur .xlsx / .ods (le modèle du kit) ; "
        f"{MAX_MB} Mo au plus. Vous verrez ce qui sera créé ou mis à jour avant d'importer ; "
        "au moindre problème, rien n'est enregistré."
    )
    with st.expander("Comment le tableur est lu"):
        st.markdown(LAYOUT_HELP)
    with st.expander("Comment écrire les montants, les heures et les dates"):
        st.markdown(VALUES_HELP)  # trusted: a constant of this module
    uploads = st.file_uploader(  # no type=: refused below in French, not by Streamlit
        "Fichiers", accept_multiple_files=True, key="import_files"
    )
    source = _stage(uploads)
    if source is not None:
        territory = services.get_territory(store, territory_id)
        plan = _errors.attempt(services.preview_import, store, source, territory=territory)
        if plan is not None:
            _show_plan(plan)
            go, cancel = st.columns(2)
            if go.button("Importer", type="primary", key="import_go", disabled=not plan.ready):
                with st.spinner("Import…"):
                    report = _errors.attempt(
                        services.import_territory, store, source, territory=territory
                    )
                if report is not None:
                    _unstage()
                    st.success(esc(report.summary().replace(str(source), "vos fichiers")))
            if cancel.button("Annuler", key="import_cancel"):
                _unstage()
                st.info("Import annulé : rien n'a été enregistré.")

    st.subheader("Exporter le territoire")
    st.download_button(
        "Télécharger le classeur (.xlsx)",
        _signin.as_caller(lambda: downloads.territory_workbook(store, territory_id)),
        file_name=f"traits-{territory_id}.xlsx",
        mime=XLSX,
        icon=":material/download:",
        key="export_xlsx",
        on_click="ignore",
    )


def _stage(uploads: list[Any] | None) -> Path | None:
    """The files to import, saved in this session's folder: the last workbook dropped, or the
    CSV files (the last one dropped for each sheet); files it replaces are named, not read."""
    if not uploads:
        _unstage()
        return None
    wrong = services.wrong_file_types(u.name for u in uploads)
    if wrong:
        st.error(esc(wrong))
        return None
    too_big = [u.name for u in uploads if u.size > MAX_MB * 1024 * 1024]
    if too_big:
        st.error(f"Fichier trop volumineux (plus de {MAX_MB} Mo) : {esc(', '.join(too_big))}.")
        return None
    kept, unknown = _latest(uploads)
    if unknown:
        st.error(
            f"Fichier non reconnu : {esc(', '.join(unknown))}. Nommez chaque fichier CSV comme "
            "l'onglet du modèle qu'il contient (« Structures.csv », « Besoins et offres.csv »…) "
            "ou déposez un classeur .xlsx / .ods."
        )
        return None
    replaced = [u.name for u in uploads if u not in kept]
    if replaced:
        st.info(
            f"Remplacé par un fichier déposé ensuite, donc ignoré : {esc(', '.join(replaced))}. "
            "Vous pouvez le retirer avec ×."
        )
    signature = tuple((u.name, u.size, getattr(u, "file_id", "")) for u in kept)
    staged = st.session_state.get(STAGED)
    if staged is not None and staged[0] == signature and Path(staged[2]).exists():
        return Path(staged[2])
    _unstage()
    root = Path(tempfile.mkdtemp(prefix="traits-import-"))
    folder = root / "vos fichiers"  # the name problems about the whole upload would show
    folder.mkdir()
    for upload in kept:
        (folder / Path(upload.name).name).write_bytes(upload.getvalue())
    book = len(kept) == 1 and services.upload_table(kept[0].name) == ""
    source = folder / Path(kept[0].name).name if book else folder
    st.session_state[STAGED] = (signature, str(root), str(source))
    return source


def _latest(uploads: list[Any]) -> tuple[list[Any], list[str]]:
    """(files to read, names of CSV files that are no sheet): the last workbook dropped alone
    when it comes last, else the last CSV file dropped for each sheet."""
    tables = [services.upload_table(u.name) for u in uploads]
    if tables[-1] == "":
        return [uploads[-1]], []
    unknown = [u.name for u, t in zip(uploads, tables, strict=True) if t is None]
    latest = {t: u for u, t in zip(uploads, tables, strict=True) if t}
    return [u for u in uploads if u in latest.values()], unknown


def _unstage() -> None:
    staged = st.session_state.pop(STAGED, None)
    if staged is not None:
        shutil.rmtree(staged[1], ignore_errors=True)


def _show_plan(plan: services.ImportPlan) -> None:
    """Rows created, updated and ignored per sheet, then the first problems."""
    rows = [
        {"onglet": label, "créées": c, "mises à jour": u, "exemples ignorés": i}
        for label, (c, u, i) in plan.rows.items()
    ]
    st.markdown("**Aperçu de l'import** (rien n'est encore enregistré)")
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    if plan.errors:
        st.error(
            f"{len(plan.errors)} problème(s) à corriger dans le fichier, puis déposez-le à nouveau."
        )
    elif plan.problems:
        st.warning("À vérifier (n'empêche pas l'import) :")
    if plan.problems:
        _errors.show_problems(plan.problems)
