"""Concurrent facilitators: no lost or duplicated write, every conflict reported, p95 latency.

N client threads drive the service layer for S seconds, each saving new diagnostics, editing
a few shared diagnostics (optimistic locking: conflicts expected), and proposing and moving
partnerships. Afterwards, what each client believes it wrote is counted against the database.

Usage:
    python benchmarks/bench_concurrency.py --db postgresql+psycopg://traits@127.0.0.1:54329/postgres
    python benchmarks/bench_concurrency.py --db /tmp/bench.sqlite --clients 5 --seconds 10

With a PostgreSQL URL, a fresh database is created beside the one named (and dropped after).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import statistics
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

from traits import services
from traits.errors import ConflictError, TransitionError
from traits.model import Category, Diagnostic, Direction, Item
from traits.services import diagnostics as diag
from traits.services import partnerships as ps
from traits.storage import Store
from traits.storage import schema as t
from traits.storage.audit import set_actor

SHARED = 4  # diagnostics everybody edits at once


@dataclasses.dataclass
class Client:
    name: str
    created: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (diag, item)
    edits_ok: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    conflicts: int = 0
    unreported: int = 0
    partnerships: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> status
    moves: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    latency: dict[str, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    errors: list[str] = dataclasses.field(default_factory=list)


def _timed(client: Client, action: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        client.latency[action].append(time.perf_counter() - t0)


def run_client(
    store: Store,
    client: Client,
    deadline: float,
    seed: int,
    orgs: list[str],
    shared: list[str],
    needs: list[str],
    offers: list[str],
) -> None:
    set_actor(client.name)
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        action = rng.choice(["new", "edit", "edit", "partnership"])
        try:
            if action == "new":
                org = rng.choice(orgs)
                d = Diagnostic(
                    diag.new_id("d"), org, dt.date.today(), client.name, notes=f"par {client.name}"
                )
                item = Item(
                    diag.new_id("i"),
                    org,
                    Direction.NEED,
                    Category.SKILLS,
                    f"Besoin de {client.name}",
                    "aide à la comptabilité",
                )
                _timed(client, "save new diagnostic", diag.save_diagnostic, store, d, [item], None)
                client.created.append((d.diagnostic_id, item.item_id))
            elif action == "edit":
                did = rng.choice(shared)
                record = diag.get_diagnostic(store, did)
                record.diagnostic.notes = f"{client.name} {uuid.uuid4().hex[:6]}"
                try:
                    _timed(
                        client,
                        "edit shared diagnostic",
                        diag.save_diagnostic,
                        store,
                        record.diagnostic,
                        record.items,
                        None,
                        expected_version=record.version,
                    )
                    client.edits_ok[did] += 1
                except ConflictError as exc:
                    client.conflicts += 1
                    if "rechargez" not in str(exc):
                        client.unreported += 1
            else:
                if client.partnerships and rng.random() < 0.7:
                    pid, status = rng.choice(list(client.partnerships.items()))
                    nxt = {
                        "proposed": "introduced",
                        "introduced": "in_discussion",
                        "in_discussion": "realised",
                    }.get(status)
                    if nxt is None:
                        continue
                    _timed(
                        client,
                        "move partnership",
                        ps.change_status,
                        store,
                        pid,
                        nxt,
                        author=client.name,
                    )
                    client.partnerships[pid] = nxt
                    client.moves[pid] += 1
                else:
                    need, offer = rng.choice(needs), rng.choice(offers)
                    try:
                        part = _timed(
                            client,
                            "propose partnership",
                            ps.propose,
                            store,
                            need,
                            offer,
                            author=client.name,
                        )
                        client.partnerships[part.partnership_id] = "proposed"
                    except ConflictError:
                        client.conflicts += 1  # the pair was proposed by someone else
                    except Exception as exc:  # same organisation: refused, as it should
                        if "deux structures" not in str(exc):
                            raise
        except TransitionError as exc:
            client.errors.append(f"transition: {exc}")
        except Exception as exc:  # noqa: BLE001 - counted and shown below
            client.errors.append(f"{type(exc).__name__}: {exc}")


def _fresh_store(url: str) -> tuple[Store, callable]:  # type: ignore[valid-type]
    if "://" not in url:
        Path(url).unlink(missing_ok=True)
        return Store(url), lambda: None
    base = sa.engine.make_url(url)
    name = f"traits_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    store = Store(base.set(database=name).render_as_string(hide_password=False))

    def drop() -> None:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return store, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="PostgreSQL admin URL or a SQLite path")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    store, drop = _fresh_store(args.db)
    try:
        store.engine.pool._pool.maxsize = max(args.clients + 5, 10)  # type: ignore[attr-defined]
    except AttributeError:
        pass
    try:
        services.load_demo(store)
        with store.reading() as conn:
            orgs = list(conn.scalars(sa.select(t.organisations.c.org_id)))
            shared = list(conn.scalars(sa.select(t.diagnostics.c.diagnostic_id).limit(SHARED)))
            versions0 = dict(
                conn.execute(
                    sa.select(t.diagnostics.c.diagnostic_id, t.diagnostics.c.version)
                ).all()
            )
            n_diag0 = conn.execute(sa.select(sa.func.count()).select_from(t.diagnostics)).scalar()
            needs = list(
                conn.scalars(sa.select(t.items.c.item_id).where(t.items.c.direction == "need"))
            )
            offers = list(
                conn.scalars(sa.select(t.items.c.item_id).where(t.items.c.direction == "offer"))
            )
        clients = [Client(f"client{i:02d}") for i in range(args.clients)]
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=run_client, args=(store, c, deadline, i, orgs, shared, needs, offers)
            )
            for i, c in enumerate(clients)
        ]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t0

        # Count what each client believes against the database.
        created = [x for c in clients for x in c.created]
        with store.reading() as conn:
            diag_ids = set(conn.scalars(sa.select(t.diagnostics.c.diagnostic_id)))
            item_ids = set(conn.scalars(sa.select(t.items.c.item_id)))
            n_diag = conn.execute(sa.select(sa.func.count()).select_from(t.diagnostics)).scalar()
            versions = dict(
                conn.execute(
                    sa.select(t.diagnostics.c.diagnostic_id, t.diagnostics.c.version)
                ).all()
            )
            statuses = dict(
                conn.execute(
                    sa.select(t.partnerships.c.partnership_id, t.partnerships.c.status)
                ).all()
            )
            events = defaultdict(int)
            for (pid,) in conn.execute(sa.select(t.partnership_events.c.partnership_id)):
                events[pid] += 1
        lost_new = sum(1 for d, i in created if d not in diag_ids or i not in item_ids)
        duplicated = n_diag - n_diag0 - len(created)
        lost_edits = 0
        for did in shared:
            ok = sum(c.edits_ok[did] for c in clients)
            # each successful save bumps the version once; fewer bumps = a lost update
            lost_edits += abs((versions[did] - versions0[did]) - ok)
        lost_moves = 0
        for c in clients:
            for pid, status in c.partnerships.items():
                if statuses.get(pid) != status or events[pid] != 1 + c.moves[pid]:
                    lost_moves += 1
        errors = [e for c in clients for e in c.errors]
        print(f"backend: {store.engine.dialect.name}, {args.clients} clients, {elapsed:.1f} s")
        print(
            f"new diagnostics: {len(created)} believed written, {lost_new} lost, "
            f"{duplicated} duplicated"
        )
        print(
            f"shared diagnostic edits: {sum(sum(c.edits_ok.values()) for c in clients)} "
            f"accepted, {sum(c.conflicts for c in clients)} conflicts reported to their "
            f"client ({sum(c.unreported for c in clients)} without the French message), "
            f"{lost_edits} lost updates"
        )
        print(
            f"partnerships: {sum(len(c.partnerships) for c in clients)} proposed, "
            f"{sum(sum(c.moves.values()) for c in clients)} moves, {lost_moves} lost"
        )
        print(f"unexpected errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
        print("latency per action (ms):  n      median   p95")
        merged: dict[str, list[float]] = defaultdict(list)
        for c in clients:
            for action, values in c.latency.items():
                merged[action].extend(values)
        for action, values in sorted(merged.items()):
            values.sort()
            p95 = values[int(0.95 * (len(values) - 1))]
            print(
                f"  {action:<26} {len(values):>6} {1000 * statistics.median(values):>8.1f} "
                f"{1000 * p95:>8.1f}"
            )
    finally:
        drop()


if __name__ == "__main__":
    main()
