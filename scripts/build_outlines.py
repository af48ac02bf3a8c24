"""Build the outlines of Brittany's communes and EPCI shipped for offline maps.

    git clone https://github.com/gregoiredavid/france-geojson
    git -C france-geojson checkout d34ee6d0140c29f785fdb047d9329f1aab58833
    python scripts/build_outlines.py france-geojson

Source: gregoiredavid/france-geojson, files ``departements/{22,29,35,56}-*/communes-*.geojson``:
outlines from IGN Admin Express COG, 2018 edition, codes and names from INSEE's COG 2018,
simplified by their author with mapshaper (snap, Visvalingam weighted 25 %, 5 decimals), so
neighbouring communes share identical vertices. Licence Ouverte / Etalab; attribution
« Contours : IGN Admin Express COG 2018, Licence Ouverte ».

The 2018 communes are merged into the current communes of the shipped gazetteer
(``communes_bretagne.csv``): a 2018 code that is no longer a commune is found among the former
communes (``communes_anciennes_bretagne.csv``, by code, then by name). Merged outlines are the
union of their parts (shared edges cancel, see :func:`traits.outlines.dissolve`); the EPCI are
dissolved the same way from their member communes (``epci_bretagne.csv``). Coordinates are then
rounded to 4 decimals (about 10 m) and written delta-coded to
``traits/data/contours_bretagne.json.gz``. The script prints its counts and every 2018 commune
it could not place.
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from traits.geo import normalise_commune  # noqa: E402
from traits.outlines import (  # noqa: E402
    KEEP,
    OUTLINES_RESOURCE,
    SCALE,
    Ring,
    detail_levels,
    dissolve,
    encode_rings,
    oriented,
    signed_area,
)

DATA = ROOT / "traits" / "data"
DEPARTEMENTS = ("22-cotes-d-armor", "29-finistere", "35-ille-et-vilaine", "56-morbihan")
SOURCE_SCALE = 100_000  # the source's 5 decimals, as exact integers


def read_source(folder: Path) -> list[dict]:
    """The 2018 commune features of the four départements, from a checkout or a git directory."""
    features = []
    for dep in DEPARTEMENTS:
        name = f"departements/{dep}/communes-{dep}.geojson"
        if (folder / name).exists():
            text = (folder / name).read_text(encoding="utf-8")
        else:  # a bare mirror: read the committed file
            text = subprocess.run(
                ["git", "-C", str(folder), "show", f"HEAD:{name}"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
        features += json.loads(text)["features"]
    return features


def polygons(geometry: dict) -> list[list[list[tuple[int, int]]]]:
    """The polygons of a (Multi)Polygon, in integer source units."""
    parts = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [
        [[(round(x * SOURCE_SCALE), round(y * SOURCE_SCALE)) for x, y in ring] for ring in part]
        for part in parts
    ]


def current_code(code: str, name: str, current: set[str], former: list[dict]) -> str | None:
    """The current commune a 2018 commune belongs to, or None."""
    if code in current:
        return code
    by_code = {r["former_insee"]: r["insee"] for r in former if r["former_insee"]}
    if by_code.get(code) in current:
        return by_code[code]
    key = normalise_commune(name)
    found = {r["insee"] for r in former if normalise_commune(r["former_name"]) == key}
    return found.pop() if len(found) == 1 and found <= current else None


def rounded(rings: list[Ring]) -> list[Ring]:
    """Rings at 4 decimals; repeated points and rings left without area are dropped."""
    step = SOURCE_SCALE // SCALE
    out = []
    for ring in rings:
        points: Ring = []
        for x, y in ring:
            point = (round(x / step), round(y / step))
            if not points or points[-1] != point:
                points.append(point)
        while len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) >= 3 and signed_area(points) != 0:
            out.append(points)
    return out


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def communes_now(
    features: list[dict], names: dict[str, str], former: list[dict[str, str]]
) -> tuple[dict[str, list[Ring]], int, list[str]]:
    """Current commune → its outline (the union of its 2018 parts); the number of 2018
    communes merged since, and the 2018 communes that could not be placed."""
    parts: dict[str, list[Ring]] = {}
    merged, unmatched = 0, []
    for feature in features:
        code, name = feature["properties"]["code"], feature["properties"]["nom"]
        target = current_code(code, name, set(names), former)
        if target is None:
            unmatched.append(f"{code} {name}")
            continue
        merged += target != code
        for polygon in polygons(feature["geometry"]):
            parts.setdefault(target, []).extend(oriented(polygon))
    return {code: dissolve(rings) for code, rings in parts.items()}, merged, unmatched


def epci_membership() -> dict[str, str]:
    """Commune → EPCI code (the EPCI file already places the communes the gazetteer still
    holds but that were absorbed since: see build_geo_history.absorbed_members)."""
    return {row["insee"]: row["epci"] for row in read_csv("epci_bretagne.csv")}


def main(source: str) -> int:
    features = read_source(Path(source))
    names: dict[str, str] = {}
    for row in read_csv("communes_bretagne.csv"):
        names.setdefault(row["insee"], row["name"])
    former = read_csv("communes_anciennes_bretagne.csv")
    communes, merged, unmatched = communes_now(features, names, former)
    epci_of = epci_membership()
    epci_names = {row["epci"]: row["epci_name"] for row in read_csv("epci_bretagne.csv")}
    epcis = {
        code: dissolve(
            ring for insee, e in epci_of.items() if e == code for ring in communes.get(insee, [])
        )
        for code in epci_names
    }
    communes = {code: rounded(rings) for code, rings in communes.items()}
    epcis = {code: rounded(rings) for code, rings in epcis.items()}
    levels = detail_levels(communes.values(), SCALE)

    def row(code: str, name: str, rings: list[Ring]) -> dict:
        return {
            "code": code,
            "name": name,
            "rings": encode_rings(rings),
            "levels": [[levels.get(p, KEEP) for p in ring] for ring in rings],
        }

    document = {
        "source": "IGN Admin Express COG 2018, INSEE COG 2018, via gregoiredavid/france-geojson",
        "licence": "Licence Ouverte / Etalab",
        "communes": [
            {**row(c, names[c], communes[c]), "epci": epci_of.get(c, "")} for c in sorted(communes)
        ],
        "epcis": [row(e, epci_names[e], epcis[e]) for e in sorted(epcis)],
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    (DATA / OUTLINES_RESOURCE).write_bytes(gzip.compress(payload, 9, mtime=0))
    missing = sorted(set(names) - set(communes))
    rings = [len(r) for r in epcis.values()]
    print(f"communes de 2018 lues : {len(features)}")
    print(f"  rattachées à une commune nouvelle depuis : {merged}")
    print(f"  non rattachées : {len(unmatched)} {unmatched}")
    print(f"communes actuelles : {len(communes)} contours sur {len(names)}, sans : {missing}")
    print(f"communes sans EPCI : {sorted(names[c] for c in communes if not epci_of.get(c))}")
    print(f"EPCI : {len(epcis)} contours, {sum(rings)} anneaux (au plus {max(rings)} pour un EPCI)")
    print(f"points : {sum(len(r) for f in communes.values() for r in f):,} pour les communes")
    print(f"fichier : {DATA / OUTLINES_RESOURCE} ({len(payload):,} octets, gzip "
          f"{(DATA / OUTLINES_RESOURCE).stat().st_size:,})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "france-geojson"))
