#!/usr/bin/env python3
"""Validate the labelled evaluation territories (stdlib only).

Usage:
    python tests/data/labelled/check_labelled.py [FOLDER ...]

Without arguments every sub-folder of this directory that holds an
organisations.csv is checked. Exit status 0 when everything passes, 1 otherwise.

Checks, per folder:
  * the three files exist, are UTF-8, comma-separated, with the expected headers;
  * org_id and item_id are unique (also across all the checked folders);
  * required fields are filled; kind, direction, category and grade are valid values;
  * postcodes have five digits; lat/lon are decimal degrees with 4 decimals, inside
    Brittany (47.2-48.95 N, -5.2 to -1.0 E);
  * items reference an existing organisation;
  * relevance pairs: need_id is a need, offer_id is an offer, of different
    organisations, grade in {1, 2}, no duplicate pair;
  * 12-20 organisations per folder (12-26 for pontivy);
  * ids carry the folder's prefix (m_, l_, r_, p_), then n_/o_ for needs/offers;
  * in folders listed in MISSING_COORDS_OK (pontivy), lat/lon may be left empty together
    (unknown coordinates, to be resolved from commune/postcode);
  * the "zero-overlap" paraphrase pairs declared below are labelled and really share
    no content word (compared on accent-free 5-letter prefixes);
  * at least one "distance" case per folder: a need with a grade-2 offer at most
    10 km away and a grade-1 offer at least 40 km away;
  * pools.csv / pools_rejected.csv when present (required for the four folders listed in
    PREFIXES): header pool_id,need_ids,form,note; unique pool_id; need_ids separated by "|",
    each an existing need of this folder, no repeat, from at least two organisations; form in
    POOL_FORMS; a note; and, for accepted pools of a physical form (PHYSICAL_FORMS), no two
    organisations with known coordinates more than POOL_MAX_KM apart.
Then prints counts per folder and overall.
"""

from __future__ import annotations

import csv
import math
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent

ORG_HEADER = [
    "org_id",
    "name",
    "kind",
    "legal_form",
    "commune",
    "postcode",
    "lat",
    "lon",
    "description",
]
ITEM_HEADER = ["item_id", "org_id", "direction", "category", "title", "description"]
REL_HEADER = ["need_id", "offer_id", "grade"]

KINDS = {"ess", "company", "public", "other"}
DIRECTIONS = {"need", "offer"}
CATEGORIES = {"skills", "equipment", "purchasing", "premises", "volunteering", "funding", "other"}
LAT_RANGE = (47.2, 48.95)
LON_RANGE = (-5.2, -1.0)
ORG_COUNT_RANGE = (12, 20)
ORG_COUNT_RANGE_BY_FOLDER = {"pontivy": (12, 26)}
PREFIXES = {"morlaix": "m_", "lamballe": "l_", "redon": "r_", "pontivy": "p_"}
# Folders where about a third of the organisations have unknown coordinates on purpose.
MISSING_COORDS_OK = {"pontivy"}
POOL_HEADER = ["pool_id", "need_ids", "form", "note"]
POOL_FORMS = {
    "groupement de commandes",
    "prêt mutualisé",
    "locaux partagés",
    "emploi partagé",
    "formation collective",
    "journée de bénévolat",
    "collecte mutualisée",
    "démarche commune",
    "financement commun",
    "accompagnement mutualisé",
}
# Forms whose shared answer is a physical thing or place: the organisations must be close.
PHYSICAL_FORMS = {
    "prêt mutualisé",
    "locaux partagés",
    "collecte mutualisée",
    "journée de bénévolat",
}
POOL_MAX_KM = 40.0
LOCAL_KM, FAR_KM = 10.0, 40.0

