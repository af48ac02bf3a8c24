"""The shipped outlines of communes and EPCI, the dissolve that builds them, and the view."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pytest

from traits.geo import default_gazetteer
from traits.outlines import (
    KEEP,
    Outline,
    decode_rings,
    default_outlines,
    detail_levels,
    dissolve,
    encode_rings,
    fit_view,
    oriented,
    signed_area,
)


def square(x: int, y: int, size: int = 1) -> list[tuple[int, int]]:
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]


def outline(rings: list[list[tuple[int, int]]]) -> Outline:
    arrays = tuple(np.array(r, dtype=float) for r in rings)
    points = np.concatenate(arrays)
    box = (*points.min(axis=0), *points.max(axis=0))
    return Outline("x", "x", arrays, box, tuple(np.zeros(len(r), dtype=np.int8) for r in rings))


# --- dissolve ----------------------------------------------------------------------------------


def test_two_squares_side_by_side_lose_their_shared_edge() -> None:
    rings = dissolve([*oriented([square(0, 0)]), *oriented([square(1, 0)])])
    assert len(rings) == 1
    ring = rings[0]
    assert set(ring) == {(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (0, 1)}
    assert signed_area(ring) == pytest.approx(2 * 2)  # twice the area, counter-clockwise
    edges = {frozenset(e) for e in zip(ring, [*ring[1:], ring[0]], strict=True)}
    assert frozenset({(1, 0), (1, 1)}) not in edges


def test_squares_given_clockwise_are_oriented_before_they_dissolve() -> None:
    rings = dissolve([*oriented([square(0, 0)[::-1]]), *oriented([square(1, 0)])])
    assert len(rings) == 1 and len(rings[0]) == 6


def test_a_ring_of_squares_keeps_its_hole_and_apart_squares_stay_apart() -> None:
    around = [square(x, y) for x in range(3) for y in range(3) if (x, y) != (1, 1)]
    rings = dissolve(ring for s in around for ring in oriented([s]))
    areas = sorted(signed_area(r) for r in rings)
    assert areas == [pytest.approx(-2), pytest.approx(18)]  # the hole, then the outline
    ring_of_squares = outline(rings)
    assert ring_of_squares.contains(0.5, 0.5) and not ring_of_squares.contains(1.5, 1.5)
    apart = dissolve([*oriented([square(0, 0)]), *oriented([square(5, 0)])])
    assert len(apart) == 2


def test_rings_survive_their_coding() -> None:
    rings = [[(-16812, 481112), (-16700, 481200), (-16650, 481000)]]
    (decoded,) = decode_rings(encode_rings(rings))
    assert decoded.tolist() == [[-1.6812, 48.1112], [-1.67, 48.12], [-1.665, 48.1]]


def test_neighbours_drop_the_same_points_of_their_shared_border() -> None:
    wiggle = [(10, y * 10 + (3 if y % 2 else 0)) for y in range(1, 10)]
    left = [(0, 0), (10, 0), *wiggle, (10, 100), (0, 100)]
    right = [(10, 0), (20, 0), (20, 100), (10, 100), *wiggle[::-1]]
    levels = detail_levels([[left], [right]], scale=10)
    assert levels[(10, 0)] == KEEP and levels[(10, 100)] == KEEP  # where three edges meet
    for finest in range(KEEP, 8):
        kept_left = [p for p in left if p in wiggle and levels[p] <= finest]
        kept_right = [p for p in right if p in wiggle and levels[p] <= finest]
        assert kept_left == kept_right[::-1]
    assert {levels[p] for p in wiggle} != {KEEP}  # some points do go


# --- the shipped file --------------------------------------------------------------------------


def test_every_current_commune_of_the_four_departements_has_its_outline() -> None:
    outlines = default_outlines()
    current = {p.insee: p.name for p in default_gazetteer().communes()}
    assert {c[:2] for c in current} == {"22", "29", "35", "56"}
    assert set(outlines.communes) == set(current)  # scripts/build_outlines.py: none unmatched
    assert all(outlines.communes[c].name == name for c, name in current.items())


def test_communes_contain_their_town_hall() -> None:
    outlines, places = default_outlines(), default_gazetteer().communes()
    inside = [p for p in places if outlines.communes[p.insee].contains(p.lon, p.lat)]
    assert len(inside) >= 0.99 * len(places)  # a few coastal town halls sit on the outline
    for insee in ("35238", "29019", "56260", "22278", "29232"):  # Rennes, Brest, Vannes…
        place = default_gazetteer().by_insee(insee)
        assert place is not None and outlines.communes[insee].contains(place.lon, place.lat)
    rennes, brest = outlines.communes["35238"], default_gazetteer().by_insee("29019")
    assert brest is not None and not rennes.contains(brest.lon, brest.lat)


def test_communes_merged_since_2018_are_one_piece() -> None:
    outlines = default_outlines()
    # Pluméliau-Bieuzy and Ploërmel (2019) were two communes each in the 2018 source.
    for insee in ("56173", "56165"):
        assert len(outlines.communes[insee].rings) == 1


def test_each_epci_of_brittany_has_a_closed_outline_holding_its_communes() -> None:
    outlines = default_outlines()
    path = resources.files("traits").joinpath("data/epci_bretagne.csv")
    with path.open(encoding="utf-8") as fh:
        members: dict[str, set[str]] = {}
        for row in csv.DictReader(fh):
            members.setdefault(row["epci"], set()).add(row["insee"])
    assert set(outlines.epcis) == set(members)
    for code, insees in members.items():
        epci = outlines.epcis[code]
        assert sum(signed_area(r.tolist()) for r in epci.rings) > 0, epci.name
        for path_ in epci.closed_paths():
            assert path_[0] == path_[-1] and len(path_) >= 4
        halls = [default_gazetteer().by_insee(i) for i in sorted(insees)]
        inside = [p for p in halls if p is not None and epci.contains(p.lon, p.lat)]
        assert len(inside) >= len(insees) - 1, epci.name  # a coastal town hall may sit outside
        assert all(outlines.communes[i].epci == code for i in insees)


def test_the_bounding_box_filter_keeps_what_meets_the_view() -> None:
    outlines = default_outlines()
    around_rennes = outlines.within("communes", (-1.75, 48.05, -1.6, 48.15))
    names = {o.name for o in around_rennes}
    assert "Rennes" in names and "Brest" not in names
    assert len(around_rennes) < 60


# --- the view ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lats,lons",
    [
        ([48.11], [-1.68]),
        ([48.39, 47.66], [-4.49, -2.76]),
        ([48.0, 48.6, 47.3], [-1.1, -4.8, -3.0]),
    ],
)
def test_the_view_shows_every_point(lats: list[float], lons: list[float]) -> None:
    view = fit_view(lats, lons, width=900, height=320)
    west, south, east, north = view.box
    assert all(west < x < east for x in lons) and all(south < y < north for y in lats)
    assert south < view.lat < north and west < view.lon < east


def test_map_names_do_not_cover_one_another() -> None:
    from traits.services import maps

    rennes, cesson, brest = (48.111, -1.680), (48.121, -1.603), (48.390, -4.486)
    lats, lons = zip(rennes, rennes, cesson, brest, strict=True)
    frame = maps.map_frame(list(lats), list(lons))
    names = frame.labels["commune"].tolist()
    # Rennes (two points) keeps its name; Cesson-Sévigné, a few pixels away at this zoom, yields.
    assert names[0] == "Rennes" and "Brest" in names and "Cesson-Sévigné" not in names
    close = maps.map_frame([rennes[0], cesson[0]], [rennes[1], cesson[1]])
    assert set(close.labels["commune"]) == {"Rennes", "Cesson-Sévigné"}  # zoomed in, both fit
