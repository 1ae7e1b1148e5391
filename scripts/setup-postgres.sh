#!/usr/bin/env bash
# Make the local PostgreSQL server usable by vecpg's tests: build pgvector (not packaged
# in Debian 12) from Debian 13's source package against the running server, install it,
# and create the extension in the test database.
#
#   scripts/setup-postgres.sh            # idempotent; safe to run again
#   PGVECTOR_DB=test scripts/setup-postgres.sh
set -euo pipefail

DB="${PGVECTOR_DB:-test}"
PGHOST_="${PGHOST:-127.0.0.1}"
PGPORT_="${PGPORT:-5432}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { printf '[setup-postgres] %s\n' "$*" >&2; }

# 1. A running server. Start it if the cluster exists but is down.
if ! pg_isready -q -h "$PGHOST_" -p "$PGPORT_"; then
  log "server not answering on $PGHOST_:$PGPORT_, starting it"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST_" -p "$PGPORT_" && break; sleep 1; done
fi
PGMAJOR=$(psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d postgres -Atc "SHOW server_version_num" | cut -c1-2)
log "PostgreSQL major version $PGMAJOR"

# 2. pgvector available to the server? (pg_available_extensions lists installed control files)
have_vector() {
  [ -n "$(psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d postgres -Atc \
    "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")" ]
}

if have_vector; then
  log "pgvector already installed for PostgreSQL $PGMAJOR"
else
  # 3. Debian 13 (trixie) source entry reusing the machine's own Debian mirror URI.
  URI=$(grep -h -E '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1 | awk '{print $2}')
  if [ -z "$URI" ]; then
    URI=$(grep -h -E '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 | awk '{print $2}')
  fi
  URI="${URI:-http://deb.debian.org/debian}"
  LIST=/etc/apt/sources.list.d/vecpg-trixie-src.sources
  if [ ! -f "$LIST" ]; then
    log "adding deb-src for trixie from $URI"
    $SUDO tee "$LIST" >/dev/null <<SRC
Types: deb-src
URIs: $URI
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  log "installing build dependencies"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends dpkg-dev make gcc "postgresql-server-dev-$PGMAJOR" >/dev/null

  WORK=$(mktemp -d /tmp/pgvector-build.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
  log "fetching the pgvector source package into $WORK"
  (cd "$WORK" && apt-get source --download-only pgvector >/dev/null 2>&1 || apt-get source --download-only pgvector)
  (cd "$WORK" && dpkg-source -x --no-check ./pgvector_*.dsc src >/dev/null)
  log "building pgvector $(cd "$WORK/src" && sed -n 's/^default_version = .\(.*\).$/\1/p' vector.control)"
  PG_CONFIG="/usr/lib/postgresql/$PGMAJOR/bin/pg_config"
  # OPTFLAGS="" avoids -march=native, so the build runs on any x86-64 machine.
  make -s -C "$WORK/src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" -j"$(nproc)" >/dev/null
  $SUDO make -s -C "$WORK/src" PG_CONFIG="$PG_CONFIG" install >/dev/null
  have_vector || { log "pgvector built but the server does not list it"; exit 1; }
fi

# 4. The test database with the extension.
if [ -z "$(psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  createdb -h "$PGHOST_" -p "$PGPORT_" -U postgres "$DB"
fi
psql -q -h "$PGHOST_" -p "$PGPORT_" -U postgres -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
VERSION=$(psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d "$DB" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'vector'")
log "ready: database '$DB' on $PGHOST_:$PGPORT_ has pgvector $VERSION"
echo "postgres://postgres@$PGHOST_:$PGPORT_/$DB"
