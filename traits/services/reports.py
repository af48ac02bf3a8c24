"""Report and network services: the funder report, the partnership graph and its analyses.

The CLI, the app pages and the notebooks call these; they never touch storage directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from traits import graph as g
from traits import report as r
from traits.errors import InvalidInputError, Problem
from traits.fr import fr_short_date
from traits.interchange.validate import Parsed
from traits.model import Partnership
from traits.rules import slug
from traits.services import access
from traits.storage import Store
from traits.storage import repository as repo

#: Report formats and the suffix of their file.
REPORT_FORMATS: dict[str, str] = {
    "markdown": ".md",
    "html": ".html",
    "docx": ".docx",
    "pdf": ".pdf",
    "xlsx": ".xlsx",
    "json": ".json",
}
_FORMAT_ALIASES = {"md": "markdown", "htm": "html", "word": "docx", "excel": "xlsx"}
#: Formats written straight to a file (binary), by their renderer.
_FILE_RENDERERS = {"docx": r.to_docx, "pdf": r.to_pdf, "xlsx": r.to_xlsx}

#: The key figures, their notes and the short report's blocks, defined once in ``traits.report``.
key_figures = r.key_figures
period_notes = r.period_notes
bar_charts = r.bar_charts
indicator_lines = r.indicator_lines
Report = r.Report
Block = r.Block
detail_blocks = r.detail_blocks
cell_text = r.cell_text
Heading, Paragraph, Table, Bars, Bullets = r.Heading, r.Paragraph, r.Table, r.Bars, r.Bullets

#: Above this many organisations, betweenness is estimated from a seeded sample of pivots.
BETWEENNESS_EXACT_UP_TO = 2_000
BETWEENNESS_SAMPLE = 50


def _read(store: Store, territory_id: str | None) -> Parsed:
    """A territory's data, plus the partners outside it and their needs and offers (to name them).

    The outside organisations are not counted by the report (it filters on ``territory_id``).
    """
    access.require_read(territory_id)
    with store.reading() as conn:
        data = repo.read_all(conn, territory_id)
        if territory_id is None:
            return data
        known = {o.org_id for o in data.organisations}
        outside = {x for p in data.partnerships for x in p.org_ids} - known
        if outside:
            data.organisations.extend(
                o for o in repo.read_organisations(conn) if o.org_id in outside
            )
            have = {i.item_id for i in data.items}
            wanted = {x for p in data.partnerships for x in (p.need_id, p.offer_id) if x} - have
            if wanted:
                data.items.extend(i for i in repo.read_items(conn) if i.item_id in wanted)
    return data


def build_report(
    store: Store,
    territory_id: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    **assumptions: float,
) -> r.Report:
    """The funder report of a territory (or all) over a period (or all dates).

    ``assumptions`` are the value estimates' hypotheses: ``labour_share``, ``hourly_cost``.
    """
    if start is not None and end is not None and start > end:
        raise InvalidInputError(
            f"période inversée : le début ({fr_short_date(start)}) est après la fin "
            f"({fr_short_date(end)}) ; échangez les deux dates."
        )
    data = _read(store, territory_id)
    report = r.build_report(data, territory=territory_id, start=start, end=end, **assumptions)
    from traits.services.pooling import count_pools  # the report's one look at today's needs

    report.pools_found = count_pools(store, territory_id)
    return report


def _day(day: dt.date) -> str:
    return f"{day:%d-%m-%Y}"


def report_file_name(report: r.Report, fmt: str) -> str:
    """A download's file name: the territory's name and the period, in French words.

    ``bilan-tregor-test-2025.pdf`` (a calendar year), ``bilan-tregor-test-du-01-01-2025-au-
    30-04-2025.pdf``, ``…-depuis-le-01-01-2025``, ``…-jusqu-au-31-12-2023``, ``…-toutes-dates``.
    """
    start, end = report.start, report.end
    if start is None and end is None:
        period = "toutes-dates"
    elif start is None:
        period = f"jusqu-au-{_day(end)}"  # type: ignore[arg-type]
    elif end is None:
        period = f"depuis-le-{_day(start)}"
    elif (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        period = str(start.year)
    else:
        period = f"du-{_day(start)}-au-{_day(end)}"
    name = slug(report.territory_name) or "territoire"
    return f"bilan-{name}-{period}{REPORT_FORMATS[report_format(fmt)]}"


def report_format(fmt: str) -> str:
    """The canonical name of a report format (``md`` → ``markdown``), or a French error."""
    name = _FORMAT_ALIASES.get(fmt.lower().lstrip("."), fmt.lower().lstrip("."))
    if name not in REPORT_FORMATS:
        allowed = ", ".join(REPORT_FORMATS)
        raise InvalidInputError(f"format de bilan « {fmt} » inconnu : choisissez parmi {allowed}.")
    return name


def render_report(report: r.Report, fmt: str) -> str:
    """The report as text (Markdown, HTML or JSON); DOCX needs a file: use ``export_report``."""
    name = report_format(fmt)
    if name == "markdown":
        return r.to_markdown(report)
    if name == "html":
        return r.to_html(report)
    if name == "json":
        return r.to_json(report)
    raise InvalidInputError(
        f"le format {name} s'écrit dans un fichier : indiquez un chemin de sortie."
    )


def export_report(
    store: Store,
    fmt: str,
    output: str | Path,
    territory_id: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    **assumptions: float,
) -> Path:
    """Build the report and write it to ``output`` in format ``fmt`` (see ``REPORT_FORMATS``)."""
    name = report_format(fmt)
    report = build_report(store, territory_id, start, end, **assumptions)
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise InvalidInputError(
            Problem("dossier de sortie introuvable : créez-le d'abord.", file=str(path.parent))
        )
    return write_report(report, name, path)


def write_report(report: r.Report, fmt: str, output: str | Path) -> Path:
    """Write a report already built to ``output`` in format ``fmt``."""
    name = report_format(fmt)
    path = Path(output)
    if name in _FILE_RENDERERS:
        return _FILE_RENDERERS[name](report, path)
    path.write_text(render_report(report, name), encoding="utf-8")
    return path


def build_graph(store: Store, territory_id: str | None = None) -> nx.MultiGraph:
    """The partnership network of a territory (or all); partners outside it are nodes too."""
    data = _read(store, territory_id)
    return g.build_graph(data.organisations, data.partnerships, data.diagnostics)


def export_graph(store: Store, path: str | Path, territory_id: str | None = None) -> Path:
    """Write the partnership network as GraphML, GEXF or node-link JSON (by extension)."""
    return g.write_graph(build_graph(store, territory_id), path)


def analyse_graph(
    graph: nx.MultiGraph,
    partnerships: Sequence[Partnership] | None = None,
    *,
    brokers: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """Every network analysis of a graph, as plain values with organisation names.

    Betweenness is exact up to ``BETWEENNESS_EXACT_UP_TO`` organisations, then estimated from
    ``BETWEENNESS_SAMPLE`` pivots drawn with ``seed`` (``brokers_sampled`` says which).
    """

    def name(node: str) -> str:
        return str(graph.nodes[node].get("name", node))

    sample = BETWEENNESS_SAMPLE if graph.number_of_nodes() > BETWEENNESS_EXACT_UP_TO else None
    out: dict[str, Any] = {
        "organisations": graph.number_of_nodes(),
        "partnerships": graph.number_of_edges(),
        "by_status": g.counts_by(graph, "status"),
        "by_mode": g.counts_by(graph, "mode"),
        "by_category": g.counts_by(graph, "categories"),
        "to_visit_again": [{"org_id": n, "name": name(n)} for n in g.to_visit_again(graph)],
        "brokers": [
            {"org_id": n, "name": name(n), "betweenness": score}
            for n, score in g.brokers(graph, brokers, sample=sample, seed=seed)
        ],
        "brokers_sampled": sample,
        "clusters": [
            sorted(({"org_id": n, "name": name(n)} for n in c), key=lambda x: x["name"])
            for c in g.clusters(graph, seed=seed)
        ],
        "ess_company_share": g.ess_company_share(graph),
    }
    if partnerships is not None:
        out["conversion"] = {
            "among_decided": g.conversion(partnerships, among="decided"),
            "among_all": g.conversion(partnerships, among="all"),
        }
        out["median_days_to_realise"] = g.median_days_to_realise(partnerships)
    return out


def graph_analyses(store: Store, territory_id: str | None = None, seed: int = 0) -> dict[str, Any]:
    """The network analyses of a territory (or all): counts, conversion, brokers, clusters…"""
    data = _read(store, territory_id)
    graph = g.build_graph(data.organisations, data.partnerships, data.diagnostics)
    return analyse_graph(graph, list(data.partnerships), seed=seed)


def key_figure_blocks(
    store: Store,
    territory_id: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[r.Block]:
    """The short report of a territory and period: period, headline, key figures and what
    they leave out, realised partnerships (the kit's results summary renders these blocks)."""
    return r.key_figure_blocks(build_report(store, territory_id, start, end))


def write_blocks(blocks: list[r.Block], heading: str, output: str | Path) -> Path:
    """Write report blocks under ``heading`` as a ``.docx`` or ``.pdf`` file (by its suffix)."""
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise InvalidInputError(
            Problem("choisissez un fichier .docx ou .pdf pour ce document.", file=path.name)
        )
    return (r.write_docx if suffix == ".docx" else r.write_pdf)(blocks, heading, path)


def period_date(value: str | None, option: str) -> dt.date | None:
    """A period bound as people type it (``15/03/2024``, ``15 mars 2024``, ``2024-03-15``…),
    by the import's reading of dates (any year: a period is no record); None when empty; a
    French error naming ``option`` otherwise."""
    from traits.rules import FieldError, read_date_time

    if value is None or not value.strip():
        return None
    try:
        return read_date_time(value).date()
    except FieldError as exc:
        message = f"{option} : {exc.message}"
        raise InvalidInputError(message, summary=message) from None


def period_dates(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The period typed in the Bilan's « Du » and « Au » fields (empty: no limit)."""
    return period_date(start, "Du"), period_date(end, "Au")
