"""The voter-list benchmarks still run, small: they write the application's own tables, so a
schema change they were not taught breaks them (and `make bench-voters` with them)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_reconciliation_quality_holds_its_target_on_a_small_register(tmp_path):
    from bench import voters_quality

    out = tmp_path / "quality.md"
    text = voters_quality.main(["--residents", "4000", "--no-splink", "--out", str(out)])
    assert out.read_text(encoding="utf-8") == text
    worst = float(re.search(r"Lowest precision or recall: ([0-9.]+)", text).group(1))
    assert worst >= 0.99, text


def test_the_job_benchmark_runs_the_real_job_on_the_real_schema(tmp_path, pg_server,
                                                                testrun_uid):
    server = pg_server.rsplit("/", 1)[0] + "/postgres"
    out = tmp_path / "job.md"
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.voters_job", "--sizes", "3000", "--no-splink",
         "--server", server, "--database", f"ds_test_{testrun_uid[:8]}_voters_job",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    row = next(line for line in out.read_text(encoding="utf-8").splitlines()
               if line.startswith("| 3,000 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert int(cells[2].replace(",", "")) > 2000  # list rows written and read
    assert int(cells[4].replace(",", "")) > 0  # the planted differences were found
