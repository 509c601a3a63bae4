#!/usr/bin/env bash
# Image entrypoint. `init` prepares a deployment once (the compose airflow-init service); anything else
# is exec'd unchanged (`airflow scheduler`, `carbonpeak ...`), so signals reach it directly.
set -euo pipefail

die() { echo "entrypoint: $*" >&2; exit 1; }

init() {
    # Airflow only warns about a short JWT secret; every component signs and checks tokens with it.
    local secret_bytes
    secret_bytes=$(printf '%s' "${AIRFLOW__API_AUTH__JWT_SECRET:-}" | wc -c)
    (( secret_bytes >= 64 )) || die "AIRFLOW__API_AUTH__JWT_SECRET must be 64+ bytes (has ${secret_bytes})"

    # A bind mount owned by root instead of a named volume shows up here, not halfway through a run.
    local data="${CARBONPEAK_DATA_DIR:?}" dir
    for dir in "$data/raw" "$data/landing" "$data/state" "$data/build" "$data/gx" \
               "$(dirname "${CARBONPEAK_WAREHOUSE:?}")" "${AIRFLOW_HOME:?}/logs"; do
        mkdir -p "$dir" 2>/dev/null || true
        [[ -w "$dir" ]] || die "$dir is not writable by uid $(id -u)"
    done

    airflow db migrate
    # The DAG's DuckDB tasks share this pool: DuckDB allows one writer per file (stack.md §3).
    airflow pools set duckdb_writer 1 "one writer per DuckDB file"
}

case "${1:-}" in
    init) init ;;
    *) exec "$@" ;;
esac
