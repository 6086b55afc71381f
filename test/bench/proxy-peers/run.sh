#!/usr/bin/env bash
# Side-by-side proxy benchmark of issue 4: Tollgate's data plane against nginx, fast-gateway,
# Express Gateway and a bare node:http proxy, in one run, on this 2-core machine.
#
#   npm run bench:proxy          (= bash test/bench/proxy-peers/run.sh)
#
# See README.md beside this file for what each row is, how Tollgate is started and how long it takes.
# Exit: 0 every target measured and HOLDS; 1 a target MISSED or NOT MEASURED; 2 the harness failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
SCRATCH=${BENCH_SCRATCH:-/tmp/tollgate-bench-peers}
LOGS=$SCRATCH/logs
RESULTS=$SCRATCH/results.jsonl
SKIPS=$SCRATCH/skips.tsv

# Load: wrk -t1 -c$CONNECTIONS, WARMUP s once per row, then ROUNDS x DURATION s per row, rows interleaved.
CONNECTIONS=${BENCH_CONNECTIONS:-50}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-5}
ROUNDS=${BENCH_ROUNDS:-3}
# Constant-rate latency runs (constant-rate.js): CR_ROUNDS x (CR_WARMUP + CR_DURATION) s per row.
CR_RATE=${BENCH_CR_RATE:-500}
CR_DURATION=${BENCH_CR_DURATION:-10}
CR_WARMUP=${BENCH_CR_WARMUP:-2}
CR_ROUNDS=${BENCH_CR_ROUNDS:-3}
# Cores: wrk, the constant-rate client and the upstream nginx on LOAD_CPU; the proxy on PROXY_CPU.
LOAD_CPU=${BENCH_LOAD_CPU:-0}
PROXY_CPU=${BENCH_PROXY_CPU:-1}
# Whole-run watchdog (s): the run is stopped, and everything it started ended, past this.
MAX_SECONDS=${BENCH_MAX_SECONDS:-1200}
# How Tollgate's data plane is started (run in the repo root, word-split): override to try an entry
# point before `npm run data-plane` exists, e.g. "node -r ./tools/register.js apps/data-plane/src/main.ts".
TOLLGATE_CMD=${BENCH_TOLLGATE_CMD:-npm run --silent data-plane}
# Tollgate's node:cluster workers (one core is pinned to the proxy) and metering (measured on its own
# by `npm run bench:metering`; off here so that every row does the same work: proxy the call).
TG_WORKERS=${BENCH_TOLLGATE_WORKERS:-1}
TG_USAGE=${BENCH_TOLLGATE_USAGE:-off}
# Rows to run (all by default); e.g. BENCH_ROWS="direct nginx bare-node".
# tollgate-full-{basic,jwt,hmac}: the full row with that auth plugin in key-auth's place (the cost of each auth plugin).
AUTH_ROWS="tollgate-full-basic tollgate-full-jwt tollgate-full-hmac"
ALL_ROWS="direct nginx fast-gateway eg eg-keyauth bare-node tollgate-bare tollgate-full tollgate-full-prometheus tollgate-full-httplog $AUTH_ROWS tollgate-full-plans"
# The Tollgate rows (each a data plane of its own on the proxy core, started side by side).
TG_ROWS="tollgate-bare tollgate-full tollgate-full-prometheus tollgate-full-httplog $AUTH_ROWS tollgate-full-plans"
ROWS=${BENCH_ROWS:-$ALL_ROWS}

FAST_GATEWAY_VERSION=3.4.7    # 5.x needs a dependency version the npm registry here lacks
EXPRESS_GATEWAY_VERSION=1.16.11 # the latest 1.x

