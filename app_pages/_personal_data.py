"""Administration, « Données personnelles »: a person's data exported or erased on request,
and contacts without activity for a chosen time purged (retention)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_pages import _errors
from app_pages._text import esc
from traits.fr import plural
from traits.services import Store, administration, contacts
from traits.services.person_document import person_document

S = st.session_state


def render(store: Store, finish: Callable[[str], None]) -> None:
    """The tab; ``finish(message)`` shows the message after a rerun, confirmations unticked."""
    st.subheader("Accès et effacement")
    st.caption(
        "Répondez dans le mois à une personne qui demande ses données ou leur effacement, "
        "après avoir vérifié qu'il s'agit bien d'elle."
    )
    email = st.text_input(
        "Courriel, téléphone ou nom de la personne",
        key="adm_email",
        help="Le courriel désigne la personne sans ambiguïté ; un nom peut être celui de "
        "plusieurs personnes : choisissez alors la bonne.",
    ).strip()
    found = _errors.attempt(contacts.candidates, store, email) if email else []
    choice = None
    if email and found == []:
        st.info("Aucune personne enregistrée ne correspond dans vos territoires.")
    elif found and len(found) > 1:
        picked = st.radio(
            "Plusieurs personnes correspondent : laquelle ?",
            list(range(1, len(found) + 1)),
            format_func=lambda n: esc(found[n - 1]),
            index=None,
            key="adm_choice",
        )
        choice = picked
    ready = bool(email) and bool(found) and (len(found) == 1 or choice is not None)
    if st.button("Exporter", key="adm_b_export", icon=":material/download:"):
        if ready:
            S["adm_exported"] = _errors.attempt(contacts.export_person, store, email, choice)
        else:
            st.warning("Indiquez d'abord la personne (et choisissez-la s'il y en a plusieurs).")
    exported = S.get("adm_exported")
    if exported and exported["person"] == email:
        document = person_document(exported)  # French, for the person (the CLI keeps JSON)
        st.text(document)
        st.download_button(
            "Télécharger ces données (texte)",
            data=document,
            file_name="donnees-personnelles.txt",
            mime="text/plain",
            on_click="ignore",
            key="adm_b_download",
        )
    erase_ok = st.checkbox("Je confirme l'effacement définitif", key="adm_erase_ok")
    if st.button("Effacer", key="adm_b_erase", icon=":material/delete_forever:"):
        if not ready:
            st.warning("Indiquez d'abord la personne (et choisissez-la s'il y en a plusieurs).")
        elif not erase_ok:
            st.warning("Cochez la case de confirmation pour effacer.")
        else:
            done = _errors.attempt(contacts.erase_person, store, email, choice)
            if done is not None:
                finish(
                    "\n\n".join(
                        esc(sentence) + "".join(f"\n- {esc(place)}" for place in places)
                        for sentence, places in administration.erasure_report(done)
                    )
                )
    _retention(store, finish)


def _retention(store: Store, finish: Callable[[str], None]) -> None:
    st.subheader("Durée de conservation")
    age_text = st.text_input(
        "Sans activité depuis",
        value="3 ans",
        key="adm_age",
        help="Par exemple : 3 ans, 18 mois, 90 jours.",
    )
    age = _errors.attempt(contacts.parse_age, age_text)
    stale = None if age is None else _errors.attempt(contacts.stale_contacts, store, age)
    if stale == []:
        st.info("Aucun contact sans activité depuis cette durée.")
    elif stale:
        st.caption(
            f"{plural(len(stale), 'contact', 'contacts')} sans activité depuis cette durée :"
        )
        st.dataframe(
            pd.DataFrame(
                administration.stale_contact_rows(stale), columns=administration.STALE_COLUMNS
            ),
            hide_index=True,
            width="stretch",
        )
        purge_ok = st.checkbox(
            "Je confirme l'effacement définitif de ces contacts", key="adm_purge_ok"
        )
        if st.button("Purger", key="adm_b_purge", icon=":material/delete_sweep:"):
            if not purge_ok:
                st.warning("Cochez la case de confirmation pour purger.")
            else:
                erased = _errors.attempt(contacts.purge, store, age)
                if erased is not None:
                    finish(f"{plural(len(erased), 'contact effacé', 'contacts effacés')}.")
