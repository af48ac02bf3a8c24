"""A history row whose partnership row is in the file but refused is not misreported (probe D8).

It used to say the partnership was « déjà dans la base mais pas dans l'onglet des partenariats »
(or « introuvable ») and to add a line that is already there. One mistake, one error: the
partnership's row says what to fix, the history row that only follows from it is left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from traits import services
from traits.errors import InvalidInputError
from traits.storage import Store

ORGS = "org_id;name;kind\na;Atelier Vélo;ess\nb;Imprimerie du Port;company\n"
ITEMS = "item_id;org_id;direction;category;title\nn1;a;need;skills;Site\no1;b;offer;skills;Web\n"
EVENTS = "partnership_id;at;to_status\np1;2025-03-01;piste\n"


@pytest.mark.parametrize(
    "partnership",
    [
        "p1;n1;o1;peut-être\n",  # refused while it is read (unknown status)
        "p1;n1;o1;piste\np1;n1;o1;piste\n",  # kept once: the history follows the kept row
    ],
)
def test_history_of_a_refused_partnership_row_points_at_it(
    store: Store, tmp_path: Path, partnership: str
):
    folder = tmp_path / "t"
    write(folder, "organisations.csv", ORGS)
    write(folder, "items.csv", ITEMS)
    write(folder, "partnerships.csv", "partnership_id;need_id;offer_id;status\n" + partnership)
    write(folder, "partnership_events.csv", EVENTS)
    with pytest.raises(InvalidInputError) as refused:
        services.import_territory(store, folder)
    history = [p for p in refused.value.problems if p.file == "partnership_events.csv"]
    assert history == []  # nothing about p1 in the history: its own row is the error
    own = [p for p in refused.value.problems if p.file == "partnerships.csv"]
    assert own and all(p.row in (2, 3) for p in own if p.severity == "error")
