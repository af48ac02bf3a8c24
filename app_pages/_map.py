"""Offline maps: pydeck layers without a base map (``map_style=None``), so no tile is fetched."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st

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


def _view(points: pd.DataFrame) -> pdk.ViewState:
    """A view that fits every point, with a margin (no tile server needed to know the zoom)."""
    lat0, lat1 = float(points["lat"].min()), float(points["lat"].max())
    lon0, lon1 = float(points["lon"].min()), float(points["lon"].max())
    span = max(lat1 - lat0, (lon1 - lon0) * 0.67, 0.02)
    zoom = max(5.0, min(12.0, math.log2(360 / span) - 1.3))
    return pdk.ViewState(latitude=(lat0 + lat1) / 2, longitude=(lon0 + lon1) / 2, zoom=zoom)


def _place_names(points: pd.DataFrame) -> pd.DataFrame:
    """One label per commune, at the mean position of its points."""
    if "commune" not in points or points["commune"].fillna("").eq("").all():
        return pd.DataFrame(columns=["lat", "lon", "commune"])
    named = points[points["commune"].fillna("") != ""]
    return named.groupby("commune", as_index=False)[["lat", "lon"]].mean()


def draw(
    points: pd.DataFrame,
    lines: pd.DataFrame | None = None,
    *,
    key: str,
    height: int = 320,
    legend: list[tuple[list[int], str]] | None = None,
) -> None:
    """Points (``lat, lon, colour, name`` and optionally ``commune``) and lines
    (``from_lat``… ``to_lon``, ``colour``), with the communes named and a legend."""
    points = points.dropna(subset=["lat", "lon"])
    if points.empty:
        st.caption("Pas de coordonnées connues : carte indisponible (renseignez les communes).")
        return
    layers: list[Any] = []
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
    places = _place_names(points)
    if not places.empty:
        layers.append(
            pdk.Layer(
                "TextLayer",
                places,
                get_position="[lon, lat]",
                get_text="commune",
                get_size=12,
                font_family='"Source Sans Pro, Helvetica, Arial, sans-serif"',
                font_weight=600,
                get_color=[60, 60, 60],
                get_pixel_offset=[0, -14],
                character_set=_CHARACTERS,
            )
        )
    deck = pdk.Deck(
        layers=layers, initial_view_state=_view(points), map_style=None, tooltip={"text": "{name}"}
    )
    st.pydeck_chart(deck, height=height, key=key)
    if legend:
        st.markdown(  # trusted: the legend's colours and labels are this module's constants
            " ".join(
                f"<span style='color:rgb({c[0]},{c[1]},{c[2]})'>●</span> {label}"
                for c, label in legend
            ),
            unsafe_allow_html=True,
        )


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
    """Points of organisations, coloured by kind, named with their commune."""
    return pd.DataFrame(
        [
            {
                "lat": o.lat,
                "lon": o.lon,
                "colour": KIND_COLOURS.get(str(getattr(o.kind, "value", o.kind)), OTHER_COLOUR),
                "name": o.name,
                "commune": o.commune or "",
            }
            for o in orgs
        ],
        columns=["lat", "lon", "colour", "name", "commune"],
    )
