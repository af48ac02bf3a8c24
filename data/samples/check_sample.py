"""Check the bundled sample territory (stdlib only).

Usage: python data/samples/check_sample.py [folder]   (default: data/samples/vitre)

Asserts the counts the sample is meant to show (40 organisations met, 24 diagnostics, 90 to 110
needs and offers, 10 realised partnerships, 6 emerging ones), that every reference resolves, that
SIRETs pass the Luhn check and that each partnership's history is consistent, then prints the counts.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

KINDS = {"ess", "company", "public", "other"}
SIZES = {"0", "1-9", "10-49", "50-249", "250+"}
DIRECTIONS = {"need", "offer"}
CATEGORIES = {"skills", "equipment", "purchasing", "premises", "volunteering", "funding", "other"}
STATUSES = ["proposed", "introduced", "in_discussion", "realised", "abandoned"]
MODES = {"philanthropy", "responsible_practices", "economic_cooperation", "societal_innovation"}
EMERGING = {"proposed", "introduced", "in_discussion"}
PHONE = re.compile(r"^01 99 00 \d\d \d\d$")


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def unique(rows: list[dict[str, str]], key: str, name: str) -> dict[str, dict[str, str]]:
    ids = [r[key] for r in rows]
    dupes = [k for k, n in Counter(ids).items() if n > 1]
    assert not dupes, f"{name}: duplicate {key}: {dupes}"
    return {r[key]: r for r in rows}


def day(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AssertionError(f"{where}: not an ISO date: {text!r}") from None


def check(folder: Path) -> dict[str, object]:
    territories = read(folder, "territories.csv")
    assert len(territories) == 1 and territories[0]["territory_id"] == "vitre", (
        "territories.csv: one row, vitre"
    )
    facilitator = territories[0]["facilitator"]

    orgs = unique(read(folder, "organisations.csv"), "org_id", "organisations.csv")
    assert len(orgs) == 40, f"40 organisations expected, got {len(orgs)}"
    for oid, o in orgs.items():
        assert o["kind"] in KINDS, f"{oid}: kind {o['kind']!r}"
        assert o["territory"] == "vitre", f"{oid}: territory {o['territory']!r}"
        assert o["size"] in SIZES, f"{oid}: size {o['size']!r}"
        assert re.fullmatch(r"35\d{3}", o["postcode"]), f"{oid}: postcode {o['postcode']!r}"
        assert o["commune"] and o["description"] and o["legal_form"], (
            f"{oid}: commune/description/legal form"
        )
        assert not o["lat"] and not o["lon"], (
            f"{oid}: lat/lon must stay empty (resolved by the importer)"
        )
        if o["siret"]:
            s = o["siret"]
            assert re.fullmatch(r"\d{14}", s), f"{oid}: SIRET {s!r} is not 14 digits"
            assert luhn_ok(s[:9]), f"{oid}: SIREN {s[:9]} fails Luhn"
            assert luhn_ok(s), f"{oid}: SIRET {s} fails Luhn"

    diags = unique(read(folder, "diagnostics.csv"), "diagnostic_id", "diagnostics.csv")
    assert len(diags) == 24, f"24 diagnostics expected, got {len(diags)}"
    diag_date: dict[str, date] = {}
    for did, d in diags.items():
        assert d["org_id"] in orgs, f"{did}: unknown org {d['org_id']}"
        assert d["org_id"] not in diag_date, f"{did}: second diagnostic for {d['org_id']}"
        when = day(d["date"], did)
        assert when.year == 2022, f"{did}: date outside 2022"
        assert d["facilitator"] == facilitator, f"{did}: facilitator"
        assert d["status"] in {"complete", "draft"}, f"{did}: status"
        diag_date[d["org_id"]] = when
    statuses = Counter(d["status"] for d in diags.values())
    assert statuses == Counter(complete=23, draft=1), f"diagnostic statuses: {statuses}"

    items = unique(read(folder, "items.csv"), "item_id", "items.csv")
    assert 90 <= len(items) <= 110, f"90 to 110 items expected, got {len(items)}"
    for iid, i in items.items():
        assert i["org_id"] in orgs, f"{iid}: unknown org {i['org_id']}"
        assert i["direction"] in DIRECTIONS, f"{iid}: direction {i['direction']!r}"
        assert i["category"] in CATEGORIES, f"{iid}: category {i['category']!r}"
        assert i["title"] and i["description"], f"{iid}: title and description"
        assert not i["subcategory"], (
            f"{iid}: subcategory must stay empty (inferred by the software)"
        )
        if i["diagnostic_id"]:
            assert i["diagnostic_id"] in diags, f"{iid}: unknown diagnostic {i['diagnostic_id']}"
            assert diags[i["diagnostic_id"]]["org_id"] == i["org_id"], (
                f"{iid}: diagnostic of another org"
            )
    directions = Counter(i["direction"] for i in items.values())
    assert abs(directions["need"] - directions["offer"]) <= len(items) // 5, (
        f"unbalanced: {directions}"
    )
    categories = Counter(i["category"] for i in items.values())
    assert set(categories) == CATEGORIES, f"categories missing: {CATEGORIES - set(categories)}"

    contacts = unique(read(folder, "contacts.csv"), "contact_id", "contacts.csv")
    for cid, c in contacts.items():
        assert c["org_id"] in orgs, f"{cid}: unknown org {c['org_id']}"
        assert c["consent"] in {"yes", "no"}, f"{cid}: consent"
        assert c["email"].endswith(".example.org") or c["email"].endswith("@example.org"), (
            f"{cid}: e-mail"
        )
        assert PHONE.match(c["phone"]), f"{cid}: phone {c['phone']!r} outside 01 99 00"
        assert c["org_id"] in diag_date and day(c["consent_date"], cid) == diag_date[c["org_id"]], (
            f"{cid}: consent date must be the diagnostic date"
        )
    for org in diag_date:
        n = [c for c in contacts.values() if c["org_id"] == org]
        assert 1 <= len(n) <= 2, f"{org}: {len(n)} contacts"
        assert any(c["consent"] == "yes" for c in n), (
            f"{org}: no contact who agreed to be contacted"
        )

    partnerships = unique(read(folder, "partnerships.csv"), "partnership_id", "partnerships.csv")
    for pid, p in partnerships.items():
        need, offer = items.get(p["need_id"]), items.get(p["offer_id"])
        assert need and need["direction"] == "need", f"{pid}: need_id {p['need_id']} is not a need"
        assert offer and offer["direction"] == "offer", (
            f"{pid}: offer_id {p['offer_id']} is not an offer"
        )
        assert p["org_a"] == need["org_id"] and p["org_b"] == offer["org_id"], f"{pid}: org_a/org_b"
        assert p["org_a"] != p["org_b"], f"{pid}: need and offer of the same organisation"
        assert p["status"] in STATUSES, f"{pid}: status"
        assert p["mode"] in MODES, f"{pid}: mode {p['mode']!r}"
        assert p["categories"] and set(p["categories"].split("|")) <= CATEGORIES, (
            f"{pid}: categories"
        )
        assert bool(p["abandon_reason"]) == (p["status"] == "abandoned"), f"{pid}: abandon_reason"
        created = day(p["created"], pid)
        for org in (p["org_a"], p["org_b"]):
            if org in diag_date:
                assert created > diag_date[org], f"{pid}: created before the diagnostic of {org}"
    counts = Counter(p["status"] for p in partnerships.values())
    assert counts["realised"] == 10, f"10 realised expected: {counts}"
    assert sum(counts[s] for s in EMERGING) == 6 and all(counts[s] == 2 for s in EMERGING), counts
    assert counts["abandoned"] == 2, counts

    events = read(folder, "partnership_events.csv")
    history: dict[str, list[dict[str, str]]] = {}
    for n, e in enumerate(events, 2):
        assert e["partnership_id"] in partnerships, (
            f"partnership_events.csv line {n}: unknown partnership"
        )
        assert e["author"] == facilitator, f"partnership_events.csv line {n}: author"
        history.setdefault(e["partnership_id"], []).append(e)
    assert set(history) == set(partnerships), "every partnership needs a history"
    for pid, evs in history.items():
        p = partnerships[pid]
        assert evs[0]["from_status"] == "" and evs[0]["to_status"] == "proposed", (
            f"{pid}: creation event"
        )
        assert evs[0]["at"] == p["created"], f"{pid}: first event date differs from created"
        previous = None
        for e in evs:
            at = day(e["at"], pid)
            assert at.year == 2022, f"{pid}: event outside 2022"
            if previous is not None:
                assert at > previous[0], f"{pid}: event dates do not increase"
                assert e["from_status"] == previous[1], f"{pid}: from_status breaks the chain"
                nxt = STATUSES.index(e["to_status"])
                assert e["to_status"] == "abandoned" or nxt == STATUSES.index(previous[1]) + 1, (
                    f"{pid}: skips a step ({previous[1]} -> {e['to_status']})"
                )
            previous = (at, e["to_status"])
        assert previous[1] == p["status"], (
            f"{pid}: last event is {previous[1]}, status is {p['status']}"
        )
        if p["status"] == "realised":
            assert [e["to_status"] for e in evs] == STATUSES[:4], f"{pid}: incomplete history"

    return {
        "organisations": len(orgs),
        "by kind": dict(Counter(o["kind"] for o in orgs.values())),
        "with SIRET": sum(1 for o in orgs.values() if o["siret"]),
        "diagnostics": len(diags),
        "items": len(items),
        "by direction": dict(directions),
        "by category": dict(categories),
        "items without diagnostic": sum(1 for i in items.values() if not i["diagnostic_id"]),
        "contacts": len(contacts),
        "consent no": sum(1 for c in contacts.values() if c["consent"] == "no"),
        "partnerships": dict(counts),
        "events": len(events),
    }


if __name__ == "__main__":
    here = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "vitre"
    for label, value in check(here).items():
        print(f"{label}: {value}")
    print("OK")
