#!/usr/bin/env bash
# Every page and listing a person opens in a day, timed over a ledger of N
# entries (default 100,000) on SQLite and on PostgreSQL in one run: the
# median and slowest of 5 fetches each, as an approver (shinsa) and as an
# auditor (kansa) for the audit log. The target is under 50 ms each
# (issue 9); a path over it is counted at the end. Prints figures;
# asserts nothing (tests/api/test_query_plans.py checks the plans).
#   bench/listings.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"

scripts/deps build test
source bench/lib.sh
export EXTSVC_TODAY=2026-05-01

start_pg_cluster
"$bin" copy --from "$seed" --to "$pgurl" >/dev/null
password=$(python3 -c 'import json; print(json.load(open("data/demo/demo.json"))["password"])')

one() { # label, database URL
  local port
  port=$(free_port)
  "$bin" --db "$2" serve --listen "127.0.0.1:$port" --threads 2 >/dev/null 2>"$work/listings-$1.err" &
  pids+=($!)
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.1; done
  echo "[$1, $N entries] as shinsa (approver)"
  python3 bench/listings.py "http://127.0.0.1:$port" shinsa "$password" 5
  echo "[$1, $N entries] as kansa (auditor)"
  python3 bench/listings.py "http://127.0.0.1:$port" kansa "$password" 5 | grep -E 'audit|path|paths'
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}

rm -f "$work/run.db" "$work/run.db-wal" "$work/run.db-shm"
cp "$seed" "$work/run.db"
one sqlite "$work/run.db"
one postgresql "$pgurl"
