#!/usr/bin/env bash
# One entry read, extsvc against nginx, side by side in one run (issue 9):
# `GET /api/v1/ledger/ID` with a Bearer token from `extsvc serve --threads 1`,
# and nginx (one worker) serving the same response bytes as a static file.
# Each server is pinned to core 0 and wrk to core 1, one after the other.
# Prints both rates and their ratio; asserts nothing.
#   bench/entry_vs_nginx.sh [N]   BENCH_SECONDS (10), BENCH_CONNECTIONS (16), BENCH_ROUNDS (3:
#   the two take turns, and the ratio is the median of each round's, against the machine's drift)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
SECONDS_EACH="${BENCH_SECONDS:-10}"
CONNS="${BENCH_CONNECTIONS:-16}"

command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || {
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null
}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
source bench/lib.sh

db="$work/entry.db"
rm -f "$db" "$db-wal" "$db-shm"
cp "$seed" "$db"
port=$(free_port)
token=$("$bin" --db "$db" token create --as shokuin)
taskset -c 0 "$bin" --db "$db" serve --listen "127.0.0.1:$port" --threads 1 >/dev/null \
  2>"$work/entry-serve.err" &
pid=$!
ngdir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; [ -f "$ngdir/nginx.pid" ] && kill "$(cat "$ngdir/nginx.pid")" 2>/dev/null || true; rm -rf "$ngdir"' EXIT
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.1; done

# The same bytes nginx will serve: one entry's JSON as extsvc answers it.
mkdir -p "$ngdir/root/api/v1/ledger"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/ledger/1" \
  >"$ngdir/root/api/v1/ledger/1"
ngport=$(free_port)
cat >"$ngdir/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $ngdir/nginx.pid;
error_log $ngdir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  client_body_temp_path $ngdir/tmp;
  proxy_temp_path $ngdir/tmp;
  fastcgi_temp_path $ngdir/tmp;
  uwsgi_temp_path $ngdir/tmp;
  scgi_temp_path $ngdir/tmp;
  server { listen 127.0.0.1:$ngport; root $ngdir/root; }
}
EOF
mkdir -p "$ngdir/tmp"
taskset -c 0 "$NGINX" -c "$ngdir/nginx.conf" -p "$ngdir"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$ngport/api/v1/ledger/1" >/dev/null && break; sleep 0.1; done

rate() { # wrk args... -> requests/s
  taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" --latency "$@" |
    awk '/Requests\/sec/ {rps=$2} $1 == "99%" {p99=$2} END {print rps, p99}'
}
ROUNDS="${BENCH_ROUNDS:-3}"
echo "entry read, $N entries, $CONNS connections, ${SECONDS_EACH}s each, $ROUNDS rounds taken in turn;" \
  "server on core 0, wrk on core 1"
# A first pass that is not counted: the page cache and SQLite's warm up.
BENCH_ENTRIES=$N BENCH_PREFIX=/api/v1/ledger/ taskset -c 1 wrk -t1 -c"$CONNS" -d3s \
  -s bench/random_id.lua -H "Authorization: Bearer $token" "http://127.0.0.1:$port" >/dev/null
ngs=() exs=() ratios=()
for r in $(seq "$ROUNDS"); do
  read -r ng ngp99 < <(rate "http://127.0.0.1:$ngport/api/v1/ledger/1")
  read -r ex exp99 < <(BENCH_ENTRIES=$N BENCH_PREFIX=/api/v1/ledger/ rate -s bench/random_id.lua \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$port")
  ratio=$(echo "$ex / $ng" | bc -l)
  printf 'round %d: nginx (1 worker, the same bytes) %9s req/s p99 %8s | extsvc (1 thread) %9s req/s p99 %8s | %.2f\n' \
    "$r" "$ng" "$ngp99" "$ex" "$exp99" "$ratio"
  ngs+=("$ng") exs+=("$ex") ratios+=("$ratio")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf 'median: nginx %s req/s, extsvc %s req/s\n' "$(median "${ngs[@]}")" "$(median "${exs[@]}")"
# Each round's two runs are a minute apart at most; the machine drifts more
# than that between rounds, so the ratio is the median of the rounds' ratios.
printf 'extsvc / nginx = %.2f (median of the rounds)\n' "$(median "${ratios[@]}")"
printf 'extsvc peak memory (VmHWM): %s\n' "$(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
