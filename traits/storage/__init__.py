"""Storage: SQLAlchemy Core tables, the Store (engine given by the caller) and migrations."""

from traits.storage.db import Store, default_db_path, resolve_url

__all__ = ["Store", "default_db_path", "resolve_url"]
