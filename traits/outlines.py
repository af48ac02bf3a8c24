"""Outlines of Brittany's communes and EPCI, shipped for maps that need no tile server.

The file ``data/contours_bretagne.json.gz`` is built by ``scripts/build_outlines.py`` from IGN
Admin Express COG 2018 (see data/README.md, "Outlines"). Each outline is a set of closed rings
of (longitude, latitude); inside is decided by the even-odd rule over all rings, so islands and
enclaves need no separate structure.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

OUTLINES_RESOURCE = "contours_bretagne.json.gz"
"""Package data file of the outlines (built by scripts/build_outlines.py)."""
SCALE = 10_000
"""Coordinates are stored as integers in ten-thousandths of a degree (about 10 m)."""

Point = tuple[int, int]
Ring = list[Point]


# --- Dissolve: the union of polygons that share their boundaries' vertices ------------------


def signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Twice the signed area of a ring (positive when counter-clockwise)."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        total += x0 * y1 - x1 * y0
    return total


def _open(ring: Sequence[Point]) -> list[Point]:
    """The ring without its closing point and without repeated consecutive points."""
    out: list[Point] = []
    for point in ring:
        if not out or out[-1] != point:
            out.append(point)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def oriented(polygon: Sequence[Sequence[Point]]) -> list[Ring]:
    """A polygon's rings (exterior first, then holes), exterior counter-clockwise, holes
    clockwise: the orientation under which a shared edge runs opposite ways in neighbours."""
    out = []
    for i, ring in enumerate(polygon):
        ring = _open(ring)
        if len(ring) < 3:
            continue
        if (signed_area(ring) > 0) != (i == 0):
            ring.reverse()
        out.append(ring)
    return out


def dissolve(rings: Iterable[Sequence[Point]]) -> list[Ring]:
    """The outline of the union of oriented rings whose neighbours share identical vertices.

    An edge met once in each direction lies between two of the polygons and cancels; the edges
    left are chained back into closed rings (open: the last point joins the first).

    Args:
        rings: Rings as given by :func:`oriented`, of every polygon to merge.

    Returns:
        The rings of the union, exterior rings counter-clockwise and holes clockwise.
    """
    edges: Counter[tuple[Point, Point]] = Counter()
    for ring in rings:
        for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
            if a != b:
                edges[(a, b)] += 1
    for (a, b), n in list(edges.items()):
        back = edges.get((b, a), 0)
        if n and back:
            cancel = min(n, back)
            edges[(a, b)] -= cancel
            edges[(b, a)] -= cancel
    following: dict[Point, list[Point]] = {}
    for (a, b), n in sorted(edges.items()):
        following.setdefault(a, []).extend([b] * n)
    out: list[Ring] = []
    for start in sorted(following):
        while following[start]:
            ring, point = [start], following[start].pop()
            while point != start:
                ring.append(point)
                point = following[point].pop()
            if len(ring) >= 3:
                out.append(ring)
    return out


# --- Levels of detail: which vertices a coarse view can drop -------------------------------

KEEP = 0
"""Level of the vertices every view keeps (the ends of shared borders)."""
FINEST = 24
"""Level of the vertices no view needs (on a straight line)."""
ISOTROPY = math.cos(math.radians(48.2))
"""Longitudes are multiplied by this before measuring, so that a degree of longitude and one of
latitude weigh what they do on a Mercator map of Brittany."""


def _importance(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Douglas-Peucker importance of each point of an arc (its ends are kept: infinity): the
    largest tolerance under which the point would still be kept."""
    n = len(points)
    out = np.full(n, np.inf)
    stack = [(0, n - 1, np.inf)]
    while stack:
        i, j, ceiling = stack.pop()
        if j - i < 2:
            continue
        a, b = points[i], points[j]
        inner = points[i + 1 : j]
        ab = b - a
        length = math.hypot(*ab)
        if length == 0:
            dist = np.hypot(*(inner - a).T)
        else:
            dist = np.abs(ab[0] * (inner[:, 1] - a[1]) - ab[1] * (inner[:, 0] - a[0])) / length
        k = int(np.argmax(dist))
        value = min(float(dist[k]), ceiling)
        out[i + 1 + k] = value
        stack += [(i, i + 1 + k, value), (i + 1 + k, j, value)]
    return out


