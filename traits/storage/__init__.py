"""Storage: SQLAlchemy Core tables, the Store (engine given by the caller) and migrations."""

from traits.storage.db import DB_ENV, Store, default_db_path, resolve_url

__all__ = ["DB_ENV", "Store", "default_db_path", "resolve_url"]
