"""Build the kit's booklet (PDF) alone, for a territory of a database or as a blank kit.

    python scripts/build_booklet.py [--output build/livret-traits-d-unions.pdf]
                                    [--db BASE] [--territory ID] [--pole NOM] [--contact CONTACT]

The whole kit (booklet, Word templates, plaquette, summary) is ``traits kit DOSSIER``; this
script is for whoever edits the chapters and wants to see the booklet quickly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from traits.errors import TraitsError  # noqa: E402
from traits.kit import booklet  # noqa: E402
from traits.services.kit import kit_profile  # noqa: E402
from traits.storage import Store  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Livret PDF du kit d'essaimage.")
    parser.add_argument("--output", "-o", type=Path, default=ROOT / "build" / booklet.FILE_NAME)
    parser.add_argument("--db", help="Base (fichier SQLite ou URL) ; sans elle, un kit vierge.")
    parser.add_argument("--territory", help="Identifiant du territoire.")
    parser.add_argument("--pole", default="", help="Nom du Pôle ESS.")
    parser.add_argument("--contact", default="", help="Contact du Pôle.")
    args = parser.parse_args(argv)
    try:
        if args.db:
            store = Store(args.db)
            profile, _ = kit_profile(store, args.territory, pole=args.pole, contact=args.contact)
            store.dispose()
        else:
            profile = booklet.KitProfile("votre territoire", pole=args.pole, contact=args.contact)
        data = booklet.build(profile)
    except TraitsError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"Livret écrit : {args.output} ({len(data) // 1024} Kio).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