# Pairs written as paraphrases sharing no word (not even a stem) with each other.
ZERO_OVERLAP = {
    "morlaix": [
        ("m_n_rec_camion", "m_o_transp_fourgon"),
        ("m_n_rec_tri", "m_o_agro_salaries"),
        ("m_n_tl_web", "m_o_num_web"),
        ("m_n_tl_compta", "m_o_cab_compta"),
        ("m_n_hotel_jardin", "m_o_esat_jardin"),
        ("m_n_fest_accueil", "m_o_synd_materiel"),
        ("m_n_fest_renforts", "m_o_rugby_bras"),
        ("m_n_ai_entretiens", "m_o_assur_jury"),
    ],
    "lamballe": [
        ("l_n_voile_transport", "l_o_pub_minibus"),
        ("l_n_potag_labour", "l_o_terr_tracteur"),
        ("l_n_velo_pieces", "l_o_pub_fourriere"),
        ("l_n_fam_devoirs", "l_o_etu_tutorat"),
        ("l_n_scic_toits", "l_o_charc_toit"),
        ("l_n_charc_tenues", "l_o_esat_linge"),
    ],
    "pontivy": [
        ("p_n_aci_broyeur", "p_o_pub_regie"),
        ("p_n_banque_ag", "p_o_esat_cuisine"),
        ("p_n_hyper_ev", "p_o_esat_ev"),
    ],
    "redon": [
        ("r_n_rec_deee", "r_o_ea_deee"),
        ("r_n_aci_fosses", "r_o_cuma_pelle"),
        ("r_n_epi_vendredi", "r_o_cosm_salaries"),
        ("r_n_lait_herbe", "r_o_esat_jardin"),
        ("r_n_theatre_spectacle", "r_o_cosm_fondation"),
        ("r_n_fete_affiche", "r_o_com_identite"),
    ],
}

