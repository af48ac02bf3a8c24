"""Roles checked in the service layer: each forbidden call is refused, through every service."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from traits.model import (
    Category,
    Contact,
    Diagnostic,
    DiagnosticStatus,
    Direction,
    Item,
    Organisation,
    Territory,
)
from traits.services import (
    access,
    backup,
    contacts,
    diagnostics,
    matching,
    reports,
    territories,
    vocabulary,
)
from traits.services import partnerships as ps
from traits.services.access import Principal, Role, signed_in
from traits.storage import Store, repository
from traits.storage import schema as t

LATER = dt.datetime.now() + dt.timedelta(hours=1)
VITRE = Principal("anim.vitre", Role.FACILITATOR, frozenset({"vitre"}), LATER)
REDON = Principal("anim.redon", Role.FACILITATOR, frozenset({"redon"}), LATER)
COORD = Principal("coord", Role.COORDINATOR, frozenset(), LATER)
ADMIN = Principal("chef", Role.ADMIN, frozenset(), LATER)
TODAY = dt.date.today()
DRAFT = DiagnosticStatus.DRAFT


@pytest.fixture
def two(backend_store: Store, small: Path) -> Store:
    """Vitré (the sample) and Redon (with a diagnostic and a contact), and one account per role."""
    store = backend_store
    services.load_demo(store)
    services.import_territory(store, small, territory=Territory("redon", "Pays de Redon"))
    diagnostics.save_diagnostic(
        store,
        Diagnostic("d_redon", "a", TODAY),
        [Item("i_redon", "a", Direction.NEED, Category.EQUIPMENT, "Des palettes")],
        [Contact("c_redon", "a", "Contact Fictif", True, email="contact@exemple.org")],
    )
    with access.operator():
        for p in (VITRE, REDON, COORD, ADMIN):
            access.add_user(store, p.username, p.role, territories=p.territories)
    return store


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every data row and the audit log, to prove a refusal wrote nothing."""
    tables = ("organisations", "diagnostics", "items", "contacts", "partnerships", "settings")
    with access.operator(), store.reading() as conn:
        out = {
            name: sorted(
                (tuple(map(str, r)) for r in conn.execute(sa.select(t.metadata.tables[name]))),
            )
            for name in tables
        }
        out["audit"] = [tuple(r) for r in conn.execute(sa.select(t.audit_log.c.audit_id))]
    return out


def test_facilitator_reads_and_writes_only_their_territory(two: Store, tmp_path: Path):
    with signed_in(VITRE):
        assert [t.territory_id for t in services.list_territories(two)] == ["vitre"]
        assert services.stats(two, "vitre")["organisations"] == 40
        ps.propose(two, "n_hautpre_informatique", "of_clic_initiation")
        forbidden = [
            lambda: services.stats(two, "redon"),
            lambda: services.stats(two),
            lambda: services.export_territory(two, tmp_path / "x", territory_id="redon"),
            lambda: services.export_territory(two, tmp_path / "x"),
            lambda: ps.propose(two, "n1", "o1"),
            lambda: ps.list_partnerships(two, territory_id="redon"),
            lambda: matching.fit_matcher(two, "redon"),
            lambda: matching.record_feedback(two, "n1", "o1", True),
            lambda: matching.save_settings(two, "redon", top_k=3),
            lambda: reports.build_report(two, "redon"),
            lambda: reports.build_report(two),
            lambda: contacts.export_person(two, "x@example.org"),
            lambda: backup.backup(two, tmp_path / "b.sqlite"),
            lambda: access.add_user(two, "intrus", "admin", "motdepasse-long"),
        ]
        for call in forbidden:
            with pytest.raises(PermissionDeniedError):
                call()
        # An import touching another territory is refused row by row, each row located.
        with pytest.raises(InvalidInputError) as refused:
            services.import_territory(two, tmp_path / "small")
        assert all(p.row for p in refused.value.problems if p.severity == "error")


