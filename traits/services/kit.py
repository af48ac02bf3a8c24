"""The kit d'essaimage for one territory: every file, in memory or written to a folder.

The command line (``traits kit``) and the app's Kit page both call :func:`kit_files`, so they
give the same files, byte for byte, for the same territory, options and day.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from traits.errors import InvalidInputError, NotFoundError, Problem
from traits.kit import booklet, documents, plaquette, summary
from traits.kit.chapters import Chapter, read_chapters
from traits.kit.profile import BLANK, KitProfile
from traits.report import blocks as report_blocks
from traits.services.data import is_sample_territory, list_territories
from traits.services.privacy import information_notice
from traits.services.reports import build_report
from traits.storage import Store

BOOKLET = booklet.FILE_NAME
PLAQUETTE = "plaquette.pdf"
SUMMARY = "synthese-des-resultats.docx"
NOTICE = "entretiens/notice-donnees-personnelles.docx"
#: The notice's bracketed passages (kit chapter on personal data) and what the kit puts there.
NOTICE_FIELDS = {
    "[Nom du Pôle ESS]": "{pole}",
    "[adresse]": BLANK,
    "sur le [territoire]": "sur son territoire ({territoire})",
    " [et à la coordination régionale de la CRESS Bretagne, qui ne reçoit que des chiffres "
    "d'ensemble]": "",
    "[courriel du Pôle]": "{contact}",
}
WORKBOOKS = booklet.KIT / "modeles"
MIME = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
#: The kit's sections, in the order the app and the folder list them.
SECTIONS = {
    "": "Livret et plaquette",
    "entretiens": "Grilles d'entretien",
    "courriers": "Courriers et courriels",
    "conventions": "Modèles de conventions",
    "groupe-local": "Kit du groupe local",
    "bilan": "Synthèse des résultats",
    "tableurs": "Tableurs d'import",
}


@dataclass(frozen=True)
class KitFile:
    """One file of the kit: its relative name (``conventions/…docx``), title and content."""

    name: str
    title: str
    data: bytes

    @property
    def section(self) -> str:
        """The folder the file belongs to (empty for the booklet and the plaquette)."""
        return self.name.rsplit("/", 1)[0] if "/" in self.name else ""

    @property
    def mime(self) -> str:
        """The file's media type, for a download."""
        return MIME.get(Path(self.name).suffix, "application/octet-stream")


def kit_profile(
    store: Store,
    territory_id: str | None = None,
    *,
    pole: str = "",
    contact: str = "",
    edition: dt.date | None = None,
) -> tuple[KitProfile, str | None]:
    """The names printed on a territory's kit, and the territory's id (None: blank kit).

    With no territory in the base, the kit is generic (« votre territoire »).

    Raises
    ------
    NotFoundError
        When ``territory_id`` names no territory the caller may read.
    InvalidInputError
        When the base holds several territories and none was chosen.
    """
    territories = list_territories(store)
    if territory_id is None and len(territories) > 1:
        names = ", ".join(f"{t.territory_id} ({t.name})" for t in territories)
        raise InvalidInputError(
            f"plusieurs territoires dans la base : choisissez-en un parmi {names}."
        )
    if territory_id is None:
        chosen = territories[0] if territories else None
    else:
        chosen = next((t for t in territories if t.territory_id == territory_id), None)
        if chosen is None:
            raise NotFoundError(
                Problem(f"territoire « {territory_id} » introuvable : vérifiez son identifiant.")
            )
    return KitProfile(
        territory=chosen.name if chosen else "votre territoire",
        pole=pole,
        facilitator=(chosen.facilitator or "") if chosen else "",
        contact=contact,
        communes=tuple(chosen.communes) if chosen else (),
        edition=edition or dt.date.today(),
        sample=chosen is not None and is_sample_territory(chosen),
    ), (chosen.territory_id if chosen else None)


def notice_source() -> str | None:
    """The information notice of the kit's personal-data chapter, as a template source.

    Raises
    ------
    InvalidInputError
        When the chapter's notice holds a bracketed passage the kit does not know how to fill.
    """
    notice = information_notice()
    if notice is None:
        return None
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", notice):
        text = " ".join(paragraph.split())
        for passage, value in NOTICE_FIELDS.items():
            text = text.replace(passage, value)
        paragraphs.append(text)
    left = [m for p in paragraphs for m in re.findall(r"\[[^\]]*\]", p)]
    if left:
        raise InvalidInputError(
            f"passage à compléter inconnu dans la notice du kit : {', '.join(left)}."
        )
    title = paragraphs[0].strip("* ")
    body = "\n\n".join(paragraphs[1:])
    return f"# {title}\n\n{body}\n\nContact : {{animateur}}, {{contact}}.\n"


