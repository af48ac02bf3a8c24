"""The service layer: the one door the CLI, the app and the notebooks go through.

``Store`` is re-exported here so that callers open a database without reaching into
:mod:`traits.storage`.
"""

from traits.services.data import (
    ImportPlan,
    ImportReport,
    export_territory,
    import_territory,
    list_territories,
    load_demo,
    parse_source,
    preview_import,
    stats,
    upload_table,
    wrong_file_types,
)
from traits.services.diagnostics import (
    DiagnosticRecord,
    DiagnosticSummary,
    delete_diagnostic,
    get_diagnostic,
    list_diagnostics,
    save_diagnostic,
    suggest_subcategories,
)
from traits.services.organisations import list_organisations, save_organisation
from traits.services.territories import (
    create_territory,
    get_territory,
    onboarding_checklist,
)
from traits.storage import DB_ENV, Store

__all__ = [
    "DB_ENV",
    "Store",
    "DiagnosticRecord",
    "DiagnosticSummary",
    "ImportPlan",
    "ImportReport",
    "create_territory",
    "delete_diagnostic",
    "export_territory",
    "get_diagnostic",
    "get_territory",
    "import_territory",
    "list_diagnostics",
    "list_organisations",
    "list_territories",
    "load_demo",
    "onboarding_checklist",
    "parse_source",
    "preview_import",
    "save_diagnostic",
    "save_organisation",
    "stats",
    "upload_table",
    "wrong_file_types",
    "suggest_subcategories",
]
