"""The partnership network as a graph: organisations are nodes, partnerships are edges.

A pooled partnership (mutualisation) is a hyperedge: one edge between its first two parties,
so that every count of partnerships stays one per partnership, carrying ``members`` (every
organisation, joined with ``|``) and ``label``. Every view reads its organisations through
:func:`parties`: :func:`simple_projection`, which the network analyses use, joins every two of
its members, and :func:`drawing`, which the app draws, makes it a pool node linked to each
member.

Pure functions over domain objects and networkx graphs: no storage, no user interface. Every
analysis reuses a networkx algorithm and takes its ``weight=`` and ``seed=`` explicitly, so the
tests can check it against networkx itself.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from traits.errors import InvalidInputError, Problem
from traits.model import (
    FINAL_STATUSES,
    Diagnostic,
    Organisation,
    OrgKind,
    Partnership,
    PartnershipStatus,
    realised_date,
    start_date,
)

#: Separator of the categories joined into one edge attribute (as in the interchange format).
CATEGORY_SEPARATOR = "|"

_REALISED = PartnershipStatus.REALISED
_ABANDONED = PartnershipStatus.ABANDONED
_FINAL = FINAL_STATUSES


# --- building and writing -----------------------------------------------------------------------


def _value(value: Any) -> Any:
    """A plain GraphML/GEXF-safe value (enums become their string value)."""
    if isinstance(value, bool | int | float):
        return value
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def _attributes(**values: Any) -> dict[str, Any]:
    """Keyword values without the missing ones, as plain types."""
    return {k: _value(v) for k, v in values.items() if v is not None and v != ""}


def build_graph(
    organisations: Iterable[Organisation],
    partnerships: Iterable[Partnership],
    diagnostics: Iterable[Diagnostic] = (),
) -> nx.MultiGraph:
    """The partnership network: one node per organisation, one edge per partnership.

    Nodes carry ``name``, ``kind``, ``legal_form``, ``territory``, ``lat``, ``lon``, ``commune``
    and ``met_in_diagnostic``; edges are keyed by ``partnership_id`` and carry ``status``,
    ``mode``, ``categories`` (joined with ``|``), ``created`` and ``realised`` (ISO dates),
    ``need_id``, ``offer_id``, ``value_euros`` and ``value_hours``. Missing values are left out,
    so every attribute is a str, int, float or bool (GraphML and GEXF accept them). A partner
    not among ``organisations`` becomes a node without attributes.
    """
    met = {d.org_id for d in diagnostics}
    graph = nx.MultiGraph()
    for org in organisations:
        graph.add_node(
            org.org_id,
            **_attributes(
                name=org.name,
                kind=org.kind,
                legal_form=org.legal_form,
                territory=org.territory_id,
                lat=org.lat,
                lon=org.lon,
                commune=org.commune,
            ),
            met_in_diagnostic=org.org_id in met,
        )
    for p in partnerships:
        realised = realised_date(p)
        graph.add_edge(
            p.org_a,
            p.org_b,
            key=p.partnership_id,
            **_attributes(
                partnership_id=p.partnership_id,
                status=p.status,
                mode=p.mode,
                categories=CATEGORY_SEPARATOR.join(c.value for c in p.categories),
                created=p.created.isoformat() if p.created else None,
                realised=realised.isoformat() if realised else None,
                need_id=p.need_id,
                offer_id=p.offer_id,
                value_euros=p.value_euros,
                value_hours=p.value_hours,
                label=p.label,
                members=CATEGORY_SEPARATOR.join(p.org_ids) if p.is_pooled else None,
            ),
        )
    return graph


def write_graph(graph: nx.MultiGraph, path: str | Path) -> Path:
    """Write the graph as GraphML (``.graphml``), GEXF (``.gexf``) or node-link JSON (``.json``).

    GEXF gets a ``label`` per node (its name) and an ``id`` per edge (its partnership), which
    Gephi shows; node-link JSON keeps the edge keys under ``key``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        nx.write_graphml(graph, path)
    elif suffix == ".gexf":
        labelled = graph.copy()
        for node, data in labelled.nodes(data=True):
            data["label"] = str(data.get("name", node))
        for _, _, key, data in labelled.edges(keys=True, data=True):
            data["id"] = str(key)
        nx.write_gexf(labelled, path)
    elif suffix == ".json":
        data = nx.node_link_data(graph, edges="edges")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        raise InvalidInputError(
            Problem(
                f"format de graphe « {path.suffix or '(aucune extension)'} » inconnu : "
                "choisissez un fichier .graphml, .gexf ou .json.",
                file=str(path),
            )
        )
    return path


