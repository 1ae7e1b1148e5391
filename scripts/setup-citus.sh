#!/usr/bin/env bash
# A local Citus cluster for vecpg's Citus suite: builds Citus (not in Debian's archive) from a source
# tree for the local PostgreSQL 15 when it is not installed, then starts a coordinator and two
# workers on 127.0.0.1 (new instances beside the main server, which is left alone), each with
# pgvector and Citus, registered with citus_set_coordinator_host / citus_add_node.
#
#   CITUS_SRC=/path/to/citus-v13.2.2 scripts/setup-citus.sh      # idempotent; prints the coordinator URL
#   CITUS_URL=$(scripts/setup-citus.sh) && npm run test:citus
#   scripts/setup-citus.sh stop                                    # stop the three instances
#
# Output contract (for CI): on success stdout is one line, the coordinator URL (postgres://…), exit 0.
# When Citus cannot be made available (no source tree, build failed, no PostgreSQL 15), stdout is one
# line "Citus lane did not run: <why>" and the exit status is 0 unless CITUS_REQUIRED=1 (then 3), so
# an optional lane is reported, not failed. Everything else goes to stderr.
#
# Environment: CITUS_SRC (source tree, e.g. a `git archive v13.2.2` of citusdata/citus), CITUS_DIR
# (data directories, default /work/citus-cluster), CITUS_PORT (coordinator port, default 5433;
# the workers use the next two), CITUS_DB (database, default vecpg).
set -euo pipefail

CITUS_DIR="${CITUS_DIR:-/work/citus-cluster}"
PORT0="${CITUS_PORT:-5433}"
DB="${CITUS_DB:-vecpg}"
PORTS=("$PORT0" "$((PORT0 + 1))" "$((PORT0 + 2))")
NAMES=(coordinator worker1 worker2)
PGMAJOR=15
PGBIN="/usr/lib/postgresql/$PGMAJOR/bin"
PG_CONFIG="$PGBIN/pg_config"
[ -x "$PG_CONFIG" ] || PG_CONFIG="$(command -v pg_config || true)"

log() { printf '[setup-citus] %s\n' "$*" >&2; }
unavailable() {
  echo "Citus lane did not run: $*"
  if [ "${CITUS_REQUIRED:-0}" = 1 ]; then exit 3; fi
  exit 0
}

# Run as the postgres OS user when we are root (initdb and postgres refuse to run as root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
psql_at() { # port db sql
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -Atc "$3"
}

