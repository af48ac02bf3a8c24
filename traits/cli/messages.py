"""French messages for what goes wrong around a command: usage errors and OS errors.

Click (and Typer, which has shipped its own copy of Click since 0.2x) raise usage errors whose
text is English. They are recognised here by the names of their classes (``UsageError``,
``BadParameter``, ``MissingParameter``, ``NoSuchOption``…), whichever module defines them, so a
new Typer or Click release cannot turn them back into "unexpected errors"; their content
(option, argument, value) is reworded in French.
"""

from __future__ import annotations

import errno
import re
from typing import Any

# Exit codes of the ``traits`` command.
EXIT_REFUSED = 1  # input refused, file or database unusable: nothing was changed
EXIT_USAGE = 2  # the command line itself is wrong
EXIT_BUG = 3  # a defect of traits: to be reported


def _class_names(exc: BaseException) -> set[str]:
    """Names of the Click/Typer classes ``exc`` is an instance of (any Click copy)."""
    return {
        cls.__name__
        for cls in type(exc).__mro__
        if cls.__module__.split(".")[0] in ("click", "typer")
    }


def is_usage_error(exc: BaseException) -> bool:
    """True for Click's usage errors (wrong option, missing or bad argument…)."""
    return "UsageError" in _class_names(exc)


def is_click_error(exc: BaseException) -> bool:
    """True for any error Click or Typer raise for the user to see (usage, file…)."""
    return "ClickException" in _class_names(exc)


def is_exit(exc: BaseException) -> bool:
    """True for Click's/Typer's request to exit with a code."""
    return "Exit" in _class_names(exc)


def is_abort(exc: BaseException) -> bool:
    """True when the user aborted (Ctrl-C, or refused a confirmation)."""
    return "Abort" in _class_names(exc)


def _command_path(exc: BaseException) -> str:
    ctx = getattr(exc, "ctx", None)
    words = ["traits"]
    while ctx is not None and getattr(ctx, "parent", None) is not None:
        words.insert(1, ctx.info_name)
        ctx = ctx.parent
    return " ".join(w for w in words if w)


def _param_name(param: Any) -> str:
    """The option (``--top``) or argument (``PARTNERSHIP_ID``) as the help shows it."""
    opts = [o for o in getattr(param, "opts", None) or [] if isinstance(o, str)]
    if getattr(param, "param_type_name", "") == "argument" or not opts:
        return str(getattr(param, "name", "") or "?").upper()
    return max(opts, key=len)


_EXPECTED = {
    "int": "un nombre entier (ex. 10)",
    "integer": "un nombre entier (ex. 10)",
    "float": "un nombre, avec un point pour les décimales (ex. 12.5)",
    "bool": "oui ou non (true/false)",
    "boolean": "oui ou non (true/false)",
    "datetime": "une date (ex. 2025-02-04)",
    "date": "une date (ex. 2025-02-04)",
}


def _expected(param: Any, cause: BaseException | None) -> str | None:
    """What the parameter expects, from its type (Click) or the validation error (Typer)."""
    kinds: list[str] = []
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            kinds += [str(e.get("type", "")).split("_")[0] for e in errors()]
        except Exception:  # a validation error of another shape: use the type below
            pass
    ptype = getattr(param, "type", None)
    kinds.append(str(getattr(ptype, "name", "") or ""))
    bare = getattr(param, "bare_type", None)
    kinds.append(getattr(bare, "__name__", "") if isinstance(bare, type) else "")
    choices = getattr(ptype, "choices", None)
    if choices:
        return "l'une des valeurs : " + ", ".join(str(c) for c in choices)
    for kind in kinds:
        if kind in _EXPECTED:
            return _EXPECTED[kind]
    return None


def _given_value(exc: BaseException) -> str | None:
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            for error in errors():
                if "input" in error:
                    return str(error["input"])
        except Exception:  # another shape: no value quoted
            pass
    found = re.match(r"'(.*)' is not", str(getattr(exc, "message", "")))
    return found.group(1) if found else None


