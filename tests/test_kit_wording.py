"""Probe kit3: the kit's year option, and the French of its templates and chapters whatever the
Pôle is called."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from traits.cli import app
from traits.errors import InvalidInputError
from traits.services import kit as kit_service
from traits.storage import Store


@pytest.mark.parametrize("year", ["0", "20255", "10000", "-5", "99"])
def test_an_implausible_year_is_refused_in_french(year: str, tmp_path: Path) -> None:
    """Probe kit3 #8: 20255 gave « Erreur inattendue », 0 silently meant « all dates »."""
    db = tmp_path / "base.sqlite"
    Store(db).dispose()
    out = tmp_path / "kit"
    result = CliRunner().invoke(app, ["kit", str(out), "--db", str(db), "--year", year])
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidInputError)
    message = str(result.exception)
    assert f"« {year} »" in message and "quatre chiffres" in message
    assert "toutes les dates" in message
    assert not out.exists()


def test_the_year_rule_is_the_services_one() -> None:
    kit_service.check_year(None)
    kit_service.check_year(2026)
    with pytest.raises(InvalidInputError):
        kit_service.check_year(0)
