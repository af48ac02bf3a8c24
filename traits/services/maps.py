"""What an offline map shows around its points: the fitted view, and the outlines of the
communes and EPCI inside it (the territory's own picked out), ready for pydeck layers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from traits.geo import default_gazetteer
from traits.outlines import Outline, View, default_outlines, detail_level, fit_view, pixels

ATTRIBUTION = "Contours : IGN Admin Express COG 2018, Licence Ouverte."
"""Shown under every map that draws the outlines (the source's licence asks for it)."""
#: The browser's map may be wider than assumed: outlines are kept this far beyond the view
#: (as a share of its width and height on each side), so that a wide screen or a little
#: panning still shows them.
SLACK = 0.25
PATH_COLUMNS = ["path", "name", "territory"]
LABEL_COLUMNS = ["lon", "lat", "commune"]


@dataclass(frozen=True)
class MapFrame:
    """A fitted view and the outlines inside it.

    ``communes`` and ``epcis`` have one row per ring: ``path`` (closed list of [lon, lat]),
    ``name`` (official name) and ``territory`` (whether it is one of the territory's); ``labels``
    names the communes holding points, at the mean position of their points (``lon, lat,
    commune``), leaving out a name that would cover another (the busier commune keeps its).
    """

    view: View
    communes: pd.DataFrame
    epcis: pd.DataFrame
    labels: pd.DataFrame


def _widened(view: View) -> tuple[float, float, float, float]:
    west, south, east, north = view.box
    dx, dy = (east - west) * SLACK, (north - south) * SLACK
    return west - dx, south - dy, east + dx, north + dy


#: Size of a commune's name on the map, in pixels: width of a letter, height of the line.
LETTER, LINE = 7.0, 15.0


def _uncrowded(
    labels: list[tuple[float, float, str]], zoom: float
) -> list[tuple[float, float, str]]:
    """The labels that fit without covering one another, first come first kept (callers put
    the communes with the most points first)."""
    kept: list[tuple[float, float, float, float]] = []
    out = []
    for lon, lat, name in labels:
        x, y = pixels(lon, lat, zoom)
        half = LETTER * len(name) / 2
        box = (x - half, y, x + half, y + LINE)
        if all(box[2] < k[0] or k[2] < box[0] or box[3] < k[1] or k[3] < box[1] for k in kept):
            kept.append(box)
            out.append((lon, lat, name))
    return out


def _paths(outlines: list[Outline], chosen: set[str], level: int) -> pd.DataFrame:
    rows = [
        {"path": path, "name": o.name, "territory": o.code in chosen}
        for o in outlines
        for path in o.closed_paths(level)
    ]
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


def map_frame(
    lats: Sequence[float],
    lons: Sequence[float],
    territory_communes: Sequence[str] = (),
    *,
    width: int = 900,
    height: int = 400,
) -> MapFrame:
    """The view fitting the points (as :func:`traits.outlines.fit_view` sizes it), and the
    outlines a map of them should draw, with some slack around; ``territory_communes`` are the
    territory's communes and EPCI as typed (names that are neither are ignored)."""
    view = fit_view(lats, lons, width, height)
    box, level = _widened(view), detail_level(view.zoom)
    outlines = default_outlines()
    codes = default_gazetteer().codes(territory_communes)
    epci_codes = {outlines.communes[c].epci for c in codes if c in outlines.communes} - {""}
    communes = outlines.within("communes", box)
    placed: dict[str, list[tuple[float, float]]] = {}
    for lat, lon in zip(lats, lons, strict=True):
        home = next((o.name for o in communes if o.contains(lon, lat)), None)
        if home is not None:
            placed.setdefault(home, []).append((lon, lat))
    labels = _uncrowded(
        [
            (sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts), name)
            for name, pts in sorted(placed.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        view.zoom,
    )
    return MapFrame(
        view=view,
        communes=_paths(communes, codes, level),
        epcis=_paths(outlines.within("epcis", box), epci_codes, level),
        labels=pd.DataFrame(labels, columns=LABEL_COLUMNS),
    )
