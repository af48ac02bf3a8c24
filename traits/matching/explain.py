"""Stage 5 — explain: short French reasons a facilitator can read aloud, and Le Rameau's mode.

Reasons say why a pair was proposed: the subcategory they share (or neighbouring ones), the
words they share, how far apart they are ("à 12 km"), a possible exchange both ways, and the
kind of partnership in Le Rameau's typology (mécénat, pratiques responsables, coopération
économique, innovation sociétale).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from traits.availability import availability_fit
from traits.matching.config import PARTS, MatchConfig
from traits.matching.constraints import row_top
from traits.matching.corpus import Corpus
from traits.matching.textcache import TextCache
from traits.model import LABELS_FR, Category
from traits.quantities import size_fit
from traits.text import fold_accents, stem, words
from traits.vocabulary import GENERIC_WORDS

__all__ = ["MODE_LABELS", "Explainer", "shared_words"]

MODE_LABELS: dict[str, str] = {
    "philanthropy": "mécénat",
    "responsible_practices": "pratiques responsables",
    "economic_cooperation": "coopération économique",
    "societal_innovation": "innovation sociétale",
}

_ADAPTED_FORMS = ("esat", "ea", "aci", "ai", "ei", "etti", "entreprise adaptee", "chantier")
_RESPONSIBLE_SUBS = frozenset(
    {"disability_purchasing", "inclusive_hiring", "work_immersion", "csr"}
)
_INNOVATION_SUBS = frozenset({"networking"})
_GIFT_SUBS = frozenset(
    {
        "in_kind_gifts",
        "food_surplus",
        "materials_offcuts",
        "sponsorship",
        "foundation_grants",
        "skilled_volunteering",
        "employee_volunteering",
        "mentoring",
    }
)


def shared_words(need_text: str, offer_text: str, limit: int = 3) -> list[str]:
    """Words of the need whose stem also appears in the offer (accents folded, first ones first)."""
    offer_stems = {stem(w) for w in words(offer_text)}
    return _shared(((w, stem(w)) for w in words(need_text)), offer_stems, limit)


def _shared(need_words: Iterable[tuple[str, str]], offer_stems: set[str], limit: int) -> list[str]:
    """The first ``limit`` words (longer than 2 letters) whose stem is in ``offer_stems``."""
    out: list[str] = []
    seen: set[str] = set()
    for w, s in need_words:
        if len(w) > 2 and s in offer_stems and s not in seen:
            seen.add(s)
            out.append(w)
        if len(out) >= limit:
            break
    return out


#: Number and generic words that never explain a match, whatever the corpus.
_ALWAYS_FILLERS = frozenset(
    stem(w)
    for w in (
        "un une deux trois quatre cinq six sept huit neuf dix vingt cent mille fois semaine "
        "semaines jour jours mois an ans année heure heures matin soir besoin besoins coup "
        "main mise place places temps chose choses gens personne personnes"
    ).split()
) | frozenset(stem(w) for w in GENERIC_WORDS)
#: A stem found in items of at least this share of the corpus's subcategories is a filler.
FILLER_SPREAD = 0.2
FILLER_MIN_SUBCATEGORIES = 4


def _words_with_stems(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((w, stem(w)) for w in words(text))


#: Each text's words with their stems, kept between fits (read by the fillers and the facts).
_WORD_STEMS = TextCache(_words_with_stems)


def filler_stems(corpus: Corpus) -> frozenset[str]:
    """Stems spread over many subcategories of a corpus (domain stop-list learnt from it)."""
    E = corpus.evidence.tocsr()
    top = row_top(E)[0].tolist()
    has = (np.diff(E.indptr) > 0).tolist()
    spread: dict[str, set[int]] = {}
    for i, text in enumerate(corpus.texts):
        if not has[i]:
            continue
        for _, s in _WORD_STEMS(text):
            spread.setdefault(s, set()).add(top[i])
    present = len({t for t, h in zip(top, has, strict=True) if h})
    limit = max(FILLER_MIN_SUBCATEGORIES, FILLER_SPREAD * present)
    return frozenset(s for s, subs in spread.items() if len(subs) >= limit)


def _top_codes(
    corpus: Corpus, items: Sequence[int], wanted: Sequence[tuple[int, float]]
) -> list[list[list[str]]]:
    """For each item and each ``(k, floor)``: its ``k`` subcategories with the most evidence,
    if at least ``floor`` (equal evidence: in the order of the item's row)."""
    E = corpus.evidence[np.asarray(items, np.int64)]
    counts = np.diff(E.indptr)
    rows = np.repeat(np.arange(len(items)), counts)
    # every row sorted at once, most evidence first; a row with equal values is sorted on its
    # own by np.argsort, whose order of ties (not stable) the reasons have always followed
    order = np.lexsort((-E.data, rows))
    sorted_rows, sorted_data = rows[order], E.data[order]
    tied = (sorted_rows[1:] == sorted_rows[:-1]) & (sorted_data[1:] == sorted_data[:-1])
    for r in np.unique(sorted_rows[1:][tied]).tolist():
        lo, hi = E.indptr[r], E.indptr[r + 1]
        order[lo:hi] = lo + np.argsort(-E.data[lo:hi])
    k_max = max((k for k, _ in wanted), default=0)
    rank = np.arange(len(order)) - np.repeat(E.indptr[:-1], counts)
    top = order[rank < k_max]
    codes = corpus.subcategory_model.codes_[E.indices[top]].tolist()
    values = E.data[top].tolist()
    out: list[list[list[str]]] = [[[] for _ in wanted] for _ in items]
    for r, j, c, v in zip(
        rows[top].tolist(), rank[rank < k_max].tolist(), codes, values, strict=True
    ):
        for lists, (k, floor) in zip(out[r], wanted, strict=True):
            if j < k and v >= floor:
                lists.append(str(c))
    return out


def _legal_is_adapted(legal_form: object) -> bool:
    text = fold_accents(str(legal_form or "")).lower()
    return any(text == f or text.startswith(f + " ") for f in _ADAPTED_FORMS)


def _distance_phrase(km: float | None) -> str:
    if km is None or (isinstance(km, float) and math.isnan(km)):
        return "Distance inconnue (commune sans coordonnées) : ni proche ni loin, à vérifier."
    if km < 1.0:
        return "Dans la même commune."
    if km < 10:
        return f"À {km:.0f} km : tout proche."
    return f"À {km:.0f} km."


class _ItemFacts(NamedTuple):
    """What explaining an item needs: codes named in reasons, the mode's hints, its words."""

    named: list[str]  # subcategory codes a reason may name
    innovation: bool  # the mode's subcategories hint at each kind of partnership
    responsible: bool
    gift: bool
    telling: list[tuple[str, str]]  # (word, stem) that may be shared, first of each stem
    stems: set[str]  # every stem of the text


class Explainer:
    """Reasons and modes of many pairs of one corpus, what each item needs computed once.

    An item's strongest subcategories, its words with their stems, and an organisation's
    adapted legal form are cached: explaining a whole territory's shortlists then costs
    little more than writing the sentences.
    """

    def __init__(self, corpus: Corpus, config: MatchConfig | None = None) -> None:
        self.corpus = corpus
        self.config = config or MatchConfig()
        self._vocab = corpus.subcategory_model.vocabulary_
        self._items: dict[int, _ItemFacts] = {}
        self._adapted: dict[int, bool] = {}
        self._filler_stems: frozenset[str] | None = None

    def _item(self, item: int) -> _ItemFacts:
        """What explaining an item needs, computed once (see :class:`_ItemFacts`)."""
        hit = self._items.get(item)
        if hit is None:
            self._prepare([item])
            hit = self._items[item]
        return hit

    def _prepare(self, items: Iterable[int]) -> None:
        """Compute the :class:`_ItemFacts` of the items not seen yet, together.

        Reasons name the top 2 subcategories with at least ``reason_subcategory_floor`` of
        evidence; the mode reads the top 3 with at least ``mode_subcategory_floor``.
        """
        todo = [i for i in dict.fromkeys(items) if i not in self._items]
        if not todo:
            return
        cfg = self.config
        fillers = self._fillers()
        tops = _top_codes(
            self.corpus,
            todo,
            ((2, cfg.reason_subcategory_floor), (3, cfg.mode_subcategory_floor)),
        )
        for item, (named, moded) in zip(todo, tops, strict=True):
            pairs = _WORD_STEMS(self.corpus.texts[item])
            telling: dict[str, str] = {}  # stem -> first word, fillers and short words left out
            for w, s in pairs:
                if len(w) > 2 and s not in fillers and s not in telling:
                    telling[s] = w
            subs = frozenset(moded)
            self._items[item] = _ItemFacts(
                named,
                bool(subs & _INNOVATION_SUBS),
                bool(subs & _RESPONSIBLE_SUBS),
                bool(subs & _GIFT_SUBS),
                [(w, s) for s, w in telling.items()],
                {s for _, s in pairs},
            )

    def shared_words(self, need: int, offer: int, limit: int = 3) -> list[str]:
        """Words of the need whose stem is in the offer, filler words left out."""
        offer_stems = self._item(offer).stems
        out = [w for w, s in self._item(need).telling if s in offer_stems]
        return out[:limit]

    def _fillers(self) -> frozenset[str]:
        """Stems that say nothing of what an item is about, learnt from this corpus.

        A stem counts as filler when it is spread over items of many different subcategories
        (« semaine », « fois », « coup », « main », « mise »), plus the vocabulary's generic
        words and number words.
        """
        if self._filler_stems is None:
            self._filler_stems = filler_stems(self.corpus) | _ALWAYS_FILLERS
        return self._filler_stems

    def _is_adapted(self, org: int) -> bool:
        hit = self._adapted.get(org)
        if hit is None:
            hit = self._adapted[org] = _legal_is_adapted(self.corpus.orgs.at[org, "legal_form"])
        return hit

    def _distance_reason(self, need: int, km: float | None) -> str:
        phrase = _distance_phrase(km)
        constraints = self.corpus.constraints
        if constraints is not None and not constraints.local[need] and km is not None:
            if not math.isnan(km) and km >= 10:
                phrase = phrase[:-1] + " : la distance compte peu pour ce besoin."
        return phrase

    def _constraint_reasons(self, need: int, offer: int) -> list[str]:
        """Sizes and days that fit or clash, and items that look misfiled."""
        c = self.corpus.constraints
        if c is None:
            return []
        out = []
        _, size_reason = size_fit(c.quantities[need], c.quantities[offer])
        if size_reason:
            out.append(size_reason)
        _, days_reason = availability_fit(c.availability[need], c.availability[offer])
        if days_reason:
            out.append(days_reason)
        for item, word in ((need, "Ce besoin"), (offer, "Cette offre")):
            said = c.text_category[item]
            if said:
                out.append(_misfiled_phrase(word, str(self.corpus.category[item]), str(said)))
        return out

    def mode(self, need: int, offer: int) -> str:
        """Le Rameau's mode of a (need, offer) pair, as a :class:`PartnershipMode` value."""
        return self.modes(np.array([need]), np.array([offer]))[0]

    def modes(self, need: np.ndarray, offer: np.ndarray) -> list[str]:
        """Le Rameau's mode of each pair ``(need[i], offer[i])``, decided for all at once."""
        corpus = self.corpus
        need, offer = np.asarray(need, np.int64), np.asarray(offer, np.int64)
        items = np.unique(np.r_[need, offer])
        self._prepare(items.tolist())
        flags = np.zeros((int(items.max(initial=0)) + 1, 3), bool)
        for i in items.tolist():
            f = self._item(i)
            flags[i] = (f.innovation, f.responsible, f.gift)
        either = flags[need] | flags[offer]
        need_org, offer_org = corpus.item_org[need], corpus.item_org[offer]
        need_kind, offer_kind = corpus.org_kind[need_org], corpus.org_kind[offer_org]
        need_cat, offer_cat = corpus.category[need], corpus.category[offer]
        innovation = either[:, 0] | ((need_cat == "other") & (offer_cat == "other"))
        buys_adapted = (need_kind == "company") & (offer_cat == "purchasing")
        for j in np.flatnonzero(buys_adapted).tolist():
            buys_adapted[j] = self._is_adapted(int(offer_org[j]))
        responsible = either[:, 1] | buys_adapted
        philanthropy = np.isin(offer_cat, ("funding", "volunteering")) | (
            np.isin(offer_kind, ("company", "public"))
            & (need_kind != "company")
            & (np.isin(offer_cat, ("equipment", "skills", "premises")) | either[:, 2])
        )
        out = np.select(
            [innovation, responsible, philanthropy],
            ["societal_innovation", "responsible_practices", "philanthropy"],
            "economic_cooperation",
        )
        return [str(m) for m in out.tolist()]

    def reasons(
        self, need: int, offer: int, parts: Sequence[float], km: float | None, mode: str
    ) -> list[str]:
        """French reasons for one pair, most telling first (always at least one)."""
        reasons: list[str] = []
        vocab = self._vocab
        need_codes = self._item(need).named
        offer_codes = self._item(offer).named
        same = [c for c in need_codes if c in offer_codes]
        if same:
            sub = vocab.get(same[0])
            reasons.append(f"Même sous-catégorie : « {sub.label if sub else same[0]} ».")
        elif need_codes and offer_codes and parts[_SUBCATEGORY] > 0:
            a, b = vocab.get(need_codes[0]), vocab.get(offer_codes[0])
            if a and b:
                reasons.append(f"Sous-catégories voisines : « {a.label} » et « {b.label} ».")
        common = self.shared_words(need, offer)
        if common:
            reasons.append("Mots en commun : " + ", ".join(f"« {w} »" for w in common) + ".")
        if not reasons and parts[_SEMANTIC] >= self.config.reason_semantic_floor:
            reasons.append("Formulations proches par le sens.")
        if not reasons:
            reasons.append(
                "Rapprochement possible par la catégorie, à vérifier avec les structures."
            )
        reasons.append(self._distance_reason(need, km))
        reasons.extend(self._constraint_reasons(need, offer))
        if parts[_RECIPROCITY] >= 1.0:
            reasons.append(_BOTH_WAYS)
        if parts[_FAVOURED] >= 1.0:
            reasons.append("Rapprochement entre une entreprise et une structure de l'ESS.")
        reasons.append(f"Mode de partenariat : {MODE_LABELS.get(mode, mode)}.")
        return reasons


def _misfiled_phrase(word: str, filed: str, said: str) -> str:
    return (
        f"{word} semble relever de « {CATEGORY_LABELS.get(said, said)} » plutôt que de "
        f"« {CATEGORY_LABELS.get(filed, filed)} » : vérifiez sa catégorie."
    )


CATEGORY_LABELS = {c.value: LABELS_FR[c] for c in Category}
_BOTH_WAYS = "Échange possible dans les deux sens : chacune peut répondre à un besoin de l'autre."
_SUBCATEGORY, _SEMANTIC, _RECIPROCITY, _FAVOURED = (
    PARTS.index(p) for p in ("subcategory", "semantic", "reciprocity", "favoured")
)
