"""Who a generated kit is for: the Pôle, its territory, its facilitator and contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: What stands in a printed template where the profile has no value: a line to fill by hand.
BLANK = "………………………………"


def end_sentence(text: str) -> str:
    """``text`` closed by a full stop, unless it already ends with dots (a blank to fill)."""
    return text if text.endswith(("…", ".")) else text + "."


def _today() -> dt.date:
    return dt.date.today()


@dataclass(frozen=True)
class KitProfile:
    """The names printed on every document of a territory's kit.

    ``edition`` dates the documents (cover, file metadata); the same profile and edition give
    byte-identical files. ``sample`` marks the fictional sample territory.
    """

    territory: str
    pole: str = ""
    facilitator: str = ""
    contact: str = ""
    communes: tuple[str, ...] = ()
    edition: dt.date = field(default_factory=_today)
    #: The kit is made for the bundled fictional sample territory (its summary says so).
    sample: bool = False

    @property
    def pole_name(self) -> str:
        """The Pôle's name, or « Pôle ESS – <territoire> » when none was given."""
        return self.pole.strip() or f"Pôle ESS – {self.territory}"

    def fields(self) -> dict[str, str]:
        """The values the template sources name in braces (``{pole}``, ``{territoire}``…)."""
        return {
            "pole": self.pole_name,
            "territoire": self.territory,
            "animateur": self.facilitator.strip() or BLANK,
            "contact": self.contact.strip() or BLANK,
            "communes": ", ".join(self.communes) or BLANK,
            "date": self.edition.strftime("%d/%m/%Y"),
            "annee": str(self.edition.year),
        }
