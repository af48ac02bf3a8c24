"""Partenariats: the pipeline from piste to concrétisé, one column per status."""

from __future__ import annotations

import streamlit as st

from app_pages import _partnership_value, _session
from app_pages._text import CHOOSE, esc
from traits.fr import fr_date, plural
from traits.model import LABELS_FR, PartnershipStatus
from traits.services import partnerships, views

store = _session.get_store()
tid = _session.require_territory()
st.title("Partenariats")
if "board_done" in st.session_state:
    st.success(st.session_state.pop("board_done"))  # trusted: written on this page
board = views.partnership_board(store, tid)
if not any(board.values()):
    st.info(
        "Aucun partenariat pour l'instant. Ils arrivent ici quand vous proposez une piste "
        "(page « Pistes ») ou une mutualisation (page « Mutualisations ») ; vous les suivez "
        "ensuite de la mise en lien jusqu'au partenariat concrétisé."
    )
    st.page_link("app_pages/pistes.py", label="Voir les pistes", icon=":material/join_inner:")
    st.stop()
seen = _session.seen_versions("board_seen")
refused = _partnership_value.conflict()
seen.pop(refused or "", None)  # the user was told: the next save starts from the new state
for column, (status, cards) in zip(st.columns(len(board)), board.items(), strict=True):
    column.markdown(f"#### {LABELS_FR[status].capitalize()}")
    column.caption(plural(len(cards), "partenariat", "partenariats"))
    for card in cards[:25]:
        p = card.partnership
        # the version and the card as this visit showed them: what a save is checked against
        expected, shown = seen.setdefault(p.partnership_id, (card.version, p))
        with column.container(border=True):
            st.markdown(f"**{esc(card.parties)}**")
            if card.partnership.label:
                st.caption(esc(card.partnership.label))
            elif card.need_title or card.offer_title:
                st.caption(f"{esc(card.need_title or '—')} ← {esc(card.offer_title or '—')}")
            st.caption(f"Mode : {LABELS_FR[p.mode] if p.mode else _partnership_value.UNKNOWN_MODE}")
            if p.abandon_reason:
                st.caption(f"Motif : {esc(p.abandon_reason)}")
            st.caption(f"Prochaine étape : {esc(card.next_step)}")
            with st.expander("Historique"):
                for step in p.history:
                    st.caption(
                        f"{fr_date(step.at.date())} : {LABELS_FR[step.to_status]}"
                        + (f" ({esc(step.author)})" if step.author else "")
                        + (f" — {esc(step.note)}" if step.note else "")
                    )
            with st.expander("Mode et valeur", expanded=p.partnership_id == refused):
                _partnership_value.form(store, p, expected, shown, seen)
            if not card.moves:
                continue
            target = st.selectbox(
                "Passer à",
                card.moves,
                format_func=LABELS_FR.get,
                key=f"to_{p.partnership_id}",
                placeholder=CHOOSE,
            )
            reason, details = None, None
            if target is PartnershipStatus.ABANDONED:
                reason = st.text_input(
                    "Motif de l'abandon (obligatoire)", key=f"why_{p.partnership_id}"
                )
            elif target is PartnershipStatus.REALISED:
                st.caption("Pour le bilan : le mode et la valeur du partenariat concrétisé.")
                details = _partnership_value.inputs(p, key=f"done_{p.partnership_id}")
            if st.button("Déplacer", key=f"move_{p.partnership_id}"):
                if target is PartnershipStatus.ABANDONED and not (reason or "").strip():
                    st.error("Indiquez le motif de l'abandon.")
                elif _partnership_value.save(  # mode, value and status: all or nothing
                    store,
                    shown,
                    partnerships.change_status,
                    f"vous vouliez passer à « {LABELS_FR[target]} » : si c'est toujours "
                    "juste, choisissez de nouveau l'étape et cliquez sur « Déplacer ».",
                    status=target,
                    reason=reason,
                    details=details,
                    expected_version=expected,
                ):
                    seen.pop(p.partnership_id, None)
                    st.session_state["board_done"] = f"{card.parties} : {LABELS_FR[target]}."
                    st.rerun()
                elif _partnership_value.CONFLICT_KEY in st.session_state:
                    st.rerun()
    if len(cards) > 25:
        column.caption(f"… et {len(cards) - 25} de plus.")