def detail_levels(features: Iterable[Sequence[Sequence[Point]]], scale: int) -> dict[Point, int]:
    """The level of detail of every vertex of a set of outlines sharing their borders.

    The borders are cut into arcs at the vertices where three or more features meet (a vertex
    with other than two neighbours in the graph of all edges); each arc is simplified by
    Douglas-Peucker the same way from whichever side it is read, so neighbours drop the same
    vertices and their borders still coincide at every level.

    Args:
        features: The rings of each feature (integer points, open rings).
        scale: Integer units per degree of the points.

    Returns:
        Vertex → level: a view whose pixel measures about ``2**-level`` degrees keeps the
        vertices of level up to ``-log2(pixel)``; the ends of arcs get :data:`KEEP`.
    """
    neighbours: dict[Point, set[Point]] = {}
    rings = [ring for feature in features for ring in feature]
    for ring in rings:
        for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
    nodes = {p for p, near in neighbours.items() if len(near) != 2}
    levels: dict[Point, int] = {}
    for ring in rings:
        cuts = [i for i, p in enumerate(ring) if p in nodes] or [ring.index(min(ring))]
        for start, end in zip(cuts, [*cuts[1:], cuts[0] + len(ring)], strict=True):
            arc = [ring[i % len(ring)] for i in range(start, end + 1)]
            if arc[0] > arc[-1] or (arc[0] == arc[-1] and arc[1] > arc[-2]):
                arc.reverse()  # read every arc in one direction
            points = np.array(arc, dtype=float) / scale
            points[:, 0] *= ISOTROPY
            for point, value in zip(arc, _importance(points), strict=True):
                level = KEEP if value == np.inf else FINEST
                if 0 < value < np.inf:
                    level = int(min(FINEST, max(KEEP + 1, math.floor(-math.log2(value)))))
                levels[point] = min(level, levels.get(point, FINEST))
    return levels


# --- Loading and querying ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outline:
    """One commune or EPCI: its official code and name, and its rings in degrees."""

    code: str
    name: str
    rings: tuple[npt.NDArray[np.float64], ...]
    """Each an (n, 2) array of (longitude, latitude), open (the last point joins the first)."""
    bbox: tuple[float, float, float, float]
    """West, south, east, north."""
    levels: tuple[npt.NDArray[np.int8], ...] = ()
    """Level of detail of each ring's points (see :func:`detail_levels`)."""
    epci: str = ""
    """For a commune, the code of its EPCI (empty for the islands that belong to none)."""

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies inside (even-odd rule over every ring)."""
        west, south, east, north = self.bbox
        if not (west <= lon <= east and south <= lat <= north):
            return False
        inside = False
        for ring in self.rings:
            x, y = ring[:, 0], ring[:, 1]
            x2, y2 = np.roll(x, -1), np.roll(y, -1)
            crosses = (y > lat) != (y2 > lat)
            with np.errstate(divide="ignore", invalid="ignore"):
                at = x + (lat - y) * (x2 - x) / (y2 - y)
            inside ^= bool(np.count_nonzero(crosses & (lon < at)) % 2)
        return inside

    def closed_paths(self, level: int = FINEST) -> list[list[list[float]]]:
        """Every ring as a list of [longitude, latitude], closed (first point repeated).

        Args:
            level: Finest level of detail kept (see :func:`detail_levels`); rings left with
                fewer than three points are dropped.
        """
        paths = []
        for ring, levels in zip(self.rings, self.levels, strict=True):
            kept = ring[levels <= level]
            if len(kept) >= 3:
                paths.append(np.round(np.vstack([kept, kept[:1]]), 4).tolist())
        return paths


def decode_rings(encoded: list[list[int]]) -> tuple[npt.NDArray[np.float64], ...]:
    """Rings stored as delta-coded integer pairs (x0, y0, dx1, dy1, …) → arrays in degrees."""
    return tuple(
        np.cumsum(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0) / SCALE
        for flat in encoded
    )


def encode_rings(rings: Iterable[Sequence[Point]]) -> list[list[int]]:
    """Rings of integer points → delta-coded flat lists (the inverse of :func:`decode_rings`)."""
    out = []
    for ring in rings:
        flat, previous = [], (0, 0)
        for x, y in ring:
            flat += [x - previous[0], y - previous[1]]
            previous = (x, y)
        out.append(flat)
    return out


class Outlines:
    """Communes and EPCI outlines, with a lookup by code and a bounding-box filter."""

    def __init__(self, communes: Iterable[Outline], epcis: Iterable[Outline]) -> None:
        """Index the outlines of both kinds."""
        self.communes = {o.code: o for o in communes}
        self.epcis = {o.code: o for o in epcis}
        self._boxes = {
            kind: (list(items.values()), np.array([o.bbox for o in items.values()]))
            for kind, items in (("communes", self.communes), ("epcis", self.epcis))
        }

    def within(self, kind: str, box: tuple[float, float, float, float]) -> list[Outline]:
        """The outlines of a kind ("communes" or "epcis") whose bounding box meets ``box``
        (west, south, east, north)."""
        items, boxes = self._boxes[kind]
        if not items:
            return []
        west, south, east, north = box
        meets = (
            (boxes[:, 0] <= east)
            & (boxes[:, 2] >= west)
            & (boxes[:, 1] <= north)
            & (boxes[:, 3] >= south)
        )
        return [items[i] for i in np.flatnonzero(meets)]

    @classmethod
    def from_json(cls, data: dict) -> Outlines:
        """Build from the shipped document ({"communes": [...], "epcis": [...]})."""

        def outlines(rows: list[dict]) -> list[Outline]:
            out = []
            for row in rows:
                rings = decode_rings(row["rings"])
                points = np.concatenate(rings)
                west, south = points.min(axis=0)
                east, north = points.max(axis=0)
                box = (float(west), float(south), float(east), float(north))
                levels = tuple(np.asarray(lv, dtype=np.int8) for lv in row["levels"])
                out.append(
                    Outline(row["code"], row["name"], rings, box, levels, row.get("epci", ""))
                )
            return out

        return cls(outlines(data["communes"]), outlines(data["epcis"]))


@lru_cache(maxsize=1)
def default_outlines() -> Outlines:
    """The shipped outlines of the communes and EPCI of the four départements, loaded once."""
    path = resources.files("traits").joinpath("data").joinpath(OUTLINES_RESOURCE)
    return Outlines.from_json(json.loads(gzip.decompress(path.read_bytes())))


# --- Views: what a map shows, without a tile server -----------------------------------------


@dataclass(frozen=True, slots=True)
class View:
    """Centre and zoom of a web-Mercator map, and the box it shows (west, south, east, north)."""

    lat: float
    lon: float
    zoom: float
    box: tuple[float, float, float, float]


TILE = 512
"""Width in pixels of the world at zoom 0 in deck.gl."""


def _mercator_y(lat: float) -> float:
    """Web-Mercator ordinate of a latitude, in units of the world's width (0 at the equator)."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)