# --- analyses -----------------------------------------------------------------------------------


def counts_by(graph: nx.MultiGraph, attribute: str) -> dict[str, int]:
    """Number of partnerships (edges) per value of an edge attribute, most frequent first.

    ``categories`` is split, so a partnership counts once in each of its categories; edges
    without the attribute are left out.
    """
    counter: Counter[str] = Counter()
    for _, _, value in graph.edges(data=attribute):
        if value is None or value == "":
            continue
        if attribute == "categories":
            counter.update(v for v in str(value).split(CATEGORY_SEPARATOR) if v)
        else:
            counter[str(value)] += 1
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def conversion(
    partnerships: Iterable[Partnership], *, among: Literal["decided", "all"] = "decided"
) -> float | None:
    """Share of partnerships that reached ``realised``.

    ``among="decided"`` (default): realised / (realised + abandoned), the pistes whose outcome
    is known, so open ones do not lower the rate. ``among="all"``: realised / every
    partnership. None when there is nothing to divide by.
    """
    statuses = [p.status for p in partnerships]
    realised = sum(s == _REALISED for s in statuses)
    if among == "decided":
        total = sum(s in _FINAL for s in statuses)
    elif among == "all":
        total = len(statuses)
    else:
        raise InvalidInputError(
            f"base de conversion « {among} » inconnue : « decided » ou « all »."
        )
    return realised / total if total else None


def median_days_to_realise(partnerships: Iterable[Partnership]) -> float | None:
    """Median number of days from a partnership's start to its step to ``realised``.

    Start is the earlier of ``created`` and the first history event; only realised partnerships
    with a dated realisation count. None when there is none.
    """
    days = []
    for p in partnerships:
        if p.status != _REALISED:
            continue
        start, end = start_date(p), realised_date(p)
        if start is not None and end is not None:
            days.append((end - start).days)
    return float(statistics.median(days)) if days else None


def parties(u: str, v: str, data: dict[str, Any]) -> list[str]:
    """Every organisation a partnership edge joins: a mutualisation's members, else its ends."""
    if data.get("members"):
        return list(dict.fromkeys(str(data["members"]).split(CATEGORY_SEPARATOR)))
    return [u, v]


#: Prefix of the node that stands for a mutualisation in :func:`drawing`.
POOL_NODE = "mutualisation:"


def drawing(graph: nx.MultiGraph) -> nx.MultiGraph:
    """The network as drawn: every organisation, and each mutualisation as a pool node.

    A two-party partnership stays one edge. A mutualisation becomes a node (``kind`` "pool",
    ``name`` its label, ``status``, and ``lat``/``lon`` the mean place of its members whose
    place is known) linked to each of its members by an edge carrying its ``status`` and
    ``partnership_id``: the hyperedge drawn as a star, so no member is left out.
    """
    drawn = nx.MultiGraph()
    drawn.add_nodes_from(graph.nodes(data=True))
    for u, v, key, data in graph.edges(keys=True, data=True):
        members = parties(u, v, data)
        link = {"status": data.get("status"), "partnership_id": key}
        if not data.get("members"):
            drawn.add_edge(u, v, key=key, **link)
            continue
        places = [
            (graph.nodes[m]["lat"], graph.nodes[m]["lon"])
            for m in members
            if graph.nodes[m].get("lat") is not None and graph.nodes[m].get("lon") is not None
        ]
        hub = f"{POOL_NODE}{key}"
        drawn.add_node(
            hub,
            kind="pool",
            name=str(data.get("label") or "Mutualisation"),
            status=data.get("status"),
            **(
                {
                    "lat": statistics.fmean(p[0] for p in places),
                    "lon": statistics.fmean(p[1] for p in places),
                }
                if places
                else {}
            ),
        )
        for member in members:
            drawn.add_edge(hub, member, key=key, **link)
    return drawn


