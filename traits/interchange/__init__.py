"""The interchange format of a territory: read, validate, write (see docs/format.md)."""
