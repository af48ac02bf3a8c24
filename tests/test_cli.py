"""The CLI through Typer's runner: exit codes, French messages, no traceback."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import ITEMS, write
from typer.testing import CliRunner

from traits.cli import app, main

runner = CliRunner()


def test_import_stats_export(tmp_path: Path, small: Path):
    db = str(tmp_path / "cli.sqlite")
    result = runner.invoke(app, ["import", str(small), "--db", db])
    assert result.exit_code == 0, result.output
    assert "2 organisations" in result.output
    result = runner.invoke(app, ["stats", "--db", db, "--json"])
    counts = json.loads(result.output)
    assert counts["needs"] == 1 and counts["offers"] == 1
    result = runner.invoke(app, ["export", str(tmp_path / "out"), "--db", db])
    assert result.exit_code == 0 and (tmp_path / "out" / "items.csv").exists()


def test_demo_loads_sample_figures(tmp_path: Path):
    db = str(tmp_path / "demo.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    counts = json.loads(runner.invoke(app, ["stats", "--db", db, "--json"]).output)
    assert counts["organisations"] == 40 and counts["diagnostics"] == 24
    assert counts["partnerships"]["realised"] == 10
    emerging = sum(counts["partnerships"][s] for s in ("proposed", "introduced", "in_discussion"))
    assert emerging == 6
    assert 80 <= counts["needs"] + counts["offers"] <= 120


def test_bad_import_prints_french_problems_and_writes_nothing(
    tmp_path: Path, small: Path, monkeypatch, capsys
):
    write(small, "items.csv", ITEMS + "n3,zz,need,skills,Compta,\n")
    db = str(tmp_path / "bad.sqlite")
    monkeypatch.setattr("sys.argv", ["traits", "import", str(small), "--db", db])
    try:
        main()
    except SystemExit as exc:
        assert exc.code == 1
    err = capsys.readouterr().err
    assert "rien n'a été enregistré" in err
    assert "items.csv, ligne 4, colonne « org_id »" in err
    assert "Traceback" not in err
    monkeypatch.setattr("sys.argv", ["traits", "stats", "--db", db, "--json"])
    try:
        main()
    except SystemExit as exc:
        assert exc.code in (0, None)
    assert json.loads(capsys.readouterr().out)["organisations"] == 0


def test_missing_path_is_a_clear_message(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr(
        "sys.argv", ["traits", "import", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")]
    )
    try:
        main()
    except SystemExit as exc:
        assert exc.code == 1
    assert "n'existe pas" in capsys.readouterr().err


def test_report_and_graph_commands(tmp_path: Path):
    import networkx as nx

    db = str(tmp_path / "demo.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    result = runner.invoke(app, ["report", "--db", db, "--territory", "vitre", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # 16 sample organisations have neither a diagnostic nor a partnership: said apart.
    assert (data["organisations"], data["diagnostics"], data["unmet"]) == (24, 24, 16)
    assert data["partnerships"]["realised"] == 10
    assert set(data["partnerships"]) == {
        "proposed",
        "introduced",
        "in_discussion",
        "realised",
        "abandoned",
    }
    md = runner.invoke(
        app, ["report", "--db", db, "--from", "2022-01-01", "--to", "31/12/2022"]
    ).output
    assert "10 partenariats concrétisés" in md
    bad = runner.invoke(app, ["report", "--db", db, "--from", "hier"])
    assert bad.exit_code != 0
    for name in ("g.graphml", "g.gexf", "g.json"):
        out = tmp_path / name
        assert runner.invoke(app, ["graph", "--db", db, "--output", str(out)]).exit_code == 0
    graph = nx.read_graphml(tmp_path / "g.graphml")
    assert graph.number_of_nodes() == 40
    assert nx.read_gexf(tmp_path / "g.gexf").number_of_nodes() == 40
    docx = tmp_path / "bilan.docx"
    assert runner.invoke(app, ["report", "--db", db, "-f", "docx", "-o", str(docx)]).exit_code == 0
    import docx as python_docx

    text = "\n".join(p.text for p in python_docx.Document(str(docx)).paragraphs)
    assert "partenariats concrétisés" in text


def test_pdf_report(tmp_path: Path):
    pytest.importorskip("fpdf")
    from traits.report import PDF_FONTS

    if not any(Path(f).exists() for f in PDF_FONTS):
        pytest.skip("no Unicode font (fonts-dejavu-core)")
    db = str(tmp_path / "demo.sqlite")
    runner.invoke(app, ["demo", "--db", db])
    pdf = tmp_path / "bilan.pdf"
    result = runner.invoke(app, ["report", "--db", db, "-f", "pdf", "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000
    refused = runner.invoke(app, ["report", "--db", db, "-f", "pdf"])
    assert refused.exit_code != 0


def test_territory_create_with_communes_file(tmp_path: Path):
    db = str(tmp_path / "t.sqlite")
    communes = tmp_path / "communes.txt"
    communes.write_bytes(
        "commune\nRedon\nPipriac\n# un commentaire\nBain-sur-Oust\n".encode("cp1252")
    )
    result = runner.invoke(
        app,
        [
            "territory",
            "create",
            "Pays de Redon",
            "--communes",
            str(communes),
            "--facilitator",
            "Animatrice",
            "--db",
            db,
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "pays-de-redon"
    assert "Bain-sur-Oust" in result.output and "Bains-sur-Oust" in result.output
    listed = json.loads(runner.invoke(app, ["territory", "list", "--db", db, "-f", "json"]).output)
    assert listed == [
        {
            "territory_id": "pays-de-redon",
            "name": "Pays de Redon",
            "facilitator": "Animatrice",
            "communes": 3,
        }
    ]
    again = runner.invoke(app, ["territory", "create", "Pays de Redon", "--db", db])
    assert again.exit_code == 1


def test_vocabulary_add_reads_a_french_file_and_refuses_in_french(
    tmp_path: Path, monkeypatch, capsys
):
    db = str(tmp_path / "voc.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    good = write(
        tmp_path,
        "ajouts.csv",
        "Libellé;Catégorie;Synonymes\nEntretien de bateaux;compétences;coque\n",
    )
    result = runner.invoke(app, ["vocabulary", "--db", db, "-t", "vitre", "--add", str(good)])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["vocabulary", "--db", db, "-t", "vitre"]).output
    # listed in French under its category, without the internal code
    assert "\n  Entretien de bateaux\n" in listed.split("Matériel (")[0].split("Compétences (")[1]
    assert "entretien_de_bateaux" not in listed and "skills" not in listed
    bad = write(tmp_path, "faux.csv", "Libellé;Catégorie\nVoile;planètes\n")
    argv = ["traits", "vocabulary", "--db", db, "-t", "vitre", "--add", str(bad)]
    monkeypatch.setattr("sys.argv", argv)
    try:
        main()
    except SystemExit as exc:
        assert exc.code == 1
    err = capsys.readouterr().err
    assert "faux.csv, ligne 2, colonne « Catégorie » : catégorie « planètes » inconnue" in err
    assert "compétences, matériel" in err and "skills" not in err


def test_tables_speak_french_while_json_keeps_the_format_keys(tmp_path: Path):
    db = str(tmp_path / "tables.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    table = runner.invoke(app, ["partnership", "list", "--db", db]).output
    head, first = table.splitlines()[:2]
    assert head.split()[:2] == ["partenariat", "statut"] and "status" not in head
    assert "concrétisé" in table and "realised" not in table
    assert "pratiques responsables" in table and "responsible_practices" not in table
    assert re.search(r"\b\d\d/\d\d/20\d\d\b", first) and not re.search(r"20\d\d-\d\d-", table)
    pistes = runner.invoke(app, ["match", "--db", db, "--top", "1"]).output
    assert pistes.splitlines()[0].split()[:3] == ["besoin", "rang", "offre"]
    assert re.search(r"\s0,\d\d\s", pistes) and not re.search(r"\s0\.\d\d\s", pistes)
    as_json = json.loads(
        runner.invoke(app, ["partnership", "list", "--db", db, "-f", "json"]).output
    )
    assert as_json[0]["status"] in {
        "realised",
        "proposed",
        "introduced",
        "in_discussion",
        "abandoned",
    }


def test_tables_name_what_their_ids_stand_for_and_messages_date_the_french_way(tmp_path: Path):
    """Every id of a structure, a need or an offer in a table has its name or title beside
    it (the JSON keeps the ids alone); no ISO date in any table or message."""
    from traits.services import organisations
    from traits.storage import Store

    db = str(tmp_path / "names.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    store = Store(db)
    for command, keys in (
        (["partnership", "list"], ("org_a", "org_b", "need_id", "offer_id")),
        (["match", "--top", "1"], ("need_id", "offer_id", "org_id")),
        (["pooling"], ("need_ids", "offer_id")),
    ):
        table = runner.invoke(app, [*command, "--db", db]).output
        as_csv = runner.invoke(app, [*command, "--db", db, "-f", "csv"]).output
        rows = list(csv.DictReader(io.StringIO(as_csv)))
        ids = {i for r in rows for k in keys for i in (r.get(k) or "").split("|") if i}
        names = organisations.display_names(store, ids)
        assert ids and set(names) == ids, command
        for item_id, name in names.items():
            assert f"{name} ({item_id})" in table, (command, item_id, name)
    purge = runner.invoke(app, ["contact", "purge", "--older-than", "1d", "--dry-run", "--db", db])
    assert purge.exit_code == 0 and "dernière activité : " in purge.output
    assert re.search(r"\d\d/\d\d/20\d\d", purge.output)
    assert not re.search(r"20\d\d-\d\d-\d\d", purge.output)
    store.dispose()


def test_partnership_list_shows_a_mutualisation_with_its_name_and_every_member(tmp_path: Path):
    from traits.services import organisations, pooling
    from traits.storage import Store

    db = str(tmp_path / "pooled.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    store = Store(db)
    pool = max(pooling.find_pools(store, "vitre"), key=lambda p: len(p.org_ids))
    part = pooling.propose_pool(store, pool.need_ids, offer_id=pool.offer_id, label=pool.label)
    assert len(part.org_ids) >= 3
    names = organisations.display_names(store, part.org_ids)
    store.dispose()
    command = ["partnership", "list", "--db", db]
    rows = json.loads(runner.invoke(app, [*command, "-f", "json"]).output)
    (row,) = [r for r in rows if r["partnership_id"] == part.partnership_id]
    assert row["label"] == pool.label and row["members"].split("|") == part.org_ids
    assert all(r["members"] == "" for r in rows if r is not row)  # two-party ones: no members
    as_csv = runner.invoke(app, [*command, "-f", "csv"]).output
    (line,) = [r for r in csv.DictReader(io.StringIO(as_csv)) if r["members"]]
    assert (line["label"], line["members"]) == (pool.label, row["members"])
    table = runner.invoke(app, command).output
    (shown,) = [t for t in table.splitlines() if t.startswith(part.partnership_id)]
    assert pool.label in shown
    for org_id in part.org_ids:
        assert f"{names[org_id]} ({org_id})" in shown


def test_pooling_csv_carries_every_key_of_the_json_and_pairs_needs_with_organisations(
    tmp_path: Path,
):
    db = str(tmp_path / "pools.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    as_json = json.loads(runner.invoke(app, ["pooling", "--db", db, "-f", "json"]).output)
    as_csv = list(
        csv.DictReader(io.StringIO(runner.invoke(app, ["pooling", "--db", db, "-f", "csv"]).output))
    )
    assert as_json and len(as_csv) == len(as_json)
    assert set(as_json[0]) <= set(as_csv[0])  # every documented key, as a column
    for record, row in zip(as_json, as_csv, strict=True):
        assert len(record["need_org_ids"]) == len(record["need_ids"])
        assert record["org_ids"] == list(dict.fromkeys(record["need_org_ids"]))
        assert row["org_ids"].split("|") == record["org_ids"]
        assert row["category"] == record["category"] and row["reasons"] == " ".join(
            record["reasons"]
        )
        assert row["max_distance_km"] == (
            "" if record["max_distance_km"] is None else str(record["max_distance_km"])
        )
