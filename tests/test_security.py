"""Static checks of the code (bandit, ruff) and audit of the dependencies (pip-audit)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_bandit_finds_nothing_of_medium_severity_or_more():
    if shutil.which("bandit") is None:
        pytest.skip("bandit is not installed (pip install -e '.[dev]')")
    run = subprocess.run(
        ["bandit", "-q", "-r", "traits", "app.py", "app_pages", "-ll", "-f", "txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_pip_audit_finds_no_known_vulnerability():
    if shutil.which("pip-audit") is None:
        pytest.skip("pip-audit is not installed (pip install -e '.[dev]')")
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--desc", "off"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = run.stdout + run.stderr
    found = re.search(r"Found (\d+) known vulnerabilit", out)
    assert found is None, out
    audited = "No known vulnerabilities found" in out
    if not audited or out.count("could not be audited") > 50:
        pytest.skip("the vulnerability service was not reachable: nothing could be audited")


def test_ruff_finds_no_lint_error():
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    run = subprocess.run(
        ["ruff", "check", "--no-cache", "--exclude", ".library", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
