#!/usr/bin/env bash
# What `make deploy-test` needs from Debian: PostgreSQL (Airflow's metadata database) and Redis (the Celery
# broker). Installs whichever is missing when run as root; otherwise names the apt-get command to run.
set -euo pipefail
need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
(( ${#need[@]} == 0 )) && exit 0
if [[ $(id -u) != 0 ]]; then
    echo "deploy_deps: missing ${need[*]}: run  sudo apt-get install ${need[*]}" >&2
    exit 1
fi
echo "deploy_deps: apt-get install ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
