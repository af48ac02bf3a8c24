"""Exports as bytes, for a download button: the exporters write files, a button needs their
content (written in a temporary folder, removed once read)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from traits.report import Report
from traits.services.data import export_territory
from traits.services.reports import write_report
from traits.services.territories import export_database
from traits.storage import Store


def database_file(store: Store, fmt: str, territory_id: str | None = None) -> bytes:
    """The database (or one territory) as a workbook (``xlsx``, ``ods``) or a ``zip`` of CSVs."""
    with tempfile.TemporaryDirectory(prefix="traits-base-") as tmp:
        return export_database(store, Path(tmp) / f"base.{fmt}", territory_id).read_bytes()


def territory_workbook(store: Store, territory_id: str) -> bytes:
    """A territory in the interchange format, as an .xlsx workbook."""
    with tempfile.TemporaryDirectory(prefix="traits-export-") as tmp:
        target = Path(tmp) / "territoire.xlsx"
        export_territory(store, target, territory_id=territory_id, french=True)
        return target.read_bytes()


def report_file(report: Report, fmt: str) -> bytes:
    """A report already built, in format ``fmt`` (``pdf``, ``docx``, ``xlsx``…)."""
    with tempfile.TemporaryDirectory(prefix="traits-bilan-") as tmp:
        return write_report(report, fmt, Path(tmp) / f"bilan.{fmt}").read_bytes()


__all__ = ["database_file", "report_file", "territory_workbook"]
