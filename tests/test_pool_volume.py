"""Mutualisations: volumes summed honestly, and the pools a facilitator expects (issue 18, probe 3).

Every figure of a pool's volume is read from the needs (their « Quantité ou fréquence » field
first), never summed across periods, units or readings without saying so.
"""

from __future__ import annotations

import pandas as pd
import pytest

from traits import services
from traits.pooling import find_pools
from traits.pooling.volume import need_volume
from traits.quantities import format_quantity, read_quantities
from traits.services import pooling as pooling_service
from traits.storage import schema as t
from traits.storage.audit import acting_as
from traits.vocabulary import Vocabulary

# Invented associations in real towns: Lannion, Perros-Guirec (9 km), Ploubezre (6 km).
PLACES = {"q1": (48.7325, -3.4553), "q2": (48.8146, -3.4437), "q3": (48.7050, -3.4350)}


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.default()


def _pools(vocab: Vocabulary, *needs: tuple) -> list:
    """Pools of needs given as (category, title, description[, quantity[, subcategory]])."""
    orgs = pd.DataFrame(
        [
            {"org_id": o, "name": f"Association {o}", "lat": lat, "lon": lon}
            for o, (lat, lon) in PLACES.items()
        ]
    )
    rows = []
    for i, need in enumerate(needs):
        category, title, description, quantity, sub = (*need, "", "")[:5]
        rows.append(
            {
                "item_id": f"n{i + 1}",
                "org_id": f"q{i % 3 + 1}",
                "direction": "need",
                "category": category,
                "subcategory": sub,
                "title": title,
                "description": description,
                "quantity": quantity,
            }
        )
    return find_pools(orgs, pd.DataFrame(rows), vocab)


def _one(vocab: Vocabulary, *needs: tuple):
    pools = _pools(vocab, *needs)
    assert len(pools) == 1, [(p.label, p.need_ids) for p in pools]
    return pools[0]


# -- 1. the « Quantité ou fréquence » field -----------------------------------------------------


def test_the_quantity_field_is_read_like_the_text(vocab):
    storage = _one(
        vocab,
        ("premises", "Stockage", "Un local de stockage pour nos archives.", "40 m²"),
        ("premises", "Stockage de matériel", "Un local de stockage pour notre matériel.", "60 m²"),
    )
    assert storage.volume == ["100 m²"]
    job = _one(
        vocab,
        (
            "skills",
            "Chargé de communication",
            "Un chargé de communication partagé.",
            "8 h par semaine",
        ),
        ("skills", "Communication", "Un chargé de communication partagé.", "6 h par semaine"),
    )
    assert job.volume == ["14 heures par semaine"]
    assert job.form == "shared_job"  # the hours of the field make it a job, as in the text


def test_the_field_says_what_the_need_is_about_before_the_text(vocab):
    pool = _one(
        vocab,
        ("premises", "Stockage", "Nous occupons 800 m² mais il nous faut de la place.", "50 m²"),
        ("premises", "Stockage de matériel", "Un local de stockage.", "30 m²"),
    )
    assert pool.volume == ["80 m²"]


def test_the_store_gives_the_field_to_pooling(backend_store):
    store = backend_store
    services.load_demo(store)
    before = pooling_service.find_pools(store, "vitre")
    laundry = next(p for p in before if p.form == "purchasing_group" and "linge" in p.label.lower())
    with acting_as("Animatrice Essai"), store.transaction() as conn:
        conn.execute(
            t.items.update()
            .where(t.items.c.item_id == laundry.need_ids[0])
            .values(quantity="35 kg par semaine")
        )
    after = next(
        p for p in pooling_service.find_pools(store, "vitre") if p.need_ids == laundry.need_ids
    )
    assert "35 kg par semaine" in " ".join(after.volume)


