#!/usr/bin/env bash
# Takes docs/images/prefect-paused-approval.png: the Prefect UI showing a suspended province
# approval run with its input form open, from the real system started by `rasoat up`.
#
#   scripts/screenshot-approval.sh [OUT.png]
#
# What it does, in an isolated RASOAT_HOME and PREFECT_HOME under a fresh /tmp directory:
#   1. imports last years' lists of the sample district (Cam Lộ, 468) as the baseline;
#   2. `rasoat up --port $RASOAT_SHOT_PORT` (default 4587) in the background;
#   3. copies data/sample/468/*.xlsx into RASOAT_HOME/inbox/2024/468/: the watcher's events start
#      one `commune_rerun/inbox` run per commune, the last of them consolidates the district;
#   4. runs the deployment `province_approval/approval` (year 2024, province 45) and waits until the
#      run is Suspended, waiting for the approver's form;
#   5. opens the run page in headless Chromium (DevTools protocol: scripts/cdp_screenshot.py),
#      clicks "Resume" to show the form, and saves the screenshot;
#   6. `rasoat down`, whatever happened (trap).
# Chromium is the Debian package `chromium`, installed here if missing; it is a tool of this script,
# not a runtime dependency of rasoat. Logs stay in the printed work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$(realpath -m "${1:-docs/images/prefect-paused-approval.png}")
port=${RASOAT_SHOT_PORT:-4587}
year=2024 district=468 province=45  # the sample district is a round of the three-level map

if ! command -v chromium >/dev/null; then
    sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
[[ -x .venv/bin/rasoat ]] || scripts/setup.sh
py=$root/.venv/bin/python

if "$py" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
    echo "screenshot: port $port is in use; set RASOAT_SHOT_PORT to a free port" >&2
    exit 1
fi

work=$(mktemp -d /tmp/rasoat-shot.XXXXXX)
export RASOAT_HOME=$work/home PREFECT_HOME=$work/prefect
unset PREFECT_API_URL PREFECT_PROFILE RASOAT_DATABASE_URL PREFECT_API_AUTH_STRING
mkdir -p "$RASOAT_HOME" "$PREFECT_HOME"
echo "screenshot: work directory $work (logs in $RASOAT_HOME/logs)"

up_pid=""
cleanup() {
    if [[ -n "$up_pid" ]]; then
        .venv/bin/rasoat down || true
        if kill -0 "$up_pid" 2>/dev/null; then kill "$up_pid" || true; fi
    fi
}
trap cleanup EXIT

.venv/bin/rasoat baseline import data/sample/$district/history.csv --district $district

.venv/bin/rasoat up --port "$port" >"$work/up.out" 2>&1 &
up_pid=$!
for _ in $(seq 360); do
    grep -q "rasoat đang chạy" "$work/up.out" && break
    kill -0 "$up_pid" 2>/dev/null || { cat "$work/up.out" >&2; exit 1; }
    sleep 0.5
done
grep -q "rasoat đang chạy" "$work/up.out" || { echo "screenshot: rasoat up did not start" >&2; exit 1; }
export PREFECT_API_URL=http://127.0.0.1:$port/api
# `rasoat up` says it runs as soon as it has started the watcher, which needs a few seconds more to
# watch the inbox; a file arriving before that is not announced (see docs/operators.md).
for _ in $(seq 120); do
    grep -q "rasoat.watcher: watching" "$RASOAT_HOME/logs/watcher.log" 2>/dev/null && break
    sleep 0.5
done
echo "screenshot: rasoat up is running at http://127.0.0.1:$port"

# Waits for flow runs; prints the id of the run it waited for.
wait_runs() {
    "$py" - "$@" <<'EOF'
import sys, time
from prefect.client.orchestration import get_client

mode, name, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline = time.monotonic() + timeout
with get_client(sync_client=True) as client:
    while time.monotonic() < deadline:
        runs = client.read_flow_runs(limit=200)
        if any(r.state and r.state.is_final() and not r.state.is_completed() for r in runs):
            bad = [f"{r.name}: {r.state.name}" for r in runs if r.state.is_final() and not r.state.is_completed()]
            sys.exit("screenshot: a run failed: " + "; ".join(bad))
        if mode == "settled":  # `name` completed and nothing else still to run
            done = any(r.name == name and r.state.is_completed() for r in runs)
            busy = [r for r in runs if not r.state.is_final()]
            if done and not busy:
                print(next(r.id for r in runs if r.name == name))
                sys.exit(0)
        elif mode == "suspended":
            waiting = [r for r in runs if r.name == name and r.state.is_paused()]
            if waiting:
                print(waiting[0].id)
                sys.exit(0)
        time.sleep(2)
sys.exit(f"screenshot: timed out waiting for {name} ({mode})")
EOF
}

mkdir -p "$RASOAT_HOME/inbox/$year/$district"
cp data/sample/$district/*.xlsx "$RASOAT_HOME/inbox/$year/$district/"
echo "screenshot: 8 commune files in the inbox; waiting for intake, validation and consolidation…"
for _ in $(seq 60); do
    [[ $(grep -c "rasoat.submission" "$RASOAT_HOME/logs/watcher.log" || true) -ge 8 ]] && break
    sleep 1
done
if [[ $(grep -c "rasoat.submission" "$RASOAT_HOME/logs/watcher.log" || true) -lt 8 ]]; then
    echo "screenshot: the watcher did not announce the 8 files; see $RASOAT_HOME/logs/watcher.log" >&2
    exit 1
fi
wait_runs settled "consolidation-$year-district-$district" 600 >/dev/null

.venv/bin/prefect deployment run province_approval/approval \
    --params "{\"year\": $year, \"province_code\": \"$province\"}" >"$work/approval-run.out"
echo "screenshot: approval started; waiting until it is suspended…"
run_id=$(wait_runs suspended "approval-$year-province-$province" 600)
url="http://127.0.0.1:$port/runs/flow-run/$run_id"
echo "screenshot: $url"

mkdir -p "$(dirname "$out")"
"$py" scripts/cdp_screenshot.py "$url" "$out" --width 1800 --height 1000 \
    --wait-text Suspended --click Resume --then-wait-text "Người phê duyệt"
if (($(stat -c %s "$out") > 400000)) && command -v pngquant >/dev/null; then
    pngquant --force --skip-if-larger --output "$out" -- "$out" || true
fi
echo "screenshot: saved $out ($(stat -c %s "$out") bytes)"
