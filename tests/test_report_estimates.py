"""Value estimates stay within what the law allows (outside probe, D4): a 25-employee company
buying 1 000 000 € from an ESAT was shown a 150 000 € OETH « deduction »."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import partnership
from test_report import world

from traits import report as r
from traits.model import PartnershipMode, PartnershipStatus
from traits.report.estimates import SMIC_HOURLY_EUROS, SMIC_SINCE, VALUE_RULES

S = PartnershipStatus
D = dt.date


def _purchase(pid: str, euros: float, day: dt.date, buyer: str = "morin"):
    return partnership(
        pid,
        buyer,
        "esat",
        [(S.PROPOSED, day - dt.timedelta(days=30)), (S.REALISED, day)],
        need_id="n1",
        offer_id="o1",
        mode=PartnershipMode.RESPONSIBLE_PRACTICES,
        value_euros=euros,
    )


def _oeth(size: str | None, *purchases):
    data = world()
    data.organisations[3].size = size  # Transports Morin
    data.partnerships = list(purchases)
    return r.build_report(data, territory="t1").value_estimates[0]


def _legal_most(high: int) -> float:
    """Written from the law's words, independently of the code: 75 % of the contribution when
    every beneficiary owed (6 %, rounded down) is missing, at 400/500/600 SMIC hours."""
    owed = (6 * high) // 100
    hours = 400 if high < 250 else 500 if high < 750 else 600
    return 0.75 * owed * hours * SMIC_HOURLY_EUROS


@pytest.mark.parametrize(
    ("size", "high"),
    [("25", 25), ("20", 20), ("50-249", 249), ("250 à 749", 749), ("800", 800), ("1200", 1200)],
)
def test_an_oeth_estimate_never_exceeds_what_the_law_allows_for_the_headcount(size, high):
    oeth = _oeth(size, _purchase("a", 10_000_000, D(2025, 4, 1)))
    assert oeth.estimate_euros == pytest.approx(_legal_most(high))
    assert oeth.capped == 1 and "au plus" in oeth.lines[0].basis
    small = _oeth(size, _purchase("a", 2_000, D(2025, 4, 1)))
    assert small.estimate_euros == pytest.approx(300) and small.capped == 0


def test_a_buyers_purchases_share_one_bound_per_year():
    most = _legal_most(25)
    oeth = _oeth(
        "25",
        _purchase("a", 30_000, D(2025, 2, 1)),
        _purchase("b", 30_000, D(2025, 9, 1)),
        _purchase("c", 30_000, D(2026, 2, 1)),
    )
    by_id = {x.partnership_id: x.estimate_euros for x in oeth.lines}
    assert by_id["a"] + by_id["b"] == pytest.approx(most)  # 2 × 4 500 € asked, 3 564 € allowed
    assert by_id["c"] == pytest.approx(most)  # another year, another contribution


def test_a_band_without_upper_bound_is_given_before_the_cap():
    oeth = _oeth("250+", _purchase("a", 1_000_000, D(2025, 4, 1)))
    assert oeth.estimate_euros == pytest.approx(150_000) and oeth.capped == 0
    assert "n'est pas borné" in oeth.limit


def test_the_report_says_the_smic_used_its_date_and_the_legal_texts():
    oeth = _oeth("25", _purchase("a", 1_000_000, D(2025, 4, 1)))
    text = r.to_markdown(r.build_report(world(), territory="t1"))
    assert (
        "SMIC horaire brut utilisé : 11,88\u00a0€ (en vigueur depuis le 1er novembre 2024)" in text
    )
    assert SMIC_SINCE == D(2024, 11, 1)
    assert "D5212-20" in oeth.reference and "D5212-22" in oeth.reference
    assert VALUE_RULES["oeth"]["high_employment_threshold"] == 0.03  # half of the 6 % rate
    assert "au moins 3\u00a0% de travailleurs handicapés" in oeth.limit


def test_a_gift_above_the_sure_ceiling_is_said_a_maximum():
    data = world()
    gift = partnership(
        "g",
        "asso",
        "banque",
        [(S.PROPOSED, D(2025, 1, 1)), (S.REALISED, D(2025, 3, 1))],
        need_id="n3",
        offer_id="o3",
        mode=PartnershipMode.PHILANTHROPY,
        value_euros=50_000.0,
    )
    data.partnerships = [gift]
    report = r.build_report(data, territory="t1")
    sponsorship = report.value_estimates[1]
    assert sponsorship.estimate_euros == pytest.approx(30_000)
    assert sponsorship.certain_euros == pytest.approx(12_000)  # 60 % of the 20 000 € floor
    assert "C'est un maximum avant plafonnement : 12\u202f000\u00a0€ sont sûrs" in r.to_markdown(
        report
    )


def test_a_shorter_period_counts_what_earlier_purchases_of_the_year_used():
    """Re-probe N2: the yearly bound was applied afresh in each period: two reports of one year
    gave a 25-employee buyer twice the legal maximum."""
    most = _legal_most(25)
    data = world()
    data.organisations[3].size = "25"  # Transports Morin
    data.partnerships = [
        _purchase("a", 1_000_000, D(2025, 3, 15)),
        _purchase("b", 1_000_000, D(2025, 7, 10)),
    ]

    def oeth(start, end):
        return r.build_report(data, territory="t1", start=start, end=end).value_estimates[0]

    spring, summer = oeth(D(2025, 3, 1), D(2025, 4, 30)), oeth(D(2025, 6, 1), D(2025, 8, 31))
    year = oeth(D(2025, 1, 1), D(2025, 12, 31))
    assert spring.estimate_euros == pytest.approx(most)
    assert summer.estimate_euros == pytest.approx(0.0)  # the bound was used in March
    assert year.estimate_euros == pytest.approx(spring.estimate_euros + summer.estimate_euros)
    assert [x.partnership_id for x in summer.lines] == ["b"]  # earlier ones are not listed
    next_year = oeth(D(2026, 1, 1), D(2026, 12, 31))
    assert next_year.estimate_euros == 0.0 and not next_year.lines