def _sources_stamp() -> tuple[tuple[str, int], ...]:
    """The booklet's inputs (chapters, images) with their modification times."""
    kit = booklet.KIT
    paths = sorted([*kit.glob("*.md"), *kit.glob("images/*.png")])
    return tuple((p.name, p.stat().st_mtime_ns) for p in paths)


@functools.lru_cache(maxsize=8)
def _booklet(profile: KitProfile, stamp: tuple[tuple[str, int], ...]) -> bytes:
    """The booklet, built once per profile and state of its sources (it takes seconds)."""
    return booklet.build(profile)


#: The years a results summary may be asked for.
YEARS = (1990, 2100)


def check_year(year: int | None) -> None:
    """Refuse, in French, a summary year that is not a plausible four-digit year."""
    low, high = YEARS
    if year is not None and not low <= year <= high:
        raise InvalidInputError(
            f"année refusée pour la synthèse des résultats : « {year} » ; attendu : une année "
            f"sur quatre chiffres, de {low} à {high} (par exemple {dt.date.today().year}). "
            "Pour une synthèse de toutes les dates, ne donnez pas d'année. Rien n'a été écrit."
        )


def kit_files(
    store: Store,
    territory_id: str | None = None,
    *,
    pole: str = "",
    contact: str = "",
    year: int | None = None,
    edition: dt.date | None = None,
) -> list[KitFile]:
    """Every file of the kit for a territory, the booklet first.

    ``year`` limits the results summary to one calendar year (default: all dates); a year
    that is not a plausible one (``0``, ``20255``) is refused, never read as « all dates ».
    """
    check_year(year)
    profile, tid = kit_profile(store, territory_id, pole=pole, contact=contact, edition=edition)
    files = [
        KitFile(BOOKLET, "Livret du kit d'essaimage", _booklet(profile, _sources_stamp())),
        KitFile(PLAQUETTE, "Plaquette de présentation", plaquette.render(profile)),
    ]
    files += [
        KitFile(s.output_name, s.title, documents.render(s, profile)) for s in documents.sources()
    ]
    notice = notice_source()
    if notice is not None:
        title = "Notice sur les données personnelles"
        files.append(KitFile(NOTICE, title, documents.render_text(notice, title, profile)))
    if tid is not None:
        start = dt.date(year, 1, 1) if year is not None else None
        end = dt.date(year, 12, 31) if year is not None else None
        report = build_report(store, tid, start, end)
        blocks = report_blocks.key_figure_blocks(report)
        data = summary.render(blocks, report.to_dict(), profile)
        files.append(KitFile(f"bilan/{SUMMARY}", summary.TITLE, data))
    for suffix, label in ((".xlsx", "Excel"), (".ods", "LibreOffice")):
        workbook = WORKBOOKS / f"modele-territoire{suffix}"
        if workbook.exists():
            files.append(
                KitFile(
                    f"tableurs/modele-territoire{suffix}",
                    f"Tableur d'import des structures, besoins et offres ({label})",
                    workbook.read_bytes(),
                )
            )
    return files


def write_kit(
    store: Store,
    output: str | Path,
    territory_id: str | None = None,
    *,
    pole: str = "",
    contact: str = "",
    year: int | None = None,
    edition: dt.date | None = None,
) -> list[Path]:
    """Write every file of the kit under ``output`` (a new or empty folder); return their paths."""
    folder = Path(output)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInputError(
            Problem(
                "ce dossier existe déjà et n'est pas vide : choisissez un nouveau dossier pour "
                "le kit, rien n'a été écrit.",
                file=str(folder),
            )
        )
    files = kit_files(store, territory_id, pole=pole, contact=contact, year=year, edition=edition)
    written = []
    for file in files:
        path = folder / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.data)
        written.append(path)
    return written


def kit_archive(files: list[KitFile], edition: dt.date | None = None) -> bytes:
    """Every file of the kit in one zip archive, in the kit's order, dated ``edition``."""
    day = edition or dt.date.today()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            entry = zipfile.ZipInfo(file.name, date_time=(day.year, day.month, day.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, file.data)
    return buffer.getvalue()


def kit_chapters() -> list[Chapter]:
    """The coordinator's chapters of the kit, in order (for the app's Kit page)."""
    return read_chapters()
