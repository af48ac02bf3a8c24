"""Mutualisations: groups of needs from several organisations that one shared answer could serve.

The other half of a Pôle's job beside one-to-one pistes: a groupement de commandes for the
green spaces of three structures, a vehicle shared by two food banks, a part-time accountant
shared by four associations. :func:`find_pools` finds such groups in a territory:

1. each need is described by the matcher's features: its subcategory evidence (vocabulary),
   its stemmed words (TF-IDF) and, when given, its sentence embedding;
2. needs are clustered by scikit-learn's agglomerative clustering with *complete* linkage on
   a precomputed distance, so that every two needs of a pool are alike (not only neighbours
   of neighbours);
3. for physical needs (premises, equipment, on-site purchasing, volunteering, collective
   training) geography is a hard limit: two organisations farther apart than the form's
   radius get an infinite distance, so complete linkage never puts them in one pool;
4. a pool keeps only groups of at least two organisations; it gets a French label, the form
   it could take, the volume summed from the texts, its reasons, and the offer of the
   territory (if any) that could serve every member.

Pure: data frames in, :class:`Pool` values out.
"""

from __future__ import annotations

from traits.pooling.detection import count_pools, find_pools
from traits.pooling.features import Pool, PoolingConfig
from traits.pooling.forms import FORMS, PoolForm, pool_form

__all__ = [
    "FORMS",
    "count_pools",
    "Pool",
    "PoolForm",
    "PoolingConfig",
    "find_pools",
    "pool_form",
]
