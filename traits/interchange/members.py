"""Validation of the members of pooled partnerships (mutualisations): ``partnership_members``.

Each row names a partnership of the same import (by its identifier), an organisation (by its
identifier or its name) and, optionally, the need it brings (by its identifier or its title
within that organisation). The members are attached to their partnership; see
``docs/format.md``.
"""

from __future__ import annotations

from traits.interchange.context import Context
from traits.interchange.row import Row
from traits.model import PartnershipMember, pool_rule_problems


def _build(ctx: Context, r: Row) -> PartnershipMember | None:
    pid = r.ident("partnership_id")
    oid = ctx.org_ref(r, "org_id")
    need = ctx.item_ref(r, "need_id", oid, "need")
    if pid is not None and not ctx.in_partnerships_sheet(
        r,
        pid,
        " : écrivez l'identifiant d'une de ses lignes (ou ajoutez-y ce partenariat).",
    ):
        return None
    if need is not None and oid is not None and not ctx.owned_by(r, "need_id", need, "org_id", oid):
        return None
    if pid is None or oid is None:
        return None
    return PartnershipMember(pid, oid, need)


def members(ctx: Context) -> None:
    """Attach each member row to its partnership of the import.

    A repeated member, or members that break the rule of every mutualisation
    (:func:`traits.model.pool_rule_problems`), are errors.
    """
    seen: dict[tuple[str, str, str | None], int] = {}
    first: dict[str, Row] = {}  # partnership → its first member row
    for row, member in ctx.rows("partnership_members", lambda r: _build(ctx, r)):
        key = (member.partnership_id, member.org_id, member.need_id)
        if key in seen:
            row.error(
                None,
                f"ce membre de la mutualisation est déjà décrit ligne {seen[key]} : supprimez "
                "l'une des deux lignes.",
            )
            continue
        seen[key] = row.line
        part = ctx.partnerships[member.partnership_id]
        if not part.members:
            first[part.partnership_id] = row
        part.members.append(member)
    for pid, row in first.items():
        for problem in pool_rule_problems(ctx.partnerships[pid], ctx.org_label):
            row.error("org_id", problem)
