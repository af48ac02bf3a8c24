"""Seeded synthetic territories for benchmarks (interchange-format CSV folders)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

COMMUNES = [
    ("Vitré", "35500"),
    ("Fougères", "35300"),
    ("Rennes", "35000"),
    ("Auray", "56400"),
    ("Morlaix", "29600"),
    ("Quimper", "29000"),
    ("Saint-Brieuc", "22000"),
    ("Lorient", "56100"),
    ("Redon", "35600"),
    ("Lamballe-Armor", "22400"),
    ("Châteaugiron", "35410"),
    ("La Guerche-de-Bretagne", "35130"),
    ("Brest", "29200"),
    ("Vannes", "56000"),
]
KINDS = ["ess", "company", "company", "public"]
CATEGORIES = ["skills", "equipment", "purchasing", "premises", "volunteering", "funding", "other"]
WORDS = (
    "entretien espaces verts camion fourgon prêt salle réunion comptabilité site internet "
    "mise sous pli routage traiteur buffet blanchisserie linge nettoyage bureaux mobilier "
    "ordinateurs formation bénévoles collecte dons invendus hangar stockage atelier "
    "communication graphisme impression véhicule utilitaire mécénat fondation subvention"
).split()


def generate(folder: Path, n_orgs: int, n_items: int, seed: int = 0) -> Path:
    """Write organisations.csv and items.csv with ``n_orgs`` and ``n_items`` rows."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "organisations.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["org_id", "name", "kind", "legal_form", "commune", "postcode", "description"])
        for i in range(n_orgs):
            commune, postcode = rng.choice(COMMUNES)
            w.writerow(
                [
                    f"o{i}",
                    f"Structure {i}",
                    rng.choice(KINDS),
                    "association",
                    commune,
                    postcode,
                    " ".join(rng.sample(WORDS, 6)),
                ]
            )
    with open(folder / "items.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["item_id", "org_id", "direction", "category", "title", "description"])
        for j in range(n_items):
            w.writerow(
                [
                    f"i{j}",
                    f"o{rng.randrange(n_orgs)}",
                    rng.choice(["need", "offer"]),
                    rng.choice(CATEGORIES),
                    " ".join(rng.sample(WORDS, 3)),
                    " ".join(rng.sample(WORDS, 12)),
                ]
            )
    return folder