def test_coordinator_reads_everything_writes_nothing(two: Store):
    """Item 6: read-only means read-only, through every write service (and the store itself)."""
    with signed_in(COORD):
        assert len(services.list_territories(two)) == 2
        both = reports.build_report(two).to_dict()
        assert both["organisations"] + both["unmet"] >= 42  # every organisation of both
        pid = ps.list_partnerships(two, territory_id="vitre")[0].partnership_id
        before = snapshot(two)
        record = diagnostics.get_diagnostic(two, "d_redon")
        writes = [
            lambda: ps.propose(two, "n_hautpre_informatique", "of_clic_initiation"),
            lambda: ps.change_status(two, pid, "abandoned", reason="x"),
            lambda: ps.update_details(two, pid, value_euros=10.0),
            lambda: matching.reset_learning(two, "vitre"),
            lambda: matching.save_settings(two, "vitre", top_k=3),
            lambda: matching.record_feedback(
                two, "n_hautpre_informatique", "of_clic_initiation", True
            ),
            lambda: territories.record_milestone(two, "vitre", territories.PISTES_SEEN),
            lambda: territories.create_territory(two, None, "Pays Nouveau", [], None),
            lambda: vocabulary.extend_vocabulary(two, "vitre", ["Nouvelle rubrique"]),
            lambda: diagnostics.save_diagnostic(
                two,
                Diagnostic("", "", TODAY, status=DRAFT),
                [],
                None,
                organisation=Organisation("", "Structure fantôme", "ess", "vitre"),
            ),
            lambda: diagnostics.save_diagnostic(
                two, record.diagnostic, record.items, record.contacts, expected_version=1
            ),
            lambda: diagnostics.delete_diagnostic(two, "d_redon"),
            lambda: access.disable_user(two, "anim.vitre"),
        ]
        for call in writes:
            with pytest.raises(PermissionDeniedError):
                call()
        with pytest.raises(PermissionDeniedError, match="ne les modifie pas"), two.transaction():
            pass  # the store itself opens no write block for a read-only account
    assert snapshot(two) == before


def test_expired_session_is_refused(two: Store):
    old = Principal(
        "anim.vitre",
        Role.FACILITATOR,
        frozenset({"vitre"}),
        dt.datetime.now() - dt.timedelta(minutes=1),
    )
    with signed_in(old), pytest.raises(PermissionDeniedError, match="expiré"):
        services.stats(two, "vitre")


# -- item 1: no account, no access, once a deployment has accounts ------------------------------


def test_nobody_is_refused_once_the_deployment_has_accounts(two: Store):
    before = snapshot(two)
    calls = [
        lambda: diagnostics.save_diagnostic(
            two,
            Diagnostic("", "", TODAY, status=DRAFT),
            [],
            None,
            organisation=Organisation("", "Structure fantôme", "ess", "vitre"),
        ),
        lambda: ps.propose(two, "n_hautpre_informatique", "of_clic_initiation"),
        lambda: territories.record_milestone(two, "vitre", territories.PISTES_SEEN),
        lambda: matching.save_settings(two, "vitre", top_k=3),
        lambda: services.stats(two, "vitre"),
        lambda: services.list_territories(two),
    ]
    for call in calls:
        with pytest.raises(PermissionDeniedError, match="aucun compte connecté"):
            call()
    assert snapshot(two) == before
    with access.operator():  # the command line on the server
        assert services.stats(two, "vitre")["organisations"] == 40


def test_a_laptop_without_accounts_needs_no_sign_in(store: Store):
    services.load_demo(store)
    territories.record_milestone(store, "vitre", territories.PISTES_SEEN)
    assert services.stats(store, "vitre")["organisations"] == 40


