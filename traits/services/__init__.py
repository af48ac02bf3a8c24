"""The service layer: the one door the CLI, the app and the notebooks go through."""

from traits.services.data import (
    ImportReport,
    export_territory,
    import_territory,
    list_territories,
    load_demo,
    parse_source,
    stats,
)

__all__ = [
    "ImportReport",
    "export_territory",
    "import_territory",
    "list_territories",
    "load_demo",
    "parse_source",
    "stats",
]