def _latitude(y: float) -> float:
    """Inverse of :func:`_mercator_y`."""
    return math.degrees(2 * math.atan(math.exp(y * 2 * math.pi)) - math.pi / 2)


def pixels(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Position of a point on the web-Mercator plane at this zoom, in pixels (y grows north)."""
    size = TILE * 2**zoom
    return lon / 360 * size, _mercator_y(lat) * size


def detail_level(zoom: float) -> int:
    """The finest level of detail a map at this zoom can show: vertices that move the outline
    by less than a pixel are left out."""
    pixel = 360 / (TILE * 2**zoom) * ISOTROPY
    return int(math.floor(-math.log2(pixel)))


def fit_view(
    lats: Sequence[float],
    lons: Sequence[float],
    width: int = 900,
    height: int = 400,
    *,
    margin: float = 0.15,
    max_zoom: float = 12.0,
) -> View:
    """The view that shows every point in a ``width`` × ``height`` pixel map, with a margin.

    Args:
        lats: Latitudes of the points (at least one).
        lons: Longitudes of the points.
        width: Assumed map width in pixels (the browser's may differ: callers widen the box).
        height: Map height in pixels.
        margin: Share of each side kept free around the points.
        max_zoom: Zoom used for a single point or a tight group.

    Returns:
        The view, and the box it shows at that size.
    """
    west, east = min(lons), max(lons)
    y0, y1 = _mercator_y(min(lats)), _mercator_y(max(lats))
    usable = 1 - 2 * margin
    # At zoom z the world is 512·2^z pixels wide (deck.gl's tiles are 512 pixels).
    fits = [max_zoom]
    if east > west:
        fits.append(math.log2(usable * width * 360 / ((east - west) * TILE)))
    if y1 > y0:
        fits.append(math.log2(usable * height / ((y1 - y0) * TILE)))
    zoom = max(3.0, min(fits))
    centre_lon, centre_y = (west + east) / 2, (y0 + y1) / 2
    half_w = width / (TILE * 2**zoom) * 360 / 2
    half_h = height / (TILE * 2**zoom) / 2
    box = (
        centre_lon - half_w,
        _latitude(centre_y - half_h),
        centre_lon + half_w,
        _latitude(centre_y + half_h),
    )
    return View(lat=_latitude(centre_y), lon=centre_lon, zoom=zoom, box=box)
