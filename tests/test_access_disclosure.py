"""A refusal never discloses another territory to a facilitator, and says where (probe D1, D2).

A facilitator of Redon importing rows that touch Vitré (its ids, its organisations by id or by
name, its territory) gets located problems (file, row, header as typed, the value typed, what to
do) through the service the app's preview uses, and no name or id of Vitré's records, nor Vitré
itself, unless typed in the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write
from test_import_ownership import REDON, _account, _redon, _snapshot, vitre  # noqa: F401

from traits import services
from traits.errors import InvalidInputError
from traits.storage import Store

#: What Vitré holds that Redon's facilitator may not read.
SECRETS = ("vitre", "Vitré", "Ressourcerie des Marches", "Menuiserie du Val", "v_n1", "p1", "d1")

CASES = {
    "item id of another territory": {
        "items": "item_id;org_id;direction;category;title\nv_o1;r_ent;offer;skills;Relecture\n"
    },
    "organisation id of another territory": {
        "organisations": "org_id;name;kind\nr_asso;Atelier Vélo Solidaire;ess\n"
        "v_ent;Menuiserie bis;company\n"
    },
    "contact id of another territory": {
        "contacts": "contact_id;org_id;name;consent\nc1;r_asso;Dominique Exemple;non\n"
    },
    "diagnostic id of another territory": {
        "diagnostics": "diagnostic_id;org_id;date\nd1;r_asso;2025-06-01\n"
    },
    "partnership id of another territory": {
        "partnerships": "partnership_id;need_id;offer_id;status\np1;r_n1;r_o1;piste\n"
    },
    "item on another territory's organisation": {
        "items": "item_id;org_id;direction;category;title\nx1;v_asso;need;skills;Ajout\n"
    },
    "item on another territory's organisation, by name": {
        "items": "org_id;direction;category;title\nRessourcerie des Marches;need;skills;Ajout\n"
    },
    "contact on another territory's organisation": {
        "contacts": "contact_id;org_id;name;consent\nc9;v_ent;Dominique Exemple;non\n"
    },
    "partnership with another territory's offer": {
        "partnerships": "partnership_id;need_id;offer_id;status\npx;r_n1;v_o1;piste\n"
    },
    "organisation moved into another territory": {
        "organisations": "org_id;name;kind;territory\nr_asso;Atelier Vélo Solidaire;ess;vitre\n"
    },
    "territories row of another territory": {"territories": "territory_id;name\nvitre;Piraté\n"},
}


def _typed(extra: dict[str, str]) -> str:
    return "\n".join(extra.values())


@pytest.mark.parametrize("case", list(CASES))
def test_preview_of_rows_touching_another_territory_is_located_and_discloses_nothing(
    vitre: Store,  # noqa: F811
    tmp_path: Path,
    case: str,
):
    extra = CASES[case]
    folder = _redon(tmp_path / "redon", **extra)
    _account(vitre, REDON)
    before = _snapshot(vitre)
    with services.access.signed_in(REDON):
        plan = services.preview_import(vitre, folder)
        with pytest.raises(InvalidInputError) as refused:
            services.import_territory(vitre, folder)
    assert _snapshot(vitre) == before
    assert plan.errors and not plan.ready
    for problem in [*plan.problems, *refused.value.problems]:
        if problem.severity == "error":
            assert problem.file and problem.row and problem.column, problem
        for secret in SECRETS:
            if secret not in _typed(extra):  # the person's own cell may be quoted back
                assert secret not in str(problem), (secret, str(problem))


def test_a_row_on_another_territory_names_the_typed_cell_and_what_to_do(
    vitre: Store,  # noqa: F811
    tmp_path: Path,
):
    folder = tmp_path / "sneaky"
    write(folder, "organisations.csv", "org_id;name;kind\nr_asso;Atelier Vélo Solidaire;ess\n")
    write(folder, "items.csv", "Structure;Sens;Catégorie;Intitulé\nv_asso;besoin;skills;Ajout\n")
    _account(vitre, REDON)
    with services.access.signed_in(REDON):
        (problem,) = services.preview_import(vitre, folder).errors
    assert (problem.file, problem.row, problem.column) == ("items.csv", 2, "Structure")
    assert "« v_asso »" in problem.message and "Écrivez une structure de votre territoire" in (
        problem.message
    )


def test_the_operator_still_sees_the_other_territory_named(vitre: Store, tmp_path: Path):  # noqa: F811
    folder = _redon(tmp_path / "redon", **CASES["item id of another territory"])
    with services.access.operator():
        problems = services.preview_import(vitre, folder).errors
    assert any("Pays de Vitré" in str(p) for p in problems)


def test_history_of_another_territorys_partnership_does_not_tell_it_exists(
    vitre: Store,  # noqa: F811
    tmp_path: Path,
):
    """The same answer for Vitré's « p1 » and for an id nobody has (no existence oracle)."""
    _account(vitre, REDON)
    messages = []
    for pid in ("p1", "p_nobody"):
        folder = _redon(
            tmp_path / pid,
            partnership_events=f"partnership_id;at;to_status\n{pid};2025-03-01;piste\n",
        )
        with services.access.signed_in(REDON):
            (problem,) = services.preview_import(vitre, folder).errors
        messages.append(problem.message.replace(pid, "X"))
    assert messages[0] == messages[1] and "déjà dans la base" not in messages[0]


def test_an_empty_cell_over_another_territory_s_record_says_nothing_of_its_values(
    vitre: Store,  # noqa: F811
    tmp_path: Path,
):
    """Re-probe N5: « la valeur enregistrée est effacée » told whether another territory's
    record had a value in that column (an oracle, cell by cell); that record is refused anyway."""
    contacts = "contact_id;org_id;name;consent;email\nc1;r_asso;Dominique Exemple;non;\n"
    folder = _redon(tmp_path / "redon", contacts=contacts)
    _account(vitre, REDON)
    with services.access.signed_in(REDON):
        plan = services.preview_import(vitre, folder)
    assert plan.errors
    assert not [p for p in plan.problems if "effacée" in p.message], plan.problems
