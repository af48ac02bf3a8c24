"""Per-text analyses kept between fits: a refit after one new diagnostic analyses only its texts.

Stems, subcategory evidence, quantities and days depend on a text alone (and on the
vocabulary, for the evidence), so they are kept by text in the process. Each cache is bounded:
indexing a very large territory does not hold every text's analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["TEXT_CACHE_SIZE", "TextCache"]

#: Texts kept by each cache.
TEXT_CACHE_SIZE = 100_000

T = TypeVar("T")


class TextCache(Generic[T]):
    """``compute(text)``, remembered for the first :data:`TEXT_CACHE_SIZE` distinct texts.

    The values are shared between callers: they must not be modified.
    """

    def __init__(self, compute: Callable[[str], T], size: int = TEXT_CACHE_SIZE) -> None:
        self.compute = compute
        self.size = size
        self._store: dict[str, T] = {}

    def __call__(self, text: str) -> T:
        try:
            return self._store[text]
        except KeyError:
            value = self.compute(text)
            if len(self._store) < self.size:
                self._store[text] = value
            return value

    def clear(self) -> None:
        """Forget every text."""
        self._store.clear()