# Every port is 18080 + n; BENCH_PORT_OFFSET moves them all, so that a second run on the machine
# (another branch's A/B) does not measure this run's processes. The cores stay shared.
P=$((18080 + ${BENCH_PORT_OFFSET:-0}))
export PORT_UPSTREAM=$((P + 0)) PORT_NGINX_PROXY=$((P + 1)) PORT_FAST_GATEWAY=$((P + 2))
export PORT_EG=$((P + 3)) PORT_EG_ADMIN=$((P + 4)) PORT_EG_KEYAUTH=$((P + 5)) PORT_EG_KEYAUTH_ADMIN=$((P + 6))
export PORT_BARE_NODE=$((P + 7))
export PORT_TG_BARE=$((P + 8)) PORT_TG_BARE_STATUS=$((P + 9)) PORT_TG_FULL=$((P + 10)) PORT_TG_FULL_STATUS=$((P + 11))
# The full row plus one global plugin each: prometheus, and http-log posting to the upstream nginx.
export PORT_TG_PROM=$((P + 12)) PORT_TG_PROM_STATUS=$((P + 13)) PORT_TG_HTTPLOG=$((P + 14)) PORT_TG_HTTPLOG_STATUS=$((P + 15))
# The full row with another auth plugin: basic-auth, jwt, hmac-auth.
export PORT_TG_BASIC=$((P + 16)) PORT_TG_BASIC_STATUS=$((P + 17)) PORT_TG_JWT=$((P + 18)) PORT_TG_JWT_STATUS=$((P + 19)) PORT_TG_HMAC=$((P + 20)) PORT_TG_HMAC_STATUS=$((P + 21))
# The full row behind the marketplace: a plan over every service, each consumer subscribed (issue 12).
export PORT_TG_PLANS=$((P + 22)) PORT_TG_PLANS_STATUS=$((P + 23))
export FULL_ROUTES=100
ALL_PORTS="$PORT_UPSTREAM $PORT_NGINX_PROXY $PORT_FAST_GATEWAY $PORT_EG $PORT_EG_ADMIN $PORT_EG_KEYAUTH \
$PORT_EG_KEYAUTH_ADMIN $PORT_BARE_NODE $PORT_TG_BARE $PORT_TG_BARE_STATUS $PORT_TG_FULL $PORT_TG_FULL_STATUS \
$PORT_TG_PROM $PORT_TG_PROM_STATUS $PORT_TG_HTTPLOG $PORT_TG_HTTPLOG_STATUS \
$PORT_TG_BASIC $PORT_TG_BASIC_STATUS $PORT_TG_JWT $PORT_TG_JWT_STATUS $PORT_TG_HMAC $PORT_TG_HMAC_STATUS $PORT_TG_PLANS $PORT_TG_PLANS_STATUS"

# Every process here talks to 127.0.0.1 only: no intermediate proxy (Express Gateway honours http_proxy).
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

