"""Sizes and days written in items' texts: what they are, and whether an offer meets a need."""

from __future__ import annotations

import pytest

from traits.availability import availability_fit, extract_availability
from traits.quantities import extract_quantities, size_fit


@pytest.mark.parametrize(
    ("need", "offer", "fits"),
    [
        ("Une salle pour 150 personnes", "Salle de 40 places", False),
        ("300 m2 de stockage", "Un placard de 2 m²", False),
        ("300 m2 de stockage", "Entrepôt de 500 m²", True),
        ("Une salle pour 30 personnes", "Salle de 40 places", True),
        ("Comptable 10 h par semaine", "2 h par mois de bénévolat comptable", False),
        ("Une salle pour une réunion", "Salle de 40 places", True),
    ],
)
def test_an_offer_too_small_for_the_need_is_penalised_and_said(need, offer, fits):
    factor, reason = size_fit(extract_quantities(need), extract_quantities(offer))
    if fits:
        assert factor == 1.0
    else:
        assert factor < 0.8
        assert reason is not None and ("trop petite" in reason or "insuffisante" in reason)


def test_the_reason_names_both_sizes():
    _, reason = size_fit(
        extract_quantities("salle pour 150 personnes"), extract_quantities("40 places")
    )
    # seats stay seats in the sentence (they are compared with people as a capacity)
    assert reason == "Offre de 40 places pour un besoin de 150 personnes : trop petite."


@pytest.mark.parametrize(
    ("text", "days", "evening"),
    [
        ("Un fourgon le mardi et le vendredi", {1, 4}, False),
        ("Prêté le week-end seulement", {5, 6}, False),
        ("Du lundi au jeudi en soirée", {0, 1, 2, 3}, True),
        ("Les soirs de semaine", {0, 1, 2, 3, 4}, True),
        ("Distribution du mardi soir", {1}, True),
        ("Un camion pour nos collectes", set(), False),
    ],
)
def test_days_as_people_write_them(text, days, evening):
    found = extract_availability(text)
    assert set(found.days) == days
    assert found.evening is evening


def test_days_that_never_meet_are_penalised_and_said():
    factor, reason = availability_fit(
        extract_availability("Un fourgon le mardi et le vendredi"),
        extract_availability("Prêt de notre fourgon le week-end"),
    )
    assert factor < 1.0
    assert reason == "Besoin le mardi et le vendredi, offre le week-end : jours incompatibles."


def test_days_that_meet_or_texts_that_say_nothing_are_not_penalised():
    assert (
        availability_fit(
            extract_availability("collectes du samedi"), extract_availability("le week-end")
        )[0]
        == 1.0
    )
    assert availability_fit(
        extract_availability("un camion"), extract_availability("le week-end")
    ) == (1.0, None)


def test_seasons_that_never_meet_are_said():
    factor, reason = availability_fit(
        extract_availability("Un local pour l'été"),
        extract_availability("Salle libre en janvier et février"),
    )
    assert factor < 1.0 and "périodes différentes" in reason
