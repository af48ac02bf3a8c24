"""Geography: distances between organisations, and coordinates from commune or postcode."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from traits.text import fold_accents

EARTH_RADIUS_KM = 6371.0088

ArrayLike = float | npt.NDArray[np.float64]


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> ArrayLike:
    """Great-circle distance in km; broadcasts over arrays, NaN where a coordinate is missing."""
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


# --- Offline gazetteer of Brittany's communes -------------------------------------------------

GAZETTEER_RESOURCE = "data/communes_bretagne.csv"
"""Package-relative path of the shipped file (see data/README.md, "Geographic reference")."""
FORMER_RESOURCE = "communes_anciennes_bretagne.csv"
"""Former communes merged into communes nouvelles (built by scripts/build_geo_history.py)."""
EPCI_RESOURCE = "epci_bretagne.csv"
"""EPCI of Brittany and their member communes (same script)."""

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SEPARATORS = re.compile(r"[\s'’‘`´\-‐‑–—_./,;:()]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")


@dataclass(frozen=True, slots=True)
class Place:
    """One commune with one of its postcodes, and the WGS84 coordinates of its town hall."""

    insee: str
    name: str
    postcode: str
    departement: str
    lat: float
    lon: float


def normalise_commune(name: str) -> str:
    """Fold a commune name into a comparison key.

    Lower-cases, strips accents (``œ`` becomes ``oe``), turns hyphens, apostrophes, dots and
    runs of spaces into single spaces and expands ``St``/``Ste`` into ``saint``/``sainte``.
    Leading articles are kept, so ``"Le Faouët"`` and ``"Faouët"`` stay different.

    Args:
        name: A commune name as typed by a person or found in a file.

    Returns:
        The key, e.g. ``"saint malo"`` for ``"ST-MALO"`` or ``"Saint Malo"``.
    """
    text = fold_accents(name.strip().lower())
    text = _NOT_ALNUM.sub(" ", _SEPARATORS.sub(" ", text))
    return " ".join(_ABBREVIATIONS.get(word, word) for word in text.split())


_EPCI_PREFIXES = (
    "communaute de communes du ",
    "communaute de communes de la ",
    "communaute de communes des ",
    "communaute de communes de l ",
    "communaute de communes de ",
    "communaute de communes ",
    "communaute d agglomeration du ",
    "communaute d agglomeration de ",
    "communaute d agglomeration ",
    "cc du ",
    "cc de la ",
    "cc des ",
    "cc de l ",
    "cc de ",
    "cc ",
    "ca du ",
    "ca de la ",
    "ca de ",
    "ca ",
    "metro ",
)


def _epci_keys(name: str) -> list[str]:
    """Keys of an EPCI name: as written, and without its « CC », « CA »… prefix."""
    key = normalise_commune(name)
    keys = [key]
    for prefix in _EPCI_PREFIXES:
        if key.startswith(prefix):
            keys.append(key[len(prefix) :])
            break
    return [_compact(k) for k in keys]


def _compact(key: str) -> str:
    """Drop the spaces of a normalised key, so that "Crac'h" meets "Crach"."""
    return key.replace(" ", "")


def normalise_postcode(postcode: str | int) -> str:
    """Return a French postcode as five digits (``"35 000"`` and ``35000`` give ``"35000"``).

    Args:
        postcode: The postcode as text or number.

    Returns:
        The digits, left-padded with zeros to five characters; an empty string when there are none.
    """
    digits = re.sub(r"\D", "", str(postcode))
    return digits.zfill(5) if digits else ""


class Gazetteer:
    """Offline lookup of communes by name and/or postcode.

    Rows keep the order they are given in; the shipped file is sorted by postcode and, within a
    postcode, puts first the commune the postcode mainly serves. That order decides
    postcode-only lookups.
    """

    def __init__(
        self,
        places: Iterable[Place],
        former: Iterable[tuple[str, str]] = (),
        epcis: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Index the given rows (one per commune and postcode).

        Args:
            places: The rows, in file order.
            former: (former commune's name, INSEE code of the commune it is now part of), for
                the communes merged into communes nouvelles.
            epcis: (EPCI name, INSEE code of a member commune), one pair per member.
        """
        self._rows: list[Place] = list(places)
        self._by_postcode: dict[str, list[Place]] = {}
        self._by_insee: dict[str, list[Place]] = {}
        for place in self._rows:
            self._by_postcode.setdefault(place.postcode, []).append(place)
            self._by_insee.setdefault(place.insee, []).append(place)
        # One representative row per commune: its lowest postcode (its principal one in the file).
        self._communes: dict[str, Place] = {
            insee: min(rows, key=lambda p: p.postcode) for insee, rows in self._by_insee.items()
        }
        self._by_name: dict[str, list[str]] = {}
        self._by_compact: dict[str, list[str]] = {}
        for insee, place in sorted(self._communes.items()):
            key = normalise_commune(place.name)
            self._by_name.setdefault(key, []).append(insee)
            self._by_compact.setdefault(_compact(key), []).append(insee)
        self._former: dict[str, list[str]] = {}
        for name, insee in former:
            if insee in self._communes:
                self._former.setdefault(_compact(normalise_commune(name)), []).append(insee)
        self._epcis: dict[str, set[str]] = {}
        self._epci_names: dict[str, str] = {}
        for name, insee in epcis:
            for key in _epci_keys(name):
                self._epcis.setdefault(key, set()).add(insee)
                self._epci_names.setdefault(key, name)

    @classmethod
    def from_csv(cls, text: str) -> Gazetteer:
        """Build a gazetteer from CSV text with columns ``insee,name,postcode,departement,lat,lon``.

        Args:
            text: The whole CSV document.

        Returns:
            The gazetteer.
        """
        reader = csv.DictReader(io.StringIO(text))
        return cls(
            Place(
                insee=row["insee"].strip(),
                name=row["name"].strip(),
                postcode=normalise_postcode(row["postcode"]),
                departement=row["departement"].strip(),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in reader
        )

    def __len__(self) -> int:
        """Number of rows (commune and postcode pairs)."""
        return len(self._rows)

    @property
    def rows(self) -> tuple[Place, ...]:
        """All rows, in file order."""
        return tuple(self._rows)

    def communes(self) -> list[Place]:
        """One row per commune (with its principal postcode), sorted by INSEE code."""
        return [self._communes[insee] for insee in sorted(self._communes)]

    def by_insee(self, insee: str) -> Place | None:
        """The commune with this INSEE code (its principal postcode), or None."""
        return self._communes.get(insee.strip())

    def _matches(self, commune: str) -> list[Place]:
        """Communes whose normalised name equals the query (spaces ignored as a fallback)."""
        key = normalise_commune(commune)
        if not key:
            return []
        insees = (
            self._by_name.get(key)
            or self._by_compact.get(_compact(key))
            or self._former.get(_compact(key), [])
        )
        return [self._communes[i] for i in insees]

    def merged_into(self, commune: str) -> Place | None:
        """The commune nouvelle a former commune is now part of (``Mûr-de-Bretagne`` →
        Guerlédan), or None when the name is a current commune or unknown."""
        key = normalise_commune(commune)
        if not key or self._by_name.get(key) or self._by_compact.get(_compact(key)):
            return None
        insees = self._former.get(_compact(key), [])
        return self._communes[insees[0]] if len(insees) == 1 else None

    def epci(self, name: str) -> tuple[str, list[Place]] | None:
        """An EPCI by its name, with or without « CC », « CA », « Communauté de communes »…:
        (its official name, its communes), or None."""
        for key in _epci_keys(name):
            if key in self._epcis:
                members = sorted(self._epcis[key])
                return self._epci_names[key], [self._communes[i] for i in members]
        return None

    def expand(self, names: Iterable[str]) -> list[str]:
        """Communes and EPCI as typed → commune names (an EPCI becomes its communes)."""
        out: list[str] = []
        for name in names:
            found = self.epci(name) if self.resolve(name) is None else None
            out.extend([p.name for p in found[1]] if found else [name])
        return list(dict.fromkeys(out))

    def within(
        self, communes: Iterable[str], commune: str | None, postcode: str | None = None
    ) -> bool | None:
        """Whether a place lies in a territory given by communes and EPCI (as typed).

        None when it cannot be told: the place, or none of the territory's names, is known.
        """
        place = self.resolve(commune, postcode) if (commune or postcode) else None
        if place is None:
            return None
        codes = self.codes(communes)
        return place.insee in codes if codes else None

    def codes(self, communes: Iterable[str]) -> set[str]:
        """INSEE codes of the communes of a territory given by communes and EPCI (as typed);
        names that are neither are left out."""
        codes: set[str] = set()
        for name in communes:
            found = self.resolve(name)
            if found is not None:
                codes.add(found.insee)
            elif (group := self.epci(name)) is not None:
                codes |= {p.insee for p in group[1]}
        return codes

    def resolve(
        self, commune: str | None = None, postcode: str | int | None = None
    ) -> Place | None:
        """Find the place meant by a commune name and/or a postcode.

        * Name and postcode: the commune of that name served by that postcode (this separates
          homonyms such as the two Plouhinec). When no commune of that name has the postcode
          (a CEDEX or mistyped code), the name alone decides, narrowed to the postcode's
          département if needed.
        * Name only: the commune, when exactly one has that name (see :meth:`ambiguous`).
        * Postcode only: the first row for that postcode, i.e. the commune it mainly serves
          (for ``35000``, Rennes; for ``35133``, one of the communes around Fougères).

        Args:
            commune: A commune name; case, accents, hyphens and ``St``/``Ste`` do not matter.
            postcode: A five-digit postcode.

        Returns:
            The place, or None when nothing (or nothing unambiguous) matches; an unknown name
            gives None even with a known postcode, so that callers can propose :meth:`suggest`.
        """
        code = normalise_postcode(postcode) if postcode is not None else ""
        if commune is not None and commune.strip():
            matches = self._matches(commune)
            if not matches:
                return None
            if code:
                for place in matches:
                    for row in self._by_insee[place.insee]:
                        if row.postcode == code:
                            return row
                same_dept = [p for p in matches if p.departement == code[:2]]
                if len(same_dept) == 1:
                    return same_dept[0]
            return matches[0] if len(matches) == 1 else None
        if code:
            rows = self._by_postcode.get(code)
            return rows[0] if rows else None
        return None

    def ambiguous(self, commune: str) -> list[Place]:
        """The communes sharing this name, when there are several (else an empty list).

        Args:
            commune: A commune name.

        Returns:
            One row per commune (principal postcode), sorted by INSEE code.
        """
        matches = self._matches(commune)
        return matches if len(matches) > 1 else []

    def suggest(self, commune: str, k: int = 3) -> list[Place]:
        """Close names for a commune that was not found (difflib on normalised names).

        Args:
            commune: The name as typed.
            k: Maximum number of suggestions.

        Returns:
            Up to ``k`` communes, best first (homonyms of a suggested name all appear).
        """
        key = normalise_commune(commune)
        if not key or k <= 0:
            return []
        names = difflib.get_close_matches(key, list(self._by_name), n=k, cutoff=0.6)
        out: list[Place] = []
        for name in names:
            out.extend(self._communes[i] for i in self._by_name[name])
        return out[:k]

    def unknown_message(self, commune: str, k: int = 3) -> str:
        """A French message for an unknown commune, with suggestions when there are some.

        Args:
            commune: The name as typed.
            k: Maximum number of suggestions.

        Returns:
            E.g. ``Commune inconnue : « Fougere ». Vouliez-vous dire : Fougères (35300) ?``
        """
        message = f"Commune inconnue : « {commune} »."
        hints = self.suggest(commune, k)
        if hints:
            listed = ", ".join(f"{p.name} ({p.postcode})" for p in hints)
            message += f" Vouliez-vous dire : {listed} ?"
        return message


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer of the shipped file (every commune of Côtes-d'Armor, Finistère,
    Ille-et-Vilaine and Morbihan), loaded once.

    Returns:
        The shared gazetteer.
    """
    data = resources.files("traits").joinpath("data")
    places = Gazetteer.from_csv(data.joinpath("communes_bretagne.csv").read_text(encoding="utf-8"))
    former = csv.DictReader(io.StringIO(data.joinpath(FORMER_RESOURCE).read_text(encoding="utf-8")))
    epcis = csv.DictReader(io.StringIO(data.joinpath(EPCI_RESOURCE).read_text(encoding="utf-8")))
    return Gazetteer(
        places.rows,
        [(r["former_name"], r["insee"]) for r in former],
        [(r["epci_name"], r["insee"]) for r in epcis],
    )
