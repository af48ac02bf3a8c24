"""Offline maps: the shipped outlines of communes and EPCI under the points, and no base map.

pydeck's ``map_style=None`` does NOT mean "no base map" in Streamlit: it fetches Carto's
tiles to follow the theme. Without a map provider and with pydeck's default style marker,
Streamlit draws no base map at all, so nothing is fetched from a tile server.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from traits.services import maps

#: Letters the commune labels may use (deck.gl draws text from a prepared set of characters);
#: quoted, so that pydeck passes it as text rather than as an expression.
_CHARACTERS = (
    '"'
    + "".join(
        sorted(
            set(" -'’()0123456789")
            | {chr(c) for c in range(ord("A"), ord("Z") + 1)}
            | {chr(c) for c in range(ord("a"), ord("z") + 1)}
            | set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
        )
    )
    + '"'
)


TERRITORY_FILL, COMMUNE_LINE = [244, 236, 214, 150], [190, 190, 190]
EPCI_LINE, TERRITORY_EPCI_LINE = [150, 150, 150], [90, 90, 90]
_SWATCH = "display:inline-block;width:14px;height:14px;vertical-align:-2px;"
OUTLINE_LEGEND = " ".join(
    f"<span style='{_SWATCH}{style}'></span> {label}"
    for style, label in (
        (f"border-top:3px solid rgb{tuple(TERRITORY_EPCI_LINE)}", "intercommunalité du territoire"),
        (f"border-top:2px solid rgb{tuple(EPCI_LINE)}", "autre intercommunalité"),
        (
            f"background:rgb{tuple(TERRITORY_FILL[:3])};border:1px solid rgb{tuple(COMMUNE_LINE)}",
            "commune du territoire",
        ),
        (f"border:1px solid rgb{tuple(COMMUNE_LINE)}", "autre commune"),
    )
)
"""The outlines' part of the legend (trusted: this module's constants)."""


def _text(labels: pd.DataFrame) -> pdk.Layer:
    """The names of the communes, just above their points."""
    return pdk.Layer(
        "TextLayer",
        labels,
        get_position="[lon, lat]",
        get_text="commune",
        get_size=12,
        font_family='"Source Sans Pro, Helvetica, Arial, sans-serif"',
        font_weight=600,
        get_color=[60, 60, 60],
        get_pixel_offset=[0, -14],
        character_set=_CHARACTERS,
    )


def _outline_layers(frame: maps.MapFrame) -> list[pdk.Layer]:
    """The territory's communes shaded, every commune and EPCI outlined (no tile needed)."""
    communes, epcis = frame.communes, frame.epcis
    layers = [
        pdk.Layer(
            "PolygonLayer",
            communes[communes["territory"]],
            get_polygon="path",
            get_fill_color=TERRITORY_FILL,
            get_line_color=COMMUNE_LINE,
            line_width_min_pixels=1,
            pickable=True,
        ),
        pdk.Layer(
            "PathLayer",
            communes[~communes["territory"]],
            get_path="path",
            get_color=COMMUNE_LINE,
            width_min_pixels=1,
            get_width=1,
        ),
    ]
    for mine, colour, width in ((False, EPCI_LINE, 1.5), (True, TERRITORY_EPCI_LINE, 2.5)):
        layers.append(
            pdk.Layer(
                "PathLayer",
                epcis[epcis["territory"] == mine],
                get_path="path",
                get_color=colour,
                get_width=0,
                width_min_pixels=width,
            )
        )
    return layers


class _CompactDeck(pdk.Deck):
    """A deck sent as compact JSON: pydeck indents its JSON, which makes outlines four times
    bigger and ten times slower to write (its own serialiser, without the indent)."""

    def to_json(self) -> str:
        return json.dumps(self, default=default_serialize, separators=(",", ":"))


