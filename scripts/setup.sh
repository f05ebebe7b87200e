#!/usr/bin/env bash
# Sets rasoat up on a fresh machine: Debian packages the project needs, then a virtualenv (.venv)
# with every Python package pinned by constraints.txt. Safe to run again: it only adds what is missing.
#   scripts/setup.sh          runtime
#   scripts/setup.sh --dev    runtime + test and lint tools
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[[ "${1:-}" == "--dev" ]] && extras="[dev]"

# Debian packages, one per line in scripts/debian-packages.txt (comments allowed).
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/debian-packages.txt)
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "setup: installing Debian packages: ${missing[*]}"
    sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "setup: rasoat needs Python 3.11 (found $("$python" --version 2>&1)); set PYTHON=..." >&2
    exit 1
fi
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
stamp=".venv/.rasoat-installed${extras}"
if [[ ! -f "$stamp" || "$stamp" -ot constraints.txt || "$stamp" -ot pyproject.toml ]]; then
    echo "setup: installing Python packages (pinned by constraints.txt)"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
    .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".${extras}"
    touch "$stamp"
fi
# rasoat's own bytecode, written once here: every flow run, worker and CLI call is a new process, and
# where PYTHONDONTWRITEBYTECODE is set Python would compile the project's modules again in each of
# them (about 1 s of CPU a process). Only changed sources are compiled; a stale file is recompiled
# in memory at import, so editing the code stays safe.
.venv/bin/python -m compileall -q -j 0 rasoat flows tasks >/dev/null
echo "setup: ready (.venv)"
