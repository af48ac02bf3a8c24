"""Character n-gram counts of many texts at once, exactly as scikit-learn's ``char_wb`` counts them.

scikit-learn's :class:`~sklearn.feature_extraction.text.CountVectorizer` with
``analyzer="char_wb"`` walks every word of every text in Python; on a territory of 10,000
items that is most of the fit. Here the texts' characters become one integer array, each
n-gram one integer (its characters' ranks, first character in the high bits, so that integer
order is string order), and counting is a sort: the same vocabulary, in the same order, and the
same count matrix (rows in the same index order), so that the TF-IDF computed from it is the
one scikit-learn computes. ``tests/test_matching_charngrams.py`` checks it on random texts.

Only the analysis ``char_wb`` does after the preprocessor is reproduced: the text is split on
whitespace, each word padded with one space on each side, and every n-gram lying inside a
padded word is counted (a padded word shorter than ``n`` gives none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["CharVocabulary", "char_counts", "fit_char_counts"]

#: Texts analysed at once by :func:`char_counts` (bounds the memory of the n-gram arrays).
_BLOCK_TEXTS = 20_000


@dataclass
class CharVocabulary:
    """A fitted n-gram vocabulary: the alphabet (sorted characters) and the sorted n-gram codes."""

    alphabet: np.ndarray  # uint32 code points, sorted
    codes: np.ndarray  # int64 n-gram codes, sorted: feature j is codes[j]
    ngram_range: tuple[int, int]

    def terms(self) -> list[str]:
        """The n-grams as strings, in feature order (scikit-learn's ``vocabulary_`` keys)."""
        bits = _bits(len(self.alphabet))
        n_max = self.ngram_range[1]
        out = []
        mask = (1 << bits) - 1
        chars = [chr(int(c)) for c in self.alphabet]
        for code in self.codes.tolist():
            ranks = [(code >> (bits * (n_max - 1 - j))) & mask for j in range(n_max)]
            out.append("".join(chars[r - 1] for r in ranks if r))
        return out


def _bits(n_chars: int) -> int:
    return max(1, int(n_chars).bit_length())


def fits_in_codes(n_chars: int, ngram_range: tuple[int, int]) -> bool:
    """Whether n-grams over ``n_chars`` distinct characters fit in 63-bit codes."""
    return _bits(n_chars) * ngram_range[1] <= 63


@dataclass
class _Windows:
    """Every n-gram of a block of texts."""

    codes: np.ndarray  # int64 code of each n-gram (-1: a character outside the alphabet)
    doc: np.ndarray  # text of each n-gram
    rank: np.ndarray | None  # order in which scikit-learn's analysis yields it (when asked)


def _char_ranks(cp: np.ndarray, alphabet: np.ndarray) -> np.ndarray:
    """1 + the position of each code point in the alphabet; 0 when it is not there."""
    top = int(cp.max(initial=0))
    if top < 1 << 16:
        table = np.zeros(top + 1, np.int64)
        inside = alphabet <= top
        table[alphabet[inside]] = np.flatnonzero(inside) + 1
        return table[cp]
    at = np.searchsorted(alphabet, cp).astype(np.int64)
    known = at < len(alphabet)
    known[known] = alphabet[at[known]] == cp[known]
    return np.where(known, at + 1, 0)


def _windows(
    texts: list[str], alphabet: np.ndarray, ngram_range: tuple[int, int], ordered: bool = False
) -> _Windows:
    """The n-grams of ``texts``; with ``ordered``, also their rank in ``char_wb``'s order.

    ``char_wb`` pads each word with a space on each side and yields, word after word, its
    n-grams of each size in turn, offset after offset; a padded word shorter than the
    smallest size is yielded whole, once.
    """
    n_min, n_max = ngram_range
    bits = _bits(len(alphabet))
    splits = [t.split() for t in texts]
    n_words = np.fromiter(map(len, splits), np.int64, len(texts))
    padded = "".join([f" {'  '.join(ws)} " for ws in splits if ws])
    cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    size = len(cp)
    space = cp == ord(" ")
    new_word = np.r_[True, space[1:] & space[:-1]][:size]
    word = np.cumsum(new_word) - 1
    word_start = np.flatnonzero(new_word)
    word_len = np.diff(np.r_[word_start, size])
    rank = _char_ranks(cp, alphabet)
    ext = np.r_[rank, np.zeros(n_max, np.int64)]
    full = np.zeros(size, np.int64)  # the n_max characters from each position
    for j in range(n_max):
        full |= ext[j : j + size] << (bits * (n_max - 1 - j))
    keep = np.array([-(1 << (bits * (n_max - k))) for k in range(n_max + 1)], np.int64)
    unknown = np.r_[0, np.cumsum(rank == 0)]
    doc_of_word = np.repeat(np.arange(len(texts)), n_words)
    span = int(word_len.max(initial=0)) + 1
    codes, docs, order = [], [], []
    short = np.flatnonzero(word_len < n_min)
    for n in range(n_min, n_max + 1):
        starts = np.flatnonzero(word[: max(size - n + 1, 0)] == word[n - 1 :])
        lengths = np.full(len(starts), n)
        if n == n_min and len(short):  # whole padded words shorter than every size
            starts = np.r_[word_start[short], starts]
            lengths = np.r_[word_len[short], lengths]
        c = full[starts] & keep[lengths]
        c[unknown[starts + lengths] > unknown[starts]] = -1
        w = word[starts]
        codes.append(c)
        docs.append(doc_of_word[w])
        if ordered:
            within = (n - n_min) * span + starts - word_start[w]
            order.append(w * ((n_max - n_min + 1) * span) + within)
    return _Windows(
        np.concatenate(codes),
        np.concatenate(docs),
        np.concatenate(order) if ordered else None,
    )


def _sorted_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes, sorted, and each code's position among them (``np.unique`` with
    ``return_inverse``, by hashing: the distinct codes are few beside the windows)."""
    import pandas as pd  # only fits count n-grams; pandas is loaded by then

    labels, distinct = pd.factorize(codes, sort=True)
    return np.asarray(distinct, np.int64), labels.astype(np.int64, copy=False)


def fit_char_counts(
    texts: list[str], ngram_range: tuple[int, int]
) -> tuple[CharVocabulary, sp.csr_matrix] | None:
    """The vocabulary of ``texts`` and their count matrix (float32), as ``char_wb`` fits them.

    Rows hold their columns in the order scikit-learn's fit leaves them (by first appearance
    of the n-gram in the texts). None when the texts have too many distinct characters for
    the integer codes (the caller then uses scikit-learn).
    """
    alphabet = np.array(sorted({ord(ch) for ch in set("".join(texts)) | {" "}}), np.uint32)
    if not fits_in_codes(len(alphabet), ngram_range):
        return None
    w = _windows(texts, alphabet, ngram_range, ordered=True)
    assert w.rank is not None
    if not len(w.codes):
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    codes, feature = _sorted_codes(w.codes)
    first = np.full(len(codes), np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, feature, w.rank)
    # scikit-learn numbers features by first appearance, sorts each row by that number, then
    # renumbers them alphabetically without re-sorting the rows
    appearance = np.empty(len(codes), np.int64)
    appearance[np.argsort(first)] = np.arange(len(codes))
    X = sp.csr_matrix(
        (np.ones(len(feature), np.float32), (w.doc, appearance[feature])),
        shape=(len(texts), len(codes)),
    )
    X.sum_duplicates()  # sorted by appearance within each row
    X.indices = np.argsort(appearance).astype(X.indices.dtype)[X.indices]
    return CharVocabulary(alphabet, codes, ngram_range), X


def char_counts(texts: list[str], vocabulary: CharVocabulary) -> sp.csr_matrix:
    """Count matrix (float32) of ``texts`` over a fitted vocabulary, columns sorted in each row.

    As scikit-learn's ``transform``: n-grams outside the vocabulary are ignored.
    """
    n_feat = len(vocabulary.codes)
    blocks = []
    for b in range(0, max(len(texts), 1), _BLOCK_TEXTS):
        part = texts[b : b + _BLOCK_TEXTS]
        w = _windows(part, vocabulary.alphabet, vocabulary.ngram_range)
        at = np.searchsorted(vocabulary.codes, w.codes)
        found = at < n_feat
        found[found] = vocabulary.codes[at[found]] == w.codes[found]
        X = sp.csr_matrix(
            (np.ones(int(found.sum()), np.float32), (w.doc[found], at[found])),
            shape=(len(part), n_feat),
        )
        X.sum_duplicates()  # columns sorted in each row, as scikit-learn's transform leaves them
        blocks.append(X)
    return sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
