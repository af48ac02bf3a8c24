"""The report counts a partnership in a period only for what happened to it there (issue 16 §3).

Found by an outside probe: a partnership realised in March 2024 and ended in May 2025 was
« concrétisé » (with its OETH estimate) in every period in between; one whose history stops at
« piste » while its status says « concrétisé » was a piste in every later year; a 2030 report
announced pistes naissantes; the all-dates report hid its undated totals.
"""

from __future__ import annotations

import datetime as dt
import html
import random

import pytest
from factories import partnership
from test_report import world

from traits import report as r
from traits.model import Partnership, PartnershipMode, PartnershipStatus

S = PartnershipStatus
D = dt.date
SEED = 1848


def _with(*extra: Partnership):
    data = world()
    data.partnerships += list(extra)
    return data


def _report(data, start=None, end=None):
    return r.build_report(data, territory="t1", start=start, end=end)


def _realised_then_ended() -> Partnership:
    """Transports Morin buys from the ESAT: realised March 2023, abandoned May 2024."""
    return partnership(
        "q1",
        "morin",
        "esat",
        [(S.PROPOSED, D(2023, 2, 1)), (S.REALISED, D(2023, 3, 1)), (S.ABANDONED, D(2024, 5, 1))],
        need_id="n1",
        offer_id="o1",
        mode=PartnershipMode.RESPONSIBLE_PRACTICES,
        value_euros=3_000.0,
    )


def test_a_realisation_counts_in_its_period_only_with_its_estimate():
    data = _with(_realised_then_ended())
    in_2023 = _report(data, D(2023, 1, 1), D(2023, 12, 31))
    assert in_2023.realised_count == 1 and in_2023.value_estimates[0].base_euros == 3_000
    # Nothing happened to it from June to December 2023, nor in the first months of 2024.
    for start, end in ((D(2023, 6, 1), D(2023, 12, 31)), (D(2024, 1, 1), D(2024, 4, 30))):
        quiet = _report(data, start, end)
        assert quiet.realised_count == 0 and quiet.emerging == 0
        assert quiet.realised == [] and quiet.value_estimates[0].base_euros == 0
    in_2024 = _report(data, D(2024, 1, 1), D(2024, 12, 31))
    assert in_2024.realised_count == 0
    assert in_2024.partnerships[S.ABANDONED.value] == 1


def test_a_period_without_any_step_counts_no_partnership_and_no_piste():
    """p4 was introduced on 1 October 2022 and never moved again."""
    data = world()
    for start, end in ((D(2030, 1, 1), D(2030, 12, 31)), (D(2022, 10, 2), D(2022, 10, 31))):
        quiet = _report(data, start, end)
        assert sum(quiet.partnerships.values()) == 0 and quiet.emerging == 0
    october = _report(data, D(2022, 10, 1), D(2022, 10, 1))
    assert october.partnerships[S.INTRODUCED.value] == 1 and october.emerging == 1


def test_realised_without_a_dated_realisation_is_counted_apart_never_as_a_piste():
    incoherent = partnership("q2", "morin", "ea", [(S.PROPOSED, D(2022, 11, 1))])
    incoherent.status = S.REALISED  # the status says realised, the history stops at « piste »
    data = _with(incoherent)
    proposed_in = _report(data, D(2022, 1, 1), D(2022, 12, 31))
    assert proposed_in.partnerships[S.PROPOSED.value] == 1  # what its history says then
    for year in (2024, 2031):  # (p6 is a piste of 2023)
        later = _report(data, D(year, 1, 1), D(year, 12, 31))
        assert later.partnerships[S.PROPOSED.value] == 0 and later.emerging == 0
        assert later.realised_count == 0 and later.undated["realised"] == 1
        assert any("concrétisé sans date" in n for n in r.period_notes(later))
    # A period over before its last dated step cannot hold the realisation: nothing said.
    assert _report(data, D(2021, 1, 1), D(2021, 12, 31)).undated["realised"] == 0
    whole = _report(data)
    assert whole.realised_count == 4 and whole.undated["realised"] == 1
    assert any(
        n.startswith("Dont 1 partenariat concrétisé sans date") for n in r.period_notes(whole)
    )


def _random_world(rng: random.Random):
    data = world()
    parties = ["esat", "ea", "asso", "morin", "banque", "mairie"]
    for i in range(60):
        a, b = rng.sample(parties, 2)
        day = D(2022, 1, 1) + dt.timedelta(days=rng.randrange(730))
        steps = [(S.PROPOSED, day)]
        for status in rng.sample([S.INTRODUCED, S.IN_DISCUSSION], rng.randrange(3)):
            day += dt.timedelta(days=rng.randrange(0, 120))
            steps.append((status, day))
        if rng.random() < 0.6:
            day += dt.timedelta(days=rng.randrange(0, 200))
            steps.append((rng.choice([S.REALISED, S.ABANDONED]), day))
        if steps[-1][0] == S.REALISED and rng.random() < 0.4:  # ended later, as in the probe
            steps.append((S.ABANDONED, day + dt.timedelta(days=rng.randrange(1, 200))))
        data.partnerships.append(partnership(f"r{i}", a, b, steps))
    return data


