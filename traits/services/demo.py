"""The sample territory, kept apart from real data.

The fictional territory (``data/samples/vitre``, 31 invented contacts) lives in its own
SQLite file beside the facilitator's database, so that its people never appear in a real
base's lists, purges or reports. It is created on demand (« Explorer le territoire
d'exemple ») and can be removed at any time.
"""

from __future__ import annotations

import os
from pathlib import Path

from traits.services.data import list_territories, load_demo
from traits.storage import Store
from traits.storage.db import resolve_url

__all__ = ["demo_path", "open_demo", "remove_demo"]

DEMO_SUFFIX = "-exemple.sqlite"


def demo_path(main_db: str | None) -> Path | None:
    """Where the sample base of a database lives: beside it (``None`` for a server database)."""
    url = resolve_url(main_db)
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    main = Path(url.removeprefix("sqlite:///"))
    return main.with_name(main.stem + DEMO_SUFFIX)


def open_demo(main_db: str | None) -> Store:
    """The sample base of ``main_db``, created with the sample territory on first use."""
    path = demo_path(main_db)
    if path is None:
        from traits.errors import InvalidInputError

        raise InvalidInputError(
            "le territoire d'exemple n'est proposé que sur un poste (base SQLite), pas sur une "
            "base partagée."
        )
    store = Store(path)
    if not list_territories(store):
        load_demo(store)
    return store


def remove_demo(main_db: str | None, store: Store | None = None) -> bool:
    """Delete the sample base (and its journal files); whether there was one."""
    path = demo_path(main_db)
    if path is None:
        return False
    if store is not None:
        store.dispose()
    found = False
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            os.remove(candidate)
            found = True
    return found