def _usage_text(exc: BaseException, names: set[str]) -> str:
    message = str(getattr(exc, "message", "") or "")
    param = getattr(exc, "param", None)
    option = getattr(exc, "option_name", None)
    if "MissingParameter" in names:
        if param is None:
            return "un argument obligatoire manque."
        kind = "l'argument" if getattr(param, "param_type_name", "") == "argument" else "l'option"
        return f"il manque {kind} {_param_name(param)}."
    if "BadParameter" in names:
        where = _param_name(param) if param is not None else None
        hint = getattr(exc, "param_hint", None)
        if hint:
            where = hint if isinstance(hint, str) else " / ".join(hint)
        value = _given_value(exc)
        text = "valeur refusée" + (f" pour {where}" if where else "")
        text += f" : « {value} »" if value is not None else ""
        expected = _expected(param, exc.__cause__)
        return text + (f" ; attendu : {expected}." if expected else ".")
    if "NoSuchOption" in names:
        text = f"option inconnue : {option}."
        possible = getattr(exc, "possibilities", None)
        if possible:
            text += " Vouliez-vous dire : " + ", ".join(sorted(possible)) + " ?"
        return text
    if "BadOptionUsage" in names:
        if "requires an argument" in message:
            return f"l'option {option} attend une valeur."
        if "does not take a value" in message:
            return f"l'option {option} ne prend pas de valeur."
        return f"l'option {option} est mal employée."
    command = re.match(r"No such command '(.*?)'\.(?: Did you mean '(.*?)'\?)?", message)
    if command:
        text = f"commande inconnue : « {command.group(1)} »."
        return text + (f" Vouliez-vous dire « {command.group(2)} » ?" if command.group(2) else "")
    extra = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if extra:
        return f"argument en trop : « {extra.group(1)} »."
    return "la commande est mal formée."


def usage_message(exc: BaseException) -> str:
    """The French message for a Click/Typer usage error, with where to find help."""
    names = _class_names(exc)
    if "NoArgsIsHelpError" in names:  # a group called alone: its help says what to type
        return str(getattr(exc, "message", "") or "")
    text = _usage_text(exc, names)
    return f"Commande incorrecte : {text}\nPour l'aide : {_command_path(exc)} --help"


def click_error_message(exc: BaseException) -> str:
    """The French message for a non-usage Click error (a file that cannot be opened…)."""
    filename = getattr(exc, "filename", None)
    if filename:
        return f"Erreur : impossible d'ouvrir le fichier « {filename} »."
    return "Erreur : la commande n'a pas pu aboutir."


def is_database_unavailable(exc: BaseException) -> bool:
    """True when the database could not be read or written (locked, read-only, full, down)."""
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError)


DATABASE_UNAVAILABLE = (
    "Erreur : la base de données n'a pas pu être lue ou écrite (occupée par un autre "
    "programme, en lecture seule, disque plein ou serveur injoignable) ; rien n'a été "
    "enregistré. Réessayez, ou vérifiez les droits sur le fichier et le serveur."
)


_OS_REASONS = {
    errno.ENOENT: "fichier ou dossier introuvable (vérifiez le chemin)",
    errno.EACCES: "droits insuffisants pour y lire ou y écrire",
    errno.EPERM: "opération non permise à votre compte",
    errno.EISDIR: "c'est un dossier : donnez un nom de fichier",
    errno.ENOTDIR: "une partie du chemin n'est pas un dossier",
    errno.EEXIST: "existe déjà",
    errno.ENOSPC: "le disque est plein",
    errno.EROFS: "le disque est en lecture seule",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.ENOTEMPTY: "le dossier n'est pas vide",
}


def os_error_message(exc: OSError) -> str:
    """The French message for a file-system error, naming the path the user gave."""
    reason = _OS_REASONS.get(exc.errno or -1, "opération impossible sur ce fichier")
    path = exc.filename2 if exc.errno == errno.EISDIR and exc.filename2 else exc.filename
    if isinstance(path, bytes):
        path = path.decode(errors="replace")
    where = f" « {path} »" if path else ""
    return f"Erreur : fichier{where} : {reason}."
