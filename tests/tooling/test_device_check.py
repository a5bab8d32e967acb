"""scripts/device_check.sh in its CPU dry run: every step that needs no GPU, end to end.

The dry run runs what the GPU machine runs (the GPU-marked tests, which skip
here; ``parity run --lang cupy``, which reports the missing GPU; ``parity run
--lang jax`` on the CPU; the study for cupy, jax and numpy at smoke sizes) and
writes the same files.  It is started the way the GPU machine starts it: from
the source tree through ``PYTHONPATH``, not from an installed package.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "device_check.sh"
STEPS = ("pytest -m gpu", "parity --lang cupy", "parity --lang jax", "study cupy,jax,numpy")


def run_script(*args: str, env: dict[str, str] | None = None, timeout: float = 60
               ) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "OUT"}
    full_env["PYTHON"] = sys.executable
    full_env.update(env or {})
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=REPO)


def test_usage_errors():
    no_out = run_script()
    assert no_out.returncode == 2 and "set $OUT or pass --out" in no_out.stderr
    bad = run_script("--out", "/tmp/x", "--bogus")
    assert bad.returncode == 2 and "unknown argument: --bogus" in bad.stderr
    budget = run_script("--out", "/tmp/x", "--budget", "ten")
    assert budget.returncode == 2 and "whole seconds" in budget.stderr


def test_cpu_dry_run_writes_every_result(tmp_path):
    done = run_script("--cpu-dry-run", "--out", str(tmp_path), "--budget", "280", timeout=330)
    summary = (tmp_path / "summary.txt").read_text()
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
    verdicts = {}
    for step in STEPS:
        match = re.search(rf"^{re.escape(step)}\s+rc=(\S+)\s+s=\S+\s+(.+)$", summary, re.M)
        assert match, f"no summary line for {step!r}:\n{summary}"
        verdicts[step] = (match.group(1), match.group(2))
    assert verdicts["pytest -m gpu"][1] == "PASS"
    assert verdicts["parity --lang cupy"] == ("2", "EXPECTED (rc 2 in this mode)")
    assert verdicts["parity --lang jax"][1] == "PASS"
    assert verdicts["study cupy,jax,numpy"][1] == "PASS"
    assert "every step passed" in summary and "jax devices" in summary
    pytest_log = (tmp_path / "pytest-gpu.txt").read_text()
    assert re.search(r"\d+ skipped", pytest_log) and "failed" not in pytest_log
    assert "jax: all pass" in (tmp_path / "parity.txt").read_text()
    [data_path] = tmp_path.glob("smoke-bench-*.json")
    data = json.loads(data_path.read_text())
    assert data["smoke"] is True and "cupy" in data["unavailable"]
    assert {r["backend"] for r in data["rows"]} <= {"jax", "numpy"}
    assert {r["backend"] for r in data["rows"]} >= {"numpy"}
    assert data["accuracy"]["rows"] and data["reference_numpy"]["W1"]["bit_identical"]
    names = [e["name"] for e in data["extras"]]
    if any(r["backend"] == "jax" for r in data["rows"]):
        assert "jax_forward_pass kernel (lax.scan)" in names
        assert "jax_surrogate_gradient_step kernel (lax.scan)" in names
    assert data["contended"] == []  # the device run leaves the CPU alone
    assert data_path.with_suffix(".png").stat().st_size > 0
    # Everything that comes back from the device machine: at most 8 plain files.
    assert len(list(tmp_path.iterdir())) <= 8


def test_script_is_executable():
    assert os.access(SCRIPT, os.X_OK)
