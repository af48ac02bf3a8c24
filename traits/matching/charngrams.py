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
    """Every n-gram of a block of texts, in scikit-learn's analysis order."""

    codes: np.ndarray  # int64 code of each n-gram (-1: a character outside the alphabet)
    doc: np.ndarray  # text of each n-gram


def _windows(texts: list[str], alphabet: np.ndarray, ngram_range: tuple[int, int]) -> _Windows:
    """The n-grams of ``texts`` in the order ``char_wb`` yields them (text, word, n, offset)."""
    n_min, n_max = ngram_range
    bits = _bits(len(alphabet))
    words_per_doc = [t.split() for t in texts]
    n_words = np.fromiter((len(w) for w in words_per_doc), np.int64, len(texts))
    flat = [w for ws in words_per_doc for w in ws]
    padded = "".join(f" {w} " for w in flat)
    cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    length = np.fromiter((len(w) + 2 for w in flat), np.int64, len(flat))
    start = np.cumsum(length) - length
    rank = np.searchsorted(alphabet, cp).astype(np.int64)
    known = rank < len(alphabet)
    known[known] = alphabet[rank[known]] == cp[known]
    rank = np.where(known, rank + 1, 0)  # 0: outside the alphabet (never in a fitted n-gram)
    sizes = np.arange(n_min, n_max + 1)
    # one segment per (word, n), word first: the offsets of the n-grams of that size
    count = np.maximum(length[:, None] - sizes[None, :] + 1, 0).ravel()
    seg_start = np.repeat(start, len(sizes))
    seg_n = np.tile(sizes, len(flat))
    total = int(count.sum())
    seg = np.repeat(np.arange(len(count)), count)
    offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    pos = seg_start[seg] + offset
    n = seg_n[seg]
    # the code of the n_max characters from each position, then each n-gram's own characters
    ext = np.r_[rank, np.zeros(n_max, np.int64)]
    full = np.zeros(len(rank), np.int64)
    for j in range(n_max):
        full |= ext[j : j + len(rank)] << (bits * (n_max - 1 - j))
    keep = np.array([-(1 << (bits * (n_max - k))) for k in range(n_max + 1)], np.int64)
    codes = full[pos] & keep[n]
    unknown = np.r_[0, np.cumsum(rank == 0)]
    codes[unknown[pos + n] > unknown[pos]] = -1
    doc_of_word = np.repeat(np.arange(len(texts)), n_words)
    return _Windows(codes, doc_of_word[seg // len(sizes)])


def fit_char_counts(
    texts: list[str], ngram_range: tuple[int, int]
) -> tuple[CharVocabulary, sp.csr_matrix] | None:
    """The vocabulary of ``texts`` and their count matrix (float32), as ``char_wb`` fits them.

    Rows hold their columns in the order scikit-learn's fit leaves them (by first appearance
    of the n-gram in the texts). None when the texts have too many distinct characters for
    the integer codes (the caller then uses scikit-learn).
    """
    chars = np.unique(np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32))
    alphabet = np.union1d(chars, np.array([ord(" ")], np.uint32))
    if not fits_in_codes(len(alphabet), ngram_range):
        return None
    w = _windows(texts, alphabet, ngram_range)
    codes = np.unique(w.codes)
    if not len(codes):
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    feature = np.searchsorted(codes, w.codes)
    first = np.full(len(codes), len(feature), np.int64)
    np.minimum.at(first, feature, np.arange(len(feature)))
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
        cells, counts = np.unique(w.doc[found] * n_feat + at[found], return_counts=True)
        doc, col = np.divmod(cells, n_feat)
        blocks.append(_csr(doc, col, counts, len(part), n_feat))
    return sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]


def _csr(doc: np.ndarray, col: np.ndarray, counts: np.ndarray, n_docs: int, n_feat: int):  # type: ignore[no-untyped-def]
    """A CSR count matrix from cells sorted by document."""
    indptr = np.zeros(n_docs + 1, np.int64)
    np.cumsum(np.bincount(doc, minlength=n_docs), out=indptr[1:])
    index_type = np.int32 if max(n_feat, len(col)) < 2**31 else np.int64
    return sp.csr_matrix(
        (counts.astype(np.float32), col.astype(index_type), indptr.astype(index_type)),
        shape=(n_docs, n_feat),
    )
