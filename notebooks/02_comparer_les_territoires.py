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
# # Comparer les territoires (coordination régionale)
#
# La coordination régionale (CRESS) reçoit les exports des Pôles ESS et veut les lire
# ensemble : combien de structures, de diagnostics, de partenariats concrétisés ; quelles
# catégories sont les plus demandées et les plus offertes ; quels besoins restent sans réponse.
#
# Le carnet charge dans une même base temporaire le territoire d'exemple (Pays de Vitré) et les
# trois territoires étiquetés des tests (Morlaix, Lamballe, Redon). **Toutes ces données sont
# fictives.** Les territoires étiquetés n'ont ni diagnostics ni partenariats : ce sont des
# recensements de besoins et d'offres. Seule la couche de services de `traits` est utilisée.

# %%
import dataclasses
import tempfile
from pathlib import Path

import pandas as pd

from traits import services
from traits.matching import features
from traits.model import LABELS_FR, Territory
from traits.services import matching, reports
from traits.services.data import SAMPLE_DIR
from traits.storage import Store

ROOT = SAMPLE_DIR.parents[2]
LABELLED = ROOT / "tests" / "data" / "labelled"
OTHERS = {
    "morlaix": "Pays de Morlaix",
    "lamballe": "Penthièvre – Lamballe",
    "redon": "Pays de Redon",
}
#: Below this score, the best piste of a need is too weak to propose: the need is "unmet".
WEAK_SCORE = 0.4

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)
tmp = tempfile.TemporaryDirectory(prefix="traits-region-")
store = Store(Path(tmp.name) / "region.sqlite")

# %% [markdown]
# ## 1. Charger les territoires
#
# Chaque export est importé avec son territoire (`territory=Territory(...)`), comme le ferait
# `traits import DOSSIER --territory morlaix`.

# %%
print(services.import_territory(store, SAMPLE_DIR).summary())
for tid, name in OTHERS.items():
    folder = LABELLED / tid
    if folder.exists():
        print(services.import_territory(store, folder, territory=Territory(tid, name)).summary())
territories = {t.territory_id: t.name for t in services.list_territories(store)}
print(territories)

# %% [markdown]
# ## 2. Les chiffres du bilan, territoire par territoire
#
# Les mêmes définitions que la page **Bilan** et `traits report` : structures rencontrées,
# rendez-vous diagnostics, partenariats concrétisés, pistes naissantes, et le taux de
# concrétisation (concrétisés parmi les pistes tranchées).


# %%
def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


bilans = {tid: reports.build_report(store, tid) for tid in territories}
figures = pd.DataFrame(
    {
        territories[tid]: {
            "structures rencontrées": b.organisations,
            "rendez-vous diagnostics": b.diagnostics,
            "besoins": b.needs,
            "offres": b.offers,
            "partenariats concrétisés": b.realised_count,
            "pistes naissantes": b.emerging,
            "taux de concrétisation": percent(b.conversion.get("among_decided")),
        }
        for tid, b in bilans.items()
    }
)
print(figures)

# %% [markdown]
# ## 3. Les catégories les plus demandées et les plus offertes
#
# Un tableau croisé par territoire : le nombre de besoins et d'offres de chaque catégorie.

# %%
frames = []
for tid in territories:
    _, items = matching.frames(store, tid)
    frames.append(items.assign(territoire=territories[tid]))
all_items = pd.concat(frames, ignore_index=True)
all_items["catégorie"] = all_items["category"].map(lambda c: LABELS_FR.get(c, c))

asked = pd.crosstab(
    all_items.loc[all_items["direction"] == "need", "catégorie"],
    all_items.loc[all_items["direction"] == "need", "territoire"],
    margins=True,
    margins_name="total",
)
offered = pd.crosstab(
    all_items.loc[all_items["direction"] == "offer", "catégorie"],
    all_items.loc[all_items["direction"] == "offer", "territoire"],
    margins=True,
    margins_name="total",
)
print("Besoins par catégorie\n", asked.sort_values("total", ascending=False), "\n")
print("Offres par catégorie\n", offered.sort_values("total", ascending=False))

# %% [markdown]
# ## 4. Les besoins sans réponse
#
# Pour chaque territoire, on calcule la meilleure piste de chaque besoin. Un besoin dont la
# meilleure piste a un score inférieur à 0,4 (ou qui n'en a aucune) est « sans réponse » sur
# son territoire : une information pour le groupe local, et pour la région quand le même
# besoin revient ailleurs.

# %%
semantic = features.semantic_available("e5")
unmet_rows, unmet_share = [], {}
for tid in territories:
    config = dataclasses.replace(matching.load_config(store, tid), use_semantic=semantic)
    matcher = matching.fit_matcher(store, tid, config)
    results = matching.match(store, territory_id=tid, top=1, matcher=matcher)
    _, items = matching.frames(store, tid)
    titles = dict(zip(items["item_id"], items["title"], strict=True))
    categories = dict(zip(items["item_id"], items["category"], strict=True))
    weak = 0
    for r in results:
        best = r["candidates"][0]["score"] if r["candidates"] else 0.0
        if best < WEAK_SCORE:
            weak += 1
            unmet_rows.append(
                {
                    "territoire": territories[tid],
                    "besoin": titles[r["need_id"]],
                    "catégorie": LABELS_FR.get(categories[r["need_id"]], ""),
                    "meilleur score": round(best, 2),
                }
            )
    unmet_share[tid] = weak / len(results) if results else None
unmet = pd.DataFrame(unmet_rows)
print(f"Encodeur sémantique : {'oui' if semantic else 'non'}")
print(unmet.sort_values(["territoire", "meilleur score"]).to_string(index=False))

# %% [markdown]
# ## 5. Le tableau de comparaison
#
# Une ligne par territoire, à recopier dans le bilan régional.


# %%
def top_category(direction: str, territory_name: str) -> str:
    subset = all_items[
        (all_items["direction"] == direction) & (all_items["territoire"] == territory_name)
    ]
    return subset["catégorie"].value_counts().idxmax() if len(subset) else "—"


comparison = pd.DataFrame(
    [
        {
            "territoire": territories[tid],
            "structures": b.organisations,
            "diagnostics": b.diagnostics,
            "besoins": b.needs,
            "offres": b.offers,
            "offres par besoin": round(b.offers / b.needs, 1) if b.needs else None,
            "concrétisés": b.realised_count,
            "pistes naissantes": b.emerging,
            "besoins sans réponse": percent(unmet_share[tid]),
            "plus demandé": top_category("need", territories[tid]),
            "plus offert": top_category("offer", territories[tid]),
        }
        for tid, b in bilans.items()
    ]
).set_index("territoire")
print(comparison.to_string())

# %%
store.dispose()
tmp.cleanup()
