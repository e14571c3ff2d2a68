#!/usr/bin/env bash
# Importing a city's old ledger (issue 10): `extsvc ledger import` of N rows
# (default 100,000) into a new database, beside `sqlite3 .import` of the
# same file into one plain table, timed in turn by farm-bench (median of
# BENCH_RUNS, default 3). The target is under 10 s for 100,000 rows.
# extsvc does per row what an approval does: a request with its document
# and evaluation, the entry and its version, the search index and a keyed
# audit record, all in one transaction; sqlite3 only stores the cells.
# Each row names a service of its own; BENCH_SERVICES=K makes the rows
# share K services (a city's ledger names Microsoft 365 in every
# department: BENCH_SERVICES=1 is the extreme).
# Prints figures; asserts nothing.
#   [BENCH_SERVICES=K] bench/import.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
RUNS="${BENCH_RUNS:-3}"
SERVICES="${BENCH_SERVICES:-$N}"

scripts/deps build
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlite3 >/dev/null
dir=build-bench
[ -d "$dir" ] || meson setup "$dir" --buildtype=release >/dev/null
ninja -C "$dir" >/dev/null || ninja -C "$dir"
bin="$PWD/$dir/extsvc"
work="${BENCH_DIR:-/tmp/extsvc-bench}/import"
mkdir -p "$work"
csv="$work/ledger-$N$([ "$SERVICES" = "$N" ] || echo "-s$SERVICES").csv"

python3 - "$N" "$csv" "$SERVICES" <<'PY'
import sys
n, path, k = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rows = ["台帳番号,サービス名,事業者名,業務内容,機密性,完全性,可用性,利用開始日,利用終了日,"
        "担当課,申請者,利用範囲"]
for i in range(n):
    rows.append("A-%d,サービス%d,株式会社プロバイダ%d,業務%dの連絡調整,%d,%d,%d,2026/4/1,令和9年3月31日,"
                "部%d 課%d,職員 %d,課内に限る" % (i, i % k, i % k % 500, i, 1 + i % 3, 1 + i % 2, 1 + i % 2,
                                           i % 10, i % 7, i))
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("\r\n".join(rows) + "\r\n")
PY
printf '%s: %s rows of %s services, %s bytes\n' "$csv" "$N" "$SERVICES" "$(stat -c %s "$csv")"

cat > "$work/extsvc-import.sh" <<SH
#!/bin/sh
set -e
rm -f "$work/x.db" "$work/x.db-wal" "$work/x.db-shm" "$work/x.db-audit.key"
"$bin" --db "$work/x.db" init >/dev/null
"$bin" --db "$work/x.db" user add imp --name 取込 --dept 情報政策課 --role approver >/dev/null
exec "$bin" --db "$work/x.db" ledger import --as imp "$csv"
SH
cat > "$work/sqlite-import.sh" <<SH
#!/bin/sh
set -e
rm -f "$work/s.db"
exec sqlite3 "$work/s.db" ".mode csv" ".import $csv ledger"
SH
chmod +x "$work/extsvc-import.sh" "$work/sqlite-import.sh"
farm-bench -n "$RUNS" --warmup 0 --timeout 3000 --vs "$work/sqlite-import.sh" -- "$work/extsvc-import.sh"
printf 'database after the import: extsvc %s MB, sqlite3 .import %s MB\n' \
  "$(( $(stat -c %s "$work/x.db") / 1048576 ))" "$(( $(stat -c %s "$work/s.db") / 1048576 ))"
