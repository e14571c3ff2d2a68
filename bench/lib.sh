# Shared by the bench scripts (sourced): install what is missing (wrk,
# curl), build the release binary into build-bench/ and set $bin, $work
# (BENCH_DIR, default /tmp/extsvc-bench) and the seeded ledger $seed of
# $N entries, made once with `extsvc demo --entries N` and kept.
command -v wrk >/dev/null || { apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
command -v curl >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl >/dev/null; }

dir=build-bench
[ -d "$dir" ] || meson setup "$dir" --buildtype=release >/dev/null
ninja -C "$dir" >/dev/null || ninja -C "$dir"
bin="$PWD/$dir/extsvc"

work="${BENCH_DIR:-/tmp/extsvc-bench}"
mkdir -p "$work"
seed="$work/ledger-$N.db"
if [ ! -e "$seed.done" ]; then
  rm -f "$seed" "$seed-wal" "$seed-shm"
  start=$(date +%s.%N)
  EXTSVC_PROGRESS=1 "$bin" --db "$seed" demo --entries "$N" >/dev/null
  printf 'seeded %s entries (SQLite, through the workflow) in %.1f s\n' "$N" \
    "$(echo "$(date +%s.%N) - $start" | bc)"
  touch "$seed.done"
fi
# A seed made by an older extsvc: bring its schema up to this one's (and
# seal its audit log with a key, made beside it). Every database a script
# makes from here (copies, PostgreSQL) uses that key.
"$bin" --db "$seed" init >/dev/null
export EXTSVC_AUDIT_KEY="$seed-audit.key"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A throwaway PostgreSQL cluster for the run: sets $pgdir and $pgurl; the
# servers the script starts go in $pids, and both are gone when it exits.
start_pg_cluster() {
  local pg
  pg=$(scripts/pg-cluster start)
  pgdir=$(sed -n 1p <<<"$pg")
  pgurl=$(sed -n 2p <<<"$pg")
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; scripts/pg-cluster stop "$pgdir"' EXIT
}
