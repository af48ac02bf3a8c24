"""What learning from feedback does for a territory, in French: how many judgements count,
whether the ranking uses learnt weights, and those weights next to the defaults.

The matcher is fitted (or taken from the caller's cache) only once there is enough feedback
to learn from: :func:`learning_overview` takes the way to get it, not the matcher itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from traits.fr import fr_number, plural
from traits.matching.config import MatchConfig
from traits.services.matching import (
    MIN_LEARNING_NEEDS,
    PART_LABELS_FR,
    LearningStatus,
    feedback_frame,
    learning_status,
    load_config,
)
from traits.storage import Store

if TYPE_CHECKING:  # scikit-learn loads when a matcher is fitted, not with this module
    from traits.matching.pipeline import Matcher

WEIGHT_COLUMNS = ["élément", "poids par défaut", "poids appris"]


@dataclass(frozen=True)
class LearningOverview:
    """A territory's learning: ``status`` is ``None`` while there is too little feedback."""

    n_feedback: int
    status: LearningStatus | None
    config: MatchConfig

    @property
    def state(self) -> str:
        """``"active"``, ``"kept_defaults"`` or ``"waiting"`` (see :class:`LearningStatus`)."""
        return "waiting" if self.status is None else self.status.state

    @property
    def message(self) -> str:
        """The state in one or two French sentences."""
        return learning_message(self.n_feedback, self.status, self.config)

    def weight_rows(self) -> list[tuple[str, float, float]]:
        """Each part of the score with its default and learnt weight (rows of WEIGHT_COLUMNS)."""
        if self.status is None:
            return []
        s = self.status
        return [(label, s.default_weights[p], s.weights[p]) for p, label in PART_LABELS_FR.items()]


def learning_overview(
    store: Store, territory_id: str | None, fitted: Callable[[], Matcher]
) -> LearningOverview:
    """The territory's learning; ``fitted()`` is called only when there is enough feedback."""
    config = load_config(store, territory_id)
    n_feedback = len(feedback_frame(store, territory_id))
    status = learning_status(fitted()) if n_feedback >= config.min_feedback else None
    return LearningOverview(n_feedback, status, config)


def learning_message(n_feedback: int, status: LearningStatus | None, config: MatchConfig) -> str:
    """What learning does with ``n_feedback`` judgements, in French."""
    retours = plural(n_feedback, "retour", "retours")
    if status is not None and status.state == "active":
        return (
            f"{retours} : le classement en tient compte. Vérifié sur des besoins mis de côté, "
            f"il place la bonne offre plus haut (rang réciproque moyen "
            f"+{fr_number(status.validation_gain or 0.0, 2)})."
        )
    if status is not None and status.state == "kept_defaults":
        return (
            f"{retours} : appris sur une partie des besoins, le classement ne faisait pas "
            "mieux sur les autres. Les réglages par défaut restent appliqués."
        )
    return (
        f"{retours} depuis la dernière remise à zéro. L'apprentissage s'active à "
        f"partir de {fr_number(config.min_feedback)} retours portant sur au moins "
        f"{MIN_LEARNING_NEEDS} besoins différents, chacun avec une piste jugée "
        "pertinente et une autre non."
    )


__all__ = ["WEIGHT_COLUMNS", "LearningOverview", "learning_message", "learning_overview"]
