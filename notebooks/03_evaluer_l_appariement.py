# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Évaluer l'appariement
#
# Les pistes proposées sont-elles celles qu'un·e animateur·rice aurait choisies ? On le mesure
# sur des **jeux étiquetés** : des territoires fictifs où, pour chaque besoin, des personnes ont
# indiqué la bonne offre (note 2) et les offres acceptables (note 1).
#
# - `shared/eval/devset` : le jeu de développement commun (chemin donné par la variable
#   d'environnement `TRAITS_SHARED`, par défaut le dossier `shared` à côté du dépôt) ;
# - `tests/data/labelled/*` : Morlaix, Lamballe et Redon, écrits sans regarder le moteur.
#
# Trois mesures, de 0 à 1 (plus c'est haut, mieux c'est) :
#
# - **hit@5** : part des besoins dont une offre pertinente est parmi les cinq premières pistes ;
# - **MRR@10** : en moyenne, l'inverse du rang de la première offre pertinente (1 si elle est
#   première, 0,5 si elle est deuxième…) ;
# - **nDCG@5** : la qualité de l'ordre des cinq premières pistes, notes 2 et 1 comprises.

# %%
import os
import time
from pathlib import Path

import pandas as pd

from traits.matching import features
from traits.matching.evaluation import ablation
from traits.services import matching
from traits.services.data import SAMPLE_DIR

ROOT = SAMPLE_DIR.parents[2]
SHARED = Path(os.environ.get("TRAITS_SHARED", ROOT.parent / "shared"))
SETS = {"devset": SHARED / "eval" / "devset"}
SETS.update(
    {
        p.name: p
        for p in sorted((ROOT / "tests" / "data" / "labelled").iterdir())
        if (p / "relevance.csv").exists()
    }
)
SETS = {name: path for name, path in SETS.items() if (path / "relevance.csv").exists()}
semantic = features.semantic_available("e5")

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)
print("Jeux étiquetés :", ", ".join(SETS) or "aucun")
print("Encodeur sémantique :", "oui" if semantic else "non (non installé)")

# %% [markdown]
# ## 1. Les mesures du moteur tel qu'il est réglé
#
# `matching.evaluate` importe chaque jeu dans une base jetable, prépare l'appariement avec les
# réglages par défaut et mesure le classement, comme `traits evaluate DOSSIER`.

# %%
rows = []
for name, path in SETS.items():
    start = time.perf_counter()
    metrics = matching.evaluate(path)
    rows.append(
        {
            "jeu": name,
            "besoins étiquetés": metrics["needs"],
            "hit@5": metrics["hit@5"],
            "MRR@10": metrics["mrr@10"],
            "nDCG@5": metrics["ndcg@5"],
            "secondes": round(time.perf_counter() - start, 1),
        }
    )
overall = pd.DataFrame(rows).set_index("jeu")
print(overall.round(3))

# %% [markdown]
# ## 2. L'ablation : ce qu'apporte chaque étape
#
# On ajoute les étapes du moteur une à une : ressemblance des caractères, puis des mots, le
# vocabulaire des sous-catégories, la catégorie, la distance et l'intérêt du rapprochement
# (ESS–entreprise, échanges dans les deux sens), l'encodeur sémantique s'il est installé, et
# enfin l'apprentissage à partir des retours (évalué en validation croisée : appris sur
# certains besoins, mesuré sur les autres).

# %%
tables = []
for name, path in SETS.items():
    frame = ablation(path, semantic=semantic)
    tables.append(frame.assign(jeu=name))
ablations = pd.concat(tables, ignore_index=True)
by_stage = ablations.pivot_table(index="stage", columns="jeu", values="mrr@10", sort=False).round(3)
print("MRR@10 par étape et par jeu\n", by_stage)

# %%
mean = (
    ablations.groupby("stage", sort=False)[["hit@5", "mrr@10", "ndcg@5"]]
    .mean()
    .round(3)
    .rename(columns={"mrr@10": "MRR@10", "ndcg@5": "nDCG@5"})
)
print("Moyenne des jeux, étape par étape\n", mean)

# %% [markdown]
# ## 3. Lire les résultats
#
# - Le **vocabulaire** (sous-catégories et synonymes) apporte le plus gros gain : il rapproche
#   « camion » et « fourgon », « blanchisserie » et « vêtements de travail ».
# - La **distance** départage deux offres également bonnes : la plus proche d'abord.
# - L'**encodeur sémantique** aide surtout pour les paraphrases sans mot commun.
# - L'**apprentissage** dépend de la quantité de retours : sur de petits jeux, il peut faire
#   moins bien que les réglages par défaut ; c'est pourquoi il ne s'active qu'à partir d'un
#   nombre minimal de retours, et la page **Paramètres** permet de le réinitialiser.