def draw(
    points: pd.DataFrame,
    lines: pd.DataFrame | None = None,
    *,
    key: str,
    height: int = 320,
    legend: list[tuple[list[int], str]] | None = None,
    territory: list[str] | None = None,
) -> None:
    """Points (``lat, lon, colour, name``) and lines
    (``from_lat``… ``to_lon``, ``colour``) over the outlines of the communes and EPCI around
    them, the territory's (communes and EPCI as typed) picked out, with the communes named,
    a legend and the outlines' source."""
    points = points.dropna(subset=["lat", "lon"])
    if points.empty:
        st.caption("Pas de coordonnées connues : carte indisponible (renseignez les communes).")
        return
    frame = maps.map_frame(
        points["lat"].tolist(), points["lon"].tolist(), territory or [], height=height
    )
    layers: list[Any] = _outline_layers(frame)
    if lines is not None and not lines.empty:
        layers.append(
            pdk.Layer(
                "LineLayer",
                lines,
                get_source_position="[from_lon, from_lat]",
                get_target_position="[to_lon, to_lat]",
                get_color="colour",
                get_width=3,
                pickable=True,
            )
        )
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            points,
            get_position="[lon, lat]",
            get_fill_color="colour",
            get_radius=350,
            radius_min_pixels=5,
            pickable=True,
        )
    )
    if not frame.labels.empty:
        layers.append(_text(frame.labels))
    view = pdk.ViewState(latitude=frame.view.lat, longitude=frame.view.lon, zoom=frame.view.zoom)
    deck = _CompactDeck(
        layers=layers, initial_view_state=view, map_provider=None, tooltip={"text": "{name}"}
    )
    st.pydeck_chart(deck, height=height, key=key)
    entries = [
        f"<span style='color:rgb({c[0]},{c[1]},{c[2]})'>●</span> {label}"
        for c, label in legend or []
    ]
    legend_html = " ".join([*entries, OUTLINE_LEGEND])
    st.markdown(legend_html, unsafe_allow_html=True)  # trusted: this module's constants
    st.caption(maps.ATTRIBUTION)


NEED_COLOUR, OFFER_COLOUR, LINK_COLOUR = [230, 111, 81], [42, 157, 143], [120, 120, 120]


def pairs(views: list[Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points and lines of pistes: the need's organisation in orange, the offer's in green."""
    points, lines = [], []
    for view in views:
        need, offer = view.need, view.offer
        for side, colour in ((need, NEED_COLOUR), (offer, OFFER_COLOUR)):
            points.append(
                {
                    "lat": side.get("lat"),
                    "lon": side.get("lon"),
                    "colour": colour,
                    "name": side.get("org_name", ""),
                }
            )
        lines.append(
            {
                "from_lat": need.get("lat"),
                "from_lon": need.get("lon"),
                "to_lat": offer.get("lat"),
                "to_lon": offer.get("lon"),
                "colour": LINK_COLOUR,
                "name": f"{need.get('title')} ← {offer.get('title')}",
            }
        )
    return pd.DataFrame(points, columns=["lat", "lon", "colour", "name"]), pd.DataFrame(
        lines, columns=["from_lat", "from_lon", "to_lat", "to_lon", "colour", "name"]
    ).dropna()


KIND_COLOURS = {"ess": [42, 157, 143], "company": [38, 70, 83], "public": [233, 196, 106]}
OTHER_COLOUR = [160, 160, 160]
KIND_LEGEND = [
    (KIND_COLOURS["ess"], "structure de l'ESS"),
    (KIND_COLOURS["company"], "entreprise"),
    (KIND_COLOURS["public"], "collectivité ou organisme public"),
    (OTHER_COLOUR, "autre"),
]


def organisations(orgs: list[Any]) -> pd.DataFrame:
    """Points of organisations, coloured by kind."""
    return pd.DataFrame(
        [
            {
                "lat": o.lat,
                "lon": o.lon,
                "colour": KIND_COLOURS.get(str(getattr(o.kind, "value", o.kind)), OTHER_COLOUR),
                "name": o.name,
            }
            for o in orgs
        ],
        columns=["lat", "lon", "colour", "name"],
    )
