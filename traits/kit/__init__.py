"""The kit d'essaimage generated for one territory: booklet, Word templates, plaquette, summary.

Each Word template has one source in ``sources/`` (a small Markdown subset, see
:mod:`traits.kit.documents`); the booklet is built from the coordinator's chapters in
``docs/kit-essaimage/``. Generation is deterministic for a given profile and edition date, so
the command line and the app give byte-identical files.
"""

from traits.kit.profile import KitProfile

__all__ = ["KitProfile"]