# Function words ignored by the overlap test (accent-free, 4+ letters).
STOPWORDS = set(
    """
pour avec dans nous notre votre vous leur leurs elle elles sont sans sous plus tout tous toute
toutes faut faudrait peut chaque quelques quelque aussi mais comme cette ceux celui celle entre
depuis avant apres pendant encore alors donc bien tres trop meme autre autres deux trois quand
avoir etre fait faire chez vers rien quoi dont lors ainsi parce puis ici
""".split()
)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def stems(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", strip_accents(text.lower()))
    return {w[:5] for w in words if len(w) >= 4 and w not in STOPWORDS}


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def read_csv(path: Path, header: list[str], errors: list[str]) -> list[dict[str, str]]:
    if not path.is_file():
        errors.append(f"{path}: missing")
        return []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(f"{path}: not UTF-8 ({exc})")
        return []
    if text.startswith("\ufeff"):
        errors.append(f"{path}: has a BOM (plain UTF-8 expected)")
        text = text[1:]
    reader = csv.reader(text.splitlines(), delimiter=",")
    rows = list(reader)
    if not rows or rows[0] != header:
        errors.append(f"{path}: header {rows[0] if rows else None} != {header}")
        return []
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            errors.append(f"{path}:{n}: {len(row)} fields, expected {len(header)}")
            continue
        out.append(dict(zip(header, (v.strip() for v in row), strict=True)))
    return out


def check_folder(folder: Path, seen_orgs: dict, seen_items: dict) -> tuple[list[str], dict]:
    errors: list[str] = []
    name = folder.name
    orgs = read_csv(folder / "organisations.csv", ORG_HEADER, errors)
    items = read_csv(folder / "items.csv", ITEM_HEADER, errors)
    rels = read_csv(folder / "relevance.csv", REL_HEADER, errors)

    org_by_id: dict[str, dict] = {}
    coords: dict[str, tuple[float, float]] = {}
    for o in orgs:
        oid = o["org_id"]
        where = f"{name}/organisations.csv[{oid}]"
        if not oid:
            errors.append(f"{where}: empty org_id")
            continue
        if oid in org_by_id or oid in seen_orgs:
            errors.append(f"{where}: duplicate org_id (also in {seen_orgs.get(oid, name)})")
        org_by_id[oid] = o
        seen_orgs.setdefault(oid, name)
        prefix = PREFIXES.get(name)
        if prefix and not oid.startswith(prefix):
            errors.append(f"{where}: org_id should start with {prefix!r}")
        coords_optional = name in MISSING_COORDS_OK
        for col in ("name", "kind", "commune", "postcode", "lat", "lon"):
            if not o[col] and not (coords_optional and col in ("lat", "lon")):
                errors.append(f"{where}: empty {col}")
        if o["kind"] and o["kind"] not in KINDS:
            errors.append(f"{where}: kind {o['kind']!r} not in {sorted(KINDS)}")
        if o["postcode"] and not re.fullmatch(r"\d{5}", o["postcode"]):
            errors.append(f"{where}: postcode {o['postcode']!r} is not 5 digits")
        if coords_optional and not o["lat"] and not o["lon"]:
            continue
        try:
            lat, lon = float(o["lat"]), float(o["lon"])
        except ValueError:
            errors.append(f"{where}: lat/lon not numbers ({o['lat']!r}, {o['lon']!r})")
            continue
        for col in ("lat", "lon"):
            if not re.fullmatch(r"-?\d+\.\d{4}", o[col]):
                errors.append(f"{where}: {col} {o[col]!r} should have 4 decimals")
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            errors.append(f"{where}: ({lat}, {lon}) outside Brittany bounds")
        coords[oid] = (lat, lon)
    low, high = ORG_COUNT_RANGE_BY_FOLDER.get(name, ORG_COUNT_RANGE)
    if not low <= len(orgs) <= high:
        errors.append(f"{name}: {len(orgs)} organisations, expected {low}-{high}")

    item_by_id: dict[str, dict] = {}
    for it in items:
        iid = it["item_id"]
        where = f"{name}/items.csv[{iid}]"
        if not iid:
            errors.append(f"{where}: empty item_id")
            continue
        if iid in item_by_id or iid in seen_items:
            errors.append(f"{where}: duplicate item_id (also in {seen_items.get(iid, name)})")
        item_by_id[iid] = it
        seen_items.setdefault(iid, name)
        prefix = PREFIXES.get(name)
        if prefix:
            expected = prefix + {"need": "n_", "offer": "o_"}.get(it["direction"], "")
            if not iid.startswith(expected):
                errors.append(f"{where}: item_id should start with {expected!r}")
        if it["org_id"] not in org_by_id:
            errors.append(f"{where}: unknown org_id {it['org_id']!r}")
        if it["direction"] not in DIRECTIONS:
            errors.append(f"{where}: direction {it['direction']!r} not in {sorted(DIRECTIONS)}")
        if it["category"] not in CATEGORIES:
            errors.append(f"{where}: category {it['category']!r} not in {sorted(CATEGORIES)}")
        if not it["title"]:
            errors.append(f"{where}: empty title")

    pairs: dict[tuple[str, str], int] = {}
    for n, r in enumerate(rels, start=2):
        where = f"{name}/relevance.csv:{n}"
        need, offer = item_by_id.get(r["need_id"]), item_by_id.get(r["offer_id"])
        if need is None:
            errors.append(f"{where}: unknown need_id {r['need_id']!r}")
        elif need["direction"] != "need":
            errors.append(f"{where}: {r['need_id']} is not a need")
        if offer is None:
            errors.append(f"{where}: unknown offer_id {r['offer_id']!r}")
        elif offer["direction"] != "offer":
            errors.append(f"{where}: {r['offer_id']} is not an offer")
        if need and offer and need["org_id"] == offer["org_id"]:
            errors.append(
                f"{where}: need and offer belong to the same organisation {need['org_id']}"
            )
        if r["grade"] not in {"1", "2"}:
            errors.append(f"{where}: grade {r['grade']!r} not in {{1, 2}}")
        key = (r["need_id"], r["offer_id"])
        if key in pairs:
            errors.append(f"{where}: duplicate pair {key}")
        pairs[key] = int(r["grade"]) if r["grade"] in {"1", "2"} else 0

    # Declared zero-overlap paraphrases.
    for need_id, offer_id in ZERO_OVERLAP.get(name, []):
        if (need_id, offer_id) not in pairs:
            errors.append(f"{name}: zero-overlap pair ({need_id}, {offer_id}) is not labelled")
            continue
        need, offer = item_by_id[need_id], item_by_id[offer_id]
        common = stems(need["title"] + " " + need["description"]) & stems(
            offer["title"] + " " + offer["description"]
        )
        if common:
            errors.append(
                f"{name}: zero-overlap pair ({need_id}, {offer_id}) shares {sorted(common)}"
            )

    # Distance cases.
    by_need: dict[str, list[tuple[str, int]]] = {}
    for (need_id, offer_id), grade in pairs.items():
        by_need.setdefault(need_id, []).append((offer_id, grade))
    distance_cases = []
    for need_id, offers in by_need.items():
        need = item_by_id.get(need_id)
        if not need or need["org_id"] not in coords:
            continue

        def dist(offer_id: str, here: str = need["org_id"]) -> float:
            return haversine_km(coords[here], coords[item_by_id[offer_id]["org_id"]])

        offers = [
            (o, g) for o, g in offers if o in item_by_id and item_by_id[o]["org_id"] in coords
        ]
        near2 = [o for o, g in offers if g == 2 and dist(o) <= LOCAL_KM]
        far1 = [o for o, g in offers if g == 1 and dist(o) >= FAR_KM]
        if near2 and far1:
            distance_cases.append(
                (need_id, near2[0], round(dist(near2[0]), 1), far1[0], round(dist(far1[0]), 1))
            )
    if not distance_cases and not errors:
        errors.append(
            f"{name}: no distance case (grade 2 <= {LOCAL_KM} km and grade 1 >= {FAR_KM} km)"
        )

    pool_counts = check_pools(folder, item_by_id, coords, errors)

    needs = [i for i in items if i["direction"] == "need"]
    offers = [i for i in items if i["direction"] == "offer"]
    labelled = {n for n, _ in pairs}
    stats = {
        "organisations": len(orgs),
        "needs": len(needs),
        "offers": len(offers),
        "labelled needs": len(labelled),
        "needs without answer": len(needs) - len(labelled & {i["item_id"] for i in needs}),
        "pairs": len(pairs),
        "grade 2": sum(1 for g in pairs.values() if g == 2),
        "grade 1": sum(1 for g in pairs.values() if g == 1),
        "single-answer needs": sum(1 for v in by_need.values() if len(v) == 1),
        "zero-overlap pairs": len(ZERO_OVERLAP.get(name, [])),
        "distance cases": len(distance_cases),
        "pools": pool_counts[0],
        "rejected pools": pool_counts[1],
    }
    for case in distance_cases:
        print(
            f"  [{name}] distance case {case[0]}: grade 2 {case[1]} at {case[2]} km, grade 1 {case[3]} at {case[4]} km"
        )
    return errors, stats


def check_pools(folder: Path, item_by_id: dict, coords: dict, errors: list[str]) -> tuple[int, int]:
    """Validate pools.csv and pools_rejected.csv; return (accepted, rejected) counts."""
    name = folder.name
    counts = []
    seen_pools: set[str] = set()
    for filename, rejected in (("pools.csv", False), ("pools_rejected.csv", True)):
        path = folder / filename
        if not path.is_file():
            if not rejected and name in PREFIXES:
                errors.append(f"{path}: missing")
            counts.append(0)
            continue
        rows = read_csv(path, POOL_HEADER, errors)
        counts.append(len(rows))
        for n, row in enumerate(rows, start=2):
            where = f"{name}/{filename}:{n}[{row['pool_id']}]"
            if not row["pool_id"]:
                errors.append(f"{where}: empty pool_id")
            elif row["pool_id"] in seen_pools:
                errors.append(f"{where}: duplicate pool_id")
            seen_pools.add(row["pool_id"])
            if row["form"] not in POOL_FORMS:
                errors.append(f"{where}: form {row['form']!r} not in {sorted(POOL_FORMS)}")
            if not row["note"]:
                errors.append(f"{where}: empty note")
            ids = [i.strip() for i in row["need_ids"].split("|")]
            if len(set(ids)) != len(ids):
                errors.append(f"{where}: a need is listed twice")
            org_ids = []
            for iid in ids:
                item = item_by_id.get(iid)
                if item is None:
                    errors.append(f"{where}: unknown need {iid!r} (not in {name}/items.csv)")
                elif item["direction"] != "need":
                    errors.append(f"{where}: {iid} is not a need")
                else:
                    org_ids.append(item["org_id"])
            if len(set(org_ids)) < 2:
                errors.append(f"{where}: needs of fewer than two organisations")
            if not rejected and row["form"] in PHYSICAL_FORMS:
                known = sorted({o for o in org_ids if o in coords})
                for i, a in enumerate(known):
                    for b in known[i + 1 :]:
                        km = haversine_km(coords[a], coords[b])
                        if km > POOL_MAX_KM:
                            errors.append(
                                f"{where}: physical pool spans {a} and {b}, {km:.0f} km apart"
                            )
    return counts[0], counts[1]


def main(argv: list[str]) -> int:
    folders = (
        [Path(a) for a in argv]
        if argv
        else sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "organisations.csv").exists())
    )
    if not folders:
        print("no territory folder found", file=sys.stderr)
        return 1
    seen_orgs: dict = {}
    seen_items: dict = {}
    all_errors: list[str] = []
    totals: dict[str, int] = {}
    for folder in folders:
        errors, stats = check_folder(folder, seen_orgs, seen_items)
        all_errors += errors
        print(f"{folder.name}: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
        for k, v in stats.items():
            totals[k] = totals.get(k, 0) + v
    print("total: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    if all_errors:
        print(f"\n{len(all_errors)} problem(s):", file=sys.stderr)
        for e in all_errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