def test_the_session_account_acts_in_every_thread_and_signs_the_audit_log(
    two: Store, monkeypatch: pytest.MonkeyPatch
):
    """A widget callback runs in a thread where nobody called sign_in: the app's session
    lookup gives the account; refusals and the audit log name it."""
    session = threading.local()
    monkeypatch.setattr(access, "_SESSION_LOOKUP", [])
    access.use_session_lookup(
        lambda: (True, session.principal) if hasattr(session, "principal") else (False, None)
    )
    errors: list[BaseException] = []

    def callback(principal: Principal, org_name: str) -> None:
        session.principal = principal
        try:
            diagnostics.save_diagnostic(
                two,
                Diagnostic("", "", TODAY, status=DRAFT),
                [],
                None,
                organisation=Organisation("", org_name, "ess", "vitre"),
            )
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    for principal, name in ((COORD, "Refusée"), (VITRE, "Acceptée")):
        worker = threading.Thread(target=callback, args=(principal, name))
        worker.start()
        worker.join()
    assert len(errors) == 1 and isinstance(errors[0], PermissionDeniedError)
    assert "coordination" in str(errors[0])
    with access.operator(), two.reading() as conn:
        names = set(conn.scalars(sa.select(t.organisations.c.name)))
        actors = set(
            conn.scalars(
                sa.select(t.audit_log.c.actor).where(t.audit_log.c.table_name == "organisations")
            )
        )
    assert "Acceptée" in names and "Refusée" not in names
    assert "anim.vitre" in actors and "coord" not in actors


# -- item 2: a disabled, deleted or narrowed account stops at its next action -------------------


def test_a_disabled_or_deleted_account_stops_at_its_next_action(two: Store):
    with signed_in(VITRE):
        assert services.stats(two, "vitre")["organisations"] == 40
    with access.operator():
        access.disable_user(two, "anim.vitre")
    with signed_in(VITRE):
        with pytest.raises(PermissionDeniedError, match="désactivé"):
            services.stats(two, "vitre")
        with pytest.raises(PermissionDeniedError, match="désactivé"):
            access.refresh(two, VITRE)
    with signed_in(REDON):
        assert services.stats(two, "redon")["organisations"] == 2
        with access.operator(), two.transaction() as conn:
            conn.execute(t.users.delete().where(t.users.c.username == "anim.redon"))
        with pytest.raises(PermissionDeniedError, match="supprimé"):
            services.stats(two, "redon")
    with access.operator(), two.transaction() as conn:  # narrowed: vitre taken from an account
        conn.execute(
            t.users.update().where(t.users.c.username == "chef").values(role="facilitator")
        )
    with signed_in(ADMIN), pytest.raises(PermissionDeniedError, match="droits ont changé"):
        services.stats(two, "vitre")
    assert access.refresh(two, ADMIN).role is Role.FACILITATOR


# -- item 4: one territory never changes another -------------------------------------------------


def test_one_territory_never_changes_another(two: Store):
    before = snapshot(two)
    with access.operator():
        redon = diagnostics.get_diagnostic(two, "d_redon")
        vitre_org = diagnostics.list_organisations(two, "vitre")[0]
    takeovers = {
        "le diagnostic « d_redon »": lambda: diagnostics.save_diagnostic(
            two, Diagnostic("d_redon", vitre_org.org_id, TODAY), [], None
        ),
        "le besoin ou l'offre « i_redon »": lambda: diagnostics.save_diagnostic(
            two,
            Diagnostic("", vitre_org.org_id, TODAY),
            [Item("i_redon", "", Direction.NEED, Category.EQUIPMENT, "Repris")],
            None,
        ),
        "le contact « c_redon »": lambda: diagnostics.save_diagnostic(
            two,
            Diagnostic("", vitre_org.org_id, TODAY),
            [],
            [Contact("c_redon", "", "Remplacé", False)],
        ),
        "la structure « a »": lambda: diagnostics.save_organisation(
            two, Organisation("a", "Renommée", "ess", "vitre")
        ),
    }
    proposals = {  # an administrator may link two territories' records; a facilitator may not
        "vous ne pouvez pas modifier le besoin ou l'offre « o1 »": lambda: ps.propose(
            two, "n_hautpre_informatique", "o1"
        ),
        "vous ne pouvez pas modifier le besoin ou l'offre « n1 »": lambda: ps.propose(
            two, "n1", "of_clic_initiation"
        ),
    }
    for who, calls in ((VITRE, takeovers | proposals), (ADMIN, takeovers)):
        with signed_in(who):  # not even an administrator, through a territory's form
            for expected, call in calls.items():
                with pytest.raises(PermissionDeniedError) as refused:
                    call()
                assert str(refused.value).startswith(expected), str(refused.value)
                assert "autre territoire" in str(refused.value)
    with signed_in(ADMIN):
        admin_view = str(
            pytest.raises(
                PermissionDeniedError,
                diagnostics.save_diagnostic,
                two,
                Diagnostic("d_redon", vitre_org.org_id, TODAY),
                [],
                None,
            ).value
        )
    assert "« redon »" in admin_view  # named to whoever may read it
    assert snapshot(two) == before
    with access.operator():
        assert diagnostics.get_diagnostic(two, "d_redon") == redon


