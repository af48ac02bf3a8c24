"""Offline maps: pydeck layers without a base map (``map_style=None``), so no tile is fetched."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st


def draw(
    points: pd.DataFrame, lines: pd.DataFrame | None = None, *, key: str, height: int = 320
) -> None:
    """Points (``lat, lon, colour, name``) and lines (``from_lat``… ``to_lon``, ``colour``)."""
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
    view = pdk.ViewState(
        latitude=float(points["lat"].mean()),
        longitude=float(points["lon"].mean()),
        zoom=8 if len(points) > 2 else 9,
    )
    deck = pdk.Deck(
        layers=layers, initial_view_state=view, map_style=None, tooltip={"text": "{name}"}
    )
    st.pydeck_chart(deck, height=height, key=key)


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