@pytest.mark.parametrize("seed", [SEED, SEED + 1, SEED + 2])
def test_sub_periods_add_up_to_the_year(seed: int):
    data = _random_world(random.Random(seed))
    for year in (2022, 2023, 2024):
        whole = _report(data, D(year, 1, 1), D(year, 12, 31))
        halves = [
            _report(data, D(year, 1, 1), D(year, 6, 30)),
            _report(data, D(year, 7, 1), D(year, 12, 31)),
        ]
        for status in (S.REALISED, S.ABANDONED):
            assert whole.partnerships[status.value] == sum(
                h.partnerships[status.value] for h in halves
            )
        assert sum(e.base_euros for e in whole.value_estimates) == sum(
            e.base_euros for h in halves for e in h.value_estimates
        )
    years = [_report(data, D(y, 1, 1), D(y, 12, 31)) for y in range(2019, 2027)]
    assert _report(data).realised_count == sum(y.realised_count for y in years)


def test_the_all_dates_report_says_its_undated_totals():
    data = world()
    data.partnerships.append(Partnership("u1", "morin", "banque", S.PROPOSED))
    whole = _report(data)
    assert whole.undated == {"needs": 2, "offers": 4, "partnerships": 1, "realised": 0}
    notes = r.period_notes(whole)
    assert "Dont 2 besoins sans date dans ces totaux." in notes
    assert "Dont 4 offres sans date dans ces totaux." in notes
    assert "Dont 1 partenariat sans date dans ces totaux." in notes
    assert r.to_json(whole).count('"partnerships": 1') == 1


# --- D2: a realised pooled partnership whose members bring no need -----------------------------


def _pool(members, offer_id: str | None = "o4") -> Partnership:
    from traits.model import PartnershipMember

    return partnership(
        "m1",
        "asso",
        "ea",
        [(S.PROPOSED, D(2023, 3, 1)), (S.REALISED, D(2023, 4, 1))],
        offer_id=offer_id,
        label="Salle partagée",
        members=[PartnershipMember("m1", org, need) for org, need in members],
    )


@pytest.mark.parametrize(
    ("members", "offer_id", "sentence"),
    [
        (  # nobody's need given: every member but the one serving the group is named
            [("asso", None), ("mairie", None), ("ea", None)],
            "o4",
            "Mutualisation «\u00a0Salle partagée\u00a0» – partenaire : entreprise adaptée Les "
            "Mains Agiles ; bénéficiaires : Recyclerie du Bocage et Mairie d'Izé",
        ),
        (  # only the server listed
            [("ea", None)],
            "o4",
            "Mutualisation «\u00a0Salle partagée\u00a0» – partenaire : entreprise adaptée Les "
            "Mains Agiles (",
        ),
        (  # no offer, no need
            [("asso", None), ("mairie", None)],
            None,
            "Mutualisation «\u00a0Salle partagée\u00a0» – structures réunies : Recyclerie du "
            "Bocage, Mairie d'Izé et entreprise adaptée Les Mains Agiles",
        ),
        (  # no member at all: a plain partnership of its two parties
            [],
            None,
            "Partenariat concrétisé – partenaires : entreprise adaptée Les Mains Agiles et "
            "Recyclerie du Bocage",
        ),
    ],
)
def test_a_pool_without_needs_gets_its_sentence_in_every_format(
    members, offer_id, sentence, tmp_path
):
    data = _with(_pool(members, offer_id))
    year = _report(data, D(2023, 1, 1), D(2023, 12, 31))
    assert year.realised_count == 1 and year.realised[0].startswith(sentence)
    for text in (r.to_markdown(year), r.to_json(year), r.to_html(year)):
        assert sentence.split(" – ")[1].split(" : ")[0] in html.unescape(text)
    r.to_docx(year, tmp_path / "b.docx")
    r.to_pdf(year, tmp_path / "b.pdf")
    r.to_xlsx(year, tmp_path / "b.xlsx")


@pytest.mark.parametrize("parts", [[], ["a"], ["a", "b"], ["a", "b", "c"]])
def test_and_list_never_fails(parts):
    from traits.report.wording import and_list

    assert and_list(parts) == {0: "", 1: "a", 2: "a et b", 3: "a, b et c"}[len(parts)]


def test_the_rate_agrees_with_its_own_counts_when_a_realisation_ends_in_the_period():
    """Re-probe N6: realised then abandoned in one month read « 100 % … (1 sur 2) »."""
    data = world()
    data.partnerships.append(
        partnership(
            "rx", "esat", "morin",
            [(S.PROPOSED, D(2025, 10, 10)), (S.REALISED, D(2025, 10, 12)),
             (S.ABANDONED, D(2025, 10, 20))],
        )
    )  # fmt: skip
    report = _report(data, D(2025, 10, 1), D(2025, 10, 31))
    realised, abandoned = report.realised_count, report.partnerships[S.ABANDONED.value]
    assert (realised, abandoned) == (1, 1)
    assert report.conversion["among_decided"] == 0.5
    (rate, *_) = r.indicator_lines(report)
    assert "50 %" in rate.replace("\u202f", " ").replace("\xa0", " ") and "1 sur 2" in rate


def test_a_realisation_is_dated_by_its_step_in_the_period():
    """Re-probe N1: realised in March, reopened, realised again in September: the March–April
    report dated it « septembre »."""
    data = world()
    data.partnerships.append(
        partnership(
            "ry", "esat", "morin",
            [(S.PROPOSED, D(2025, 2, 1)), (S.REALISED, D(2025, 3, 15)),
             (S.IN_DISCUSSION, D(2025, 6, 1)), (S.REALISED, D(2025, 9, 10))],
        )
    )  # fmt: skip
    spring = _report(data, D(2025, 3, 1), D(2025, 4, 30))
    assert any("mars 2025" in s for s in spring.realised), spring.realised
    assert not any("septembre" in s for s in spring.realised), spring.realised
