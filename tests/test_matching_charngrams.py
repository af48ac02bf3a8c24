"""The vectorised character n-gram counts are scikit-learn's ``char_wb``, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from traits.matching.charngrams import fit_char_counts
from traits.matching.features import CharTfidf
from traits.text import normalise

ALPHABET = list("abcdeéèçœ xyz  0129'-.!") + ["Ω", "ß", "\t", "\n"]


def _texts(seed: int, n: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(ALPHABET, size=int(rng.integers(0, 40)))) for _ in range(n)]


def _reference(texts: list[str], ngram_range: tuple[int, int] = (3, 5)) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=ngram_range,
        preprocessor=normalise,
        sublinear_tf=True,
        dtype=np.float32,
    )


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)  # same columns in the same order in each row
    assert np.array_equal(a.data, b.data)


@pytest.mark.parametrize("seed", range(6))
def test_fit_transform_is_scikit_learns(seed: int) -> None:
    texts = _texts(seed, 60)
    ref = _reference(texts)
    expected = ref.fit_transform(texts).tocsr()
    ours = CharTfidf()
    _same(ours.fit_transform(texts), expected)
    assert ours.vocabulary_ is not None
    assert ours.vocabulary_.terms() == sorted(ref.vocabulary_, key=ref.vocabulary_.get)
    unseen = _texts(seed + 100, 30)  # n-grams and characters the fit never saw
    _same(ours.transform(unseen), ref.transform(unseen).tocsr())


def test_other_ngram_ranges_and_raw_counts() -> None:
    texts = [normalise(t) for t in _texts(7, 40)]
    for ngram_range in ((1, 1), (2, 4), (3, 6), (4, 6), (6, 7)):
        counts = TfidfVectorizer(
            analyzer="char_wb", ngram_range=ngram_range, use_idf=False, norm=None
        ).fit(texts)
        vocabulary, X = fit_char_counts(texts, ngram_range) or (None, None)
        assert vocabulary is not None and X is not None
        assert vocabulary.terms() == sorted(counts.vocabulary_, key=counts.vocabulary_.get)
        expected = counts.transform(texts).toarray()
        assert np.array_equal(X.toarray(), expected)


def test_texts_without_any_ngram_still_fit() -> None:
    texts = ["", "!!", " "]
    rows = CharTfidf().fit_transform(texts)
    assert rows.shape[0] == 3 and rows.nnz == 0


def test_a_sample_fits_the_idf_of_many_texts() -> None:
    texts = _texts(3, 80)
    model = CharTfidf(max_fit_texts=20, random_state=0)
    rows = model.fit_transform(texts)
    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), 20, replace=False)]
    ref = _reference(sample)
    ref.fit(sample)
    _same(rows, ref.transform(texts).tocsr())
