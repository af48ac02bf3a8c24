"""Matching services: fit the matcher on a territory, shortlists, pistes, feedback, evaluation.

The pure pipeline lives in :mod:`traits.matching`; this module feeds it from the store,
keeps each text's sentence embedding in the database (so it is encoded once), turns
feedback and outcomes into learning, and stores each territory's settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from traits.errors import InvalidInputError, NotFoundError
from traits.matching import encoder as features
from traits.matching.config import ITEM_COLUMNS, ORG_COLUMNS, VALIDATION_FOLDS, MatchConfig
from traits.model import Partnership
from traits.services import access, embeddings
from traits.services import partnerships as ps
from traits.services.vocabulary import vocabulary as territory_vocabulary
from traits.storage import Store, settings
from traits.storage import matching as stored
from traits.storage import shortlists as stored_shortlists

if TYPE_CHECKING:  # the matcher (scikit-learn) and pandas load when a fit is needed
    import pandas as pd
    from sqlalchemy.engine import Connection

    from traits.matching.pipeline import Candidate, Matcher

#: Settings a territory may change, with the type each must have.
SETTABLE: dict[str, type] = {
    "top_k": int,
    "distance_decay_km": float,
    "max_proposals_per_org": int,
    "use_semantic": bool,
    "weights": dict,
    "favoured_pairs": list,
}
GLOBAL_SCOPE = "*"
Progress = Callable[[float, str], None]


def __getattr__(name: str) -> Any:
    """The matcher's types (``Matcher``, ``Candidate``), imported on first use."""
    if name in ("Candidate", "Matcher"):
        from traits.matching import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _scope(territory_id: str | None) -> str:
    return territory_id or GLOBAL_SCOPE


# -- settings ---------------------------------------------------------------------------------


def default_config() -> MatchConfig:
    """The settings with nothing saved: the sentence encoder when it is installed."""
    return MatchConfig(semantic_model="e5", use_semantic=features.semantic_available("e5"))


def load_config(store: Store, territory_id: str | None = None) -> MatchConfig:
    """The territory's matching settings (global ones, then the territory's, over defaults).

    The sentence encoder is used when it is installed, unless a setting turns it off.
    """
    values: dict[str, Any] = {"use_semantic": features.semantic_available("e5")}
    with store.reading() as conn:
        for scope in (GLOBAL_SCOPE, _scope(territory_id)):
            values.update(settings.read_settings(conn, scope, SETTABLE))
    if values.get("use_semantic") and not features.semantic_available("e5"):
        values["use_semantic"] = False
    if "favoured_pairs" in values:
        values["favoured_pairs"] = tuple(tuple(p) for p in values["favoured_pairs"])
    return MatchConfig(semantic_model="e5", **values)


def save_settings(store: Store, territory_id: str | None = None, **values: Any) -> MatchConfig:
    """Change matching settings for a territory (or globally); checked before writing."""
    for key, value in values.items():
        kind = SETTABLE.get(key)
        if kind is None:
            raise InvalidInputError(
                f"réglage « {key} » inconnu : réglages possibles : {', '.join(SETTABLE)}."
            )
        if kind is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, kind) or (kind in (int, float) and value <= 0):
            raise InvalidInputError(f"réglage « {key} » : valeur « {value} » invalide.")
    if "weights" in values:
        from traits.matching.score import check_weights

        values["weights"] = check_weights(values["weights"])
    access.require_write(territory_id)
    scope = _scope(territory_id)
    with store.transaction() as conn:
        for key, value in values.items():
            settings.write_setting(conn, scope, key, value)
    return load_config(store, territory_id)


# -- data ---------------------------------------------------------------------------------------


