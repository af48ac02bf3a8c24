"""Validation of the partnerships' history: ``partnership_events`` (« Historique »).

Each row names a partnership of the same import by its identifier; a partnership the file gives
without history gets one event, dated from its creation or its structures' first interview
(never the import day). Warnings about a partnership are given at its row of « Partenariats ».
"""

from __future__ import annotations

import datetime as dt

from traits.errors import Problem
from traits.interchange.columns import PARTNERSHIP_STATUS_VALUES
from traits.interchange.context import Context
from traits.interchange.row import Row
from traits.model import LABELS_FR, Partnership, PartnershipStatus, StatusChange


def events(ctx: Context) -> None:
    """Attach the history rows to their partnerships; date the partnerships without one."""

    def build(r: Row) -> StatusChange | None:
        pid = r.ident("partnership_id")
        at = r.datetime("at", True)
        to_status = r.enum("to_status", PARTNERSHIP_STATUS_VALUES, "statut")
        from_status = r.enum("from_status", PARTNERSHIP_STATUS_VALUES, "statut", required=False)
        if pid is not None and not ctx.in_partnerships_sheet(
            r,
            pid,
            " de ce fichier : ajoutez-y sa ligne (avec son statut actuel) pour importer son "
            "historique, ou retirez cette ligne.",
        ):
            return None
        if pid is None or at is None or to_status is None:
            return None
        return StatusChange(
            pid,
            at,
            PartnershipStatus(to_status),
            PartnershipStatus(from_status) if from_status else None,
            r.text("author"),
            r.text("note"),
        )

    for _, event in ctx.rows("partnership_events", build):
        ctx.partnerships[event.partnership_id].history.append(event)
    for part in ctx.parsed.partnerships:
        part.history.sort(key=lambda e: e.at)
        if not part.history and part.partnership_id not in ctx.known.partnerships:
            _first_event(ctx, part)
        elif part.history and part.history[-1].to_status != part.status:
            _warn_partnership(
                ctx,
                part,
                f"est « {LABELS_FR[part.status]} » mais son historique se termine par "
                f"« {LABELS_FR[part.history[-1].to_status]} ».",
            )


def _first_event(ctx: Context, part: Partnership) -> None:
    """The history of a partnership the file gives without one: dated, never on import day.

    Its creation date, else the earliest diagnostic of its two organisations; with neither,
    the partnership stays undated (no event) and the import says so.
    """
    day = part.created
    if day is None:
        dates = [d.date for d in ctx.parsed.diagnostics if d.org_id in (part.org_a, part.org_b)]
        day = min(dates) if dates else None
        if day is not None:
            part.created = day
            _warn_partnership(
                ctx,
                part,
                f"est sans date : daté du {day.strftime('%d/%m/%Y')}, date du premier "
                "entretien des structures.",
            )
    if day is None:
        _warn_partnership(
            ctx,
            part,
            "est sans date : importé sans date, il n'entrera dans aucune période des bilans "
            "tant qu'il n'en a pas (ajoutez la date de création).",
        )
        return
    part.history.append(
        StatusChange(
            part.partnership_id,
            dt.datetime.combine(day, dt.time()),
            part.status,
            None,
            None,
            "import",
        )
    )


def _warn_partnership(ctx: Context, part: Partnership, says: str) -> None:
    """A warning about a partnership, at its row, naming its two structures."""
    ctx.out.append(
        Problem(
            f"le partenariat entre {ctx.org_label(part.org_a)} et "
            f"{ctx.org_label(part.org_b)} {says}",
            file=_source(ctx, "partnerships"),
            row=ctx.partnership_lines.get(part.partnership_id),
            severity="warning",
        )
    )


def _source(ctx: Context, name: str) -> str | None:
    table = ctx.tables.get(name)
    return table.source if table else None
