#!/usr/bin/env bash
# Start a throw-away PostgreSQL + PostGIS cluster on loopback for the history tests.
#
# Installs Debian's postgresql and postgis packages when missing, initialises a cluster
# under ${CIRCLE15_PG_DIR:-${TMPDIR:-/tmp}/circle15-pg} (owned by the 'postgres' user when
# run as root), listens on 127.0.0.1 only (port ${CIRCLE15_PG_PORT:-54315}), requires a
# password (scram-sha-256) and creates the database circle15_test with the postgis extension.
#
# Source it (". .ci/start-postgres.sh") to get CIRCLE15_TEST_PG_URL exported; run it to
# have the export line printed on stdout (eval "$(bash .ci/start-postgres.sh)").
# Stop the cluster with: .ci/start-postgres.sh stop
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # sourced: run as a script (its own shell options) and export the URL it prints
  _c15_pg_export="$(bash "${BASH_SOURCE[0]}")" || return 1
  eval "$_c15_pg_export"
  unset _c15_pg_export
  return 0
fi
set -euo pipefail

_pg_port="${CIRCLE15_PG_PORT:-54315}"
_pg_dir="${CIRCLE15_PG_DIR:-${TMPDIR:-/tmp}/circle15-pg}"
_pg_user=circle15
_pg_pass=circle15-test-only
_pg_db=circle15_test

_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

_pg_as() {  # run a command as the cluster owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_pg_install() {
  local need=()
  _pg_bin >/dev/null || need+=(postgresql)
  local bin; bin="$(_pg_bin 2>/dev/null || true)"
  local ver; ver="$(basename "$(dirname "${bin:-/x/15/bin}")")"
  ls /usr/share/postgresql/"$ver"/extension/postgis.control >/dev/null 2>&1 \
    || need+=(postgis "postgresql-$ver-postgis-3")
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing system packages: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    if [[ " ${need[*]} " == *" postgresql "* ]]; then
      ver="$(basename "$(dirname "$(_pg_bin)")")"
      ls /usr/share/postgresql/"$ver"/extension/postgis.control >/dev/null 2>&1 \
        || apt-get install -y -qq --no-install-recommends "postgresql-$ver-postgis-3" >/dev/null
    fi
  fi
}

_pg_start() {
  _pg_install
  local bin; bin="$(_pg_bin)"
  if [ ! -s "$_pg_dir/PG_VERSION" ]; then
    mkdir -p "$_pg_dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$_pg_dir"
    chmod 700 "$_pg_dir"
    local pwfile; pwfile="$(mktemp)"
    printf '%s\n' "$_pg_pass" > "$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
    _pg_as "$bin/initdb" -D "$_pg_dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  if ! _pg_as "$bin/pg_ctl" -D "$_pg_dir" status >/dev/null 2>&1; then
    _pg_as "$bin/pg_ctl" -D "$_pg_dir" -w -l "$_pg_dir/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $_pg_port -k $_pg_dir" start >/dev/null
  fi
  local psql=("$bin/psql" -h "$_pg_dir" -p "$_pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt)
  if [ -z "$(_pg_as "${psql[@]}" -d postgres -c "select 1 from pg_roles where rolname='$_pg_user'")" ]; then
    _pg_as "${psql[@]}" -d postgres -c "create role $_pg_user login password '$_pg_pass'"
  fi
  if [ -z "$(_pg_as "${psql[@]}" -d postgres -c "select 1 from pg_database where datname='$_pg_db'")" ]; then
    _pg_as "${psql[@]}" -d postgres -c "create database $_pg_db owner $_pg_user"
  fi
  _pg_as "${psql[@]}" -d "$_pg_db" -c "set client_min_messages = warning" -c "create extension if not exists postgis"
  CIRCLE15_TEST_PG_URL="postgresql://$_pg_user:$_pg_pass@127.0.0.1:$_pg_port/$_pg_db"
  export CIRCLE15_TEST_PG_URL
}

if [ "${1:-}" = stop ]; then
  _pg_as "$(_pg_bin)/pg_ctl" -D "$_pg_dir" -m fast stop
else
  _pg_start
  echo "export CIRCLE15_TEST_PG_URL=$CIRCLE15_TEST_PG_URL"
fi
