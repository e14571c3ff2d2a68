#!/usr/bin/env bash
# SQLite and PostgreSQL side by side, in one run, on the same ledger of N
# entries (default 100,000): entry read, a Japanese search at 1 and 10
# connections (p99), and approvals per second through two `extsvc serve`
# processes. The ledger is seeded once with `extsvc demo --entries N` into
# a SQLite file (kept in /tmp/extsvc-bench), then moved to a throwaway
# PostgreSQL cluster with `extsvc copy` (its time is printed too). Prints
# figures; asserts nothing.
#   bench/backends.sh [N]     BENCH_SECONDS (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
SECONDS_EACH="${BENCH_SECONDS:-10}"

scripts/deps build test
source bench/lib.sh
export EXTSVC_TODAY=2026-05-01

start_pg_cluster

start=$(date +%s.%N)
"$bin" copy --from "$seed" --to "$pgurl" >/dev/null
printf 'extsvc copy of the %s-entry ledger to PostgreSQL: %.1f s\n' "$N" \
  "$(echo "$(date +%s.%N) - $start" | bc)"

quote() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

# wrk: prints "req/s p50 p99 errors"
measure() { # connections, url, extra wrk args...
  local c=$1; shift
  local out
  out=$(wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${SECONDS_EACH}s" --latency "$@")
  printf '%10s %8s %8s %s' "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1 == "50%" {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')" \
    "$(echo "$out" | awk '/Non-2xx/ {print "non-2xx " $NF}')"
}

bench_one() { # label, database URL
  local label=$1 db=$2
  local p1 p2
  p1=$(free_port); p2=$(free_port)
  "$bin" --db "$db" serve --listen "127.0.0.1:$p1" --threads 2 >/dev/null 2>"$work/serve-$label-1.err" &
  pids+=($!)
  local pid1=$!
  "$bin" --db "$db" serve --listen "127.0.0.1:$p2" --threads 2 >/dev/null 2>"$work/serve-$label-2.err" &
  pids+=($!)
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$p1/login" >/dev/null && curl -s "http://127.0.0.1:$p2/login" >/dev/null && break; sleep 0.1; done
  local token
  token=$("$bin" --db "$db" token create --as shokuin)
  local q
  q=$(quote "ファイル共有")
  echo "[$label]"
  printf '  %-44s %10s %8s %8s\n' "" "req/s" "p50" "p99"
  printf '  %-44s %s\n' "entry read, 10 connections" "$(BENCH_ENTRIES=$N BENCH_PREFIX=/api/v1/ledger/ \
    measure 10 -s bench/random_id.lua -H "Authorization: Bearer $token" "http://127.0.0.1:$p1")"
  printf '  %-44s %s\n' "search 「ファイル共有」, 1 connection" "$(measure 1 \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$p1/api/v1/ledger?q=$q")"
  printf '  %-44s %s\n' "search 「ファイル共有」, 10 connections" "$(measure 10 \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$p1/api/v1/ledger?q=$q")"
  printf '  '
  python3 bench/approvals.py "$p1,$p2" 300 8
  printf '  serve peak memory (VmHWM): %s\n' "$(awk '/VmHWM/ {print $2, $3}' /proc/$pid1/status)"
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}

echo "extsvc, $N ledger entries, two serve processes x 2 threads, ${SECONDS_EACH}s per run ($(nproc) cores; wrk on the same machine)"
rm -f "$work/run.db" "$work/run.db-wal" "$work/run.db-shm"  # a stale WAL would be replayed into the copy
cp "$seed" "$work/run.db"
bench_one sqlite "$work/run.db"
bench_one postgresql "$pgurl"