def frames(
    store: Store, territory_id: str | None = None, *, with_quantity: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Organisations and items of a territory (or all) as the matcher's input tables
    (``with_quantity``: with the items' « quantité ou fréquence » field, for pooling)."""
    columns = (*ITEM_COLUMNS, "quantity") if with_quantity else ITEM_COLUMNS
    import pandas as pd

    access.require_read(territory_id)
    with store.reading() as conn:
        orgs = pd.DataFrame(stored.organisation_rows(conn, territory_id, ORG_COLUMNS))
        items = pd.DataFrame(stored.item_rows(conn, territory_id, columns))
    if orgs.empty:
        where = f"le territoire « {territory_id} »" if territory_id else "la base"
        raise NotFoundError(
            f"aucune structure dans {where} : importez un tableur ou saisissez un diagnostic."
        )
    if items.empty:
        items = pd.DataFrame(columns=list(columns))
    for col in ("lat", "lon"):
        orgs[col] = pd.to_numeric(orgs[col], errors="coerce")
    return orgs, items


def feedback_frame(store: Store, territory_id: str | None = None) -> pd.DataFrame:
    """Labelled pairs for learning: facilitators' judgements and partnership outcomes.

    Only what came after the last reset of learning counts.
    """
    import pandas as pd

    since = _learning_since(store, territory_id)
    with store.reading() as conn:
        rows = [
            {
                "need_id": r.need_id,
                "offer_id": r.offer_id,
                "label": "relevant" if r.relevant else "not_relevant",
            }
            for r in stored.feedback_rows(conn, since)
        ]
    for part in ps.list_partnerships(store, territory_id=territory_id):
        if part.need_id and part.offer_id and part.status.value in ("realised", "abandoned"):
            last = part.history[-1].at if part.history else None
            if since is None or (last is not None and last >= since):
                rows.append(
                    {"need_id": part.need_id, "offer_id": part.offer_id, "label": part.status.value}
                )
    return pd.DataFrame(rows, columns=["need_id", "offer_id", "label"])


def _learning_since(store: Store, territory_id: str | None) -> dt.datetime | None:
    with store.reading() as conn:
        value = settings.read_setting(conn, _scope(territory_id), "learning_since")
    return dt.datetime.fromisoformat(value) if value else None


def reset_learning(store: Store, territory_id: str | None = None) -> None:
    """Forget past feedback for learning (it stays recorded); back to the default weights."""
    access.require_write(territory_id)
    scope = _scope(territory_id)
    with store.transaction() as conn:
        now = dt.datetime.now().isoformat(timespec="microseconds")
        settings.write_setting(conn, scope, "learning_since", now)


#: Needs judged both ways (one proposal relevant, one not) before learning can be checked.
MIN_LEARNING_NEEDS = 2 * VALIDATION_FOLDS

#: French names of the score's parts (what the Paramètres page shows of learning).
PART_LABELS_FR: dict[str, str] = {
    "word": "mots en commun",
    "char": "écriture proche",
    "subcategory": "sous-catégorie",
    "semantic": "sens (encodeur)",
    "category": "catégorie",
    "distance": "proximité",
    "favoured": "ESS et entreprise",
    "reciprocity": "réciprocité",
    "size": "taille adaptée",
    "days": "jours compatibles",
    "locality": "besoin local à portée",
}


@dataclasses.dataclass(frozen=True)
class LearningStatus:
    """What learning does with a territory's feedback.

    ``state`` is ``"waiting"`` (too little feedback, or too few needs judged both ways to check
    it), ``"kept_defaults"`` (weights learnt on some needs did not rank the others better) or
    ``"active"``. ``weights`` are those in use, ``default_weights`` the defaults.
    """

    state: str
    n_feedback: int
    min_feedback: int
    min_needs: int
    validation_gain: float | None
    weights: dict[str, float]
    default_weights: dict[str, float]


def learning_status(matcher: Matcher) -> LearningStatus:
    """The learning state of a fitted matcher (see :func:`fit_matcher`)."""
    defaults = dict(matcher.weights_)
    learner = matcher.learner_
    n = 0 if learner is None else int(learner.n_feedback_)
    gain = None if learner is None else getattr(learner, "validation_gain_", None)
    state = "waiting"
    weights = defaults
    if learner is not None and not learner.fallback_ and learner.learned_weights_ is not None:
        if gain is not None and gain > 0:
            state, weights = "active", dict(learner.learned_weights_)
        elif gain is not None:
            state = "kept_defaults"
    min_needs = 2 * VALIDATION_FOLDS
    return LearningStatus(state, n, matcher.config.min_feedback, min_needs, gain, weights, defaults)


def record_feedback(
    store: Store, need_id: str, offer_id: str, relevant: bool, *, author: str | None = None
) -> None:
    """A facilitator judges a candidate relevant or not (the matcher learns from it)."""
    with store.transaction() as conn:
        access.require_owned(conn, "item", [need_id, offer_id])
        found = stored.item_directions(conn, [need_id, offer_id])
        if found.get(need_id) != "need" or found.get(offer_id) != "offer":
            raise NotFoundError("besoin ou offre introuvable : rechargez la liste des pistes.")
        stored.insert_feedback(
            conn,
            {
                "need_id": need_id,
                "offer_id": offer_id,
                "relevant": bool(relevant),
                "at": dt.datetime.now(),
                "author": author,
            },
        )


# -- matching -----------------------------------------------------------------------------------


def fit_matcher(
    store: Store,
    territory_id: str | None = None,
    config: MatchConfig | None = None,
    *,
    learn: bool = True,
    progress: Progress | None = None,
) -> Matcher:
    """A matcher fitted on a territory's data, with its settings, vocabulary and feedback."""
    from traits.matching.pipeline import Matcher

    say = progress or (lambda _f, _m: None)
    config = config or load_config(store, territory_id)
    say(0.1, "Lecture des besoins et des offres…")
    orgs, items = frames(store, territory_id)
    vocabulary = territory_vocabulary(store, territory_id)
    if config.use_semantic:
        # written with the texts; only texts saved without the encoder are prepared here
        embeddings.embed_items(store, items["item_id"], vocabulary=vocabulary, progress=say)
        embeddings.load_embeddings(store, config.semantic_model)
    say(0.5, "Comparaison des besoins et des offres…")
    matcher = Matcher(config, vocabulary).fit(orgs, items)
    if learn:
        say(0.8, "Prise en compte des retours des animateurs…")
        fb = feedback_frame(store, territory_id)
        if len(fb):
            matcher.learn(fb)
    say(1.0, "Prêt.")
    return matcher


def match(
    store: Store,
    *,
    territory_id: str | None = None,
    need_id: str | None = None,
    org_id: str | None = None,
    top: int | None = None,
    matcher: Matcher | None = None,
    config: MatchConfig | None = None,
) -> list[dict[str, Any]]:
    """Shortlists in the interchange format's matching output (one object per need).

    Without a fitted ``matcher``, the shortlists stored with the fingerprint of the current
    data, code and settings answer at once; otherwise the whole territory is matched and
    stored for the next call.
    """
    if need_id and org_id:
        raise InvalidInputError("choisissez soit un besoin (--need), soit une structure (--org).")
    if matcher is None:
        config = config or load_config(store, territory_id)
        if top is None or top == config.top_k:
            return _stored_match(store, territory_id, need_id, org_id, config)
        matcher = fit_matcher(store, territory_id, config)
    return _fresh_match(store, matcher, need_id, org_id, top)


def _fresh_match(
    store: Store, matcher: Matcher, need_id: str | None, org_id: str | None, top: int | None
) -> list[dict[str, Any]]:
    from traits.matching.pipeline import to_format_json

    exclude = ps.excluded_pairs(store)
    items = matcher.corpus_.items
    if need_id:
        results = {need_id: matcher.shortlist(need_id, top, exclude)}
        needs = items[items["item_id"] == need_id]
    elif org_id:
        if org_id not in matcher.corpus_.org_pos:
            raise NotFoundError(f"structure « {org_id} » introuvable.")
        needs = items[(items["org_id"] == org_id) & (items["direction"] == "need")]
        results = matcher.match_all(top, exclude, need_ids=list(needs["item_id"]))
    else:
        results = matcher.match_all(top, exclude)
        needs = items
    return to_format_json(results, needs)


def _stored_match(
    store: Store,
    territory_id: str | None,
    need_id: str | None,
    org_id: str | None,
    config: MatchConfig,
) -> list[dict[str, Any]]:
    """The territory's shortlists from the store when still valid, else computed and stored."""
    access.require_read(territory_id)
    settings = json.dumps(dataclasses.asdict(config), sort_keys=True, default=str)
    scope = _scope(territory_id)
    with store.reading() as conn:
        wanted = _wanted_needs(conn, territory_id, need_id, org_id)
        fingerprint = stored_shortlists.data_fingerprint(conn, settings)
        found = stored_shortlists.read(conn, scope, fingerprint, wanted)
    if found is None:
        every = _fresh_match(store, fit_matcher(store, territory_id, config), None, None, None)
        with access.cache_writes(), store.transaction() as conn:
            stored_shortlists.write(conn, scope, fingerprint, every)
        found = [r for r in every if wanted is None or r["need_id"] in wanted]
    return found


def _wanted_needs(
    conn: Connection, territory_id: str | None, need_id: str | None, org_id: str | None
) -> set[str] | None:
    """The needs asked for (one, those of one organisation, or all: None), checked to exist."""
    if org_id is not None:
        if not stored.organisation_exists(conn, org_id, territory_id):
            raise NotFoundError(f"structure « {org_id} » introuvable.")
        return stored.need_ids(conn, territory_id, org_id=org_id)
    if need_id is None:
        return None
    found = stored.need_ids(conn, territory_id, need_id=need_id)
    if not found:
        raise NotFoundError(f"Besoin introuvable : « {need_id} ».")
    return found


def shortlist_org(
    store: Store,
    org_id: str,
    *,
    territory_id: str | None = None,
    top: int | None = None,
    matcher: Matcher | None = None,
) -> list[Candidate]:
    """Best partners of one organisation over all its needs and offers."""
    matcher = matcher or fit_matcher(store, territory_id)
    return matcher.shortlist_org(org_id, top, ps.excluded_pairs(store))


def pistes(
    store: Store,
    *,
    territory_id: str | None = None,
    max_per_org: int | None = None,
    matcher: Matcher | None = None,
    min_score: float | None = None,
) -> list[Candidate]:
    """Territory-wide pistes, spread so no organisation is proposed too often."""
    matcher = matcher or fit_matcher(store, territory_id)
    return matcher.pistes(max_per_org, ps.excluded_pairs(store), min_score=min_score)


def propose_candidate(
    store: Store, candidate: Candidate, *, author: str | None = None
) -> Partnership:
    """Turn a matcher's candidate into a proposed partnership, with its mode and reasons."""
    return ps.propose(
        store,
        candidate.need_id,
        candidate.offer_id,
        mode=candidate.mode or None,
        author=author,
        note=" ".join(candidate.reasons[:3]) or None,
    )


# -- evaluation ---------------------------------------------------------------------------------


def evaluate(
    folder: str | Path, config: MatchConfig | None = None, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Import a labelled folder into a throwaway database, match it, and measure the ranking."""
    import pandas as pd

    from traits.matching.evaluation import evaluate_frames
    from traits.services.data import import_territory

    # A throwaway database: the caller's territories do not apply to it.
    with access.unrestricted(), tempfile.TemporaryDirectory(prefix="traits-eval-") as tmp:
        store = Store(Path(tmp) / "eval.sqlite")
        report = import_territory(store, folder)
        if not report.relevance:
            raise InvalidInputError(
                f"{folder} n'a pas de fichier relevance.csv : ce n'est pas un jeu étiqueté."
            )
        matcher = fit_matcher(store, None, config, learn=False, progress=progress)
        rel = pd.DataFrame(report.relevance, columns=["need_id", "offer_id", "grade"])
        orgs, items = frames(store)
        metrics = evaluate_frames(orgs, items, rel, matcher=matcher)
        store.dispose()
    metrics["config"] = {
        k: v
        for k, v in dataclasses.asdict(matcher.config).items()
        if k in ("use_semantic", "semantic_model", "distance_decay_km", "top_k")
    }
    return metrics
