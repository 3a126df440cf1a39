#!/usr/bin/env bash
# Times `vigil import people` with 20,000 rows into a fresh database: SQLite in a temporary folder, and
# PostgreSQL too when BENCH_POSTGRES_URL names a server (a database is created and dropped).
# Usage: bench/import-people.sh [path/to/vigil]   (default: a release build in CARGO_TARGET_DIR or target/)
set -euo pipefail
cd "$(dirname "$0")/.."
vigil="${1:-${CARGO_TARGET_DIR:-target}/release/vigil}"
rows="${ROWS:-20000}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench/people.py "$rows" > "$work/people.csv"

run() {
  local label=$1; shift
  "$vigil" "$@" org create --name "Bench Provider" --ukprn 10099999 --nation england --slug bench > /dev/null
  local start end
  start=$(date +%s.%N)
  "$vigil" "$@" import people --org bench --file "$work/people.csv"
  end=$(date +%s.%N)
  printf '%s: %s rows in %.2f s\n' "$label" "$rows" "$(echo "$end - $start" | bc)"
}

run "SQLite" --data-dir "$work/data"
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  db="vigil_bench_$$"
  psql "$BENCH_POSTGRES_URL" -qc "CREATE DATABASE $db"
  trap 'psql "$BENCH_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$work"' EXIT
  run "PostgreSQL" --database-url "${BENCH_POSTGRES_URL%/*}/$db" --data-dir "$work/pgdata"
fi