def test_partnerships_of_another_territory_are_not_changed(two: Store):
    with signed_in(ADMIN):
        cross = ps.propose(
            two, "n1", "of_clic_initiation"
        )  # an administrator links two territories
        vitre_part = ps.list_partnerships(two, territory_id="vitre")[0].partnership_id
    before = snapshot(two)
    with signed_in(REDON):
        for call in (
            lambda: ps.change_status(two, vitre_part, "abandoned", reason="x"),
            lambda: ps.update_details(two, vitre_part, value_euros=1.0),
            lambda: ps.change_status(two, cross.partnership_id, "introduced"),
            lambda: matching.record_feedback(two, "n1", "of_clic_initiation", False),
        ):
            with pytest.raises(PermissionDeniedError, match="autre territoire que les vôtres"):
                call()
        assert ps.get(two, cross.partnership_id).status.value == "proposed"  # reads its own side
    assert snapshot(two) == before
    with signed_in(VITRE), pytest.raises(NotFoundError):
        ps.change_status(two, "p_inconnu", "introduced")


def test_owners_are_read_from_the_database_for_every_kind(two: Store):
    owners = repository.owners
    with access.operator(), two.reading() as conn:
        assert owners(conn, "diagnostic", ["d_redon", "nope"]) == {"d_redon": frozenset({"redon"})}
        assert owners(conn, "contact", ["c_redon"]) == {"c_redon": frozenset({"redon"})}
        assert owners(conn, "item", ["o1", "of_clic_initiation"]) == {
            "o1": frozenset({"redon"}),
            "of_clic_initiation": frozenset({"vitre"}),
        }
        assert owners(conn, "organisation", ["a"]) == {"a": frozenset({"redon"})}


# -- item 5: importing into an existing territory keeps it ----------------------------------------


def test_import_into_an_existing_territory_keeps_its_description(backend_store: Store, small: Path):
    store = backend_store
    territories.create_territory(store, "redon", "Pays de Redon", ["Redon", "Allaire"], "Camille")
    services.import_territory(store, small, territory=Territory("redon", "redon"))
    kept = territories.get_territory(store, "redon")
    assert (kept.name, kept.communes, kept.facilitator) == (
        "Pays de Redon",
        ["Redon", "Allaire"],
        "Camille",
    )
    assert services.stats(store, "redon")["organisations"] == 2


def test_cli_import_into_an_existing_territory_keeps_its_description(tmp_path: Path, small: Path):
    db = str(tmp_path / "cli.sqlite")
    communes = tmp_path / "communes.txt"
    communes.write_text("Redon\nAllaire\n", encoding="utf-8")
    runner = CliRunner()
    created = runner.invoke(
        app,
        ["territory", "create", "Pays de Redon", "--id", "redon", "--communes", str(communes)]
        + ["--facilitator", "Camille", "--db", db],
    )
    assert created.exit_code == 0, created.output
    done = runner.invoke(app, ["import", str(small), "--territory", "redon", "--db", db])
    assert done.exit_code == 0, done.output
    kept = territories.get_territory(Store(db), "redon")
    assert (kept.name, kept.communes, kept.facilitator) == (
        "Pays de Redon",
        ["Redon", "Allaire"],
        "Camille",
    )


# -- item 3: sign-in refusals ---------------------------------------------------------------------


