#!/usr/bin/env bash
# Set up this machine for Merimna: the system packages the service tier and browser tests need,
# then the project itself (editable, with the test tools). Safe to run again: a second run
# installs no system package and only lets pip confirm everything is there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
APT_LOG=${TMPDIR:-/tmp}/merimna-setup-apt.log
# PostgreSQL 15 + contrib (pg_trgm, btree_gist, btree_gin, unaccent), Redis, Chromium.
# fonts-dejavu-core: a font with Greek letters for the PDFs modules produce.
PACKAGES=(redis-server postgresql-15 postgresql-contrib chromium fonts-dejavu-core)

missing=()
for pkg in "${PACKAGES[@]}"; do
    # dpkg -s also succeeds for removed packages that left config files: ask for "installed".
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]]; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]})); then
    # Only the missing ones: naming an installed package would upgrade it under running servers.
    echo "setup: apt-get install ${missing[*]} (log: $APT_LOG)"
    sudo=()
    if ((EUID != 0)); then sudo=(sudo); fi  # CI and the dev machines run as root
    export DEBIAN_FRONTEND=noninteractive
    if ! { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q "${missing[@]}"; } \
        >"$APT_LOG" 2>&1; then
        tail -n 30 "$APT_LOG" >&2
        echo "setup: apt-get failed (full log: $APT_LOG)" >&2
        exit 1
    fi
else
    echo "setup: system packages present"
fi

echo "setup: pip install -e '.[test]'"
"$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[test]'
# The example module ships as a package of its own, installed like a third party's would be.
echo "setup: pip install -e examples/social_grocery"
"$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    --no-deps --no-build-isolation -e examples/social_grocery
# htmx and the Swagger UI assets come from the npm registry, never from the repository.
echo "setup: merimna web vendor"
"$PYTHON" -m core.cli web vendor
echo "setup: done"
