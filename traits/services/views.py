"""What the app pages show, gathered in one read each: the partnership board, the pistes
with names, the network drawing, and the tokens that tell when cached results are stale.

Read models only: every write goes through the other services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from traits import graph as g
from traits.errors import InvalidInputError
from traits.fr import fr_number, plural
from traits.interchange.columns import fold
from traits.model import (
    LABELS_FR,
    PIPELINE,
    TRANSITIONS,
    Partnership,
    PartnershipStatus,
)
from traits.services import access
from traits.storage import Store, organisations, partnerships
from traits.storage import repository as repo
from traits.storage import views as stored

if TYPE_CHECKING:
    from traits.matching.pipeline import Candidate, Matcher


#: Graphviz colours of organisations by kind, and of partnerships by status.
KIND_COLOURS = {"ess": "#2a9d8f", "company": "#e9c46a", "public": "#8ab17d", "other": "#bbbbbb"}
STATUS_COLOURS = {
    "proposed": "#9aa5b1",
    "introduced": "#4c78a8",
    "in_discussion": "#f58518",
    "realised": "#2e7d32",
    "abandoned": "#c62828",
}

_NEXT_STEP = {
    PartnershipStatus.PROPOSED: "présenter la piste aux {structures} (mise en lien)",
    PartnershipStatus.INTRODUCED: "relancer les {structures} pour ouvrir la discussion",
    PartnershipStatus.IN_DISCUSSION: "aider à conclure : modalités, convention, calendrier",
    PartnershipStatus.REALISED: "valoriser le partenariat dans le bilan",
    PartnershipStatus.ABANDONED: "aucune : le partenariat est clos",
}


def next_step(partnership: Partnership) -> str:
    """What the facilitator does next, counting the structures: « les deux structures » of a
    piste, « les 6 structures » of a mutualisation."""
    n = len(partnership.org_ids)
    structures = "deux structures" if n == 2 else f"{fr_number(n)} structures"
    return _NEXT_STEP[partnership.status].format(structures=structures)


def parties_text(names: list[str]) -> str:
    """The parties of a partnership as people read them: « A ↔ B », or « A, B et C »."""
    if len(names) > 2:
        return ", ".join(names[:-1]) + " et " + names[-1]
    return " ↔ ".join(names)


def data_token(store: Store, territory_id: str | None) -> tuple[Any, ...]:
    """A value that changes whenever what the matcher learns from changes.

    Counts and version sums of organisations, items and partnerships, the number of
    judgements, and the settings: a fitted matcher is kept while this stays the same.
    """
    with store.reading() as conn:
        return stored.data_summary(conn, territory_id)


def links_token(store: Store, territory_id: str | None) -> tuple[Any, ...]:
    """:func:`data_token` plus what excludes pairs from the pistes (partnerships, judgements)."""
    with store.reading() as conn:
        links = stored.links_summary(conn, territory_id)
    return (*data_token(store, territory_id), links)


# -- the partnership board ---------------------------------------------------------------------


@dataclass
class BoardCard:
    """A partnership as a card of the board: names, titles, version and what to do next."""

    partnership: Partnership
    version: int
    org_a_name: str
    org_b_name: str
    need_title: str | None
    offer_title: str | None
    next_step: str
    moves: list[PartnershipStatus]
    member_names: list[str] = field(default_factory=list)

    @property
    def parties(self) -> str:
        """« A ↔ B », or every member of a mutualisation: « A, B et C »."""
        return parties_text(self.member_names or [self.org_a_name, self.org_b_name])

    @property
    def title(self) -> str:
        """« Besoin de A ↔ offre de B » in a few words."""
        return f"{self.org_a_name} ↔ {self.org_b_name}"


def partnership_board(
    store: Store, territory_id: str | None
) -> dict[PartnershipStatus, list[BoardCard]]:
    """The territory's partnerships grouped by status (pipeline order, then abandoned)."""
    access.require_read(territory_id)
    with store.reading() as conn:
        parts = repo.read_partnerships(conn, territory_id)
        versions = partnerships.versions(conn)
        names = organisations.organisation_names(conn, {x for p in parts for x in p.org_ids})
        titles = organisations.item_titles(
            conn, {x for p in parts for x in (p.need_id, p.offer_id) if x}
        )
    board: dict[PartnershipStatus, list[BoardCard]] = {
        s: [] for s in (*PIPELINE, PartnershipStatus.ABANDONED)
    }
    order = {s: i for i, s in enumerate(board)}
    for p in parts:
        board[p.status].append(
            BoardCard(
                partnership=p,
                version=versions.get(p.partnership_id, 1),
                org_a_name=names.get(p.org_a, p.org_a),
                org_b_name=names.get(p.org_b, p.org_b),
                need_title=titles.get(p.need_id) if p.need_id else None,
                offer_title=titles.get(p.offer_id) if p.offer_id else None,
                next_step=next_step(p),
                moves=sorted(TRANSITIONS[p.status], key=order.__getitem__),
                member_names=[names.get(o, o) for o in p.org_ids] if p.is_pooled else [],
            )
        )
    for cards in board.values():
        cards.sort(
            key=lambda c: (
                c.partnership.history[-1].at if c.partnership.history else dt.datetime.min
            ),
            reverse=True,
        )
    return board


