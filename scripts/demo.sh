#!/usr/bin/env bash
# Set everything up, load the demo consortium (migrates first; prints the demo logins), then
# serve. Arguments go to `merimna serve`, e.g. `bash scripts/demo.sh --host 0.0.0.0 --port 8080`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
merimna demo
exec merimna serve "$@"