# -- 2. periods: never lost, never invented, never summed raw ------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "volume", "said"),
    [
        (
            "1 jour tous les 15 jours",
            "3 jours par trimestre",
            ["1 jour par quinzaine", "3 jours par trimestre"],
            "soit environ 3,2 jours par mois en tout",
        ),
        (
            "1 jour tous les 15 jours",
            "2 jours par semaine",
            ["1 jour par quinzaine", "2 jours par semaine"],
            "soit environ 2,5 jours par semaine en tout",
        ),
        (
            "4h par quinzaine",
            "3 h par semaine",
            ["3 heures par semaine", "4 heures par quinzaine"],
            "soit environ 5 heures par semaine en tout",
        ),
        (
            "chaque mardi de 9 h à 12 h",
            "3 h par semaine",
            ["6 heures par semaine"],
            "« de 9 h à 12 h » compté 3 heures par semaine",
        ),
        (
            "2 heures tous les 15 jours",
            "3 heures deux fois par mois",
            ["6 heures par mois", "2 heures par quinzaine"],
            "« 3 heures deux fois par mois » compté 6 heures par mois",
        ),
    ],
)
def test_periods_are_kept_apart_and_any_conversion_is_said(vocab, first, second, volume, said):
    pool = _one(
        vocab,
        ("skills", "Support informatique", f"Un technicien informatique {first}."),
        ("skills", "Informatique et maintenance", f"Un technicien informatique {second}."),
    )
    assert sorted(pool.volume) == sorted(volume)
    assert any(said in r for r in pool.reasons), pool.reasons
    assert not any("12 heures" in v or "15 jours" in v or "18 jours" in v for v in pool.volume)


def test_time_slots_of_one_day_add_up_and_a_title_repeated_counts_once():
    slots = need_volume("Ménage", "Ménage chaque mardi de 9 h à 12 h et de 14 h à 17 h.")
    assert [format_quantity(q) for q in slots.quantities] == ["6 heures par semaine"]
    minibus = need_volume("Minibus 9 places", "Un minibus 9 places pour les sorties.")
    assert [format_quantity(q) for q in minibus.quantities] == ["9 places"]


def test_a_quantity_not_read_is_said_not_dropped(vocab):
    pool = _one(
        vocab,
        ("purchasing", "Blanchisserie", "Lavage du linge 40 kg par semaine."),
        ("purchasing", "Lavage du linge", "Blanchisserie et lavage du linge 1,5 tonne par an."),
        (
            "purchasing",
            "Linge de la crèche",
            "Lavage du linge de la crèche 2 jours tous les 10 jours.",
        ),
    )
    assert sorted(pool.volume) == ["1,5 tonne par an", "40 kg par semaine"]
    doubt = next(r for r in pool.reasons if r.startswith("À vérifier"))
    assert "tous les 10 jours" in doubt and "Linge de la crèche" in doubt


def test_a_need_without_quantity_is_counted_as_such(vocab):
    pool = _one(
        vocab,
        ("premises", "Stockage", "Un local de stockage de 40 m²."),
        ("premises", "Stockage des décors", "Un local de stockage pour nos décors."),
    )
    assert pool.volume == ["40 m²"]
    assert "1 besoin sans quantité lisible : « Stockage des décors »." in pool.reasons


# -- 3. surfaces: thousands, and the building around the need -----------------------------------


def test_a_dot_before_three_digits_is_not_guessed():
    reading = read_quantities("Un local de stockage de 1.200 m² environ.")
    assert reading.quantities == []
    assert reading.doubts == ["« 1.200 m² » peut se lire 1 200 m² ou 1,2 m²"]
    assert [format_quantity(q) for q in read_quantities("1.200,50 m²").quantities] == [
        "1\u202f200,5 m²"
    ]


def test_the_building_around_a_need_is_not_added(vocab):
    pool = _one(
        vocab,
        ("premises", "Stockage", "Un local de stockage de 1 200 m²."),
        ("premises", "Stockage de matériel", "Dans un bâtiment de 800 m², nous cherchons 50 m²."),
    )
    assert pool.volume == ["1\u202f250 m²"]
    assert any("« Dans un bâtiment de 800 m² » non compté" in r for r in pool.reasons)


def test_two_surfaces_with_no_clear_rule_are_said_uncertain(vocab):
    pool = _one(
        vocab,
        ("premises", "Stockage", "Un local de stockage de 1.200 m²."),
        (
            "premises",
            "Stockage de matériel",
            "Nous occupons 300 m², il nous faut 50 m² de stockage.",
        ),
    )
    assert pool.volume == []
    doubts = next(r for r in pool.reasons if r.startswith("À vérifier"))
    assert "1 200 m² ou 1,2 m²" in doubts and "plusieurs valeurs, 300 m² et 50 m²" in doubts


# -- 4. working time: ETP stay ETP ----------------------------------------------------------------