# -- pistes and network, with names -----------------------------------------------------------


@dataclass
class PisteView:
    """A candidate pair with what the page shows: titles, names, kinds and places of both sides."""

    candidate: Candidate
    need: dict[str, Any]
    offer: dict[str, Any]


def list_needs(store: Store, territory_id: str | None) -> list[tuple[str, str]]:
    """The territory's needs as (item id, « title — organisation »), what matters first.

    Needs no partnership answers yet come first, the most recently diagnosed first; then the
    others. Within a date, by organisation and title.
    """
    access.require_read(territory_id)
    with store.reading() as conn:
        rows = stored.need_rows(conn, territory_id)
        answered = partnerships.answered_needs(conn)
    rows.sort(key=lambda r: (fold(r.name), fold(r.title)))
    rows.sort(key=lambda r: r.date or dt.date.min, reverse=True)
    rows.sort(key=lambda r: r.item_id in answered)
    return [(r.item_id, f"{r.title} — {r.name}") for r in rows]


def pistes_for(
    store: Store,
    territory_id: str | None,
    matcher: Matcher,
    *,
    need_id: str | None = None,
    org_id: str | None = None,
    top: int | None = None,
) -> list[PisteView]:
    """Pistes with names: the shortlist of one need, of one organisation, or territory-wide.

    Pairs already proposed, realised, abandoned or judged not relevant are left out.
    """
    from traits.services import matching
    from traits.services.organisations import describe_items
    from traits.services.partnerships import excluded_pairs

    if need_id is not None and org_id is not None:
        raise InvalidInputError("choisissez soit un besoin, soit une structure.")
    if need_id is not None:
        candidates = matcher.shortlist(need_id, top, excluded_pairs(store))
    elif org_id is not None:
        candidates = matching.shortlist_org(
            store, org_id, territory_id=territory_id, top=top, matcher=matcher
        )
    else:
        candidates = matching.pistes(store, territory_id=territory_id, matcher=matcher)
    described = describe_items(store, [x for c in candidates for x in (c.need_id, c.offer_id)])
    return [
        PisteView(c, described.get(c.need_id, {}), described.get(c.offer_id, {}))
        for c in candidates
    ]


def no_pistes_reason(
    store: Store,
    territory_id: str | None,
    *,
    need_id: str | None = None,
    org_id: str | None = None,
) -> str:
    """Why :func:`pistes_for` found nothing in that scope, in French, with what to do next.

    Pistes already proposed (partnerships) and set aside (« pas pertinent ») are counted, so
    the advice is the real one: not « add needs and offers » to a territory that has them.
    """
    access.require_read(territory_id)
    with store.reading() as conn:
        needs = {
            r.item_id
            for r in stored.need_rows(conn, territory_id)
            if (need_id is None or r.item_id == need_id) and (org_id is None or r.org_id == org_id)
        }
        proposed = {p for p in partnerships.proposed_pairs(conn) if p[0] in needs}
        declined = {p for p in partnerships.declined_pairs(conn) if p[0] in needs} - proposed
    scope, answered = (
        ("ce besoin", "à ce besoin")
        if need_id
        else ("cette structure", "aux besoins de cette structure")
        if org_id
        else ("le territoire", "aux besoins du territoire")
    )
    if not needs:
        return (
            f"Pas de piste pour {scope} : aucun besoin n'y est enregistré. Ajoutez-en en "
            "saisissant un diagnostic (page « Diagnostics »)."
        )
    done = []
    if proposed:
        done.append(
            f"{plural(len(proposed), 'piste déjà proposée', 'pistes déjà proposées')} "
            "(suivies dans « Partenariats »)"
        )
    if declined:
        done.append(
            f"{plural(len(declined), 'piste écartée', 'pistes écartées')} comme « pas pertinente »"
        )
    if done:
        return (
            f"Plus de nouvelle piste pour {scope} : {' et '.join(done)}. De nouvelles pistes "
            "viendront avec de nouveaux besoins ou de nouvelles offres (page « Diagnostics »)."
        )
    return (
        f"Aucune offre du territoire ne répond assez pour l'instant {answered} : "
        "de nouvelles offres, saisies dans « Diagnostics », donneront de nouvelles pistes."
    )


