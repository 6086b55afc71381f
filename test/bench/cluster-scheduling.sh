#!/usr/bin/env bash
# A/B of the data-plane cluster's scheduling policy: workers accepting their own connections
# (SCHED_NONE, the default now) against node's round-robin through the primary (SCHED_RR,
# NODE_CLUSTER_SCHED_POLICY=rr). Two workers, one route, a node upstream; wrk with keep-alive and
# with a new connection per request (the accept path). Rounds alternate none/rr back to back.
# Usage: bash test/bench/cluster-scheduling.sh   (BENCH_ROUNDS=2 BENCH_DURATION=8)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-8}
SCRATCH=$(mktemp -d /tmp/tollgate-sched-XXXX)
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
UP=$(free_port); PROXY=$(free_port); STATUS=$(free_port)
node -e "require('http').createServer((q,r)=>r.end('ok')).listen($UP,'127.0.0.1')" & UPSTREAM_PID=$!
DP_PID=
cleanup() { [ -n "$DP_PID" ] && kill "$DP_PID" 2>/dev/null; kill "$UPSTREAM_PID" 2>/dev/null; rm -rf "$SCRATCH"; }
trap cleanup EXIT
printf '_format_version: "3.0"\nservices:\n- name: up\n  url: http://127.0.0.1:%s\n  routes:\n  - { name: r, paths: [/] }\n' "$UP" >"$SCRATCH/kong.yml"
run_wrk() { # label extra-args...
  local label=$1; shift
  local out; out=$(wrk -t1 -c32 -d"${DURATION}s" --latency "$@" "http://127.0.0.1:$PROXY/x")
  printf '%s req/s=%s p50=%s p99=%s errors=%s\n' "$label" \
    "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(awk '$1=="50%"{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")" \
    "$(grep -Eo 'Socket errors:.*|Non-2xx.*' <<<"$out" | tr '\n' ' ' || true)"
}
for round in $(seq 1 "$ROUNDS"); do
  for policy in none rr; do
    cd "$ROOT"
    env NODE_CLUSTER_SCHED_POLICY=$policy TOLLGATE_WORKERS=2 TOLLGATE_CONTROL_PLANE=off TOLLGATE_USAGE=off TOLLGATE_LOG_LEVEL=warn \
      TOLLGATE_DECLARATIVE_CONFIG="$SCRATCH/kong.yml" TOLLGATE_PROXY_LISTEN="127.0.0.1:$PROXY" TOLLGATE_PROXY_SSL_LISTEN=off \
      TOLLGATE_STATUS_LISTEN="127.0.0.1:$STATUS" TOLLGATE_PREFIX="$SCRATCH/prefix" node -r ./tools/register.js apps/data-plane/src/main.ts &
    DP_PID=$!
    until curl -sf "http://127.0.0.1:$STATUS/status/ready" >/dev/null; do sleep 0.3; done
    wrk -t1 -c32 -d2s "http://127.0.0.1:$PROXY/x" >/dev/null # warm-up
    echo "round $round policy=$policy load=$(cut -d' ' -f1 /proc/loadavg)"
    run_wrk "  keep-alive     "
    run_wrk "  conn-per-req   " -H 'Connection: close'
    kill "$DP_PID"; wait "$DP_PID" 2>/dev/null || true; DP_PID=
  done
done
