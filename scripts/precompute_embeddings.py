"""Write traits/data/embeddings-e5.npz: E5 embeddings of the texts every installation meets.

The default vocabulary's texts (which centre the embeddings of small territories) and the
sample territory's needs and offers (``traits demo``). Keys are those of the embedding cache
(:func:`traits.matching.encoder.text_key`), so a text that changed is simply encoded again.

    python scripts/precompute_embeddings.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from traits.matching import encoder as features
from traits.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "vitre" / "items.csv"
TARGET = ROOT / "traits" / features.PACKAGED_EMBEDDINGS["e5"]


def main() -> None:
    items = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    texts = features.reference_texts(Vocabulary.default()) + [
        features.semantic_text(t.strip(), d.strip())
        for t, d in zip(items["title"], items["description"], strict=True)
    ]
    features._CACHES["e5"] = {}  # encode everything afresh, nothing from the old file
    keys = sorted(set(features.encode_missing("e5", texts)))
    cache = features.embedding_cache("e5")
    vectors = np.vstack([cache[k] for k in keys]).astype(np.float32)
    np.savez_compressed(TARGET, keys=np.array(keys), vectors=vectors)
    print(f"{len(keys)} embeddings written to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