def _statuses_by_organisation(graph: nx.MultiGraph) -> dict[str, list[str]]:
    """The statuses of each organisation's partnerships, mutualisations included."""
    out: dict[str, list[str]] = {}
    for u, v, data in graph.edges(data=True):
        for org in parties(u, v, data):
            out.setdefault(org, []).append(data.get("status"))
    return out


def to_visit_again(graph: nx.MultiGraph) -> list[str]:
    """Organisations met in a diagnostic with no partnership yet, or only abandoned ones.

    The facilitator's list of structures to call back (a member of a mutualisation has a
    partnership); sorted by name.
    """
    statuses = _statuses_by_organisation(graph)
    out = [
        node
        for node, met in graph.nodes(data="met_in_diagnostic", default=False)
        if met and all(status == _ABANDONED for status in statuses.get(node, ()))
    ]
    return sorted(out, key=lambda n: (str(graph.nodes[n].get("name", n)), str(n)))


def simple_projection(
    graph: nx.MultiGraph,
    *,
    exclude: Sequence[str] = (_ABANDONED.value,),
    weight: str = "weight",
) -> nx.Graph:
    """A simple Graph with one edge per linked pair, the number of partnerships as ``weight``.

    Partnerships whose status is in ``exclude`` (abandoned ones by default) are left out; every
    node stays, with its attributes. Self-loops are dropped. A pooled partnership links every
    two of its members.
    """
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if data.get("status") in exclude:
            continue
        members = parties(u, v, data)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a == b:
                    continue
                if simple.has_edge(a, b):
                    simple[a][b][weight] += 1
                else:
                    simple.add_edge(a, b, **{weight: 1})
    return simple


def brokers(
    graph: nx.MultiGraph,
    k: int = 5,
    *,
    weight: str | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> list[tuple[str, float]]:
    """The ``k`` organisations that most often lie between others (betweenness centrality).

    Computed by ``networkx.betweenness_centrality`` on the simple projection (abandoned
    partnerships left out); ``weight`` is read as a distance (None: every link counts 1).
    ``sample`` pivots (networkx's ``k=``, drawn with ``seed``) estimate it on large graphs.
    Organisations with a zero score are left out; ties are broken by identifier.
    """
    simple = simple_projection(graph)
    if sample is not None and sample >= simple.number_of_nodes():
        sample = None
    scores = nx.betweenness_centrality(simple, k=sample, weight=weight, seed=seed)
    ranked = sorted(((n, s) for n, s in scores.items() if s > 0), key=lambda ns: (-ns[1], ns[0]))
    return ranked[:k]


def clusters(
    graph: nx.MultiGraph,
    seed: int = 0,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    min_size: int = 2,
) -> list[set[str]]:
    """Communities of the partnership network (``networkx`` Louvain), largest first.

    Run on the simple projection (abandoned partnerships left out), ``weight`` being the number
    of partnerships between two organisations. Communities smaller than ``min_size`` (isolated
    organisations, by default) are left out.
    """
    simple = simple_projection(graph)
    found = nx.community.louvain_communities(
        simple, weight=weight, resolution=resolution, seed=seed
    )
    kept = [set(c) for c in found if len(c) >= min_size]
    return sorted(kept, key=lambda c: (-len(c), min(c)))


def ess_company_share(graph: nx.MultiGraph) -> float | None:
    """Share of the graph's partnerships that join an ESS structure and a company.

    A mutualisation counts once, when its members include both. None when the graph has no
    partnership. Pass a graph of realised partnerships only to get the share among
    partnerships concrétisés.
    """
    kinds = dict(graph.nodes(data="kind"))
    pair = {OrgKind.ESS.value, OrgKind.COMPANY.value}
    total = joined = 0
    for u, v, data in graph.edges(data=True):
        total += 1
        joined += pair <= {kinds.get(org) for org in parties(u, v, data)}
    return joined / total if total else None
