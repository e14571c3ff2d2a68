#!/usr/bin/env bash
# Benchmark of extsvc serve on a ledger of N entries (default 100,000):
# requests/s, p50/p99 latency of the entry page, the API entry read and a
# Japanese substring search, and the server's peak memory. Prints figures;
# asserts nothing (the machines' noise must never fail CI).
#   bench/run.sh [N]        BENCH_SECONDS (default 10), BENCH_CONNECTIONS (32)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
SECONDS_EACH="${BENCH_SECONDS:-10}"
CONNS="${BENCH_CONNECTIONS:-32}"

scripts/deps build
source bench/lib.sh
db="$seed"

port=$(free_port)
"$bin" --db "$db" serve --listen "127.0.0.1:$port" >/dev/null 2>"$work/server.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.1; done

token=$("$bin" --db "$db" token create --as shokuin)
cookie=$(curl -s -c - -o /dev/null -d 'login=shokuin&password=extsvc-demo-2026' \
  "http://127.0.0.1:$port/login" | awk '/extsvc_session/ {print $7}')

run() { # name, extra wrk args...  (CONNS=N run ... for another concurrency)
  local name=$1; shift
  local out
  local c=${C:-$CONNS} t=2
  [ "$c" -lt 2 ] && t=1
  out=$(wrk -t$t -c"$c" -d"${SECONDS_EACH}s" --latency "$@")
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  local errors
  errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-34s %10s req/s   p50 %8s   p99 %8s%s\n' "$name" "$rps" "$p50" "$p99" \
    "${errors:+   non-2xx: $errors}"
}

echo "extsvc serve, $N ledger entries, default threads, $CONNS connections, ${SECONDS_EACH}s each ($(nproc) cores)"
BENCH_ENTRIES=$N BENCH_PREFIX=/api/v1/ledger/ run "API entry read (GET /api/v1/ledger/ID)" \
  -s bench/random_id.lua -H "Authorization: Bearer $token" "http://127.0.0.1:$port"
BENCH_ENTRIES=$N BENCH_PREFIX=/ledger/ run "entry page (GET /ledger/ID)" \
  -s bench/random_id.lua -H "Cookie: extsvc_session=$cookie" "http://127.0.0.1:$port"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("翻訳"))')
run "search 「翻訳」 (API, 50 per page)" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/ledger?q=$q"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("ファイル共有"))')
run "search 「ファイル共有」 (API)" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/ledger?q=$q"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("会議"))')
run "search page 「会議」 (GET /ledger?q=)" -H "Cookie: extsvc_session=$cookie" \
  "http://127.0.0.1:$port/ledger?q=$q"
# The same searches with as many connections as server threads: latency
# without queueing behind 30 other clients, i.e. what one user waits.
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("翻訳"))')
C=2 run "search 「翻訳」 (API), 2 connections" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/ledger?q=$q"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("ファイル共有"))')
C=2 run "search 「ファイル共有」, 2 connections" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/ledger?q=$q"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("周南クラウド"))')
C=2 run "search 「周南クラウド」, 2 connections" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/ledger?q=$q"
# The issue's targets for 「ファイル共有」 over 100,000 entries: p99 under
# 10 ms with 1 connection and under 50 ms with 10.
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("ファイル共有"))')
C=1 run "search 「ファイル共有」, 1 connection" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/ledger?q=$q"
C=10 run "search 「ファイル共有」, 10 connections" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/ledger?q=$q"
printf 'server peak memory (VmHWM): %s\n' "$(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
