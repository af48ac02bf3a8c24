"""The diagnostic interview form, section by section, usable live during the interview.

Every value lives in ``st.session_state`` under an ``iv_`` key, changed by the callbacks of
:mod:`app_pages._interview_state`; saving calls :func:`traits.services.diagnostics.save_diagnostic`
once, in a button callback, and the problems it finds are shown next to their fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from app_pages import _errors
from app_pages import _interview_state as state
from app_pages._text import CHOOSE, esc
from traits.model import LABELS_FR, Category, OrgKind
from traits.services import diagnostics, interview, privacy
from traits.services import vocabulary as voc

F = diagnostics.FIELDS
#: Form fields next to which their problems are shown.
PLACED = {
    F[k] for k in ("name", "siret", "commune", "postcode", "size", "date", "items", "title")
} | {F["contact_name"], F["email"], F["phone"]}
S = st.session_state
NOTES = (
    ("practices", "2. Pratiques partenariales déjà en place"),
    ("motivations", "3. Motivations"),
    ("obstacles", "4. Freins"),
)
SENSITIVE = (
    "N'écrivez pas de données sensibles (santé, handicap d'une personne, opinions politiques, "
    "religieuses ou syndicales) ni de jugement sur les personnes."
)
NOTICE_TITLE = "Notice d'information à lire à la personne"
NOTICE_FALLBACK = (
    "Dites à la personne quelles données vous enregistrez et pourquoi, qu'elle peut y accéder, "
    "les corriger ou les faire effacer, et demandez son accord avant toute mise en relation "
    "(voir le kit d'essaimage, « Données personnelles »)."
)


def _item_section(store: Any, territory_id: str, direction: str, title: str) -> None:
    st.subheader(title)  # trusted: a section title written in this module
    problems, file = S.iv_problems, "besoins" if direction == "need" else "offres"
    for i, x in enumerate(S.iv_items):
        if x["direction"] == direction:
            left, right = st.columns([6, 1])
            sub = x.get("subcategory")
            sub_label = voc.subcategory_label(store, sub, territory_id) if sub else None
            left.markdown(
                f"**{esc(x['title'])}** — {LABELS_FR[Category(x['category'])]}"
                + (f" · {esc(sub_label)}" if sub_label else "")
            )
            if x.get("description"):
                left.caption(esc(x["description"]))
            right.button(
                "Retirer",
                key=f"ivb_rm_{direction}_{i}",
                on_click=state.remove,
                args=("iv_items", i),
            )
    _errors.field_problems(problems, F["title"], file)
    p = f"iv_new_{direction}_"
    word = "besoin" if direction == "need" else "offre"
    c1, c2 = st.columns([3, 2])
    text = c1.text_input(  # trusted: labels written here
        f"Intitulé du {word}" if direction == "need" else "Intitulé de l'offre",
        key=p + "title",
        placeholder="ex. prêt d'un camion pour les collectes",
    )
    category = c2.selectbox(
        "Catégorie",
        [c.value for c in Category],
        key=p + "category",
        format_func=lambda c: LABELS_FR[Category(c)],
        placeholder=CHOOSE,
    )
    suggestions = diagnostics.suggest_subcategories(store, text, category, territory_id)
    if suggestions:
        st.pills(
            "Sous-catégorie suggérée",
            [s.code for s, _ in suggestions],
            key=p + "subcategory",
            format_func={s.code: s.label for s, _ in suggestions}.get,
        )
    c3, c4 = st.columns([3, 2])
    c3.text_input("Précisions", key=p + "description")
    c4.text_input("Quantité, fréquence", key=p + "quantity")
    st.caption(SENSITIVE)
    if S.get(p + "error"):
        st.error(S[p + "error"])
    st.button(  # trusted: labels written here
        f"Ajouter ce {word}" if direction == "need" else "Ajouter cette offre",
        key=f"ivb_add_{direction}",
        on_click=state.add_item,
        args=(direction,),
    )


def _renaming_notice() -> None:
    """Say, under the name, that saving renames the stored organisation (when it does)."""
    renamed = state.renaming()
    if renamed:
        st.warning(
            esc(
                f"Enregistrer renommera la structure « {renamed[0]} » en « {renamed[1]} » "
                "(ses diagnostics, besoins et offres la suivent). S'il s'agit d'une autre "
                "structure, cliquez sur « Nouvel entretien »."
            )
        )


def render(store: Any, territory_id: str) -> None:
    """The whole form."""
    if "iv_items" not in S:
        state.reset()
    problems = S.iv_problems
    orgs = {o.org_id: o for o in diagnostics.list_organisations(store, territory_id)}
    if S.get("iv_org_choice", state.NEW) not in orgs:
        S.iv_org_choice = state.NEW
    head, new = st.columns([5, 1])
    if S.iv_diag_id and S.get("iv_editing"):
        head.info(esc(S.iv_editing), icon=":material/edit_note:")
    else:
        head.caption("Nouvel entretien")
    new.button("Nouvel entretien", on_click=state.reset, key="ivb_reset")
    st.subheader("1. Structure rencontrée")
    st.selectbox(
        "Structure déjà connue",
        [state.NEW, *orgs],
        key="iv_org_choice",
        format_func=lambda o: orgs[o].name if o in orgs else "— nouvelle structure —",
        on_change=state.choose_org,
        args=(orgs,),
        placeholder=CHOOSE,
    )
    # One row of two fields at a time, so that on a narrow screen each field stays next to
    # its partner (commune then postcode), not all left fields before all right ones.
    c1, c2 = st.columns(2)
    c1.text_input("Nom de la structure", key="iv_name")
    with c1:
        _errors.field_problems(problems, F["name"])
        _renaming_notice()
    c2.selectbox(
        "Type",
        [k.value for k in OrgKind],
        key="iv_kind",
        format_func=lambda k: LABELS_FR[OrgKind(k)],
        placeholder=CHOOSE,
    )
    c1, c2 = st.columns(2)
    c1.text_input("Forme juridique", key="iv_legal_form", placeholder="association, SCOP, SAS…")
    c2.text_input("SIRET", key="iv_siret")
    with c2:
        _errors.field_problems(problems, F["siret"])
    c1, c2 = st.columns(2)
    c1.text_input("Commune", key="iv_commune")
    with c1:
        _errors.field_problems(problems, F["commune"])
    c2.text_input("Code postal", key="iv_postcode")
    with c2:
        _errors.field_problems(problems, F["postcode"])
    c1, c2 = st.columns(2)
    c1.text_input("Effectif", key="iv_size", placeholder="10-49")
    with c1:
        _errors.field_problems(problems, F["size"])
    c2.text_input(
        "Date de l'entretien",
        key="iv_date",
        placeholder=interview.DATE_PLACEHOLDER,
        help=interview.DATE_HELP,
    )
    with c2:
        _errors.field_problems(problems, F["date"])
    st.text_area("Activité", key="iv_description", height=68)
    st.text_input("Animateur ou animatrice", key="iv_facilitator")
    for name, title in NOTES:
        st.subheader(title)  # trusted: NOTES titles
        st.text_area(  # trusted: NOTES titles
            title, key=f"iv_{name}", label_visibility="collapsed", height=90
        )
    st.caption(SENSITIVE)
    _item_section(store, territory_id, "need", "5. Besoins")
    _item_section(store, territory_id, "offer", "6. Offres")
    _errors.field_problems(problems, F["items"])
    _contacts(problems)
    st.text_area("Notes de l'entretien", key="iv_notes", height=68)
    st.caption(SENSITIVE)
    kind, text = S.pop("iv_message", (None, None))
    if kind:
        (st.success if kind == "success" else st.error)(text)
    for p in S.pop("iv_saved_warnings", None) or []:  # about the diagnostic just saved
        st.warning(esc(_errors.form_sentence(p)))
    for p in problems:  # those no field above shows (a text too long…), named as the form does
        if p.column not in PLACED:
            (st.error if p.severity == "error" else st.warning)(esc(_errors.form_sentence(p)))
    if S.get("iv_saved_org"):
        if st.button("Voir les pistes de cette structure", icon=":material/join_inner:"):
            S.pistes_scope, S.pistes_org = "Par structure", S.iv_saved_org
            st.switch_page("app_pages/pistes.py")
    b1, b2 = st.columns(2)
    b1.button(
        "Enregistrer comme brouillon",
        key="ivb_save_draft",
        on_click=state.save,
        args=(store, territory_id, "draft"),
        width="stretch",
    )
    b2.button(
        "Enregistrer le diagnostic terminé",
        key="ivb_save_complete",
        type="primary",
        on_click=state.save,
        args=(store, territory_id, "complete"),
        width="stretch",
    )


def _contacts(problems: list[Any]) -> None:
    st.subheader("7. Contacts et consentement")
    with st.expander(NOTICE_TITLE):
        notice = privacy.information_notice()
        st.markdown(notice or NOTICE_FALLBACK)  # trusted: the kit's own notice
        if notice:
            st.caption(
                "Puis demandez à la personne si elle accepte d'être mise en relation avec des "
                "structures du territoire, et cochez la case ci-dessous selon sa réponse."
            )
    for i, c in enumerate(S.iv_contacts):
        left, right = st.columns([6, 1])
        consent = "accepte d'être contacté·e" if c.get("consent") else "sans consentement"
        if c.get("consent") and isinstance(c.get("consent_date"), dt.date):
            consent += f" le {c['consent_date']:%d/%m/%Y}"
        who = " ".join(filter(None, [c.get("role"), c.get("email"), c.get("phone")]))
        left.markdown(f"**{esc(c['name'])}** {esc(who)} ({esc(consent)})")
        right.button(
            "Retirer", key=f"ivb_rm_ct_{i}", on_click=state.remove, args=("iv_contacts", i)
        )
    for column in (F["contact_name"], F["email"], F["phone"]):
        _errors.field_problems(problems, column, "contacts")
    c1, c2, c3, c4 = st.columns(4)
    c1.text_input("Nom du contact", key="iv_ct_name")
    c2.text_input("Fonction", key="iv_ct_role")
    c3.text_input("Courriel", key="iv_ct_email")
    c4.text_input("Téléphone", key="iv_ct_phone")
    st.checkbox(
        "La personne accepte d'être mise en relation avec d'autres structures", key="iv_ct_consent"
    )
    S.setdefault("iv_ct_consent_date", S.get("iv_date") or interview.date_text(dt.date.today()))
    S.setdefault("iv_ct_source", interview.CONSENT_SOURCE)
    S.setdefault("iv_ct_scope", interview.CONSENT_SCOPE)
    c5, c6, c7 = st.columns([1, 1, 2])
    c5.text_input(
        "Date du consentement",
        key="iv_ct_consent_date",
        placeholder=interview.DATE_PLACEHOLDER,
        help=interview.DATE_HELP,
    )
    c6.text_input("Origine du consentement", key="iv_ct_source")
    c7.text_input(
        "Portée du consentement",
        key="iv_ct_scope",
        help="Si la personne limite son accord, écrivez-le ici "
        "(ex. partenaires du Pôle ESS uniquement).",
    )
    if S.get("iv_ct_error"):
        st.error(esc(S.iv_ct_error))
    st.button("Ajouter ce contact", key="ivb_ct_add", on_click=state.add_contact)
