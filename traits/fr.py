"""French wording shared by the CLI, the reports and the app: numbers, plurals, dates."""

from __future__ import annotations

import datetime as dt

THIN_NBSP = "\u202f"
NBSP = "\u00a0"
MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()


def fr_number(value: float, decimals: int = 0) -> str:
    """A number the French way: ``12 500``, ``0,5`` (narrow no-break space between thousands)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", THIN_NBSP).replace(".", ",")


def fr_exact(value: float) -> str:
    """A recorded number the French way with every decimal it has, never rounded away:
    ``4,5``, ``1 200,5``, ``20 000``."""
    text = repr(float(value))
    decimals = 0 if float(value).is_integer() or "e" in text else len(text.partition(".")[2])
    return fr_number(value, min(decimals, 6))


def fr_euros(value: float) -> str:
    """An amount in euros: ``9 800 €``, with its cents when it has some: ``1 200,50 €``."""
    cents = round(value * 100)
    if cents % 100 == 0:
        return f"{fr_number(cents // 100)}{NBSP}€"
    return f"{fr_number(cents / 100, 2)}{NBSP}€"


def fr_percent(share: float | None) -> str:
    """A share as a rounded percentage (``83 %``), or ``non calculable``."""
    return "non calculable" if share is None else f"{fr_number(100 * share)}{NBSP}%"


def plural(n: float, singular: str, plural_form: str) -> str:
    """``n`` followed by the right form: ``1 partenariat concrétisé``, ``10 partenariats …``.

    French takes the singular below 2 (0 and 1).
    """
    decimals = 0 if float(n).is_integer() else 1
    return f"{fr_number(n, decimals)} {singular if abs(n) < 2 else plural_form}"


def fr_date(day: dt.date) -> str:
    """``1er janvier 2022``, ``15 juin 2022``."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def fr_short_date(day: dt.date) -> str:
    """``04/02/2025``: the day as French forms and tables write it."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def fr_month(day: dt.date) -> str:
    """``juin 2022``."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def period_label(start: dt.date | None, end: dt.date | None) -> str:
    """The period in words: ``du 1er janvier 2022 au 31 décembre 2022``, or all dates."""
    if start and end:
        return f"du {fr_date(start)} au {fr_date(end)}"
    if start:
        return f"depuis le {fr_date(start)}"
    if end:
        return f"jusqu'au {fr_date(end)}"
    return "toutes dates confondues"


def fr_duration(days: int) -> str:
    """A duration as people say it: ``5 jours``, ``3 semaines``, ``4 mois``, ``2 ans``."""
    if days < 14:
        return plural(days, "jour", "jours")
    if days < 61:
        return plural(days // 7, "semaine", "semaines")
    if days < 730:
        return f"{days * 12 // 365} mois"
    return plural(days // 365, "an", "ans")


def score_words(score: float) -> str:
    """A score in words: « très pertinent » (≥ 0,7), « pertinent » (≥ 0,5), « à étudier »."""
    if score >= 0.7:
        return "très pertinent"
    if score >= 0.5:
        return "pertinent"
    return "à étudier"
