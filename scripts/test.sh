#!/usr/bin/env bash
# THE test command: set up the machine, lint, type-check, check import boundaries, then run
# the suite twice: `--tier sqlite` (embedded) and `--tier pg` (tests/conftest.py starts
# PostgreSQL 15 + Redis on loopback itself). Fails if the pg tier did not really run.
#
#   bash scripts/test.sh [--fast] [pytest args...]
#     --fast  skip setup and lint (inner loop); other arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
fast=0
args=()
for arg in "$@"; do
    if [[ $arg == --fast ]]; then fast=1; else args+=("$arg"); fi
done
# Strict (CI, or the whole suite): a tier that collects nothing is a failure. A developer who
# narrows the run with pytest arguments may legitimately select nothing in one tier.
strict=0
if [[ -n ${CI:-} || ${#args[@]} -eq 0 ]]; then strict=1; fi

step() { printf '\n==> %s\n' "$*"; }

if ((!fast)); then
    step "setup"
    bash scripts/setup.sh
    step "ruff check"
    "$PYTHON" -m ruff check .
    step "ruff format --check"
    "$PYTHON" -m ruff format --check .
    step "mypy"
    "$PYTHON" -m mypy  # which packages and how strictly: pyproject.toml
    step "lint-imports"
    # The console script installed beside this interpreter, whatever PATH says.
    "$("$PYTHON" -c 'import os, sys; print(os.path.dirname(sys.executable))')/lint-imports"
fi

# The conftest writes $MERIMNA_TIER_MARKER_DIR/pg.ok only when the pg tier passed with its
# servers up; start from an empty dir so that no earlier run can vouch for this one.
marker_dir=$(realpath -m "${MERIMNA_TIER_MARKER_DIR:-.test-tiers}")
export MERIMNA_TIER_MARKER_DIR=$marker_dir
rm -rf "$marker_dir"
mkdir -p "$marker_dir"

tier_timeout=${MERIMNA_TIER_TIMEOUT:-1800}  # seconds per tier; CI allows 90 minutes in all
totals=(0 0 0)  # passed failed skipped, over both tiers
pg_selected=1
run_tier() {
    local tier=$1 rc=0 out counts
    step "pytest --tier $tier ${args[*]}"
    # A hung run must fail with a message, not eat CI's budget. SIGTERM first: the servers of
    # the pg tier are stopped by pytest's teardown (tests/services.py turns it into Ctrl-C).
    timeout --signal=TERM --kill-after=60 "$tier_timeout" \
        "$PYTHON" -m pytest --tier "$tier" --junitxml="$marker_dir/junit-$tier.xml" "${args[@]}" \
        || rc=$?
    if ((rc == 124)); then
        echo "FAIL: the $tier tier did not finish within ${tier_timeout}s" >&2
        exit 1
    fi
    if ((rc == 5)); then  # pytest's "no tests collected"
        if ((strict)); then
            echo "FAIL: the $tier tier collected no tests" >&2
            exit 1
        fi
        echo "note: no test selected in the $tier tier"
        if [[ $tier == pg ]]; then pg_selected=0; fi
        return 0
    fi
    if ((rc != 0)); then exit "$rc"; fi
    # Count from the JUnit report for one closing line over both tiers.
    out=$("$PYTHON" - "$marker_dir/junit-$tier.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET

cases = list(ET.parse(sys.argv[1]).iter("testcase"))
bad = sum(c.find("failure") is not None or c.find("error") is not None for c in cases)
skipped = sum(c.find("skipped") is not None for c in cases)
print(len(cases) - bad - skipped, bad, skipped)
PY
)
    read -r -a counts <<<"$out"
    for i in 0 1 2; do totals[i]=$((totals[i] + counts[i])); done
}

run_tier sqlite
run_tier pg

if [[ ! -f $marker_dir/pg.ok ]] && ((strict || pg_selected)); then
    echo "FAIL: the pg tier did not finish with its services up ($marker_dir/pg.ok missing)" >&2
    exit 1
fi
printf '\ntotal: %d passed, %d failed, %d skipped\n' "${totals[@]}"
