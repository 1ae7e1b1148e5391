#!/usr/bin/env bash
# `npm run test:citus`: the Citus suite (test/citus) on a local cluster. Uses CITUS_URL when set;
# otherwise starts the cluster with scripts/setup-citus.sh (which builds Citus from CITUS_SRC if needed).
# When no cluster can be had, prints the one line "Citus lane did not run: <why>" and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CITUS_URL:-}" ]; then
  line="$(scripts/setup-citus.sh)"
  case "$line" in
    postgres://*) CITUS_URL="$line" ;;
    *)
      echo "$line"
      exit 0
      ;;
  esac
fi
export CITUS_URL
exec npx vitest run test/citus "$@"
