"""Time the validation of a sheet typed with names instead of identifiers.

N structures without ids, two items each named by their structure's name (in another case and
without accents), and N-1 partnerships naming their structures and their need and offer by
title; then the same items with every structure name misspelt (all refused). Reading and
validation only, no database. Target: under 5 s for N = 3,000 in both cases.

    python benchmarks/bench_names.py [--n 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from traits.interchange import readers, validate  # noqa: E402


def _folder(n: int, misspelt: bool) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-names-"))
    orgs = "".join(f"Structure numéro {i};association;Vitré\n" for i in range(n))
    (folder / "organisations.csv").write_text("nom;type;commune\n" + orgs, encoding="utf-8")
    ref = "Structur numero" if misspelt else "STRUCTURE NUMERO"
    items = "".join(
        f"{ref} {i};{'besoin' if j == 0 else 'offre'};matériel;Objet {j}\n"
        for i in range(n)
        for j in range(2)
    )
    (folder / "items.csv").write_text("structure;sens;catégorie;intitulé\n" + items, "utf-8")
    if not misspelt:
        parts = "".join(
            f"Structure numéro {i};Objet 0;Structure numéro {i + 1};Objet 1;piste\n"
            for i in range(n - 1)
        )
        header = "structure qui a le besoin;besoin;structure qui offre;offre;statut\n"
        (folder / "partnerships.csv").write_text(header + parts, encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    n = parser.parse_args().n
    for misspelt in (False, True):
        folder = _folder(n, misspelt)
        start = time.perf_counter()
        parsed = validate.validate(readers.read_source(folder))
        seconds = time.perf_counter() - start
        what = "noms mal écrits (refusés)" if misspelt else "noms corrects"
        print(
            f"{what}: {len(parsed.organisations)} structures, {len(parsed.items)} besoins et "
            f"offres, {len(parsed.partnerships)} partenariats, {len(parsed.errors)} erreurs "
            f"en {seconds:.1f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
