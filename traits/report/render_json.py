"""The report's figures as JSON (machine-readable: ISO dates, plain numbers)."""

from __future__ import annotations

import json

from traits.report.figures import Report


def to_json(report: Report) -> str:
    """The report's figures as JSON (UTF-8 text, accents kept)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
