"""The pieces that make matching fast at scale compute what the straightforward code computes.

Paired dot products read feature matrices in place, row maxima are found without scipy's
per-row loop, explanations prepare their items together, and per-text analyses are kept
between fits: each is checked against the plain computation on small random inputs, and a
refit against a fit from nothing (no timing here: speed is measured by
``benchmarks/bench_matching.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from traits.matching import MatchConfig, Matcher
from traits.matching.comparison import paired_dot
from traits.matching.constraints import row_top
from traits.matching.explain import Explainer, _top_codes
from traits.matching.synthetic import synthetic_territory
from traits.matching.textcache import TextCache


def _random_csr(rng: np.random.Generator, n: int, m: int, density: float) -> sp.csr_matrix:
    A = sp.random(n, m, density=density, random_state=rng, format="csr", dtype=np.float64)
    A.data = np.round(A.data * 4) / 4 - 0.25  # ties, explicit zeros and negative values
    # shuffle the columns inside each row: stored order is not column order
    for r in range(n):
        lo, hi = A.indptr[r], A.indptr[r + 1]
        perm = rng.permutation(hi - lo)
        A.indices[lo:hi] = A.indices[lo:hi][perm]
        A.data[lo:hi] = A.data[lo:hi][perm]
    A.has_sorted_indices = False
    return A


@pytest.mark.parametrize("seed", range(5))
def test_paired_dot_is_the_rowwise_dot(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = _random_csr(rng, 40, 30, 0.3)
    B = _random_csr(rng, 40, 30, 0.3)
    left = np.sort(rng.integers(0, 40, 300))
    right = rng.integers(0, 40, 300)
    dense_a, dense_b = A.toarray(), B.toarray()
    expected = np.einsum("ij,ij->i", dense_a[left], dense_a[right])
    np.testing.assert_allclose(paired_dot(A, left, right), expected, atol=1e-12)
    shuffled = rng.permutation(300)  # pairs not grouped by left item
    np.testing.assert_allclose(
        paired_dot(A, left[shuffled], right[shuffled]), expected[shuffled], atol=1e-12
    )
    # rows given by a function, and a different matrix on the right
    np.testing.assert_allclose(paired_dot(lambda i: A[i], left, right), expected, atol=1e-12)
    mixed = np.einsum("ij,ij->i", dense_a[left], dense_b[right])
    np.testing.assert_allclose(paired_dot(A, left, right, B), mixed, atol=1e-12)
    np.testing.assert_allclose(
        paired_dot(lambda i: A[i], left, right, lambda i: B[i]), mixed, atol=1e-12
    )
    assert len(paired_dot(A, left[:0], right[:0])) == 0


@pytest.mark.parametrize("seed", range(5))
def test_row_top_is_scipys_argmax_and_max(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = _random_csr(rng, 60, 7, rng.uniform(0.05, 0.9))
    lo, hi = A.indptr[3], A.indptr[4]  # row 3 emptied
    indptr = A.indptr.copy()
    indptr[4:] -= hi - lo
    A = sp.csr_matrix(
        (np.delete(A.data, np.s_[lo:hi]), np.delete(A.indices, np.s_[lo:hi]), indptr),
        shape=A.shape,
    )
    assert A.indptr[4] == A.indptr[3]
    stored = A.indices.copy()
    top, best = row_top(A)
    assert np.array_equal(A.indices, stored)  # the matrix itself is left as it is
    assert np.array_equal(top, np.asarray(A.argmax(axis=1)).ravel())
    assert np.array_equal(best, np.asarray(A.max(axis=1).todense()).ravel())


@pytest.fixture(scope="module")
def fitted() -> Matcher:
    orgs, items = synthetic_territory(60, 4, random_state=3)
    return Matcher(MatchConfig(top_k=5)).fit(orgs, items)


def test_top_codes_together_are_those_of_each_item(fitted: Matcher) -> None:
    c = fitted.corpus_
    items = list(range(len(c.texts)))
    wanted = ((2, 0.3), (3, 0.2), (1, 0.0))
    together = _top_codes(c, items, wanted)
    E = c.evidence
    for i in items:
        data = E.data[E.indptr[i] : E.indptr[i + 1]]
        cols = E.indices[E.indptr[i] : E.indptr[i + 1]]
        order = np.argsort(-data)
        codes = c.subcategory_model.codes_
        expected = [
            [str(codes[cols[j]]) for j in order[:k] if data[j] >= floor] for k, floor in wanted
        ]
        assert together[i] == expected


def test_modes_of_many_pairs_are_each_pairs_mode(fitted: Matcher) -> None:
    c = fitted.corpus_
    need = np.repeat(c.needs, len(c.offers))
    offer = np.tile(c.offers, len(c.needs))
    together = Explainer(c, fitted.config).modes(need, offer)
    one = Explainer(c, fitted.config)
    assert together == [one.mode(int(n), int(o)) for n, o in zip(need, offer, strict=True)]
    assert len(set(together)) > 1


def test_text_cache_is_bounded_and_returns_what_it_computes() -> None:
    calls: list[str] = []

    def compute(text: str) -> int:
        calls.append(text)
        return len(text)

    cache = TextCache(compute, size=2)
    assert [cache(t) for t in ("a", "bb", "ccc", "a", "bb", "ccc")] == [1, 2, 3, 1, 2, 3]
    assert calls == ["a", "bb", "ccc", "ccc"]  # the third text was not kept
    cache.clear()
    cache("a")
    assert calls[-1] == "a"


def test_a_refit_from_kept_analyses_is_a_fit_from_nothing() -> None:
    from traits.matching import constraints, corpus, explain, features

    orgs, items = synthetic_territory(80, 4, random_state=11)
    caches = [
        constraints._QUANTITIES,
        constraints._AVAILABILITY,
        corpus._ABBREVIATED,
        features._NORMALISED,
        features._STEM_FEATURES,
        explain._WORD_STEMS,
    ]
    for cache in caches:
        cache.clear()
    features._evidence_cache_for.cache_clear()
    first = Matcher(MatchConfig(top_k=5)).fit(orgs, items).match_all()
    kept = [len(cache._store) for cache in caches]
    assert min(kept) > 0
    second = Matcher(MatchConfig(top_k=5)).fit(orgs, items).match_all()
    assert [len(cache._store) for cache in caches] == kept  # nothing analysed again
    assert first == second


def test_needs_taken_by_blocks_give_the_same_shortlists_and_pistes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from traits.matching import pipeline

    orgs, items = synthetic_territory(60, 4, random_state=5)
    config = MatchConfig(top_k=4, use_semantic=False)
    whole = Matcher(config).fit(orgs, items)
    expected = whole.match_all(), whole.pistes()
    first_needs = [str(n) for n in whole.corpus_.items["item_id"][whole.corpus_.needs[:7]]]
    expected_some = whole.match_all(need_ids=first_needs[::-1])
    monkeypatch.setattr(pipeline, "NEED_BLOCK", 3)
    blocks = Matcher(config).fit(orgs, items)
    assert blocks.match_all() == expected[0]
    assert blocks.pistes() == expected[1]
    got_some = blocks.match_all(need_ids=first_needs[::-1])
    assert got_some == expected_some and list(got_some) == list(expected_some)