T0=$(date +%s)
log() { printf '[%4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() { log "ERROR: $*"; exit 2; }
has_row() { [[ " $ROWS " == *" $1 "* ]]; }
skip_row() { # row reason
  local reason=${2//$'\t'/ }
  reason=${reason//$'\n'/ | }
  printf '%s\t%s\n' "$1" "$reason" >>"$SKIPS"
  log "SKIP $1: $reason"
  ROWS=" $ROWS "
  ROWS=${ROWS/ $1 / }
}

# ---- processes: each in its own session (setsid), so that cleanup ends its whole group by id ----
PGIDS=()
declare -A PID_OF=()
start_bg() { # name cpu command...
  local name=$1 cpu=$2
  shift 2
  setsid taskset -c "$cpu" "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  PID_OF[$name]=$!
  PGIDS+=("$!")
}
stop_group() { # pgid
  local pgid=$1 i
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((${#PGIDS[@]})); then
    for pgid in "${PGIDS[@]}"; do stop_group "$pgid"; done
  fi
  wait 2>/dev/null || true
  [ -n "${RESTORE_POLICY_RC:-}" ] && rm -f /usr/sbin/policy-rc.d
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 2' INT TERM
trap 'log "ERROR: line $LINENO failed: $BASH_COMMAND"' ERR

alive() { [ -n "${PID_OF[$1]:-}" ] && kill -0 "${PID_OF[$1]}" 2>/dev/null; }
http_code() { # url [curl args...]
  local url=$1
  shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}
wait_http() { # name url code timeout_s [curl args...]: 0 when url answers code while name lives
  local name=$1 url=$2 want=$3 timeout=$4 deadline
  shift 4
  deadline=$(($(date +%s) + timeout))
  while (($(date +%s) < deadline)); do
    alive "$name" || return 1
    [ "$(http_code "$url" "$@")" = "$want" ] && return 0
    sleep 0.2
  done
  return 1
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
log_tail() { tail -n "${2:-15}" "$LOGS/$1.log" 2>/dev/null | tr '\n' ' ' | cut -c1-1500; }

# ---- preflight ----
mkdir -p "$SCRATCH" "$LOGS"
rm -f "$RESULTS" "$SKIPS" "$LOGS"/*.log "$LOGS"/*.txt "$LOGS"/*.json
command -v node >/dev/null || die "node is not installed"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || die "Node >= 20 needed"
command -v taskset >/dev/null || die "taskset (util-linux) is missing"
(($(nproc) >= 2)) || die "needs 2 cores (one for the load and the upstream, one for the proxy); nproc=$(nproc)"
for port in $ALL_PORTS; do
  port_in_use "$port" && die "127.0.0.1:$port is already in use (a previous run still going?)"
done
# Watchdog: its own group, ended by cleanup like every other process; if it fires, the TERM trap
# exits (after the wrk run in progress, itself bounded by timeout) and cleanup ends the rest.
setsid bash -c "sleep $MAX_SECONDS; echo 'watchdog: run exceeded $MAX_SECONDS s' >&2; kill -TERM $$" </dev/null &
PGIDS+=("$!")

# ---- tools: nginx, wrk and curl from Debian ----
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  [ "$(id -u)" = 0 ] || die "needs root to apt-get install ${missing[*]}"
  log "installing ${missing[*]} from Debian"
  if [ ! -e /usr/sbin/policy-rc.d ]; then # keep the package from starting the system nginx on :80
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    RESTORE_POLICY_RC=1
  fi
  timeout 300 apt-get update -qq >"$LOGS/apt.log" 2>&1 || die "apt-get update failed: $(log_tail apt)"
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >>"$LOGS/apt.log" 2>&1 || die "apt-get install failed: $(log_tail apt)"
  if [ -n "${RESTORE_POLICY_RC:-}" ]; then rm -f /usr/sbin/policy-rc.d; RESTORE_POLICY_RC=; fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# ---- peers from npm into the scratch folder, never into the project ----
peers_installed() {
  node -e '
    const dir = process.argv[1] + "/node_modules/";
    const want = { "fast-gateway": process.argv[2], "express-gateway": process.argv[3] };
    for (const [name, version] of Object.entries(want)) {
      try { if (require(dir + name + "/package.json").version !== version) process.exit(1); } catch { process.exit(1); }
    }' "$SCRATCH" "$FAST_GATEWAY_VERSION" "$EXPRESS_GATEWAY_VERSION"
}
if { has_row fast-gateway || has_row eg || has_row eg-keyauth; } && ! peers_installed; then
  log "installing fast-gateway@$FAST_GATEWAY_VERSION express-gateway@$EXPRESS_GATEWAY_VERSION into $SCRATCH"
  [ -f "$SCRATCH/package.json" ] || echo '{"name":"tollgate-bench-peers","private":true}' >"$SCRATCH/package.json"
  (cd "$SCRATCH" && timeout 600 npm install --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
    "fast-gateway@$FAST_GATEWAY_VERSION" "express-gateway@$EXPRESS_GATEWAY_VERSION") >"$LOGS/npm.log" 2>&1 ||
    die "npm install of the peers failed: $(log_tail npm)"
  peers_installed || die "peers not installed at the expected versions (see $LOGS/npm.log)"
fi

node "$HERE/gen-configs.js" "$SCRATCH" >/dev/null
for row in $AUTH_ROWS; do
  if has_row "$row"; then
    log "hashing the basic-auth passwords and signing the auth rows' credentials"
    node "$HERE/gen-auth-configs.js" "$SCRATCH" >/dev/null
    break
  fi
done

# ---- machine ----
MODEL=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
log "machine: $(nproc) cores ($MODEL), $(free -g 2>/dev/null | awk '/^Mem:/{print $2 " GiB"}'), Node $(node -v), $("$NGINX" -v 2>&1 | sed 's/.*\///'), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "plan: wrk -t1 -c$CONNECTIONS, warm-up ${WARMUP}s per row, $ROUNDS x ${DURATION}s per row (interleaved); $CR_ROUNDS x ${CR_DURATION}s at $CR_RATE req/s; load on CPU $LOAD_CPU, proxy on CPU $PROXY_CPU"

# ---- upstream and peers ----
start_bg upstream "$LOAD_CPU" "$NGINX" -p "$SCRATCH/nginx" -c "$SCRATCH/nginx/upstream.conf" -e "$SCRATCH/nginx/upstream-error.log"
wait_http upstream "http://127.0.0.1:$PORT_UPSTREAM/" 200 15 || die "upstream nginx did not start: $(log_tail upstream) $(tail -5 "$SCRATCH/nginx/upstream-error.log" 2>/dev/null)"
[ "$(curl -s --max-time 2 "http://127.0.0.1:$PORT_UPSTREAM/bench/hello")" = "$(cat "$SCRATCH/nginx/body.txt")" ] || die "upstream answers an unexpected body"

has_row nginx && start_bg nginx "$PROXY_CPU" "$NGINX" -p "$SCRATCH/nginx" -c "$SCRATCH/nginx/proxy.conf" -e "$SCRATCH/nginx/proxy-error.log"
has_row fast-gateway && start_bg fast-gateway "$PROXY_CPU" node "$HERE/fast-gateway-server.js" "$SCRATCH" "$PORT_FAST_GATEWAY" "http://127.0.0.1:$PORT_UPSTREAM"
has_row eg && LOG_LEVEL=warn start_bg eg "$PROXY_CPU" node "$HERE/express-gateway-server.js" "$SCRATCH" "$SCRATCH/eg/plain"
has_row eg-keyauth && LOG_LEVEL=warn start_bg eg-keyauth "$PROXY_CPU" node "$HERE/express-gateway-server.js" "$SCRATCH" "$SCRATCH/eg/keyauth"
has_row bare-node && start_bg bare-node "$PROXY_CPU" node "$HERE/bare-node-proxy.js" "127.0.0.1:$PORT_BARE_NODE" "127.0.0.1:$PORT_UPSTREAM"

# Tollgate: the data plane serving a declarative file standalone, one worker, on the proxy core.
tollgate_available=
if [[ " $ROWS " == *" tollgate-"* ]]; then
  if [ -n "${BENCH_TOLLGATE_CMD:-}" ] ||
    (cd "$ROOT" && node -e 'process.exit(require("./package.json").scripts?.["data-plane"] ? 0 : 1)'); then
    tollgate_available=1
  else
    for row in $TG_ROWS; do
      has_row $row && skip_row $row "'npm run data-plane' does not exist yet in package.json (the data plane of issue 4 has not landed); rerun once it has"
    done
  fi
fi
# TOLLGATE_CONTROL_PLANE is passed empty (standalone: no control plane). A data plane that refuses
# the empty value is started once more with the variable unset (see ready_tollgate below).
start_tollgate() { # row config proxy_port status_port [unset-cp]
  local row=$1 cp=(TOLLGATE_CONTROL_PLANE=)
  [ -n "${5:-}" ] && cp=()
  mkdir -p "$SCRATCH/tollgate/prefix-$row"
  pushd "$ROOT" >/dev/null
  start_bg "$row" "$PROXY_CPU" env -u TOLLGATE_CONTROL_PLANE "${cp[@]}" \
    TOLLGATE_DECLARATIVE_CONFIG="$SCRATCH/tollgate/$2" TOLLGATE_WORKERS="$TG_WORKERS" TOLLGATE_USAGE="$TG_USAGE" \
    TOLLGATE_PROXY_LISTEN="127.0.0.1:$3" TOLLGATE_STATUS_LISTEN="127.0.0.1:$4" \
    TOLLGATE_PROXY_SSL_LISTEN=off TOLLGATE_PREFIX="$SCRATCH/tollgate/prefix-$row" TOLLGATE_NODE_NAME="bench-$row" \
    TOLLGATE_LOG_LEVEL="${TOLLGATE_LOG_LEVEL:-warn}" $TOLLGATE_CMD
  popd >/dev/null
}
declare -A TG_ARGS=()
TG_ARGS[tollgate-bare]="bare.yml $PORT_TG_BARE $PORT_TG_BARE_STATUS"
TG_ARGS[tollgate-full]="full.yml $PORT_TG_FULL $PORT_TG_FULL_STATUS"
TG_ARGS[tollgate-full-prometheus]="full-prometheus.yml $PORT_TG_PROM $PORT_TG_PROM_STATUS"
TG_ARGS[tollgate-full-httplog]="full-httplog.yml $PORT_TG_HTTPLOG $PORT_TG_HTTPLOG_STATUS"
TG_ARGS[tollgate-full-basic]="full-basic.yml $PORT_TG_BASIC $PORT_TG_BASIC_STATUS"
TG_ARGS[tollgate-full-jwt]="full-jwt.yml $PORT_TG_JWT $PORT_TG_JWT_STATUS"
TG_ARGS[tollgate-full-hmac]="full-hmac.yml $PORT_TG_HMAC $PORT_TG_HMAC_STATUS"
TG_ARGS[tollgate-full-plans]="full-plans.yml $PORT_TG_PLANS $PORT_TG_PLANS_STATUS"
if [ -n "$tollgate_available" ]; then
  for row in $TG_ROWS; do
    has_row $row && start_tollgate $row ${TG_ARGS[$row]}
  done
fi

# ---- readiness and a correctness check of each row before any load ----
declare -A URL_OF=() SCRIPT_OF=() HEADER_OF=()
for row in $ALL_ROWS; do SCRIPT_OF[$row]=$SCRATCH/wrk/report.lua; done
URL_OF[direct]=http://127.0.0.1:$PORT_UPSTREAM/bench/hello
URL_OF[nginx]=http://127.0.0.1:$PORT_NGINX_PROXY/bench/hello
URL_OF[fast-gateway]=http://127.0.0.1:$PORT_FAST_GATEWAY/bench/hello
URL_OF[eg]=http://127.0.0.1:$PORT_EG/bench/hello
URL_OF[eg-keyauth]=http://127.0.0.1:$PORT_EG_KEYAUTH/bench/hello
URL_OF[bare-node]=http://127.0.0.1:$PORT_BARE_NODE/bench/hello
URL_OF[tollgate-bare]=http://127.0.0.1:$PORT_TG_BARE/bench/hello
URL_OF[tollgate-full]=http://127.0.0.1:$PORT_TG_FULL/route-00/hello
SCRIPT_OF[tollgate-full]=$SCRATCH/wrk/spread.lua
URL_OF[tollgate-full-prometheus]=http://127.0.0.1:$PORT_TG_PROM/route-00/hello
SCRIPT_OF[tollgate-full-prometheus]=$SCRATCH/wrk/spread.lua
URL_OF[tollgate-full-httplog]=http://127.0.0.1:$PORT_TG_HTTPLOG/route-00/hello
SCRIPT_OF[tollgate-full-httplog]=$SCRATCH/wrk/spread.lua
for variant in basic jwt hmac; do
  port_var=PORT_TG_${variant^^}
  URL_OF[tollgate-full-$variant]=http://127.0.0.1:${!port_var}/route-00/hello
  SCRIPT_OF[tollgate-full-$variant]=$SCRATCH/wrk/spread-$variant.lua
done
URL_OF[tollgate-full-plans]=http://127.0.0.1:$PORT_TG_PLANS/route-00/hello
SCRIPT_OF[tollgate-full-plans]=$SCRATCH/wrk/spread.lua

BODY=$(cat "$SCRATCH/nginx/body.txt")
check_body() { [ "$(curl -s --max-time 2 "$@")" = "$BODY" ]; }
ready_peer() { # row timeout
  local row=$1
  has_row "$row" || return 1
  if ! wait_http "$row" "${URL_OF[$row]}" "${3:-200}" "$2"; then
    skip_row "$row" "did not answer on ${URL_OF[$row]} within $2 s: $(log_tail "$row")"
    return 1
  fi
}
ready_peer nginx 15 && { check_body "${URL_OF[nginx]}" || skip_row nginx "wrong body through the proxy"; }
ready_peer fast-gateway 30 && { check_body "${URL_OF[fast-gateway]}" || skip_row fast-gateway "wrong body through the proxy"; }
ready_peer eg 60 && { check_body "${URL_OF[eg]}" || skip_row eg "wrong body through the proxy"; }
ready_peer bare-node 15 && { check_body "${URL_OF[bare-node]}" || skip_row bare-node "wrong body through the proxy"; }
# Express Gateway key-auth: 401 without a key; a user and a key-auth credential made through its admin API.
if ready_peer eg-keyauth 60 401; then
  admin=http://127.0.0.1:$PORT_EG_KEYAUTH_ADMIN
  curl -s --max-time 5 -X POST -H 'content-type: application/json' \
    -d '{"username":"bench","firstname":"Bench","lastname":"User"}' "$admin/users" >"$LOGS/eg-keyauth-user.json" || true
  EG_KEY=$(curl -s --max-time 5 -X POST -H 'content-type: application/json' -d '{"consumerId":"bench","type":"key-auth"}' \
    "$admin/credentials" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const c=JSON.parse(s);if(c.keyId&&c.keySecret)console.log(c.keyId+":"+c.keySecret)}catch{}})')
  if [ -z "$EG_KEY" ]; then
    skip_row eg-keyauth "could not create a key-auth credential through the admin API ($admin)"
  else
    HEADER_OF[eg-keyauth]="Authorization: apiKey $EG_KEY"
    check_body -H "${HEADER_OF[eg-keyauth]}" "${URL_OF[eg-keyauth]}" || skip_row eg-keyauth "a request with the key was not proxied"
  fi
fi
ready_tollgate() { # row status_port
  local row=$1
  has_row "$row" || return 1
  if ! wait_http "$row" "http://127.0.0.1:$2/status/ready" 200 90 && ! alive "$row" &&
    grep -q 'TOLLGATE_CONTROL_PLANE' "$LOGS/$row.log" 2>/dev/null; then
    log "WARNING: $row refused an empty TOLLGATE_CONTROL_PLANE ($(log_tail "$row" 3)); starting it again with the variable unset"
    cp "$LOGS/$row.log" "$LOGS/$row-first-start.log"
    start_tollgate "$row" ${TG_ARGS[$row]} unset-cp
  fi
  if ! wait_http "$row" "http://127.0.0.1:$2/status/ready" 200 90; then
    skip_row "$row" "the data plane did not report ready on 127.0.0.1:$2/status/ready within 90 s (alive: $(alive "$row" && echo yes || echo no)); its log: $(log_tail "$row")"
    return 1
  fi
}
if ready_tollgate tollgate-bare "$PORT_TG_BARE_STATUS"; then
  check_body "${URL_OF[tollgate-bare]}" || skip_row tollgate-bare "GET ${URL_OF[tollgate-bare]} did not return the upstream's body (status $(http_code "${URL_OF[tollgate-bare]}"))"
fi
check_full_row() { # row proxy_port status_port
  local row=$1 url=http://127.0.0.1:$2
  ready_tollgate "$row" "$3" || return 0
  if [ "$(http_code "$url/route-42/hello")" != 401 ]; then
    skip_row "$row" "key-auth is not enforced: GET /route-42/hello without a key gave $(http_code "$url/route-42/hello"), not 401"
  elif ! check_body -H 'apikey: bench-key-42' "$url/route-42/hello" || ! check_body -H 'apikey: bench-key-99' "$url/route-99/hello"; then
    skip_row "$row" "a request with a consumer's key was not proxied (status $(http_code "$url/route-42/hello" -H 'apikey: bench-key-42'))"
  elif ! curl -s -D - -o /dev/null --max-time 2 -H 'apikey: bench-key-42' "$url/route-42/hello" | grep -qi '^x-ratelimit-limit-second:'; then
    skip_row "$row" "no X-RateLimit-Limit-Second header on a proxied response: rate-limiting does not seem to run"
  fi
}
check_full_row tollgate-full "$PORT_TG_FULL" "$PORT_TG_FULL_STATUS"
check_full_row tollgate-full-prometheus "$PORT_TG_PROM" "$PORT_TG_PROM_STATUS"
check_full_row tollgate-full-httplog "$PORT_TG_HTTPLOG" "$PORT_TG_HTTPLOG_STATUS"
check_full_row tollgate-full-plans "$PORT_TG_PLANS" "$PORT_TG_PLANS_STATUS"
if has_row tollgate-full-plans && ! curl -s -D - -o /dev/null --max-time 2 -H 'apikey: bench-key-42' "http://127.0.0.1:$PORT_TG_PLANS/route-42/hello" | grep -qi '^x-ratelimit-requests-limit:'; then
  skip_row tollgate-full-plans "no X-RateLimit-Requests-Limit header on a proxied response: the plan is not enforced"
fi
if has_row tollgate-full-prometheus && ! curl -s --max-time 2 "http://127.0.0.1:$PORT_TG_PROM_STATUS/metrics" | grep -q '^kong_http_requests_total{service="svc-42"'; then
  skip_row tollgate-full-prometheus "the prometheus plugin's kong_http_requests_total is missing from /metrics after the checks"
fi
# The auth rows: 401 without a credential, the upstream's body with consumer 42's (from check-<variant>.txt).
for variant in basic jwt hmac; do
  row=tollgate-full-$variant
  status_var=PORT_TG_${variant^^}_STATUS
  port_var=PORT_TG_${variant^^}
  ready_tollgate "$row" "${!status_var}" || continue
  url=http://127.0.0.1:${!port_var}/route-42/hello
  creds=()
  while IFS= read -r line; do creds+=(-H "$line"); done <"$SCRATCH/tollgate/check-$variant.txt"
  if [ "$(http_code "$url")" != 401 ]; then
    skip_row "$row" "the auth plugin is not enforced: GET /route-42/hello without a credential gave $(http_code "$url"), not 401"
  elif ! check_body "${creds[@]}" "$url"; then
    skip_row "$row" "a request with consumer 42's credential was not proxied (status $(http_code "$url" "${creds[@]}"))"
  fi
done
log "rows to measure: $(echo $ROWS)"

# ---- throughput: warm-up, then ROUNDS interleaved rounds over the rows ----
run_wrk() { # row seconds outfile
  local row=$1 args=()
  [ -n "${HEADER_OF[$row]:-}" ] && args=(-H "${HEADER_OF[$row]}")
  timeout $(($2 + 30)) taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$2s" --timeout 2s --latency \
    -s "${SCRIPT_OF[$row]}" "${args[@]}" "${URL_OF[$row]}" >"$3" 2>&1
}
# Busy share of the load core and the proxy core over a run, from /proc/stat (user..steal).
cpu_ticks() { awk -v a="cpu$LOAD_CPU" -v b="cpu$PROXY_CPU" '$1==a||$1==b{t=0;for(i=2;i<=9;i++)t+=$i;print $1,t,$5+$6}' /proc/stat; }
cpu_busy() { # before after -> {"load":N,"proxy":N}
  awk -v a="cpu$LOAD_CPU" -v b="cpu$PROXY_CPU" 'NR==FNR{t[$1]=$2;i[$1]=$3;next}
    {dt=$2-t[$1];di=$3-i[$1];u[$1]=dt>0?100*(dt-di)/dt:0}
    END{printf "{\"load\":%.1f,\"proxy\":%.1f}", u[a], u[b]}' <(echo "$1") <(echo "$2")
}
# CPU ticks used by every process of a row's group (the proxy under test), from /proc/*/stat.
group_ticks() { # pgid
  [ -n "$1" ] || { echo 0; return; }
  awk -v g="$1" '{sub(/^.*\) /, ""); if ($3 == g) t += $12 + $13} END {print t + 0}' /proc/[0-9]*/stat 2>/dev/null || echo 0
}
TICKS_PER_S=$(getconf CLK_TCK 2>/dev/null || echo 100)
for row in $ROWS; do
  log "warm-up $row (${WARMUP}s)"
  run_wrk "$row" "$WARMUP" "$LOGS/wrk-$row-warmup.txt" || log "warm-up of $row failed: $(tail -3 "$LOGS/wrk-$row-warmup.txt" | tr '\n' ' ')"
done
for round in $(seq 1 "$ROUNDS"); do
  for row in $ROWS; do
    out=$LOGS/wrk-$row-$round.txt
    before=$(cpu_ticks)
    own_before=$(group_ticks "${PID_OF[$row]:-}")
    t_before=$(date +%s%N)
    run_wrk "$row" "$DURATION" "$out" || true
    own_after=$(group_ticks "${PID_OF[$row]:-}")
    t_after=$(date +%s%N)
    cpu=$(cpu_busy "$before" "$(cpu_ticks)")
    own=$(awk -v d="$((own_after - own_before))" -v ns="$((t_after - t_before))" -v hz="$TICKS_PER_S" 'BEGIN{printf "%.1f", (ns > 0 ? 100 * d / hz / (ns / 1e9) : 0)}')
    [ "$row" = direct ] && own=null
    cpu=${cpu%\}},\"process\":$own}
    json=$(sed -n 's/^WRKJSON //p' "$out" | tail -1)
    printf '{"kind":"wrk","row":"%s","round":%d,"cpu":%s,"data":%s}\n' "$row" "$round" "$cpu" "${json:-null}" >>"$RESULTS"
    if [ -n "$json" ]; then
      log "round $round $row: $(node -e 'const d=JSON.parse(process.argv[1]),c=JSON.parse(process.argv[2]);console.log(`${Math.round(d.requests/d.duration_us*1e6)} req/s, p50 ${(d.p50_us/1000).toFixed(2)} ms, p99 ${(d.p99_us/1000).toFixed(2)} ms${d.errors_status?`, ${d.errors_status} non-2xx`:""}; busy: load core ${c.load}%, proxy core ${c.proxy}%${c.process===null?"":`, proxy process ${c.process}%`}`)' "$json" "$cpu")"
    else
      log "round $round $row: wrk failed: $(tail -3 "$out" | tr '\n' ' ')"
    fi
    alive "$row" || [ "$row" = direct ] || log "WARNING: $row is no longer running: $(log_tail "$row" 5)"
  done
done

# What the plugin rows' data planes say after the load: their series, and whether http-log kept up.
for row in tollgate-full-prometheus tollgate-full-httplog; do
  has_row $row || continue
  port=$PORT_TG_PROM_STATUS
  [ $row = tollgate-full-httplog ] && port=$PORT_TG_HTTPLOG_STATUS
  curl -s --max-time 5 "http://127.0.0.1:$port/metrics" >"$LOGS/metrics-$row.txt" || true
  log "$row /metrics: $(grep -c '^kong_' "$LOGS/metrics-$row.txt" || true) kong_ series; $(grep '^tollgate_log_queue_\(sent\|dropped\|failed\)' "$LOGS/metrics-$row.txt" | tr '\n' ' ')"
done

# ---- latency at a constant rate: direct, bare node:http proxy, Tollgate bare ----
CR_ROWS=""
for row in direct bare-node tollgate-bare; do has_row $row && CR_ROWS="$CR_ROWS $row"; done
for round in $(seq 1 "$CR_ROUNDS"); do
  for row in $CR_ROWS; do
    out=$LOGS/cr-$row-$round.txt
    timeout $((CR_WARMUP + CR_DURATION + 30)) taskset -c "$LOAD_CPU" node "$HERE/constant-rate.js" --url "${URL_OF[$row]}" \
      --rate "$CR_RATE" --duration "$CR_DURATION" --warmup "$CR_WARMUP" >"$out" 2>&1 || true
    json=$(sed -n 's/^CRJSON //p' "$out" | tail -1)
    printf '{"kind":"cr","row":"%s","round":%d,"data":%s}\n' "$row" "$round" "${json:-null}" >>"$RESULTS"
    log "constant $CR_RATE req/s, round $round $row: $(head -1 "$out" | sed 's/^[^:]*: //' | cut -c1-200)"
  done
done

# ---- report ----
log "done; load average $(cut -d' ' -f1-3 /proc/loadavg); raw results in $RESULTS, logs in $LOGS"
echo
set +e
trap - ERR
node "$HERE/report.js" "$RESULTS" "$SKIPS" | tee "$SCRATCH/report.md"
rc=${PIPESTATUS[0]}
set -e
echo
echo "(report also written to $SCRATCH/report.md)"
exit "$rc"
