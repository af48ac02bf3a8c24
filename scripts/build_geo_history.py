"""Build the former-commune and EPCI tables of Brittany shipped beside the gazetteer.

    npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-*.tgz
    python scripts/build_geo_history.py package/data

Source: the npm package ``@etalab/decoupage-administratif`` 6.0.0 (MIT; its data comes from
INSEE's Code officiel géographique), files ``communes.json`` and ``epci.json``. It writes:

* ``traits/data/communes_anciennes_bretagne.csv``: every former commune of Brittany that the
  source still names (communes déléguées and associées of a commune nouvelle), plus the few
  2015–2019 mergers whose former communes the source only gives by code, written from public
  knowledge and marked ``source=connaissance`` (see ``KNOWN`` below and data/README.md).
* ``traits/data/epci_bretagne.csv``: every EPCI with at least one Breton member, and its
  Breton member communes (INSEE codes; members outside the four départements are left out,
  the gazetteer does not hold them). The gazetteer (``communes_bretagne.csv``) is older than
  the source: the communes it still holds that have since merged into a member (Pléven,
  Saint-Launeuc, Coëtlogon, Le Cambout in 2025) are listed in the EPCI of their commune
  nouvelle, so that every commune of the gazetteer is in one EPCI (the three island communes
  Île-de-Bréhat, Ouessant and Île-de-Sein belong to none, by law).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "traits" / "data"
BRITTANY = ("22", "29", "35", "56")

#: Former communes merged in 2015-2019 that the source gives only by INSEE code, or whose
#: name disappeared with the merger (the new commune kept their code under a new name):
#: (former name, new commune's INSEE code). Written from public knowledge; every code is
#: checked to be a current commune of the source (a KeyError otherwise).
KNOWN: tuple[tuple[str, str], ...] = (
    ("Tréméloir", "22251"),  # Pordic, 2016
    ("Dolo", "22084"),  # Jugon-les-Lacs - Commune Nouvelle, 2016
    ("Guipry", "35176"),  # Guipry-Messac, 2016
    ("Messac", "35176"),
    ("La Chapelle-du-Lou", "35060"),  # La Chapelle du Lou du Lac, 2016
    ("Le Lou-du-Lac", "35060"),
    ("Theix", "56251"),  # Theix-Noyalo, 2016
    ("Noyalo", "56251"),
    ("Pluméliau", "56173"),  # Pluméliau-Bieuzy, 2019
    ("Bieuzy", "56173"),
    ("Monterrein", "56165"),  # Ploërmel, 2019
)


def former_communes(communes: list[dict]) -> list[dict[str, str]]:
    """Named former communes of Brittany → the current commune they are part of."""
    current = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}
    rows = []
    for c in communes:
        if c.get("departement") not in BRITTANY or c["type"] == "commune-actuelle":
            continue
        if c["type"] not in ("commune-deleguee", "commune-associee"):
            continue
        parent = current.get(c.get("chefLieu") or c["code"])
        if parent is None or parent["nom"] == c["nom"]:
            continue
        rows.append(
            {
                "former_name": c["nom"],
                "former_insee": c["code"],
                "insee": parent["code"],
                "name": parent["nom"],
                "source": "cog",
            }
        )
    for name, insee in KNOWN:
        parent = current[insee]
        rows.append(
            {"former_name": name, "former_insee": "", "insee": insee, "name": parent["nom"],
             "source": "connaissance"}
        )  # fmt: skip
    return sorted(rows, key=lambda r: (r["insee"], r["former_name"]))


def epci_members(epcis: list[dict]) -> list[dict[str, str]]:
    """EPCIs with a Breton member, one row per Breton member commune."""
    rows = []
    for e in epcis:
        members = [m for m in e["membres"] if m["code"][:2] in BRITTANY]
        for m in members:
            rows.append({"epci": e["code"], "epci_name": e["nom"], "insee": m["code"]})
    return sorted(rows, key=lambda r: (r["epci_name"], r["insee"]))


def absorbed_members(
    rows: list[dict[str, str]], gazetteer: set[str], former: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The EPCI rows, plus one for each commune the gazetteer still holds as its own commune
    but that the source (more recent) has merged into a member: it belongs to the EPCI of the
    commune nouvelle it joined (Pléven → Val-d'Arguenon, Dinan Agglomération), so that every
    commune of the gazetteer is in the EPCI its commune nouvelle is in."""
    by_insee = {r["insee"]: r for r in rows}
    extra = []
    for f in former:
        code, into = f["former_insee"], by_insee.get(f["insee"])
        if code in gazetteer and code not in by_insee and into is not None:
            extra.append({**into, "insee": code})
            by_insee[code] = extra[-1]
    return sorted(rows + extra, key=lambda r: (r["epci_name"], r["insee"]))


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(source: str) -> int:
    folder = Path(source)
    communes = json.loads((folder / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((folder / "epci.json").read_text(encoding="utf-8"))
    former = former_communes(communes)
    write(DATA / "communes_anciennes_bretagne.csv", former)
    gazetteer = {row["insee"] for row in read(DATA / "communes_bretagne.csv")}
    write(DATA / "epci_bretagne.csv", absorbed_members(epci_members(epcis), gazetteer, former))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "package/data"))
