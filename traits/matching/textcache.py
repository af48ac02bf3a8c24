"""Per-text analyses kept between fits: a refit after one new diagnostic analyses only its texts.

Stems, subcategory evidence, quantities and days depend on a text alone (and on the
vocabulary, for the evidence), so they are kept by text in the process. Each cache is bounded:
indexing a very large territory does not hold every text's analysis.
"""

from __future__ import annotations

import functools
import gc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

__all__ = ["TEXT_CACHE_SIZE", "TextCache", "fewer_collections", "forget_texts"]

#: Texts kept by each cache.
TEXT_CACHE_SIZE = 100_000

T = TypeVar("T")
#: Every cache made, so that an erasure can empty them all (they hold texts as written).
_ALL: weakref.WeakSet[TextCache[Any]] = weakref.WeakSet()


class TextCache(Generic[T]):
    """``compute(text)``, remembered for the first :data:`TEXT_CACHE_SIZE` distinct texts.

    The values are shared between callers: they must not be modified.
    """

    def __init__(self, compute: Callable[[str], T], size: int = TEXT_CACHE_SIZE) -> None:
        self.compute = compute
        self.size = size
        self._store: dict[str, T] = {}
        _ALL.add(self)

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


def forget_texts() -> None:
    """Empty every text cache of this process (after an erasure: they key on erased texts)."""
    for cache in list(_ALL):
        cache.clear()


#: First threshold of the cyclic garbage collector while a fit or a match runs (default 700).
FIT_GC_THRESHOLD = 100_000


@contextmanager
def _collections_spaced() -> Iterator[None]:
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], FIT_GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


F = TypeVar("F", bound=Callable[..., Any])


def fewer_collections(func: F) -> F:
    """Run ``func`` with the cyclic garbage collector's first threshold raised.

    A fit allocates hundreds of thousands of small objects and keeps many of them (the
    caches above): with the default threshold the collector scans the kept ones again and
    again, about a tenth of a whole-territory match. Reference counting still frees
    everything at once; cycles are collected, only less often. The threshold is restored
    after the call (mypy does the same for its whole run).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _collections_spaced():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
