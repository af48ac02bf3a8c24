"""``traits --help`` in French: the words Click writes around our French help texts.

Click (shipped inside Typer) writes "Usage:", "Commands:", "Show this message and exit.",
"[default: …]", "[env var: …]", "[required]" and type names such as ``<str>`` in English,
with no translation hook. The help formatter of every command's context is replaced by one
that writes those words in French; the help texts themselves are ours, already French.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.main import get_command

USAGE = "Utilisation : "
HEADINGS = {"Commands": "Commandes", "Options": "Options", "Arguments": "Arguments"}
#: English fragments and their French, as regular expressions (a line break may fall inside).
PHRASES = [
    (r"Show\s+this\s+message\s+and\s+exit\.", "Afficher cette aide et quitter."),
    (r"\[default:\s+", "[par défaut : "),
    (r"\[env\s+var:\s+", "[variable d'environnement : "),
    (r"\[required\]", "[obligatoire]"),
    (r"\bCOMMAND\s+\[ARGS\]\.\.\.", "COMMANDE [ARGUMENTS]..."),
]
_PHRASES = [(re.compile(english), french) for english, french in PHRASES]
#: Click's and Typer's names of value types (in ``<…>`` after an option), in French.
TYPE_NAMES = {
    "str": "texte",
    "text": "texte",
    "int": "entier",
    "integer": "entier",
    "float": "nombre",
    "path": "chemin",
    "file": "fichier",
    "filename": "fichier",
    "directory": "dossier",
    "bool": "oui/non",
    "boolean": "oui/non",
    "datetime": "date",
    "date": "date",
    "uuid": "identifiant",
    "choice": "choix",
}
#: ``<str>``, ``<list[str]>``, ``<tuple[int, int]>``…: every type Typer writes, whatever its form.
_TYPE = re.compile(r"<(list|tuple|set)?\[?([a-z_]+(?:,\s*[a-z_]+)*)\]?>")


def _type_name(match: re.Match[str]) -> str:
    english = [n.strip() for n in match.group(2).split(",")]
    if not all(n in TYPE_NAMES for n in english):  # not a type name (a word of our help)
        return match.group(0)
    names = [TYPE_NAMES[n] for n in english]
    repeated = "…" if match.group(1) == "list" or match.group(1) == "set" else ""
    return f"<{' '.join(names)}{repeated}>"


def french(text: str) -> str:
    """``text`` with Click's English fragments, and every type name, in French."""
    for english, replacement in _PHRASES:
        text = english.sub(replacement, text)
    return _TYPE.sub(_type_name, text)


def french_formatter(base: type) -> type:
    """A subclass of Click's help formatter ``base`` that writes its own words in French.

    The words are changed before Click lays the columns out, so they stay aligned.
    """

    class FrenchHelpFormatter(base):  # type: ignore[misc, valid-type]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, french(args), USAGE if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)} :\n")

        def write_text(self, text: str) -> None:
            super().write_text(french(text))

        def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
            super().write_dl([(french(a), french(b)) for a, b in rows], *args, **kwargs)

    return FrenchHelpFormatter


def install(app: typer.Typer) -> None:
    """Make every help page of ``app`` (and its sub-commands) French."""
    context_class: Any = get_command(app).context_class
    if not getattr(context_class.formatter_class, "traits_french", False):
        formatter = french_formatter(context_class.formatter_class)
        formatter.traits_french = True  # type: ignore[attr-defined]
        context_class.formatter_class = formatter