if [ "${1:-}" = stop ]; then
  for i in 2 1 0; do
    d="$CITUS_DIR/${NAMES[$i]}"
    [ -f "$d/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$d" -m fast -w stop >&2 || true
  done
  exit 0
fi

[ -x "$PGBIN/postgres" ] || unavailable "PostgreSQL $PGMAJOR server binaries not found in $PGBIN"

# 1. Citus installed for this PostgreSQL? Otherwise build it from CITUS_SRC.
PKGLIBDIR="$("$PG_CONFIG" --pkglibdir)"
if [ -f "$PKGLIBDIR/citus.so" ]; then
  log "Citus already installed in $PKGLIBDIR"
else
  [ -n "${CITUS_SRC:-}" ] || unavailable "Citus is not installed and CITUS_SRC (a Citus v13.2.x source tree) is not set"
  [ -f "$CITUS_SRC/configure" ] || unavailable "Citus is not installed and CITUS_SRC=$CITUS_SRC has no Citus source (no configure)"
  [ -f "$PKGLIBDIR/vector.so" ] || unavailable "pgvector is not installed for PostgreSQL $PGMAJOR (run scripts/setup-postgres.sh)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEPS=(make gcc "postgresql-server-dev-$PGMAJOR" libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev)
  missing=()
  for p in "${DEPS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing build dependencies: ${missing[*]}"
    { $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
      { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }; } ||
      unavailable "could not install the build dependencies ${missing[*]}"
  fi
  # Build in a copy: the source tree stays as given, and a failed build leaves nothing installed.
  BUILD="$CITUS_DIR/build"
  rm -rf "$BUILD"
  mkdir -p "$BUILD"
  cp -a "$CITUS_SRC/." "$BUILD/"
  # PostgreSQL 15.20 exports have_createdb_privilege(); Citus 13.2.2 defines its own static inline copy
  # for PG < 16 ("static declaration follows non-static declaration"). Rename Citus's copy.
  COMPAT="$BUILD/src/include/pg_version_compat.h"
  if grep -q 'have_createdb_privilege' "$("$PG_CONFIG" --includedir-server)/commands/dbcommands.h" &&
    grep -q '^have_createdb_privilege(void)' "$COMPAT"; then
    log "renaming Citus's have_createdb_privilege ($("$PG_CONFIG" --version) exports one)"
    sed -i -e 's/^have_createdb_privilege(void)/citus_have_createdb_privilege(void)/' \
      -e 's/^#define have_createdb_privilege() have_createdb_privilege()/#define citus_have_createdb_privilege() have_createdb_privilege()/' \
      "$COMPAT"
    grep -rl '[^_]have_createdb_privilege()' "$BUILD/src/backend" |
      xargs -r sed -i 's/\([^_]\)have_createdb_privilege()/\1citus_have_createdb_privilege()/g'
  fi
  log "building Citus $(sed -n 's/^PACKAGE_VERSION=.\(.*\).$/\1/p' "$BUILD/configure") (about 5 minutes on 2 quiet cores)"
  (cd "$BUILD" && nice -n 10 ./configure --without-libcurl PG_CONFIG="$PG_CONFIG" >"$BUILD/configure.log" 2>&1) ||
    unavailable "Citus configure failed (see $BUILD/configure.log)"
  (cd "$BUILD" && nice -n 10 make -j2 >"$BUILD/make.log" 2>&1) || unavailable "Citus build failed (see $BUILD/make.log)"
  (cd "$BUILD" && $SUDO make install >"$BUILD/install.log" 2>&1) || unavailable "Citus install failed (see $BUILD/install.log)"
  log "Citus installed in $PKGLIBDIR"
fi

# 2. Three instances: initdb once, start if not running.
mkdir -p "$CITUS_DIR"
[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$CITUS_DIR"
for i in 0 1 2; do
  d="$CITUS_DIR/${NAMES[$i]}"
  port="${PORTS[$i]}"
  if [ ! -f "$d/PG_VERSION" ]; then
    log "initdb ${NAMES[$i]} in $d (port $port)"
    as_pg "$PGBIN/initdb" -D "$d" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$d/postgresql.conf" <<CONF
# vecpg Citus cluster (scripts/setup-citus.sh)
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$d'
shared_preload_libraries = 'citus'
shared_buffers = 64MB
max_connections = 100
max_wal_size = 512MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
  if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
    log "starting ${NAMES[$i]} on port $port"
    as_pg "$PGBIN/pg_ctl" -D "$d" -l "$d/server.log" -w -t 60 start >/dev/null ||
      unavailable "${NAMES[$i]} did not start (see $d/server.log)"
  fi
done

# 3. The database with both extensions on every node, then the node registration.
for port in "${PORTS[@]}"; do
  if [ -z "$(psql_at "$port" postgres "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
    psql_at "$port" postgres "CREATE DATABASE \"$DB\"" >/dev/null
  fi
  # Once a worker is registered Citus refuses DDL there, even CREATE EXTENSION IF NOT EXISTS: ask first.
  for ext in citus vector; do
    if [ -z "$(psql_at "$port" "$DB" "SELECT 1 FROM pg_extension WHERE extname = '$ext'")" ]; then
      psql_at "$port" "$DB" "CREATE EXTENSION $ext" >/dev/null
    fi
  done
done
if [ -z "$(psql_at "$PORT0" "$DB" "SELECT 1 FROM pg_dist_node WHERE groupid = 0")" ]; then
  psql_at "$PORT0" "$DB" "SELECT citus_set_coordinator_host('127.0.0.1', $PORT0)" >/dev/null
fi
for port in "${PORTS[1]}" "${PORTS[2]}"; do
  if [ -z "$(psql_at "$PORT0" "$DB" "SELECT 1 FROM pg_dist_node WHERE nodeport = $port")" ]; then
    psql_at "$PORT0" "$DB" "SELECT citus_add_node('127.0.0.1', $port)" >/dev/null
  fi
done
WORKERS=$(psql_at "$PORT0" "$DB" "SELECT count(*) FROM citus_get_active_worker_nodes()")
CITUS_VERSION=$(psql_at "$PORT0" "$DB" "SELECT extversion FROM pg_extension WHERE extname = 'citus'")
log "ready: Citus $CITUS_VERSION, coordinator 127.0.0.1:$PORT0, $WORKERS workers, database $DB"
echo "postgres://postgres@127.0.0.1:$PORT0/$DB"