def _dot_text(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def network_dot(graph: nx.MultiGraph) -> str:
    """The partnership graph in Graphviz DOT: organisations coloured by kind, edges by status.

    Drawn from :func:`traits.graph.drawing`: a mutualisation is a small diamond named after
    it, linked to every member. Organisations without any partnership are left out of the
    drawing (the analyses list them as "à relancer"): laid out, they only make one long
    unreadable row.
    """
    drawn = g.drawing(graph)
    drawn = drawn.subgraph([n for n in drawn.nodes if drawn.degree(n) > 0])
    lines = [
        "graph reseau {",
        '  graph [layout=neato, overlap=false, splines=true, sep="+6", bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
    ]
    ids = {node: f"n{i}" for i, node in enumerate(drawn.nodes)}
    for node, data in drawn.nodes(data=True):
        label = _dot_text(data.get("name", node))
        if data.get("kind") == "pool":
            colour = STATUS_COLOURS.get(str(data.get("status")), "#999999")
            lines.append(
                f'  {ids[node]} [label="{label}", shape=diamond, style=filled, fontsize=9, '
                f'fillcolor="white", color="{colour}"];'
            )
            continue
        colour = KIND_COLOURS.get(str(data.get("kind", "other")), "#bbbbbb")
        lines.append(f'  {ids[node]} [label="{label}", fillcolor="{colour}"];')
    for a, b, data in drawn.edges(data=True):
        status = str(data.get("status", "proposed"))
        style = "dashed" if status in ("proposed", "abandoned") else "solid"
        width = 2.5 if status == "realised" else 1.2
        tip = _dot_text(LABELS_FR.get(status, status))
        lines.append(
            f'  {ids[a]} -- {ids[b]} [color="{STATUS_COLOURS.get(status, "#999999")}", '
            f'style={style}, penwidth={width}, tooltip="{tip}"];'
        )
    lines.append("}")
    return "\n".join(lines)


#: Colour of a mutualisation's point on the map (its lines take its status's colour).
POOL_COLOUR = "#6a4c93"


def network_view(store: Store, territory_id: str | None) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """The network as DOT, and its organisations and partnerships as tables for a map.

    Both come from one drawing (:func:`traits.graph.drawing`): on the map too, a
    mutualisation is a point among its members, linked to each of them.
    """
    from traits.services.reports import build_graph

    graph = build_graph(store, territory_id)
    drawn = g.drawing(graph)
    nodes = pd.DataFrame(
        [
            {
                "name": d.get("name", n),
                "kind": "mutualisation"
                if d.get("kind") == "pool"
                else LABELS_FR.get(str(d.get("kind", "other")), "autre"),
                "lat": d.get("lat"),
                "lon": d.get("lon"),
                "colour": _rgb(
                    POOL_COLOUR
                    if d.get("kind") == "pool"
                    else KIND_COLOURS.get(str(d.get("kind", "other")), "#bbbbbb")
                ),
            }
            for n, d in drawn.nodes(data=True)
        ],
        columns=["name", "kind", "lat", "lon", "colour"],
    )
    edges = []
    for a, b, d in drawn.edges(data=True):
        na, nb = drawn.nodes[a], drawn.nodes[b]
        if None in (na.get("lat"), na.get("lon"), nb.get("lat"), nb.get("lon")):
            continue
        status = str(d.get("status", "proposed"))
        edges.append(
            {
                "from_lon": na["lon"],
                "from_lat": na["lat"],
                "to_lon": nb["lon"],
                "to_lat": nb["lat"],
                "status": LABELS_FR.get(status, status),
                "colour": _rgb(STATUS_COLOURS.get(status, "#999999")),
                "name": f"{na.get('name', a)} ↔ {nb.get('name', b)}",
            }
        )
    columns = ["from_lon", "from_lat", "to_lon", "to_lat", "status", "colour", "name"]
    return (
        network_dot(graph),
        nodes.dropna(subset=["lat", "lon"]),
        pd.DataFrame(edges, columns=columns),
    )


def _rgb(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
