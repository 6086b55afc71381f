#!/usr/bin/env bash
# Throughput after idle: what a proxy serves when load returns after a quiet spell.
#
#   bash test/bench/proxy-peers/after-idle.sh [tollgate|bare-node] [extra node flags for Tollgate's primary]
#
# Run `npm run bench:proxy` first: this reuses its scratch folder (nginx upstream config, Tollgate's
# bare.yml). Pinned like the main harness: nginx upstream and wrk on CPU 0, the proxy on CPU 1.
# Prints req/s for: 5 s warm-up (not shown), two busy 10 s runs, then after 80 s idle one 10 s run,
# and after another 80 s idle a 3 s and a 7 s run. bench:proxy idles each row for ~80 s between its
# rounds, so a proxy that is slow after idle is measured slow there.
set -euo pipefail
ROW=${1:-tollgate}
FLAGS=${2:-}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
SCRATCH=${BENCH_SCRATCH:-/tmp/tollgate-bench-peers}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PORT=18190
[ -f "$SCRATCH/nginx/upstream.conf" ] || { echo "no $SCRATCH/nginx/upstream.conf: run npm run bench:proxy first" >&2; exit 2; }
OUT=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; sleep 1; for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done; rm -rf "$OUT"; }
trap cleanup EXIT
setsid taskset -c 0 "$NGINX" -p "$SCRATCH/nginx" -c "$SCRATCH/nginx/upstream.conf" -e "$OUT/nginx.log" &
PIDS+=($!)
cd "$ROOT"
if [ "$ROW" = bare-node ]; then
  setsid taskset -c 1 node test/bench/proxy-peers/bare-node-proxy.js "127.0.0.1:$PORT" 127.0.0.1:18080 >"$OUT/proxy.log" 2>&1 &
else
  # shellcheck disable=SC2086
  env TOLLGATE_CONTROL_PLANE= TOLLGATE_DECLARATIVE_CONFIG="$SCRATCH/tollgate/bare.yml" TOLLGATE_WORKERS=1 TOLLGATE_USAGE=off \
    TOLLGATE_PROXY_LISTEN="127.0.0.1:$PORT" TOLLGATE_STATUS_LISTEN=127.0.0.1:18191 TOLLGATE_PROXY_SSL_LISTEN=off \
    TOLLGATE_PREFIX="$OUT/prefix" TOLLGATE_NODE_NAME=after-idle TOLLGATE_LOG_LEVEL=warn \
    setsid taskset -c 1 node $FLAGS -r ./tools/register.js apps/data-plane/src/main.ts >"$OUT/proxy.log" 2>&1 &
fi
PIDS+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/bench/hello" && break; sleep 0.2; done
load() { taskset -c 0 wrk -t1 -c50 -d"$1" "http://127.0.0.1:$PORT/bench/hello" | awk '/Requests\/sec/ {printf "%d", $2}'; }
load 5s >/dev/null
echo "$ROW ${FLAGS:-(no extra flags)}: busy $(load 10s) · $(load 10s) req/s"
sleep 80
echo "  after 80 s idle: $(load 10s) req/s"
sleep 80
echo "  after 80 s idle: first 3 s $(load 3s), next 7 s $(load 7s) req/s"
