from traits.model import (
    OPEN_STATUSES,
    TRANSITIONS,
    PartnershipStatus,
    luhn_ok,
    siret_ok,
)


def test_siret_check_digit():
    assert siret_ok("12345678200010")
    assert not siret_ok("12345678200011")  # one digit off
    assert not siret_ok("1234567820001")  # 13 digits
    assert not siret_ok("1234567820001A")


def test_la_poste_siret_rule():
    # La Poste establishments: digits sum to a multiple of 5, Luhn does not apply.
    assert siret_ok("35600000000001")
    assert not luhn_ok("35600000000001")


def test_transitions_end_in_realised_or_abandoned():
    assert TRANSITIONS[PartnershipStatus.REALISED] == frozenset()
    for status in OPEN_STATUSES:
        assert PartnershipStatus.ABANDONED in TRANSITIONS[status]
    assert PartnershipStatus.PROPOSED not in TRANSITIONS[PartnershipStatus.IN_DISCUSSION]
    assert TRANSITIONS[PartnershipStatus.ABANDONED] == frozenset()