def test_half_time_and_etp_are_not_turned_into_hours(vocab):
    half = _one(
        vocab,
        ("skills", "Communication", "Un chargé de communication à mi-temps."),
        ("skills", "Chargé de communication", "Un chargé de communication à mi-temps."),
    )
    assert half.volume == ["1 ETP"]
    assert any("« mi-temps » compté 0,5 ETP" in r for r in half.reasons)
    mixed = _one(
        vocab,
        ("skills", "Communication", "Un chargé de communication 2,5 ETP."),
        ("skills", "Chargé de communication", "Un chargé de communication 8 h par semaine."),
    )
    assert mixed.volume == ["8 heures par semaine", "2,5 ETP"]
    assert not any("35" in r or "95" in r for r in mixed.reasons)


# -- 10. seats are not people; a shared thing's capacity is not a sum --------------------------


def test_seats_are_places_and_capacities_are_not_summed(vocab):
    assert [q.unit for q in read_quantities("Un minibus 9 places").quantities] == ["place"]
    rooms = _one(
        vocab,
        ("premises", "Salle de réunion", "Une salle de réunion pour 20 personnes."),
        ("premises", "Salle pour nos réunions", "Une salle de réunion pour 15 personnes."),
    )
    assert rooms.volume == ["jusqu'à 20 personnes"]
    assert any("non additionnée" in r for r in rooms.reasons)


def test_a_time_of_day_is_not_a_duration():
    assert read_quantities("Une salle libre après 18 h, près de la gare").quantities == []


# -- 11. obvious pools: certified trainings, a job written as a share of ETP ----------------


@pytest.mark.parametrize("sub", ["", "health_safety"])
def test_a_caces_training_is_pooled_and_never_with_first_aid(vocab, sub):
    pools = _pools(
        vocab,
        ("skills", "Formation CACES", "Former 2 salariés au CACES chariot.", "", sub),
        (
            "skills",
            "Formation CACES chariot élévateur",
            "Former nos 3 caristes au CACES R489.",
            "",
            sub,
        ),
        (
            "skills",
            "Formation SST",
            "Former 4 salariés au sauveteur secouriste du travail.",
            "",
            sub,
        ),
    )
    assert [sorted(p.need_ids) for p in pools] == [["n1", "n2"]]
    assert pools[0].form == "collective_training"
    assert pools[0].label.startswith("CACES")
    assert pools[0].volume == ["5 personnes"]


def test_first_aid_and_accounting_trainings_are_two_sessions(vocab):
    assert (
        _pools(
            vocab,
            ("skills", "Formation SST", "Former 4 salariés au sauveteur secouriste du travail."),
            ("skills", "Formation comptabilité", "Former nos bénévoles à la comptabilité."),
        )
        == []
    )


def test_a_share_of_a_job_in_the_field_joins_the_shared_job(vocab):
    pool = _one(
        vocab,
        ("skills", "Chargé de communication", "Un chargé de communication 8 h par semaine."),
        ("skills", "Communication de la compagnie", "Quelqu'un pour la communication, à mi-temps."),
        (
            "skills",
            "Communication du jardin",
            "Un poste de chargé de communication partagé.",
            "0,2 ETP",
        ),
    )
    assert sorted(pool.need_ids) == ["n1", "n2", "n3"]
    assert pool.form == "shared_job"
    assert pool.volume == ["8 heures par semaine", "0,7 ETP"]


# -- 12. a service bought is a groupement de commandes, staff a shared job ----------------------


def test_cleaning_bought_with_hours_is_a_purchasing_group(vocab):
    pool = _one(
        vocab,
        ("purchasing", "Nettoyage des bureaux", "Nettoyage de nos bureaux 4 heures par semaine."),
        ("purchasing", "Ménage des locaux", "Ménage chaque mardi de 9 h à 12 h."),
    )
    assert pool.form == "purchasing_group"
    assert not any("L8241" in r for r in pool.reasons)
    assert pool.volume == ["7 heures par semaine"]


def test_staff_to_employ_is_a_shared_job(vocab):
    cleaning = _one(
        vocab,
        ("purchasing", "Agent d'entretien", "Un poste d'agent d'entretien 10 h par semaine."),
        ("purchasing", "Entretien des locaux", "Embaucher un agent d'entretien 8 h par semaine."),
    )
    assert cleaning.form == "shared_job"
    secretary = _one(
        vocab,
        ("purchasing", "Aide administrative", "Il faudrait 8 h par semaine de secrétariat."),
        (
            "other",
            "Secrétariat",
            "Du secrétariat, les inscriptions et le courrier, 7 h par semaine.",
        ),
    )
    assert secretary.form == "shared_job"
