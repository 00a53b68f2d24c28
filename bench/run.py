"""`make bench`: run every benchmark on SQLite and, when reachable, on PostgreSQL, in one run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VAR = HERE.parent / "var" / "bench"
BENCHMARKS = ["scoped_list.py", "services_load.py", "industry_ingest.py", "lab_chain.py", "projects_assessment.py",
              "civic_load.py", "dashboard_load.py", "server_load.py", "demo_pages.py",
              "telemetry_partitions.py", "page_floor.py"]


def postgres_url() -> str | None:
    url = os.environ.get("WANGHUA_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/wanghua_bench")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    probe = ("import psycopg,sys\n"
             f"c=psycopg.connect({admin!r}, autocommit=True)\n"
             f"name={url.rsplit('/', 1)[1]!r}\n"
             "if not c.execute('select 1 from pg_database where datname=%s',(name,)).fetchone():\n"
             "    c.execute('create database ' + name)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"PostgreSQL not reachable ({result.stderr.strip().splitlines()[-1:]}); SQLite only")
        return None
    return url


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    backends = {"sqlite": f"sqlite:///{VAR / 'bench.sqlite3'}"}
    if url := postgres_url():
        backends["postgresql"] = url
    failed = 0
    for script in BENCHMARKS:
        for name, database_url in backends.items():
            print(f"== {script} on {name}", flush=True)
            env = {**os.environ, "WANGHUA_DATABASE_URL": database_url}
            failed |= subprocess.run([sys.executable, str(HERE / script), *sys.argv[1:]], env=env).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
