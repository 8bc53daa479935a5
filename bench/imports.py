"""`python -m bench import`: a CSV of N valid people imported by `merimna import beneficiaries`
into a new tenant, timed as users run it (issue 11: 100 k beneficiaries <= 30 s).

The file uses the API's field names, as the documentation asks; the people come from the
generator (Greek names, valid AMKA/AFM matching birth date and sex, phones, addresses,
categories), each AMKA unique.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "amka",
    "afm",
    "phone",
    "address.street",
    "address.number",
    "address.city",
    "address.postcode",
    "categories",
)


def write_csv(path: Path, rows: int, seed: int = 3) -> None:
    from bench.generate import make_people

    people = make_people(random.Random(seed), rows, date.today())
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for p in people:
            out.writerow(
                (
                    p["first_name"],
                    p["last_name"],
                    p["birth_date"].isoformat(),
                    p["sex"],
                    p["amka"],
                    p["afm"],
                    p["phone"],
                    p["address_street"],
                    p["address_number"],
                    p["address_city"],
                    p["address_postcode"],
                    ";".join(p["categories"]),
                )
            )


def run_import(database_url: str, rows: int, data_dir: str) -> dict[str, Any]:
    env = os.environ | {"MERIMNA_DATABASE_URL": database_url, "MERIMNA_DATA_DIR": data_dir}
    slug = f"import-{int(time.time())}"
    path = Path(data_dir) / f"{slug}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, rows)
    cli = [sys.executable, "-m", "core.cli"]
    subprocess.run(
        [*cli, "tenants", "create", slug, "--name", "Δήμος Εισαγωγής"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(
        [*cli, "import", "beneficiaries", "--tenant", slug, "--quiet", str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    path.unlink(missing_ok=True)
    return {
        "rows": rows,
        "import_seconds": round(wall, 2),
        "import_client_cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
        ),
        "exit_status": out.returncode,
        "output": (out.stdout + out.stderr).strip().splitlines()[-3:],
    }