def test_passwords_and_lockout(two: Store):
    with access.operator():
        access.add_user(
            two, "anim.mdp", "facilitator", "un mot de passe long", territories=["vitre"]
        )
        with pytest.raises(InvalidInputError, match="trop court"):
            access.add_user(two, "court", "admin", "court")
        with pytest.raises(InvalidInputError, match="au moins un territoire"):
            access.add_user(two, "sans", "facilitator", "un mot de passe long")
    p = access.authenticate(two, "anim.mdp", "un mot de passe long")
    assert p.role is Role.FACILITATOR and p.territories == {"vitre"} and not p.expired()
    now = dt.datetime.now()
    for _ in range(access.MAX_FAILED_LOGINS):
        with pytest.raises(PermissionDeniedError, match="incorrect"):
            access.authenticate(two, "anim.mdp", "faux", now=now)
    with pytest.raises(PermissionDeniedError, match="incorrect"):  # locked, right password
        access.authenticate(two, "anim.mdp", "un mot de passe long", now=now)
    later = now + dt.timedelta(minutes=access.LOCK_MINUTES + 1)
    assert access.authenticate(two, "anim.mdp", "un mot de passe long", now=later)
    with access.operator():
        access.disable_user(two, "anim.mdp")
    with pytest.raises(PermissionDeniedError):
        access.authenticate(two, "anim.mdp", "un mot de passe long", now=later)
    with access.operator(), two.reading() as conn:
        hashed = conn.execute(
            sa.select(t.users.c.password_hash).where(t.users.c.username == "anim.mdp")
        ).scalar()
        actors = set(conn.scalars(sa.select(t.audit_log.c.actor)))
    assert "argon2id" in str(hashed)
    assert "connexion:anim.mdp" in actors  # sign-in writes name the account tried


def test_refused_sign_ins_do_not_tell_which_usernames_exist(
    two: Store, monkeypatch: pytest.MonkeyPatch
):
    """Item 3: unknown, locked, disabled or wrong password: one answer, the same Argon2 work."""
    with access.operator():
        for name in ("existe", "desactive"):
            access.add_user(two, name, "facilitator", "un mot de passe long", territories=["vitre"])
        access.disable_user(two, "desactive")
    now = dt.datetime.now()
    for _ in range(access.MAX_FAILED_LOGINS):
        with pytest.raises(PermissionDeniedError):
            access.authenticate(two, "existe", "faux", now=now)
    verified: list[str] = []
    real = access._hasher

    class Counting:
        def __init__(self) -> None:
            self.hasher = real()

        def hash(self, password: str) -> str:
            return str(self.hasher.hash(password))

        def verify(self, hashed: str, password: str) -> bool:
            verified.append(password)
            return bool(self.hasher.verify(hashed, password))

    access._verify("", "warm-up")  # the dummy hash is made once, before counting
    monkeypatch.setattr(access, "_hasher", Counting)
    answers = []
    for username, password in (
        ("existe", "un mot de passe long"),  # locked
        ("existe", "faux"),  # locked, wrong password
        ("inconnu", "un mot de passe long"),
        ("desactive", "un mot de passe long"),
        ("anim.vitre", "sans mot de passe"),  # an account signing in by SSO only
    ):
        verified.clear()
        with pytest.raises(PermissionDeniedError) as refused:
            access.authenticate(two, username, password, now=now)
        answers.append(str(refused.value))
        assert verified == [password], username
    assert len(set(answers)) == 1 and "bloqué" in answers[0]
    assert "existe" not in answers[0] and "inconnu" not in answers[0]


def test_user_cli(tmp_path: Path):
    runner = CliRunner()
    db = str(tmp_path / "u.sqlite")
    runner.invoke(app, ["demo", "--db", db])
    added = runner.invoke(
        app,
        [
            "user",
            "add",
            "anim",
            "--role",
            "facilitator",
            "-t",
            "vitre",
            "--db",
            db,
            "--password-stdin",
        ],
        input="un mot de passe long\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["user", "list", "--db", db, "--format", "csv"]).output
    assert "anim,,facilitator,vitre,False" in listed and "argon" not in listed
    assert runner.invoke(app, ["user", "disable", "anim", "--db", db]).exit_code == 0
